/** X's media categories and their size limits (image 5 MB, GIF 15 MB, video 512 MB, for DMs and posts alike). */
import type { DmMediaCategory, PostMediaCategory } from './client-types';

export const MB = 1024 * 1024;

export const X_MEDIA_LIMITS: Record<DmMediaCategory, number> = {
    dm_image: 5 * MB,
    dm_gif: 15 * MB,
    dm_video: 512 * MB,
};

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

export function dmCategoryFor(mimeType: string): DmMediaCategory | undefined {
    const type = mimeType.toLowerCase().split(';')[0].trim();
    if (type === 'image/gif') return 'dm_gif';
    if (IMAGE_TYPES.includes(type)) return 'dm_image';
    if (type === 'video/mp4' || type === 'video/quicktime') return 'dm_video';
    return undefined;
}

const POST_CATEGORY: Record<DmMediaCategory, PostMediaCategory> = {
    dm_image: 'tweet_image',
    dm_gif: 'tweet_gif',
    dm_video: 'tweet_video',
};

/** The upload category of a file for a public post (the spec's `media_category` enum: `tweet_*`). */
export function postCategoryFor(mimeType: string): PostMediaCategory | undefined {
    const dm = dmCategoryFor(mimeType);
    return dm === undefined ? undefined : POST_CATEGORY[dm];
}
