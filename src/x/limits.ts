/**
 * What X's rate-limit headers said last, per endpoint, so callers can queue work before X refuses it.
 * Memory only: every response carries the current numbers, so each instance corrects itself on its
 * next call, and a 429 is the authority anyway.
 */
import type { TwitterRateLimit } from 'twitter-api-v2';
import type { TransportObservation } from './transport';

interface LimitWindow {
    limit: number;
    remaining: number;
    /** ms since epoch */
    resetAt: number;
}

export interface EndpointLimits {
    window?: LimitWindow;
    userDay?: LimitWindow;
    appDay?: LimitWindow;
    at: number;
}

const toWindow = (l: { limit: number; remaining: number; reset: number } | undefined): LimitWindow | undefined =>
    l && Number.isFinite(l.remaining) ? { limit: l.limit, remaining: l.remaining, resetAt: l.reset * 1000 } : undefined;

/**
 * DM sends share one budget whatever the participant, so the path is normalized; so are media downloads,
 * whose paths name each attachment (one entry per file would grow with every customer photo), and every
 * other numeric path segment (a user, DM event, upload or webhook id): X limits those endpoints per route,
 * and one entry per id would grow with every customer the instance ever looked up.
 */
export function endpointKey(method: string, endpoint: string): string {
    const path = endpoint
        .replace(/^https:\/\/[^/]+/, '')
        .replace(/\/dm_conversations\/with\/\d+\/messages$/, '/dm_conversations/with/:id/messages')
        .replace(/^\/2\/dm_conversations\/media\/.*$/, '/2/dm_conversations/media/:dm_id/:media_id/:resource_id')
        .replace(/^\/1\.1\/ton\/data\/dm\/.*$/, '/1.1/ton/data/dm/:dm_id/:media_id/:file')
        .replace(/\/\d+(?=\/|$)/g, (segment, at: number) => (at === 0 ? segment : '/:id')); // the leading /2 is the API version
    return `${method} ${path}`;
}

export const DM_SEND_KEY = 'POST /2/dm_conversations/with/:id/messages';

export class RateLimitBook {
    private readonly byEndpoint = new Map<string, EndpointLimits>();

    public observe(info: TransportObservation, now: number): void {
        if (!info.rateLimit) return;
        const r = info.rateLimit as TwitterRateLimit;
        this.byEndpoint.set(endpointKey(info.method, info.endpoint), {
            window: toWindow(r),
            userDay: toWindow(r.userDay),
            appDay: toWindow(r.day),
            at: now,
        });
    }

    public get(key: string): EndpointLimits | undefined {
        return this.byEndpoint.get(key);
    }

    /** When a call to `key` can be made without X refusing it: now, or the reset of an exhausted window. */
    public availableAt(key: string, now: number): number {
        const limits = this.byEndpoint.get(key);
        if (!limits) return now;
        const blocked = [limits.window, limits.userDay, limits.appDay].filter(
            (w): w is LimitWindow => !!w && w.remaining <= 0 && w.resetAt > now,
        );
        return blocked.length ? Math.max(...blocked.map((w) => w.resetAt)) : now;
    }
}

/**
 * X's daily DM budget of the X app — 1,440 sends per 24 h per app, shared by every linked account
 * (research/x-api.md §6 table, §10.3; the `x-app-limit-24hour-*` headers of a send) — divided fairly: each
 * account is sure of its share (the limit divided by the accounts); beyond it, an account sends only what
 * the others, who have not used their shares, could no longer use. Memory only, like the book: X's headers
 * on every send correct the window, and a 429 is the authority. Sends are counted per account from the
 * window's reset: as this instance made them, raised to X's per-user day count when a send answer carries it.
 */
class AppSendBudget {
    private window?: LimitWindow;
    private readonly sent = new Map<string, number>();

    /**
     * A send answer for `accountId` (X's app window on it, when it gave one); `sent`: X accepted the DM.
     * `userDay` is X's own count of the account's sends in its 24-hour window, made on every instance: this
     * instance's count is raised to it, so several instances agree on who used what (a count older than the
     * last send on another instance only makes the others wait sooner, never later).
     */
    public observe(
        accountId: string,
        appDay: LimitWindow | undefined,
        userDay: LimitWindow | undefined,
        sent: boolean,
        now: number,
    ): void {
        if (this.window && this.window.resetAt <= now) {
            this.window = undefined;
            this.sent.clear();
        }
        if (appDay) {
            if (this.window && appDay.resetAt > this.window.resetAt + 1000) this.sent.clear();
            this.window = appDay;
        }
        if (sent) this.sent.set(accountId, (this.sent.get(accountId) ?? 0) + 1);
        const countedByX = userDay && userDay.resetAt > now ? userDay.limit - userDay.remaining : 0;
        if (countedByX > (this.sent.get(accountId) ?? 0)) this.sent.set(accountId, countedByX);
    }

    /** The app's window as X last reported it (absent: unknown or over). */
    public current(now: number): LimitWindow | undefined {
        return this.window && this.window.resetAt > now ? this.window : undefined;
    }

    /** When `accountId` may send, given `accounts` linked accounts sharing the budget: now, or the reset. */
    public availableAt(accountId: string, accounts: number, now: number): number {
        const w = this.current(now);
        if (!w) return now;
        if (w.remaining <= 0) return w.resetAt;
        if (accounts <= 1) return now;
        const share = Math.floor(w.limit / accounts);
        if ((this.sent.get(accountId) ?? 0) < share) return now;
        let othersUsed = 0;
        for (const [id, count] of this.sent) if (id !== accountId) othersUsed += Math.min(share, count);
        const owedToOthers = (accounts - 1) * share - othersUsed;
        return w.remaining > owedToOthers ? now : w.resetAt;
    }
}

/** One per app instance: the budget belongs to the X app. */
export const appSendBudget = new AppSendBudget();

/** Notes a transport observation made for `accountId` in its book and, for a send, in the app's budget. */
export function observeLimits(accountId: string | undefined, info: TransportObservation, now: number): void {
    rateLimitsOf(accountId).observe(info, now);
    if (accountId && endpointKey(info.method, info.endpoint) === DM_SEND_KEY) {
        const limits = info.rateLimit as TwitterRateLimit | undefined;
        const sent = info.statusCode !== undefined && info.statusCode >= 200 && info.statusCode < 300;
        appSendBudget.observe(accountId, toWindow(limits?.day), toWindow(limits?.userDay), sent, now);
    }
}

/** When `accountId` may send a DM: its own windows (the book) and its share of the app's daily budget. */
export function sendAvailableAt(accountId: string, accounts: number, now: number): number {
    return Math.max(
        rateLimitsOf(accountId).availableAt(DM_SEND_KEY, now),
        appSendBudget.availableAt(accountId, accounts, now),
    );
}

const books = new Map<string, RateLimitBook>();

/**
 * The book of one linked account's calls, per app instance (the Deno process): X counts user-context limits
 * per user (research/x-api.md §6), so one account's exhausted window never holds back another's. Calls made
 * for no account (app-only) have their own (`accountId` omitted). Keyed only by linked accounts: bounded.
 */
export function rateLimitsOf(accountId = ''): RateLimitBook {
    let book = books.get(accountId);
    if (!book) books.set(accountId, (book = new RateLimitBook()));
    return book;
}
