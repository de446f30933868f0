/**
 * What the driver (tests, the sandbox) does with posts: people posting in X's own app, and what they see there.
 * X's app refuses what its API would (too long, a deleted post); the API's reply policy does not apply to
 * people typing in the app.
 */
import type { DeliveryRecord } from '../delivery/dispatcher';
import { newDmAttachment, type VideoFacts } from '../media/media-service';
import type { SimServices } from '../services';
import type { DmMediaType, Post, ReplySettings } from '../state/types';
import { MAX_POST_WEIGHT, REPLY_TARGET_GONE, TOO_LONG, weightedLength } from './post-rules';
import { postMediaUrl } from './post-views';

export interface PostMediaInput extends VideoFacts {
    type: DmMediaType;
    bytes: Buffer;
    contentType: string;
}

export interface PostOptions {
    /** The post this one answers. */
    inReplyTo?: string;
    /** The post this one quotes. */
    quote?: string;
    /** A repost of this post (the text is then X's "RT @author: …"). */
    retweet?: string;
    /** Up to four photos, or one video or GIF. */
    media?: PostMediaInput[];
    replySettings?: ReplySettings;
    /** The X client it was typed in, when that client has an app id. */
    clientAppId?: string;
}

/** A post as the driver reports it (what people see on X). */
export interface PostView {
    id: string;
    authorId: string;
    /** Stored text: links as t.co, a reply's leading @handle, the media link last. */
    text: string;
    urls: { url: string; expandedUrl: string }[];
    mentionedIds: string[];
    conversationId: string;
    inReplyToPostId?: string;
    quotedPostId?: string;
    repostOfId?: string;
    replySettings: ReplySettings;
    /** `url`: where X serves the file (pbs.twimg.com photos, video.twimg.com videos and GIFs). */
    media: { mediaId: string; type: DmMediaType; contentType: string; bytes: Buffer; url: string }[];
    sourceAppId?: string;
    createdAt: number;
    deleted: boolean;
}

export interface CreatedPostView {
    post: PostView;
    deliveries: DeliveryRecord[];
}

export function postView(post: Post): PostView {
    return {
        id: post.id,
        authorId: post.authorId,
        text: post.text,
        urls: post.urls.map((u) => ({ url: u.url, expandedUrl: u.expandedUrl })),
        mentionedIds: post.mentions.map((m) => m.userId),
        conversationId: post.conversationId,
        ...(post.inReplyToPostId ? { inReplyToPostId: post.inReplyToPostId } : {}),
        ...(post.quotedPostId ? { quotedPostId: post.quotedPostId } : {}),
        ...(post.repostOfId ? { repostOfId: post.repostOfId } : {}),
        replySettings: post.replySettings,
        media: post.media.map((m) => ({
            mediaId: m.mediaId,
            type: m.type,
            contentType: m.contentType,
            bytes: m.bytes,
            url: postMediaUrl(m).file,
        })),
        ...(post.sourceAppId ? { sourceAppId: post.sourceAppId } : {}),
        createdAt: post.createdAt,
        deleted: post.deleted,
    };
}

/** `authorId` posts `text` in X's app; throws what X's app would refuse. */
export function postInApp(
    services: SimServices,
    authorId: string,
    text: string,
    options: PostOptions = {},
): { post: Post; deliveries: DeliveryRecord[] } {
    const { posts, store } = services;
    if (!options.retweet && weightedLength(text) > MAX_POST_WEIGHT)
        throw new Error(`x-sim: X would refuse: ${TOO_LONG}`);
    for (const id of [options.inReplyTo, options.quote, options.retweet]) {
        if (id !== undefined && (posts.post(id)?.deleted ?? true))
            throw new Error(`x-sim: X would refuse: ${REPLY_TARGET_GONE}`);
    }
    const media = (options.media ?? []).map((m) =>
        newDmAttachment(store, store.ids.next(), m.type, m.contentType, m.bytes, m),
    );
    if (media.length > 4 || (media.length > 1 && media.some((m) => m.type !== 'photo')))
        throw new Error('x-sim: a post holds up to four photos, or one video or GIF');
    return posts.create({
        authorId,
        text,
        inReplyToPostId: options.inReplyTo,
        quotedPostId: options.quote,
        repostOfId: options.retweet,
        media,
        replySettings: options.replySettings,
        sourceAppId: options.clientAppId,
    });
}
