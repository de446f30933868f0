/**
 * Draws assets/icon.png (256×256, the X logo in white on a black rounded square) with no image
 * tooling: the machine has none, and a committed generator keeps the icon reproducible.
 */
import * as fs from 'fs';
import * as path from 'path';
import { deflateSync } from 'zlib';
import { repoRoot } from '../host/paths';

const size = 256;

function crc32(buf: Buffer): number {
    let c = ~0;
    for (const byte of buf) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
}

/** Distance from point p to segment ab. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Coverage in [0,1] of the X mark at a sample point: a thick stroke and a thin stroke crossing. */
function inMark(x: number, y: number): boolean {
    const thick = segmentDistance(x, y, 70, 62, 186, 194) < 17;
    const thin = segmentDistance(x, y, 188, 62, 68, 194) < 6.5;
    const hollow = segmentDistance(x, y, 70, 62, 186, 194) < 8 && !thin;
    return (thick && !hollow) || thin;
}

function inRoundedSquare(x: number, y: number): boolean {
    const r = 48;
    const cx = Math.min(Math.max(x, r), size - r);
    const cy = Math.min(Math.max(y, r), size - r);
    return Math.hypot(x - cx, y - cy) <= r;
}

function render(): Buffer {
    const raw = Buffer.alloc(size * (size * 4 + 1));
    const samples = 4;
    for (let y = 0; y < size; y++) {
        raw[y * (size * 4 + 1)] = 0; // filter: none
        for (let x = 0; x < size; x++) {
            let bg = 0;
            let fg = 0;
            for (let sy = 0; sy < samples; sy++) {
                for (let sx = 0; sx < samples; sx++) {
                    const px = x + (sx + 0.5) / samples;
                    const py = y + (sy + 0.5) / samples;
                    if (inRoundedSquare(px, py)) {
                        bg++;
                        if (inMark(px, py)) fg++;
                    }
                }
            }
            const n = samples * samples;
            const o = y * (size * 4 + 1) + 1 + x * 4;
            const white = Math.round((255 * fg) / Math.max(bg, 1));
            raw[o] = raw[o + 1] = raw[o + 2] = white;
            raw[o + 3] = Math.round((255 * bg) / n);
        }
    }
    const header = Buffer.alloc(13);
    header.writeUInt32BE(size, 0);
    header.writeUInt32BE(size, 4);
    header[8] = 8; // bit depth
    header[9] = 6; // RGBA
    return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', header),
        chunk('IDAT', deflateSync(raw, { level: 9 })),
        chunk('IEND', Buffer.alloc(0)),
    ]);
}

fs.writeFileSync(path.join(repoRoot, 'assets', 'icon.png'), render());
