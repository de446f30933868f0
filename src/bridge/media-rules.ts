/**
 * Which files may cross between Rocket.Chat and X: the admin's Files settings, then X's own DM limits
 * (image 5 MB, GIF 15 MB, video 512 MB, one attachment per DM) outbound, Rocket.Chat's upload settings inbound.
 */
import type { AppSettings } from '../settings/reader';
import type { ServerFileRules } from '../settings/server-files';
import type { DmMediaCategory } from '../x/client-types';
import type { InboundMediaKind } from '../x/event-types';
import { dmCategoryFor, MB, X_MEDIA_LIMITS } from '../x/media-limits';

export type FileVerdict =
    | { ok: true; category: DmMediaCategory }
    | { ok: false; rule: 'uploads-disabled' }
    | { ok: false; rule: 'type-not-accepted' }
    | { ok: false; rule: 'larger-than-setting'; limitBytes: number }
    | { ok: false; rule: 'larger-than-x-allows'; limitBytes: number };

export function checkFile(settings: AppSettings, mimeType: string, sizeBytes: number): FileVerdict {
    if (!settings.fileUploadEnabled) return { ok: false, rule: 'uploads-disabled' };
    const type = mimeType.toLowerCase().split(';')[0].trim();
    const category = dmCategoryFor(type);
    if (!category || !settings.acceptedMediaTypes.includes(type)) return { ok: false, rule: 'type-not-accepted' };
    const settingLimit = settings.fileMaxSizeMb * MB;
    if (sizeBytes > settingLimit) return { ok: false, rule: 'larger-than-setting', limitBytes: settingLimit };
    if (sizeBytes > X_MEDIA_LIMITS[category])
        return { ok: false, rule: 'larger-than-x-allows', limitBytes: X_MEDIA_LIMITS[category] };
    return { ok: true, category };
}

export function formatBytes(bytes: number): string {
    if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
    if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${bytes} B`;
}

const EXTENSIONS: Record<string, string> = {
    'image/jpeg': 'jpg',
    'image/png': 'png',
    'image/gif': 'gif',
    'image/webp': 'webp',
    'video/mp4': 'mp4',
};

export function fileNameFor(mediaId: string, mimeType: string): string {
    return `x-${mediaId}.${EXTENSIONS[mimeType.split(';')[0].trim().toLowerCase()] ?? 'bin'}`;
}

/** Leading-byte signatures of the files X carries in DMs; X labels DM media `application/octet-stream`. */
export function sniffMediaType(bytes: Buffer): string | undefined {
    if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
    if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
    const head = bytes.subarray(0, 12).toString('latin1');
    if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'image/gif';
    if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'image/webp';
    // ISO base media (MP4): a size, then the `ftyp` box; QuickTime's brand is `qt  `.
    if (head.slice(4, 8) === 'ftyp') return head.slice(8, 12) === 'qt  ' ? 'video/quicktime' : 'video/mp4';
    return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What each kind of X attachment may be: a photo is an image, a GIF is served as MP4 (or kept as a GIF), a video is MP4. */
const TYPES_BY_KIND: Record<InboundMediaKind, readonly string[]> = {
    photo: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'],
    animated_gif: ['video/mp4', 'image/gif'],
    video: ['video/mp4'],
};

/** The file's type from its bytes, when they are a kind of file the event says it is; never from a header. */
export function inboundFileType(bytes: Buffer, kind: InboundMediaKind): string | undefined {
    const sniffed = sniffMediaType(bytes);
    return sniffed !== undefined && TYPES_BY_KIND[kind].includes(sniffed) ? sniffed : undefined;
}

const typeList = (value: string) =>
    value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
const onList = (type: string, list: string[]) => list.includes(type) || list.includes(type.replace(/\/.*$/, '/*'));

/** Rocket.Chat's fileUploadIsValidContentTypeFromSettings (apps/meteor/app/utils/lib/restrictions.ts). */
export function serverAcceptsType(rules: ServerFileRules, type: string): boolean {
    const black = typeList(rules.blackList);
    if (black.length > 0 && onList(type, black)) return false;
    if (!rules.whiteList || rules.whiteList === '*') return true;
    return onList(type, typeList(rules.whiteList));
}

/** The most an inbound file may be: the app's Maximum file size and Rocket.Chat's, in whole bytes (a Range names whole bytes). */
export function inboundLimitBytes(settings: AppSettings, server: ServerFileRules): number {
    const app = Math.floor(settings.fileMaxSizeMb * MB);
    return server.maxFileSize >= 0 ? Math.min(app, server.maxFileSize) : app;
}

export type InboundVerdict =
    | { ok: true }
    | { ok: false; rule: 'app-uploads-disabled' | 'server-uploads-disabled' | 'type-unknown' }
    | { ok: false; rule: 'app-type' | 'server-type'; type: string }
    | { ok: false; rule: 'too-large'; limitBytes: number; sizeBytes?: number };

/** Before any download: whether a file of this kind could be shown at all. */
export function checkInboundKind(
    settings: AppSettings,
    server: ServerFileRules,
    kind: InboundMediaKind,
): InboundVerdict {
    if (!settings.fileUploadEnabled) return { ok: false, rule: 'app-uploads-disabled' };
    if (!server.enabled) return { ok: false, rule: 'server-uploads-disabled' };
    const types = TYPES_BY_KIND[kind];
    const appTypes = types.filter((type) => settings.acceptedMediaTypes.includes(type));
    if (appTypes.length === 0) return { ok: false, rule: 'app-type', type: types.join(', ') };
    if (!appTypes.some((type) => serverAcceptsType(server, type)))
        return { ok: false, rule: 'server-type', type: appTypes.join(', ') };
    return { ok: true };
}

/** After the download: the file's real type and size against both sets of rules. */
export function checkInboundFile(
    settings: AppSettings,
    server: ServerFileRules,
    type: string,
    sizeBytes: number,
): InboundVerdict {
    if (!settings.acceptedMediaTypes.includes(type)) return { ok: false, rule: 'app-type', type };
    if (!serverAcceptsType(server, type)) return { ok: false, rule: 'server-type', type };
    const limitBytes = inboundLimitBytes(settings, server);
    if (sizeBytes > limitBytes) return { ok: false, rule: 'too-large', limitBytes, sizeBytes };
    return { ok: true };
}
