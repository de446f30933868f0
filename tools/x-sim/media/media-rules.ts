import type { DmMediaType, MediaCategory } from '../state/types';

/** X's media limits and categories (x-api.md §7). */

const MB = 1024 * 1024;

type CategoryFamily = 'image' | 'gif' | 'video' | 'subtitles';

const FAMILY: Record<MediaCategory, CategoryFamily> = {
    dm_image: 'image',
    tweet_image: 'image',
    dm_gif: 'gif',
    tweet_gif: 'gif',
    dm_video: 'video',
    tweet_video: 'video',
    amplify_video: 'video',
    subtitles: 'subtitles',
};

const SIZE_LIMIT: Record<CategoryFamily, number> = { image: 5 * MB, gif: 15 * MB, video: 512 * MB, subtitles: 1 * MB };

export const MEDIA_CATEGORIES = Object.keys(FAMILY) as MediaCategory[];

/** DM media and uploads stay usable for 24 hours. */
export const MEDIA_LIFETIME_MS = 24 * 60 * 60 * 1000;

export function isMediaCategory(value: unknown): value is MediaCategory {
    return typeof value === 'string' && value in FAMILY;
}

export function sizeLimitOf(category: MediaCategory): number {
    return SIZE_LIMIT[FAMILY[category]];
}

/** Whether the MIME type fits the category (a GIF may go up as an image too). */
export function mediaTypeFits(category: MediaCategory, mediaType: string): boolean {
    switch (FAMILY[category]) {
        case 'image':
            return mediaType.startsWith('image/');
        case 'gif':
            return mediaType === 'image/gif';
        case 'video':
            return mediaType.startsWith('video/');
        case 'subtitles':
            return mediaType === 'text/srt' || mediaType === 'text/vtt';
    }
}

/** GIFs and videos are transcoded asynchronously; images are ready at finalize. */
export function needsProcessing(category: MediaCategory): boolean {
    const family = FAMILY[category];
    return family === 'gif' || family === 'video';
}

export function isDmCategory(category: MediaCategory): boolean {
    return category.startsWith('dm_');
}

export function dmMediaTypeOf(category: MediaCategory): DmMediaType {
    return FAMILY[category] === 'video' ? 'video' : FAMILY[category] === 'gif' ? 'animated_gif' : 'photo';
}

/** media_key prefixes X uses: 3_ photo, 16_ animated GIF, 7_ video. */
export function mediaKeyOf(category: MediaCategory, mediaId: string): string {
    const prefix = { image: '3', gif: '16', video: '7', subtitles: '3' }[FAMILY[category]];
    return `${prefix}_${mediaId}`;
}

export function categoryForDmType(type: DmMediaType): MediaCategory {
    return type === 'photo' ? 'dm_image' : type === 'animated_gif' ? 'dm_gif' : 'dm_video';
}

/** Guesses a MIME type from magic bytes (one-shot uploads carry no media_type). */
export function sniffMediaType(bytes: Buffer): string | undefined {
    if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
    if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
    if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP')
        return 'image/webp';
    if (bytes.subarray(4, 8).toString('latin1') === 'ftyp') return 'video/mp4';
    return undefined;
}

/** Pixel size from PNG / GIF headers, when the bytes are one of those. */
export function imageDimensions(bytes: Buffer): { width: number; height: number } | undefined {
    if (sniffMediaType(bytes) === 'image/png' && bytes.length >= 24)
        return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    if (sniffMediaType(bytes) === 'image/gif' && bytes.length >= 10)
        return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
    return undefined;
}

export function fileExtensionOf(contentType: string): string {
    return (
        { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'video/mp4': 'mp4' }[
            contentType
        ] ?? 'bin'
    );
}
