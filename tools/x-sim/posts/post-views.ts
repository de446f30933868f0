/**
 * Posts as X shows them: the v2 Post of the API and of X Activity `post.*` events, and the v1.1 Tweet of Account
 * Activity `tweet_create_events`. Shapes from X's spec (Post, PostEntities, Media), the XAA event samples (docs:
 * x-api/activity/event-payloads.mdx: `edit_history_tweet_ids`, mention entities with `id`) and the AAA docs
 * (v1.1 Tweet with `id_str`, `user`, `entities.user_mentions`, `extended_entities.media`, and for posts over 140
 * characters `truncated: true` with `extended_tweet.full_text`).
 */
import { v1VideoInfo } from '../dm/views';
import { exactInteger } from '../delivery/serialize';
import { isoTimestamp } from '../core/time-format';
import type { DmAttachment, Post, XUser } from '../state/types';

type Json = Record<string, unknown>;

/** Where X serves a post's file: photos on pbs.twimg.com, videos and GIFs on video.twimg.com. */
export function postMediaUrl(attachment: DmAttachment): { file: string; preview?: string } {
    const stem = attachment.fileName.replace(/\.[^.]*$/, '');
    switch (attachment.type) {
        case 'photo':
            return { file: `https://pbs.twimg.com/media/${attachment.fileName}` };
        case 'video':
            return {
                file: `https://video.twimg.com/ext_tw_video/${attachment.mediaId}/pu/vid/${attachment.width ?? 640}x${attachment.height ?? 360}/${attachment.fileName}`,
                preview: `https://pbs.twimg.com/ext_tw_video_thumb/${attachment.mediaId}/pu/img/${stem}.jpg`,
            };
        case 'animated_gif':
            return {
                file: `https://video.twimg.com/tweet_video/${attachment.fileName}`,
                preview: `https://pbs.twimg.com/tweet_video_thumb/${stem}.jpg`,
            };
    }
}

/** The post's references in the dialect asked for (`referenced_tweets` in events, `referenced_posts` in the API). */
function references(post: Post): Json[] {
    const refs: Json[] = [];
    if (post.repostOfId) refs.push({ type: 'retweeted', id: post.repostOfId });
    if (post.quotedPostId) refs.push({ type: 'quoted', id: post.quotedPostId });
    if (post.inReplyToPostId) refs.push({ type: 'replied_to', id: post.inReplyToPostId });
    return refs;
}

/**
 * Every field the simulator knows for a post. `dialect`: `events` as the XAA samples name things (tweet), `api`
 * as the spec's post.fields do (post).
 */
export function v2PostAll(post: Post, dialect: 'events' | 'api'): Json {
    const tweet = dialect === 'events';
    const all: Json = {
        id: post.id,
        text: post.text,
        author_id: post.authorId,
        created_at: isoTimestamp(post.createdAt),
        conversation_id: post.conversationId,
        [tweet ? 'edit_history_tweet_ids' : 'edit_history_post_ids']: [post.id],
        reply_settings: post.replySettings,
        lang: 'en',
        possibly_sensitive: false,
    };
    if (post.inReplyToUserId) all.in_reply_to_user_id = post.inReplyToUserId;
    const refs = references(post);
    if (refs.length > 0) all[tweet ? 'referenced_tweets' : 'referenced_posts'] = refs;
    const entities: Json = {};
    if (post.mentions.length > 0)
        entities.mentions = post.mentions.map((m) => ({
            start: m.start,
            end: m.end,
            username: m.username,
            id: m.userId,
        }));
    if (post.urls.length > 0) {
        const mediaLink = post.media.length > 0 ? post.urls[post.urls.length - 1] : undefined;
        entities.urls = post.urls.map((u) => ({
            start: u.start,
            end: u.end,
            url: u.url,
            expanded_url: u.expandedUrl,
            display_url: u.displayUrl,
            ...(u === mediaLink ? { media_key: post.media[0].mediaKey } : {}),
        }));
    }
    if (Object.keys(entities).length > 0) all.entities = entities;
    if (post.media.length > 0) all.attachments = { media_keys: post.media.map((m) => m.mediaKey) };
    return all;
}

export function v2PostMedia(attachment: DmAttachment): Json {
    const urls = postMediaUrl(attachment);
    const all: Json = { media_key: attachment.mediaKey, type: attachment.type };
    if (attachment.type === 'photo') all.url = urls.file;
    else {
        all.preview_image_url = urls.preview;
        all.variants = [{ bit_rate: attachment.bitrate ?? 0, content_type: 'video/mp4', url: urls.file }];
    }
    if (attachment.durationMs !== undefined) all.duration_ms = attachment.durationMs;
    if (attachment.width !== undefined) all.width = attachment.width;
    if (attachment.height !== undefined) all.height = attachment.height;
    return all;
}

/** Texts longer than this are `truncated` in a v1.1 Tweet; the whole is in `extended_tweet`. */
const V1_TEXT_LIMIT = 140;

/** A v1.1 Tweet as AAA delivers it (`quoted`: the quoted or reposted post's own Tweet, nested). */
export function v1Tweet(post: Post, author: XUser, referenced?: { post: Post; author: XUser }): Json {
    const codePoints = Array.from(post.text);
    const truncated = codePoints.length > V1_TEXT_LIMIT;
    const entities: Json = {
        hashtags: [],
        symbols: [],
        user_mentions: post.mentions.map((m) => ({
            screen_name: m.username,
            id: exactInteger(m.userId),
            id_str: m.userId,
            indices: [m.start, m.end],
        })),
        urls: post.urls
            .filter((_, i) => !(post.media.length > 0 && i === post.urls.length - 1))
            .map((u) => ({
                url: u.url,
                expanded_url: u.expandedUrl,
                display_url: u.displayUrl,
                indices: [u.start, u.end],
            })),
    };
    const media = post.media.length > 0 ? { media: post.media.map((m) => v1MediaEntity(post, m)) } : undefined;
    const tweet: Json = {
        created_at: twitterDate(post.createdAt),
        id: exactInteger(post.id),
        id_str: post.id,
        text: truncated ? `${codePoints.slice(0, V1_TEXT_LIMIT - 2).join('')} …` : post.text,
        truncated,
        in_reply_to_status_id: post.inReplyToPostId ? exactInteger(post.inReplyToPostId) : null,
        in_reply_to_status_id_str: post.inReplyToPostId ?? null,
        in_reply_to_user_id: post.inReplyToUserId ? exactInteger(post.inReplyToUserId) : null,
        in_reply_to_user_id_str: post.inReplyToUserId ?? null,
        in_reply_to_screen_name: post.inReplyToUserId ? (post.mentions[0]?.username ?? null) : null,
        user: {
            id: exactInteger(author.id),
            id_str: author.id,
            name: author.name,
            screen_name: author.username,
            profile_image_url_https: author.profileImageUrl,
        },
        is_quote_status: post.quotedPostId !== undefined,
        entities: truncated
            ? { hashtags: [], symbols: [], user_mentions: [], urls: [] }
            : { ...entities, ...(media ?? {}) },
        ...(media && !truncated ? { extended_entities: media } : {}),
        timestamp_ms: String(post.createdAt),
    };
    if (truncated) {
        tweet.extended_tweet = {
            full_text: post.text,
            display_text_range: [0, codePoints.length],
            entities: { ...entities, ...(media ?? {}) },
            ...(media ? { extended_entities: media } : {}),
        };
    }
    if (referenced && post.quotedPostId) tweet.quoted_status = v1Tweet(referenced.post, referenced.author);
    if (referenced && post.repostOfId) tweet.retweeted_status = v1Tweet(referenced.post, referenced.author);
    return tweet;
}

function v1MediaEntity(post: Post, attachment: DmAttachment): Json {
    const link = post.urls[post.urls.length - 1];
    const urls = postMediaUrl(attachment);
    const still = urls.preview ?? urls.file;
    const entity: Json = {
        id: exactInteger(attachment.mediaId),
        id_str: attachment.mediaId,
        indices: link ? [link.start, link.end] : [0, 0],
        media_url_https: still,
        url: link?.url,
        display_url: link?.displayUrl,
        expanded_url: link?.expandedUrl,
        type: attachment.type,
    };
    if (attachment.type !== 'photo') entity.video_info = v1VideoInfo(attachment, urls.file, [16, 9]);
    return entity;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** v1.1's `created_at`: "Wed Oct 10 20:19:24 +0000 2018". */
function twitterDate(ms: number): string {
    const d = new Date(ms);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
}
