/**
 * The ids the app derives from X's ids, in one place. Their strings are persisted (record keys, visitor
 * tokens and usernames): changing one orphans what installed apps stored.
 */
import { createHmac } from 'crypto';

const VISITOR_TOKEN_PREFIX = 'x1';
/** A public thread's visitor: its own prefix, so no DM path ever takes it for a DM conversation's token. */
const THREAD_TOKEN_PREFIX = 'x1t';

/** One conversation: the business account and one customer. */
export function conversationId(accountId: string, customerId: string): string {
    return `${accountId}:${customerId}`;
}

/** The conversation a record (an outbox item, a reference to a room's customer) belongs to. */
export function conversationIdOf(ref: { accountId: string; customerId: string }): string {
    return conversationId(ref.accountId, ref.customerId);
}

/**
 * X user ⇄ Omnichannel visitor. A livechat visitor token is a credential (it reads and posts in the room
 * through the Livechat API), so it must not be guessable from public X ids; yet every Rocket.Chat instance
 * must derive the same one without a lookup. Hence: the X ids in clear plus an HMAC under an install-time key.
 */
export function visitorToken(key: string, accountId: string, customerId: string): string {
    const mac = createHmac('sha256', key)
        .update(conversationId(accountId, customerId))
        .digest('base64url')
        .slice(0, 22);
    return `${VISITOR_TOKEN_PREFIX}.${accountId}.${customerId}.${mac}`;
}

/** The ids a token names, if it is one of ours (the MAC is checked where the key is at hand). */
export function parseVisitorToken(token: string | undefined): { accountId: string; customerId: string } | undefined {
    const match = token ? /^x1\.(\d{1,20})\.(\d{1,20})\.[A-Za-z0-9_-]{22}$/.exec(token) : null;
    return match ? { accountId: match[1], customerId: match[2] } : undefined;
}

export function isOurVisitorToken(key: string, token: string | undefined): boolean {
    const parsed = parseVisitorToken(token);
    return !!parsed && visitorToken(key, parsed.accountId, parsed.customerId) === token;
}

/**
 * One public thread (X's conversation id) with one customer. Rocket.Chat gives a livechat visitor one open
 * room at a time: getRoom/createRoom (apps/meteor/app/livechat/server/lib/rooms.ts on 8.x, LivechatTyped.ts
 * before) return the visitor's open room (`LivechatRooms.findOneOpenByVisitorToken`) instead of opening
 * another, and a visitor's message goes to that room. So a thread that must have its own room next to the
 * customer's DM room needs its own visitor: the same HMAC scheme over the three ids, its own prefix.
 */
export function threadVisitorToken(key: string, accountId: string, customerId: string, threadId: string): string {
    const mac = createHmac('sha256', key)
        .update(`t:${conversationId(accountId, customerId)}:${threadId}`)
        .digest('base64url')
        .slice(0, 22);
    return `${THREAD_TOKEN_PREFIX}.${accountId}.${customerId}.${threadId}.${mac}`;
}

/** The ids a public thread's token names (never a DM token: the prefixes differ and `x1.` has three parts). */
export function parseThreadVisitorToken(
    token: string | undefined,
): { accountId: string; customerId: string; threadId: string } | undefined {
    const match = token ? /^x1t\.(\d{1,20})\.(\d{1,20})\.(\d{1,20})\.[A-Za-z0-9_-]{22}$/.exec(token) : null;
    return match ? { accountId: match[1], customerId: match[2], threadId: match[3] } : undefined;
}

export function isOurThreadVisitorToken(key: string, token: string | undefined): boolean {
    const parsed = parseThreadVisitorToken(token);
    return !!parsed && threadVisitorToken(key, parsed.accountId, parsed.customerId, parsed.threadId) === token;
}

/** A public thread's visitor: unique per customer and thread, and stable across renames. */
export function threadVisitorUsername(customerId: string, threadId: string): string {
    return `x-${customerId}-t${threadId}`;
}

/** Unique and stable even when the customer renames their X handle. */
export function visitorUsername(customerId: string): string {
    return `x-${customerId}`;
}

export function profileUrl(username: string): string {
    return `https://x.com/${encodeURIComponent(username)}`;
}

/**
 * A handle as a person types it (`@` optional), checked against X's username rule (OpenAPI
 * `getUsersByUsername`: `^[A-Za-z0-9_]{1,15}$`); undefined when it cannot be one. A checked handle is safe to
 * show in a message: it has no markdown, mention or link characters.
 */
export function parseXHandle(word: string): string | undefined {
    return /^@?([A-Za-z0-9_]{1,15})$/.exec(word.trim())?.[1];
}
