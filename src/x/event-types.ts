/**
 * The one shape every inbound X delivery is normalized into, whether it came from an XAA webhook,
 * an AAA webhook or a `/2/dm_events` poll. Ids are always decimal strings taken from X's string
 * fields; an id X only sent as a JSON number above 2^53 is never guessed.
 */

/** What the delivery said about an X user; only `id` is certain to be there. */
export interface XUserProfile {
    id: string;
    username?: string;
    name?: string;
    profileImageUrl?: string;
}

export type InboundMediaKind = 'photo' | 'animated_gif' | 'video';

/** One encoding of a video or GIF; HLS playlists come without a bitrate. */
export interface MediaVariant {
    contentType: string;
    url: string;
    bitrate?: number;
}

/** The single attachment of a DM, with what a later authenticated download needs. */
export interface InboundMedia {
    mediaId: string;
    kind: InboundMediaKind;
    /**
     * The photo itself, or the preview image of a video or GIF (the playable files are in
     * `variants`): `media_url_https` (ton.twitter.com for photos) or the v2 `url` / `preview_image_url`.
     */
    url: string;
    variants?: MediaVariant[];
    /** A video's length; with a variant's bitrate it estimates the file's size before any download. */
    durationMs?: number;
    /** The t.co link in the text that only points at this media. */
    tcoUrl?: string;
    dmEventId: string;
    /**
     * Last path segment of a `ton.twitter.com/1.1/ton/data/dm/<dm>/<media>/<resource>` URL, for
     * `GET /2/dm_conversations/media/:dm_id/:media_id/:resource_id` (that the segments map is unverified).
     */
    resourceId?: string;
}

/** A t.co link in a DM's text and where it leads. */
export interface InboundUrl {
    url: string;
    expandedUrl: string;
    displayUrl?: string;
}

/** Common to all events: `accountId` is the business account the delivery is for. */
interface InboundEventBase {
    accountId: string;
    senderId: string;
    recipientId: string;
    /** Milliseconds since the epoch. */
    createdAt: number;
}

export interface InboundMessage extends InboundEventBase {
    kind: 'message';
    /** The DM event id: the same in XAA, AAA and `/2/dm_events`, hence the dedupe key. */
    eventId: string;
    /** As X sent it: HTML-escaped (`&amp; &lt; &gt;`), with t.co links. */
    text: string;
    urls: InboundUrl[];
    media?: InboundMedia;
    /** The app that sent it; only webhook deliveries carry it. */
    sourceAppId?: string;
    users: Record<string, XUserProfile>;
}

export interface InboundTyping extends InboundEventBase {
    kind: 'typing';
    users: Record<string, XUserProfile>;
}

export interface InboundRead extends InboundEventBase {
    kind: 'read';
    lastReadEventId?: string;
}

export type InboundEvent = InboundMessage | InboundTyping | InboundRead;

/** How a public post reached the app: X Activity API, Account Activity API or the mentions timeline poll. */
export type PostSource = 'xaa' | 'aaa' | 'poll';

/** The post a public post quotes or answers, as far as the delivery carried it (for a one-line context). */
export interface PostContext {
    relation: 'quoted' | 'replied-to';
    postId: string;
    authorId?: string;
    authorUsername?: string;
    /** As X sent it (HTML-escaped, t.co links); absent when the delivery did not include the post. */
    text?: string;
}

/**
 * A public post about the business account, in one shape whichever way it came (XAA `post.mention.create`,
 * AAA `tweet_create_events`, `GET /2/users/:id/mentions`). Kept apart from `InboundEvent` (DMs): posts go to
 * their own pipeline, and a DM handler never sees one.
 */
export interface InboundPost {
    kind: 'post';
    /** The post id: the same in XAA, AAA and the timeline, hence the dedupe key. */
    eventId: string;
    /** The business account the delivery is for. */
    accountId: string;
    authorId: string;
    authorUsername?: string;
    authorName?: string;
    /**
     * The full text (v2 `note_tweet.text`, v1.1 `extended_tweet.full_text`) as X sent it: HTML-escaped, with
     * t.co links. Shown through the same rendering as DMs (`inboundText` with `urls` and the media's `tcoUrl`),
     * which expands links and drops the media link.
     */
    text: string;
    urls: InboundUrl[];
    /** Milliseconds since the epoch. */
    createdAt: number;
    /**
     * The thread's root post id: v2 `conversation_id`; for a v1.1 (AAA) post that answers none, its own id. An AAA
     * reply has none (v1.1 does not say the root): find the thread by `inReplyToPostId`, or look the post up.
     */
    conversationId?: string;
    inReplyToPostId?: string;
    inReplyToUserId?: string;
    /** The quoted post (for a quote) or the replied-to post (for a reply), when known. */
    context?: PostContext;
    /**
     * Photos, videos and GIFs in DM's media shape, in the post's order; `dmEventId` holds the post id. All of
     * a post's media share one t.co link (`tcoUrl`).
     */
    media: InboundMedia[];
    /** A repost (v2 `referenced_tweets` type `retweeted`, v1.1 `retweeted_status`). */
    isRetweet: boolean;
    /** A quote post (v2 `referenced_tweets` type `quoted`, v1.1 `is_quote_status`). */
    isQuote: boolean;
    /** The business account is @mentioned in the post (entities), or the post answers one of its posts. */
    mentionsAccount: boolean;
    /** Written by the business account: a reply typed in X's own app, or the echo of the app's own reply. */
    byAccount: boolean;
    /** AAA's `user_has_blocked`: the business account blocks the author (only AAA says so). */
    authorBlocked?: boolean;
    source: PostSource;
    users: Record<string, XUserProfile>;
}

/** Why part of a delivery produced no event. */
export type IgnoreReason =
    | 'not-an-object'
    | 'unknown-envelope'
    | 'unknown-event-type'
    | 'not-a-dm'
    | 'missing-field'
    | 'precision-lost'
    | 'empty-message'
    | 'unsupported-media'
    | 'media-unavailable'
    | 'group-conversation'
    | 'participants-change'
    | 'api-error'
    /** A post event that is neither a mention of the account nor a post by it. */
    | 'not-a-mention';

export interface IgnoredItem {
    reason: IgnoreReason;
    detail?: string;
}

/** Deliveries that are about the subscription rather than a conversation. */
export type ControlSignal =
    /** `at`: X's `date_time` of the revocation, when it gave one (a replayed old one must not unlink a newer link). */
    | { kind: 'revoke'; userId: string; appId?: string; at?: number }
    | { kind: 'replay-status'; jobState: string; webhookId?: string; jobId?: string };

export interface NormalizeResult {
    events: InboundEvent[];
    /** Public posts (mentions, the account's own posts); present only when the delivery carried some. */
    posts?: InboundPost[];
    ignored: IgnoredItem[];
    control?: ControlSignal;
}
