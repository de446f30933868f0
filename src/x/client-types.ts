/**
 * What the bridge needs from X, independent of how it is reached. The implementation (client.ts) drives
 * twitter-api-v2 over the Apps-Engine HTTP accessor; tests of the core can supply their own.
 */
import type { IgnoredItem, InboundPost } from './event-types';

/** The business account or a customer, as X describes them. */
export interface XUser {
    id: string;
    username: string;
    name: string;
    profileImageUrl?: string;
}

/** A user found by @handle, with whether X lets the caller (the business account) send them a DM. */
export interface XUserLookup extends XUser {
    /** X's `receives_your_dm`; undefined when X did not say. */
    receivesYourDm?: boolean;
}

export interface SentDm {
    dmEventId: string;
    dmConversationId: string;
}

export type DmMediaCategory = 'dm_image' | 'dm_gif' | 'dm_video';
export type PostMediaCategory = 'tweet_image' | 'tweet_gif' | 'tweet_video';

/** Where an inbound attachment can be fetched: the URL X named (a photo, or the chosen video/GIF variant). */
export interface DmMediaLocation {
    dmEventId: string;
    mediaId: string;
    url: string;
    /** A public post's media (`dmEventId` is then the post id): only X's public CDNs, never credentials. */
    ofPost?: boolean;
}

/**
 * A download's outcome. The bytes carry no type: X answers `application/octet-stream` for DM media, so the
 * caller types the file from its bytes. A refusal means no byte past the limit (or none at all) was asked for.
 */
export type DmMediaDownload =
    | { ok: true; bytes: Buffer }
    /** Not one of X's DM media locations over HTTPS: no request was made. */
    | { ok: false; refused: 'source-not-allowed' }
    /** Larger than `maxBytes`; the size when X told it. */
    | { ok: false; refused: 'too-large'; sizeBytes?: number };

export interface DmEventsPage {
    /** The raw page, for normalizeDmEventsPage. */
    body: unknown;
    eventCount: number;
    nextToken?: string;
}

export interface Webhook {
    id: string;
    url: string;
    valid: boolean;
    createdAt?: string;
}

/** The X Activity API events the app subscribes to for the linked account, and the only ones it reads as DMs. */
export const XAA_DM_EVENT_TYPES = ['dm.received', 'dm.sent', 'dm.read', 'dm.indicate_typing'] as const;
/**
 * Public mentions of the account and the account's own posts (its replies typed in X's app, the echoes of the
 * app's replies): the spec maps both `post.mention.create` and `post.create` to its Post schema, filter `user_id`
 * (docs: x-api/activity/event-payloads.mdx). Subscribed only while *Public mentions* is on: X bills the events
 * it delivers.
 */
export const XAA_MENTION_EVENT_TYPES = ['post.mention.create', 'post.create'] as const;
export type ActivityEventType = (typeof XAA_DM_EVENT_TYPES)[number] | (typeof XAA_MENTION_EVENT_TYPES)[number];
/**
 * App-wide X Activity event: how X announces that the account revoked the app (docs:
 * x-api/activity/introduction.mdx, "OAuth events": no filter).
 */
export const XAA_REVOKE_EVENT = 'oauth.revoke';
export type AppActivityEventType = typeof XAA_REVOKE_EVENT;

export interface ActivitySubscription {
    id: string;
    eventType: string;
    userId?: string;
    webhookId?: string;
    tag?: string;
}

/** A public reply X accepted: `POST /2/tweets` answers `{data: {id, text}}`. */
export interface CreatedPost {
    postId: string;
}

/** One page of `GET /2/users/:id/mentions`, newest first at X, here oldest first. */
export interface MentionsPage {
    posts: InboundPost[];
    /** What the page held that became no post (malformed items, X's partial errors). */
    ignored: IgnoredItem[];
    /** X's `meta.newest_id`: the next poll's `since_id`. Absent on an empty page. */
    newestId?: string;
    /** X's `meta.next_token`: more (older) posts of this same query. */
    nextToken?: string;
    /** How many posts X returned (and bills as post reads), parsed or not. */
    resultCount: number;
}

/**
 * Why X refused a public reply, when it said so; the failure's `kind` stays the general one
 * (`forbidden`, `invalid-request`, `not-found`) so every existing handler of kinds keeps working.
 */
export type PostRefusal =
    /** The author's reply settings (`reply_settings`) leave the business out of the conversation. */
    | 'reply-not-allowed'
    /**
     * X refuses a post whose text repeats one the account posted. After a send that got no clear answer, a retry
     * refused so means the first attempt was posted (look for it among the account's posts, e.g. its echo).
     */
    | 'duplicate-content'
    /** Over X's 280 weighted characters. */
    | 'too-long'
    /** The post to answer was deleted or is not visible to the account. */
    | 'post-unavailable';

/**
 * Every way an X call can fail that a person must act on or the app must plan around. `reasonKey` is the
 * i18n key that explains it to an agent or admin; raw X bodies and secrets never leave the client.
 */
export type XFailureKind =
    | 'rate-limited'
    | 'credits-depleted'
    | 'recipient-refuses-dms'
    | 'recipient-not-following'
    | 'sender-unverified'
    | 'forbidden'
    | 'media-not-permitted'
    | 'token-invalid'
    | 'missing-permission'
    | 'not-found'
    | 'invalid-request'
    | 'unavailable';

export class XFailure extends Error {
    constructor(
        public readonly kind: XFailureKind,
        /** HTTP status, 0 for network failures. */
        public readonly status: number,
        /** For 'rate-limited': when X accepts the request again (ms since epoch). */
        public readonly retryAt?: number,
        /** X's own short explanation, safe to show (never contains credentials). */
        public readonly detail?: string,
        /** X's machine-readable reason, when it gave one (e.g. `CrcValidationFailed`, `WebhookIdInvalid`). */
        public readonly reason?: XReason,
        /** Why X refused a public reply, when it is one of the refusals the app explains. */
        public readonly refusal?: PostRefusal,
    ) {
        super(`X request failed: ${kind}${status ? ` (HTTP ${status})` : ''}${detail ? `: ${detail}` : ''}`);
        this.name = 'XFailure';
    }

    /**
     * Worth retrying later. Depleted credits come back when someone buys them (or auto-recharge does):
     * nothing is given up meanwhile, the app waits and probes.
     */
    public get transient(): boolean {
        return this.kind === 'rate-limited' || this.kind === 'unavailable' || this.kind === 'credits-depleted';
    }
}

/**
 * The machine reasons X names in webhook, subscription and replay errors (research/x-api.md §3, §12;
 * docs: account-activity quickstart "Failure reasons"). Matched as whole identifiers, never as phrases.
 */
export const X_REASONS = [
    'CrcValidationFailed',
    'UrlValidationFailed',
    'DuplicateUrlFailed',
    'WebhookLimitExceeded',
    'WebhookIdInvalid',
    'SubscriptionNotFound',
    'DuplicateSubscriptionFailed',
    'DuplicateSubscription',
    'SubscriptionLimitExceeded',
    'QueryParamInvalid',
    'ReplayConflictError',
] as const;
export type XReason = (typeof X_REASONS)[number];

export interface XClient {
    me(): Promise<XUser>;
    /** undefined when no user has that handle (X answers 200 with a not-found error). */
    userByUsername(username: string): Promise<XUserLookup | undefined>;
    sendDm(customerId: string, text: string | undefined, mediaId?: string): Promise<SentDm>;
    uploadDmMedia(bytes: Buffer, mimeType: string): Promise<string>;
    /** No request starts after `deadlineAt` (ms since epoch), when given. */
    downloadDmMedia(location: DmMediaLocation, maxBytes: number, deadlineAt?: number): Promise<DmMediaDownload>;
    listDmEvents(options: { maxResults: number; paginationToken?: string }): Promise<DmEventsPage>;
    getDmEvent(eventId: string): Promise<unknown>;

    /**
     * A public reply as the business account (`POST /2/tweets` with `reply.in_reply_to_tweet_id`). Text over
     * X's limit is refused before any request (`refusal: 'too-long'`); X's refusals come back with `refusal`.
     */
    createReply(text: string, inReplyToPostId: string, mediaIds?: string[]): Promise<CreatedPost>;
    /** Uploads a file for a public post (categories `tweet_image`, `tweet_gif`, `tweet_video`); the media id. */
    uploadPostMedia(bytes: Buffer, mimeType: string): Promise<string>;
    /**
     * Posts mentioning `accountId` (`GET /2/users/:id/mentions`), oldest first, newer than `sinceId` when given.
     * `maxResults` is clamped to X's 5–100.
     */
    mentions(
        accountId: string,
        options: { sinceId?: string; maxResults: number; paginationToken?: string },
    ): Promise<MentionsPage>;
    /**
     * One post (`GET /2/tweets/:id`), or undefined when X no longer has it (deleted, hidden) or it neither comes from
     * nor concerns the account.
     */
    getPost(accountId: string, postId: string): Promise<InboundPost | undefined>;

    listWebhooks(): Promise<Webhook[]>;
    createWebhook(url: string): Promise<Webhook>;
    revalidateWebhook(webhookId: string): Promise<void>;
    deleteWebhook(webhookId: string): Promise<void>;
    replayWebhook(webhookId: string, fromMs: number, toMs: number): Promise<void>;

    createActivitySubscription(
        eventType: ActivityEventType,
        accountId: string,
        webhookId: string,
    ): Promise<ActivitySubscription>;
    createAppActivitySubscription(eventType: AppActivityEventType, webhookId: string): Promise<ActivitySubscription>;
    listActivitySubscriptions(): Promise<ActivitySubscription[]>;
    deleteActivitySubscription(subscriptionId: string): Promise<void>;

    subscribeAccountActivity(webhookId: string): Promise<void>;
    listAccountActivitySubscriptions(webhookId: string): Promise<string[]>;
    unsubscribeAccountActivity(webhookId: string, accountId: string): Promise<void>;
}
