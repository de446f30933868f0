import { isoTimestamp } from '../core/time-format';
import type { DmAttachment, DmMessage, UrlEntity, XUser } from '../state/types';

/** JSON shapes of users, DM events and media, as the v2 API and the webhook payloads render them. */

type Json = Record<string, unknown>;

export const DEFAULT_USER_FIELDS = ['id', 'name', 'username'];
export const DEFAULT_DM_EVENT_FIELDS = ['id', 'event_type', 'text'];
export const DEFAULT_MEDIA_FIELDS = ['media_key', 'type'];

export function tonUrl(message: DmMessage, attachment: DmAttachment): string {
    return `https://ton.twitter.com/1.1/ton/data/dm/${message.id}/${attachment.mediaId}/${attachment.fileName}`;
}

/**
 * Where X serves an attachment, as captured AAA/XAA payloads show: a photo on ton.twitter.com; a video's MP4 on
 * video.twimg.com/dm_video/<media id>/vid/<w>x<h>/<file>, a GIF's on video.twimg.com/dm_gif/<media id>/<file>, each
 * with a still preview on pbs.twimg.com (dm_video_preview, dm_gif_preview).
 */
export function mediaUrls(message: DmMessage, attachment: DmAttachment): { file: string; preview?: string } {
    const stem = attachment.fileName.replace(/\.[^.]*$/, '');
    switch (attachment.type) {
        case 'photo':
            return { file: tonUrl(message, attachment) };
        case 'video':
            return {
                file: `https://video.twimg.com/dm_video/${attachment.mediaId}/vid/${attachment.width ?? 640}x${attachment.height ?? 360}/${attachment.fileName}`,
                preview: `https://pbs.twimg.com/dm_video_preview/${attachment.mediaId}/img/${stem}.jpg`,
            };
        case 'animated_gif':
            return {
                file: `https://video.twimg.com/dm_gif/${attachment.mediaId}/${attachment.fileName}`,
                preview: `https://pbs.twimg.com/dm_gif_preview/${attachment.mediaId}/${stem}.jpg`,
            };
    }
}

/**
 * A v2 User object with the requested `user.fields`. `receivesYourDm`: whether the caller may DM this user
 * (the spec's `receives_your_dm`, "Indicates if you can send a DM to this User": relative to the caller, so
 * only lookups in a user context know it; elsewhere it is the user's own setting).
 */
export function v2User(user: XUser, fields: Iterable<string> = DEFAULT_USER_FIELDS, receivesYourDm?: boolean): Json {
    const all: Json = {
        id: user.id,
        name: user.name,
        username: user.username,
        profile_image_url: user.profileImageUrl,
        protected: user.protected,
        verified: user.verified,
        created_at: isoTimestamp(user.createdAt),
        description: user.description,
        receives_your_dm: receivesYourDm ?? user.acceptsDmsFrom === 'everyone',
    };
    return pick(all, new Set([...DEFAULT_USER_FIELDS, ...fields]));
}

/** A v2 DmEvent with the requested `dm_event.fields`. */
export function v2DmEvent(message: DmMessage, fields: Set<string>): Json {
    const all: Json = {
        id: message.id,
        event_type: 'MessageCreate',
        text: message.text,
        created_at: isoTimestamp(message.createdAt),
        dm_conversation_id: message.conversationId,
        sender_id: message.senderId,
    };
    if (message.attachment) all.attachments = { media_keys: [message.attachment.mediaKey] };
    if (message.urls.length > 0) all.entities = { urls: message.urls.map(v2UrlEntity) };
    return pick(all, new Set([...DEFAULT_DM_EVENT_FIELDS, ...fields]));
}

/** A v2 Media object (from `includes.media`) with the requested `media.fields`. */
export function v2Media(message: DmMessage, attachment: DmAttachment, fields: Set<string>): Json {
    const urls = mediaUrls(message, attachment);
    const all: Json = { media_key: attachment.mediaKey, type: attachment.type };
    if (attachment.type === 'photo') all.url = urls.file;
    else {
        all.preview_image_url = urls.preview;
        all.variants = [{ bit_rate: attachment.bitrate ?? 0, content_type: 'video/mp4', url: urls.file }];
    }
    if (attachment.durationMs !== undefined) all.duration_ms = attachment.durationMs;
    if (attachment.width !== undefined) all.width = attachment.width;
    if (attachment.height !== undefined) all.height = attachment.height;
    return pick(all, new Set([...DEFAULT_MEDIA_FIELDS, ...fields]));
}

function v2UrlEntity(entity: UrlEntity): Json {
    return {
        start: entity.start,
        end: entity.end,
        url: entity.url,
        expanded_url: entity.expandedUrl,
        display_url: entity.displayUrl,
    };
}

/** The `message_create` event shared by Account Activity and X Activity DM payloads (ids as strings). */
export function messageCreateEvent(message: DmMessage): Json {
    const messageData: Json = {
        text: message.text,
        entities: {
            hashtags: [],
            symbols: [],
            user_mentions: [],
            urls: message.urls.map((u) => ({
                url: u.url,
                expanded_url: u.expandedUrl,
                display_url: u.displayUrl,
                indices: [u.start, u.end],
            })),
        },
    };
    if (message.attachment)
        messageData.attachment = { type: 'media', media: v1MediaEntity(message, message.attachment) };
    const messageCreate: Json = { target: { recipient_id: message.recipientId }, sender_id: message.senderId };
    if (message.sourceAppId) messageCreate.source_app_id = message.sourceAppId;
    messageCreate.message_data = messageData;
    return {
        type: 'message_create',
        id: message.id,
        created_timestamp: String(message.createdAt),
        message_create: messageCreate,
    };
}

function v1MediaEntity(message: DmMessage, attachment: DmAttachment): Json {
    const link = message.urls[message.urls.length - 1];
    const urls = mediaUrls(message, attachment);
    const url = urls.preview ?? urls.file;
    const entity: Json = {
        id_str: attachment.mediaId,
        indices: link ? [link.start, link.end] : [0, 0],
        // X repeats the https URL for DM photos (Retrieving media: "media_url is the same https URL as media_url_https").
        media_url: attachment.type === 'photo' ? url : url.replace('https://', 'http://'),
        media_url_https: url,
        url: link?.url,
        display_url: link?.displayUrl,
        expanded_url: link?.expandedUrl,
        type: attachment.type,
    };
    if (attachment.type !== 'photo') entity.video_info = v1VideoInfo(attachment, urls.file, [1, 1]);
    return entity;
}

/** A v1.1 media entity's `video_info` (videos and GIFs): one MP4 variant at `fileUrl`. */
export function v1VideoInfo(attachment: DmAttachment, fileUrl: string, defaultAspect: [number, number]): Json {
    return {
        aspect_ratio: [attachment.width ?? defaultAspect[0], attachment.height ?? defaultAspect[1]],
        ...(attachment.durationMs !== undefined ? { duration_millis: attachment.durationMs } : {}),
        variants: [{ bitrate: attachment.bitrate ?? 0, content_type: 'video/mp4', url: fileUrl }],
    };
}

/** A v1.1-style user, as in Account Activity `users` maps. */
export function v1User(user: XUser): Json {
    return {
        id: user.id,
        created_timestamp: String(user.createdAt),
        name: user.name,
        screen_name: user.username,
        description: user.description,
        protected: user.protected,
        verified: user.verified,
        followers_count: 0,
        friends_count: 0,
        statuses_count: 0,
        profile_image_url: user.profileImageUrl.replace('https://', 'http://'),
        profile_image_url_https: user.profileImageUrl,
    };
}

/** X Activity `users` maps wrap a v2 user in `{ data: ... }`. */
export function xaaUser(user: XUser): Json {
    return { data: v2User(user, ['profile_image_url', 'protected', 'verified', 'created_at', 'description']) };
}

function pick(source: Json, keys: Set<string>): Json {
    const out: Json = {};
    for (const [key, value] of Object.entries(source)) if (keys.has(key) && value !== undefined) out[key] = value;
    return out;
}
