import { chooseDownload } from '../../../src/bridge/inbound-media';
import {
    checkInboundFile,
    checkInboundKind,
    fileNameFor,
    inboundFileType,
    inboundLimitBytes,
    serverAcceptsType,
    sniffMediaType,
} from '../../../src/bridge/media-rules';
import { normalizeSettings } from '../../../src/settings/reader';
import { ROCKET_CHAT_FILE_DEFAULTS } from '../../../src/settings/server-files';
import type { InboundMedia } from '../../../src/x/event-types';

const MB = 1024 * 1024;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00', 'latin1');
const WEBP = Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1');
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42', 'latin1'), Buffer.alloc(8)]);
const MOV = Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  ', 'latin1'), Buffer.alloc(8)]);
const HTML = Buffer.from('<html><script>alert(1)</script></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');

const settings = (overrides: Record<string, unknown> = {}) =>
    normalizeSettings({
        file_upload_enabled: true,
        file_max_size_mb: 15,
        accepted_media_types: 'image/jpeg,image/png,image/gif,image/webp,video/mp4',
        ...overrides,
    });

describe('inbound files are typed from their bytes and the event, never a header', () => {
    it.each([
        [JPEG, 'image/jpeg'],
        [PNG, 'image/png'],
        [GIF, 'image/gif'],
        [WEBP, 'image/webp'],
        [MP4, 'video/mp4'],
        [MOV, 'video/quicktime'],
        [HTML, undefined],
        [SVG, undefined],
        [Buffer.alloc(0), undefined],
    ])('sniffs %#', (bytes, type) => {
        expect(sniffMediaType(bytes)).toBe(type);
    });

    it('takes a type only when the event says the file can be one', () => {
        expect(inboundFileType(PNG, 'photo')).toBe('image/png');
        expect(inboundFileType(MP4, 'photo')).toBeUndefined();
        expect(inboundFileType(MP4, 'animated_gif')).toBe('video/mp4');
        expect(inboundFileType(GIF, 'animated_gif')).toBe('image/gif');
        expect(inboundFileType(MP4, 'video')).toBe('video/mp4');
        expect(inboundFileType(JPEG, 'video')).toBeUndefined();
        expect(inboundFileType(MOV, 'video')).toBeUndefined();
        expect(inboundFileType(HTML, 'photo')).toBeUndefined();
    });

    it('names the file with the extension of its real type (Rocket.Chat types uploads by name first)', () => {
        expect(fileNameFor('42', 'video/mp4')).toBe('x-42.mp4');
        expect(fileNameFor('42', 'image/webp')).toBe('x-42.webp');
    });
});

describe("Rocket.Chat's upload settings, as the app predicts them", () => {
    it('mirrors fileUploadIsValidContentTypeFromSettings: black list first, then an optional white list with wildcards', () => {
        expect(serverAcceptsType(ROCKET_CHAT_FILE_DEFAULTS, 'image/png')).toBe(true);
        expect(serverAcceptsType(ROCKET_CHAT_FILE_DEFAULTS, 'image/svg+xml')).toBe(false);
        const images = { ...ROCKET_CHAT_FILE_DEFAULTS, whiteList: 'image/*, application/pdf' };
        expect(serverAcceptsType(images, 'image/gif')).toBe(true);
        expect(serverAcceptsType(images, 'video/mp4')).toBe(false);
        expect(serverAcceptsType({ ...images, blackList: 'image/gif' }, 'image/gif')).toBe(false);
        expect(serverAcceptsType({ ...ROCKET_CHAT_FILE_DEFAULTS, whiteList: '*' }, 'video/mp4')).toBe(true);
        expect(serverAcceptsType({ ...ROCKET_CHAT_FILE_DEFAULTS, blackList: 'video/*' }, 'video/mp4')).toBe(false);
    });

    it('limits a file to the smaller of the app and server maximum; a negative server maximum means none', () => {
        expect(inboundLimitBytes(settings(), ROCKET_CHAT_FILE_DEFAULTS)).toBe(15 * MB);
        expect(inboundLimitBytes(settings(), { ...ROCKET_CHAT_FILE_DEFAULTS, maxFileSize: MB })).toBe(MB);
        expect(inboundLimitBytes(settings(), { ...ROCKET_CHAT_FILE_DEFAULTS, maxFileSize: -1 })).toBe(15 * MB);
        expect(inboundLimitBytes(settings(), { ...ROCKET_CHAT_FILE_DEFAULTS, maxFileSize: 0 })).toBe(0);
        // A decimal Maximum file size (MB) is a whole number of bytes: Range headers only take whole bytes.
        expect(inboundLimitBytes(settings({ file_max_size_mb: 0.3 }), ROCKET_CHAT_FILE_DEFAULTS)).toBe(314_572);
    });

    it('refuses a kind before downloading when no setting could accept it', () => {
        expect(checkInboundKind(settings(), ROCKET_CHAT_FILE_DEFAULTS, 'video')).toEqual({ ok: true });
        expect(checkInboundKind(settings({ file_upload_enabled: false }), ROCKET_CHAT_FILE_DEFAULTS, 'photo')).toEqual({
            ok: false,
            rule: 'app-uploads-disabled',
        });
        expect(checkInboundKind(settings(), { ...ROCKET_CHAT_FILE_DEFAULTS, enabled: false }, 'photo')).toEqual({
            ok: false,
            rule: 'server-uploads-disabled',
        });
        expect(
            checkInboundKind(settings({ accepted_media_types: 'image/png' }), ROCKET_CHAT_FILE_DEFAULTS, 'video'),
        ).toEqual({ ok: false, rule: 'app-type', type: 'video/mp4' });
        expect(checkInboundKind(settings(), { ...ROCKET_CHAT_FILE_DEFAULTS, whiteList: 'image/*' }, 'video')).toEqual({
            ok: false,
            rule: 'server-type',
            type: 'video/mp4',
        });
        // A GIF may arrive as MP4 or GIF: one accepted type is enough to try.
        expect(
            checkInboundKind(settings(), { ...ROCKET_CHAT_FILE_DEFAULTS, whiteList: 'image/*' }, 'animated_gif'),
        ).toEqual({ ok: true });
    });

    it('checks the real type and size after the download', () => {
        expect(checkInboundFile(settings(), ROCKET_CHAT_FILE_DEFAULTS, 'image/png', 10)).toEqual({ ok: true });
        expect(
            checkInboundFile(
                settings({ accepted_media_types: 'image/jpeg' }),
                ROCKET_CHAT_FILE_DEFAULTS,
                'image/png',
                10,
            ),
        ).toEqual({ ok: false, rule: 'app-type', type: 'image/png' });
        expect(
            checkInboundFile(settings(), { ...ROCKET_CHAT_FILE_DEFAULTS, blackList: 'image/png' }, 'image/png', 10),
        ).toEqual({ ok: false, rule: 'server-type', type: 'image/png' });
        expect(
            checkInboundFile(settings({ file_max_size_mb: 1 }), ROCKET_CHAT_FILE_DEFAULTS, 'image/png', MB + 1),
        ).toEqual({ ok: false, rule: 'too-large', limitBytes: MB, sizeBytes: MB + 1 });
    });
});

describe('which variant of a video is fetched', () => {
    const video = (variants: InboundMedia['variants'], durationMs?: number): InboundMedia => ({
        mediaId: '1',
        kind: 'video',
        url: 'https://pbs.twimg.com/dm_video_preview/1/img/a.jpg',
        dmEventId: '2',
        variants,
        ...(durationMs ? { durationMs } : {}),
    });
    const variants = [
        { contentType: 'video/mp4', url: 'https://video.twimg.com/dm_video/1/vid/640x360/mid.mp4', bitrate: 832_000 },
        { contentType: 'application/x-mpegURL', url: 'https://video.twimg.com/dm_video/1/pl/list.m3u8' },
        {
            contentType: 'video/mp4',
            url: 'https://video.twimg.com/dm_video/1/vid/1280x720/high.mp4',
            bitrate: 2_176_000,
        },
        { contentType: 'video/mp4', url: 'https://video.twimg.com/dm_video/1/vid/320x180/low.mp4', bitrate: 256_000 },
    ];

    it('takes the best MP4 whose size, estimated from bitrate and length, fits', () => {
        // 10 s: high ≈ 2.7 MB, mid ≈ 1.0 MB, low ≈ 0.3 MB.
        expect(chooseDownload(video(variants, 10_000), 5 * MB)).toEqual({ url: variants[2].url });
        expect(chooseDownload(video(variants, 10_000), 2 * MB)).toEqual({ url: variants[0].url });
        expect(chooseDownload(video(variants, 10_000), 0.5 * MB)).toEqual({ url: variants[3].url });
        expect(chooseDownload(video(variants, 10_000), 0.2 * MB)).toEqual({ tooLarge: true });
    });

    it('without a length, takes the best MP4 and leaves the size to the download', () => {
        expect(chooseDownload(video(variants), 0.2 * MB)).toEqual({ url: variants[2].url });
    });

    it('never fetches a preview or a playlist in place of the file', () => {
        expect(chooseDownload(video([variants[1]], 10_000), 5 * MB)).toBeUndefined();
        expect(chooseDownload(video(undefined), 5 * MB)).toBeUndefined();
    });
});
