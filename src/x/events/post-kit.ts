/**
 * What the two post shapes (v2 Post: XAA `post.mention.create` / `post.create` and the mentions timeline; v1.1
 * Tweet: AAA `tweet_create_events`) end in: the one `InboundPost`, whose flags are decided here once.
 */
import type { InboundMedia, InboundPost, InboundUrl, PostContext, PostSource } from '../event-types';
import { skip, UserMap } from './parse-kit';

/** The t.co link X puts in a post for its photos and videos expands to the post's own media page. */
const POST_MEDIA_PAGE = /^https?:\/\/(?:mobile\.)?(?:twitter|x)\.com\/[^/?#]+\/status\/(\d+)\/(?:photo|video)\/\d+/;

/** What either shape says about a post, read and checked. */
export interface PostFields {
    eventId: string;
    accountId: string;
    authorId: string;
    text: string;
    urls: InboundUrl[];
    createdAt: number;
    conversationId?: string;
    inReplyToPostId?: string;
    inReplyToUserId?: string;
    /** Who the post's mention entities name (user ids). */
    mentionedIds: string[];
    /** The author of the post this one quotes or reposts, when known. */
    referencedAuthorId?: string;
    context?: PostContext;
    media: InboundMedia[];
    isRetweet: boolean;
    isQuote: boolean;
    /** X delivered it as a mention of the account (XAA `post.mention.create`, the mentions timeline). */
    deliveredAsMention: boolean;
    authorBlocked?: boolean;
    source: PostSource;
    users: UserMap;
}

/**
 * The post, or a skip: one with neither text nor media says nothing, and one neither by the account nor
 * about it (an AAA body carries whatever touches the account) is not the bridge's business.
 */
export function buildPost(fields: PostFields, where: string): InboundPost {
    if (fields.text.trim() === '' && fields.media.length === 0) {
        skip('empty-message', where);
    }
    const byAccount = fields.authorId === fields.accountId;
    const mentionsAccount =
        fields.deliveredAsMention ||
        fields.mentionedIds.includes(fields.accountId) ||
        fields.inReplyToUserId === fields.accountId ||
        fields.referencedAuthorId === fields.accountId;
    if (!byAccount && !mentionsAccount) {
        skip('not-a-mention', where);
    }
    const author = fields.users[fields.authorId];
    return {
        kind: 'post',
        eventId: fields.eventId,
        accountId: fields.accountId,
        authorId: fields.authorId,
        ...(author?.username !== undefined ? { authorUsername: author.username } : {}),
        ...(author?.name !== undefined ? { authorName: author.name } : {}),
        text: fields.text,
        urls: fields.urls,
        createdAt: fields.createdAt,
        ...(fields.conversationId !== undefined ? { conversationId: fields.conversationId } : {}),
        ...(fields.inReplyToPostId !== undefined ? { inReplyToPostId: fields.inReplyToPostId } : {}),
        ...(fields.inReplyToUserId !== undefined ? { inReplyToUserId: fields.inReplyToUserId } : {}),
        ...(fields.context !== undefined ? { context: fields.context } : {}),
        media: fields.media,
        isRetweet: fields.isRetweet,
        isQuote: fields.isQuote,
        mentionsAccount,
        byAccount,
        ...(fields.authorBlocked !== undefined && !byAccount ? { authorBlocked: fields.authorBlocked } : {}),
        source: fields.source,
        users: fields.users,
    };
}

/** The t.co link that stands for a post's media: the URL entity expanding to the post's photo or video page. */
export function postMediaLink(urls: InboundUrl[], postId: string, flagged: Set<string>): string | undefined {
    return urls.find((entry) => flagged.has(entry.url) || POST_MEDIA_PAGE.exec(entry.expandedUrl)?.[1] === postId)?.url;
}

/** Milliseconds from a v1.1 `created_at` ("Wed Oct 10 20:19:24 +0000 2018"), which `Date.parse` reads. */
export function twitterDateMillis(value: unknown): number | undefined {
    if (
        typeof value !== 'string' ||
        !/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$/.test(value)
    )
        return undefined;
    const parsed = Date.parse(value);
    return Number.isFinite(parsed) ? parsed : undefined;
}
