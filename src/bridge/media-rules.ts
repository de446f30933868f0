/**
 * Which files may cross between Rocket.Chat and X: the admin's Files settings, then X's own DM limits
 * (image 5 MB, GIF 15 MB, video 512 MB, one attachment per DM).
 */
import type { AppSettings } from '../settings/reader';
import type { DmMediaCategory } from '../x/client-types';

const MB = 1024 * 1024;

export const X_MEDIA_LIMITS: Record<DmMediaCategory, number> = { dm_image: 5 * MB, dm_gif: 15 * MB, dm_video: 512 * MB };

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

export function dmCategoryFor(mimeType: string): DmMediaCategory | undefined {
    const type = mimeType.toLowerCase().split(';')[0].trim();
    if (type === 'image/gif') return 'dm_gif';
    if (IMAGE_TYPES.includes(type)) return 'dm_image';
    if (type === 'video/mp4' || type === 'video/quicktime') return 'dm_video';
    return undefined;
}

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
    if (sizeBytes > X_MEDIA_LIMITS[category]) return { ok: false, rule: 'larger-than-x-allows', limitBytes: X_MEDIA_LIMITS[category] };
    return { ok: true, category };
}

export function formatBytes(bytes: number): string {
    if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
    if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${bytes} B`;
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'video/mp4': 'mp4' };

export function fileNameFor(mediaId: string, mimeType: string): string {
    return `x-${mediaId}.${EXTENSIONS[mimeType.split(';')[0].trim().toLowerCase()] ?? 'bin'}`;
}
