/**
 * What the bridge needs from X, independent of how it is reached. The implementation (client.ts) drives
 * twitter-api-v2 over the Apps-Engine HTTP accessor; tests of the core can supply their own.
 */

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

/** Where an inbound attachment can be fetched: the URL X named (a photo, or the chosen video/GIF variant). */
export interface DmMediaLocation {
    dmEventId: string;
    mediaId: string;
    url: string;
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
export type ActivityEventType = (typeof XAA_DM_EVENT_TYPES)[number];
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
