/**
 * X user ⇄ Omnichannel visitor. A livechat visitor token is a credential (it reads and posts in the room
 * through the Livechat API), so it must not be guessable from public X ids; yet every Rocket.Chat instance
 * must derive the same one without a lookup. Hence: the X ids in clear plus an HMAC under an install-time key.
 */
import { createHmac } from 'crypto';

const PREFIX = 'x1';

export function visitorToken(key: string, accountId: string, xUserId: string): string {
    const mac = createHmac('sha256', key).update(`${accountId}:${xUserId}`).digest('base64url').slice(0, 22);
    return `${PREFIX}.${accountId}.${xUserId}.${mac}`;
}

/** The ids a token names, if it is one of ours (the MAC is checked where the key is at hand). */
export function parseVisitorToken(token: string | undefined): { accountId: string; xUserId: string } | undefined {
    const match = token ? /^x1\.(\d{1,20})\.(\d{1,20})\.[A-Za-z0-9_-]{22}$/.exec(token) : null;
    return match ? { accountId: match[1], xUserId: match[2] } : undefined;
}

export function isOurVisitorToken(key: string, token: string | undefined): boolean {
    const parsed = parseVisitorToken(token);
    return !!parsed && visitorToken(key, parsed.accountId, parsed.xUserId) === token;
}

/** Unique and stable even when the customer renames their X handle. */
export function visitorUsername(xUserId: string): string {
    return `x-${xUserId}`;
}

export function profileUrl(username: string): string {
    return `https://x.com/${encodeURIComponent(username)}`;
}
