import { SeededRandom } from '../core/random';
import type { SerializationStyle } from '../ops/faults';

/**
 * Writes a delivery body in one of the styles X's serializers have been seen to use (x-api.md §12:
 * real captures escape non-ASCII as `\uXXXX`, one also `\/`, `<` and `>` as `\u003c`/`\u003e`). The
 * signature is always computed over the returned string's UTF-8 bytes, so receivers that
 * re-serialize the parsed body must try these variants. U+007F is ASCII: never escaped.
 *
 * - `htmlSafe`: `<` `>` `&` and U+2028/U+2029 as `\u003c`-style escapes (Go's encoding/json, Rails);
 * - `htmlSafeEscapedSlashes`: the same, and `/` as `\/`;
 * - `htmlSafeAll`: `\/`, non-ASCII and the HTML-safe escapes together (the 2021 capture).
 *
 * With `keyOrderSeed`, maps keyed by numeric ids (`users`, `apps`) are written in a seeded random
 * order, as X's own maps have no defined order; JSON.parse then moves ten-digit ids to the front.
 */
export function serializeDelivery(payload: unknown, style: SerializationStyle, keyOrderSeed?: number): string {
    let text = writeExactIntegers(
        keyOrderSeed === undefined ? JSON.stringify(payload) : writeShuffled(payload, new SeededRandom(keyOrderSeed)),
    );
    if (style === 'escapedSlashes' || style === 'both' || style === 'htmlSafeEscapedSlashes' || style === 'htmlSafeAll')
        text = text.replace(/\//g, '\\/');
    if (style === 'unicodeEscaped' || style === 'both' || style === 'htmlSafeAll') text = escapeNonAscii(text);
    if (style === 'htmlSafe' || style === 'htmlSafeEscapedSlashes' || style === 'htmlSafeAll') text = escapeHtml(text);
    return text;
}

/**
 * Marks an id X writes as a bare JSON number (v1.1 `id`, `in_reply_to_status_id`, …): X writes every digit of a
 * 64-bit id (x-api.md §4: v1.1 objects carry `id` and `id_str`), which a JavaScript number cannot hold, so the
 * payload carries the digits behind this mark and the serializer writes them unquoted.
 */
export function exactInteger(digits: string): number | string {
    return Number.isSafeInteger(Number(digits)) ? Number(digits) : `${EXACT_INTEGER_MARK}${digits}`;
}

const EXACT_INTEGER_MARK = '\u0000int:';
/** The mark as JSON.stringify writes it inside a string. */
const EXACT_INTEGER = /"\\u0000int:(\d+)"/g;

function writeExactIntegers(text: string): string {
    return text.includes('int:') ? text.replace(EXACT_INTEGER, '$1') : text;
}

/** Non-ASCII (U+0080 and up) as `\uXXXX`; characters outside the BMP become two escapes (a surrogate pair). */
function escapeNonAscii(text: string): string {
    let out = '';
    for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        out += unit < 0x80 ? text[i] : '\\u' + unit.toString(16).padStart(4, '0');
    }
    return out;
}

/** `<`, `>`, `&` and the line/paragraph separators as lower-case `\uXXXX` (only strings hold them). */
function escapeHtml(text: string): string {
    return text.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Compact JSON with every numeric-id map's keys in a random order. */
function writeShuffled(value: unknown, random: SeededRandom): string {
    if (Array.isArray(value))
        return `[${value.map((item) => (item === undefined ? 'null' : writeShuffled(item, random))).join(',')}]`;
    if (typeof value !== 'object' || value === null) return JSON.stringify(value);
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined);
    if (keys.length > 1 && keys.every((key) => /^\d+$/.test(key))) {
        for (let i = keys.length - 1; i > 0; i--) {
            const j = random.int(i + 1);
            [keys[i], keys[j]] = [keys[j], keys[i]];
        }
    }
    return `{${keys.map((key) => `${JSON.stringify(key)}:${writeShuffled(record[key], random)}`).join(',')}}`;
}
