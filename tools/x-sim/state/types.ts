/** The simulator's entities, as plain records held in memory. */

export type OAuth1AccessLevel = 'read' | 'read-write' | 'read-write-dm';

export interface DeveloperApp {
    /** Numeric app id; also the `source_app_id` of DMs the app sends. */
    id: string;
    name: string;
    url: string;
    consumerKey: string;
    consumerSecret: string;
    /** OAuth 2.0 client id. */
    clientId: string;
    /** OAuth 2.0 client secret; null for a public client. */
    clientSecret: string | null;
    /** Redirect / callback URLs registered in the developer portal (exact match). */
    callbackUrls: string[];
    oauth1AccessLevel: OAuth1AccessLevel;
    /** Webhooks allowed per app (1 on pay-per-use). */
    webhookLimit: number;
    /** Account Activity subscriptions allowed per app (3 on pay-per-use). */
    accountActivitySubscriptionLimit: number;
}

/** Who may start a conversation with the user: anyone, nobody, or (message requests) only verified accounts. */
export type DmAcceptance = 'everyone' | 'nobody' | 'verified';

export interface XUser {
    id: string;
    username: string;
    name: string;
    profileImageUrl: string;
    description: string;
    createdAt: number;
    protected: boolean;
    verified: boolean;
    acceptsDmsFrom: DmAcceptance;
    /** Ids of users this user has blocked. */
    blocked: Set<string>;
}

export interface OAuth1AccessToken {
    token: string;
    secret: string;
    appId: string;
    userId: string;
    revoked: boolean;
}

export interface OAuth1RequestToken {
    token: string;
    secret: string;
    appId: string;
    callback: string;
    createdAt: number;
    /** Set once the user approved at /oauth/authorize. */
    verifier?: string;
    userId?: string;
    exchanged: boolean;
}

export interface OAuth2AuthorizationCode {
    code: string;
    appId: string;
    userId: string;
    redirectUri: string;
    scopes: string[];
    codeChallenge: string;
    codeChallengeMethod: 'S256' | 'plain';
    issuedAt: number;
    used: boolean;
}

export interface OAuth2AccessToken {
    token: string;
    appId: string;
    userId: string;
    scopes: string[];
    expiresAt: number;
    revoked: boolean;
}

export interface OAuth2RefreshToken {
    token: string;
    appId: string;
    userId: string;
    scopes: string[];
    revoked: boolean;
}

export type DmMediaType = 'photo' | 'video' | 'animated_gif';

export interface DmAttachment {
    mediaId: string;
    mediaKey: string;
    type: DmMediaType;
    contentType: string;
    bytes: Buffer;
    /** Last path segment of the ton URL / resource id of the v2 download path (photos), or of the MP4 on video.twimg.com. */
    fileName: string;
    width?: number;
    height?: number;
    /** Videos: length, and the MP4 variant's bitrate (X sends `bitrate: 0` and no length for GIFs). */
    durationMs?: number;
    bitrate?: number;
}

export interface UrlEntity {
    url: string;
    expandedUrl: string;
    displayUrl: string;
    /** Code-point offsets into the message text. */
    start: number;
    end: number;
}

export interface DmMessage {
    id: string;
    conversationId: string;
    senderId: string;
    recipientId: string;
    /** Text as X stores it: links replaced by t.co links, plus the trailing media link. */
    text: string;
    urls: UrlEntity[];
    attachment?: DmAttachment;
    createdAt: number;
    /** App that sent it through the API; undefined when typed in a native X client. */
    sourceAppId?: string;
}

export type MediaCategory =
    'dm_image' | 'dm_gif' | 'dm_video' | 'tweet_image' | 'tweet_gif' | 'tweet_video' | 'amplify_video' | 'subtitles';

export interface MediaUpload {
    id: string;
    mediaKey: string;
    ownerUserId: string;
    additionalOwners: string[];
    appId: string;
    mediaType: string;
    category: MediaCategory;
    totalBytes: number;
    shared: boolean;
    segments: Map<number, Buffer>;
    receivedBytes: number;
    createdAt: number;
    finalizedAt?: number;
    /** How long processing takes after finalize (0 for images). */
    processingMs: number;
    /** Set once attached to a DM (non-shared media can be attached only once). */
    attachedTo?: string;
}

export interface Webhook {
    id: string;
    appId: string;
    url: string;
    valid: boolean;
    createdAt: number;
    lastCrcSuccessAt?: number;
    /** First CRC failure since the last success (transient failures invalidate after 28 h). */
    failingSince?: number;
}

export const ACTIVITY_DM_EVENT_TYPES = ['dm.received', 'dm.sent', 'dm.read', 'dm.indicate_typing'] as const;
export type ActivityDmEventType = (typeof ACTIVITY_DM_EVENT_TYPES)[number];
/** Private post events: only the monitored account's token subscribes, and a revocation ends them like DM events. */
export const ACTIVITY_PRIVATE_POST_EVENT_TYPES = ['post.mention.create'] as const;

export interface ActivitySubscription {
    id: string;
    appId: string;
    eventType: string;
    userId?: string;
    direction?: string;
    keyword?: string;
    webhookId?: string;
    tag?: string;
    createdAt: number;
    updatedAt: number;
}

export interface AccountActivitySubscription {
    appId: string;
    webhookId: string;
    userId: string;
}

/** Who may reply to a post (the spec's CreatePostsRequest `reply_settings`; `everyone` when unset). */
export type ReplySettings = 'everyone' | 'following' | 'mentionedUsers' | 'subscribers' | 'verified';

export interface PostMention {
    userId: string;
    username: string;
    /** Code-point offsets into the text. */
    start: number;
    end: number;
}

/** A public post (X's Post / v1.1 Tweet), as X stores it. */
export interface Post {
    id: string;
    authorId: string;
    /** As X stores it: links as t.co links, the media link last, a reply's leading @mentions first. */
    text: string;
    /** The same before its links were shortened (what X compares to refuse duplicate content). */
    typedText: string;
    urls: UrlEntity[];
    mentions: PostMention[];
    createdAt: number;
    /** The thread's root post. */
    conversationId: string;
    inReplyToPostId?: string;
    inReplyToUserId?: string;
    quotedPostId?: string;
    repostOfId?: string;
    media: DmAttachment[];
    replySettings: ReplySettings;
    /** The app that posted it through the API; undefined when typed in X's own app. */
    sourceAppId?: string;
    deleted: boolean;
}
