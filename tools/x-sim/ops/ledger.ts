/**
 * Pay-per-use billing, as X bills it (x-api.md §1, §3):
 * - DM event read: $0.010 per event returned (lists and single lookups; expansions are free).
 *   X's same-day de-duplication is only a "soft guarantee", so every returned event is billed.
 * - DM create: $0.015 per successful send (refused sends cost nothing).
 * - `dm.received` webhook delivery (X Activity API): $0.010 per event, billed once on its first
 *   successful delivery; retries, injected duplicates and replays of that event are not billed
 *   again, and an event that is never delivered (dropped) is never billed. `dm.sent`, `dm.read`,
 *   `dm.indicate_typing` and Account Activity deliveries are free.
 * - User read: $0.010 per user a lookup by username returns (docs: x-api/getting-started/pricing.mdx, "User:
 *   Read"; only that lookup is billed here: `/2/users/me`, which every link and health check calls, is not yet).
 *
 * - Post read: $0.005 per post returned (mentions timeline, lookups; includes are free). Content create: $0.015
 *   per post X accepts, $0.200 when its text has a link ("Content: Create (with URL)"). Both from docs.x.com
 *   x-api/getting-started/pricing, "Credit consumption details" (2026; Posts: Read $0.005 per resource, Content:
 *   Create $0.015 and Content: Create (with URL) $0.200 per request).
 * - XAA `post.mention.create` / `post.create` delivery: $0.005 per event, billed once per app like `dm.received`.
 *   X publishes no separate event price; `dm.received` is billed at the DM event read price, so a post event is
 *   billed here at the post read price ([unverified] inference). AAA `tweet_create_events` are free, as AAA's DMs.
 *
 * Credits (pay-per-use is prepaid): an app may be given a balance that every charge draws down. "Access
 * to Paid Services requires sufficient credits" (docs: developer-terms/ppu-agreement.mdx §C): once the
 * balance is used up, X answers API calls with 402 credits-depleted (research/x-api.md §12) and, as it
 * cannot bill them, does not deliver billed events until credits are added. No balance = unlimited.
 */
export type BillableKind =
    | 'dm_event_read'
    | 'dm_create'
    | 'dm_received_delivery'
    | 'user_read'
    | 'post_read'
    | 'content_create'
    | 'content_create_url'
    | 'post_event_delivery';

export const UNIT_PRICE_USD: Record<BillableKind, number> = {
    dm_event_read: 0.01,
    dm_create: 0.015,
    dm_received_delivery: 0.01,
    user_read: 0.01,
    post_read: 0.005,
    content_create: 0.015,
    content_create_url: 0.2,
    post_event_delivery: 0.005,
};

export interface LedgerItem {
    at: number;
    appId: string;
    kind: BillableKind;
    /** The DM event or post id the charge is for. */
    eventId: string;
    usd: number;
}

export interface LedgerTotals {
    dmEventReads: number;
    dmCreates: number;
    dmReceivedDeliveries: number;
    userReads: number;
    postReads: number;
    contentCreates: number;
    postEventDeliveries: number;
    usd: number;
}

export interface LedgerView {
    items: LedgerItem[];
    totals: LedgerTotals;
}

export class Ledger {
    private readonly items: LedgerItem[] = [];
    private readonly billedDeliveries = new Set<string>();
    /** Prepaid balance per app in thousandths of a dollar (no entry = unlimited). */
    private readonly creditMillis = new Map<string, number>();

    charge(kind: BillableKind, appId: string, eventId: string, at: number): void {
        this.items.push({ at, appId, kind, eventId, usd: UNIT_PRICE_USD[kind] });
        const balance = this.creditMillis.get(appId);
        if (balance !== undefined) this.creditMillis.set(appId, balance - Math.round(UNIT_PRICE_USD[kind] * 1000));
    }

    /** Sets an app's prepaid balance in USD; undefined removes it (unlimited). */
    setCredits(appId: string, usd: number | undefined): void {
        if (usd === undefined) this.creditMillis.delete(appId);
        else this.creditMillis.set(appId, Math.round(usd * 1000));
    }

    /** Adds credits (a purchase or an auto-recharge). */
    addCredits(appId: string, usd: number): void {
        this.creditMillis.set(appId, (this.creditMillis.get(appId) ?? 0) + Math.round(usd * 1000));
    }

    /** The balance in USD, or undefined when unlimited. A call may overdraw it: X charges after serving it. */
    credits(appId: string): number | undefined {
        const balance = this.creditMillis.get(appId);
        return balance === undefined ? undefined : balance / 1000;
    }

    isDepleted(appId: string): boolean {
        const balance = this.creditMillis.get(appId);
        return balance !== undefined && balance <= 0;
    }

    /** Bills a billed event's delivery (`dm.received`, a post event) unless this app was already billed for it. */
    chargeDeliveryOnce(
        appId: string,
        eventId: string,
        at: number,
        kind: 'dm_received_delivery' | 'post_event_delivery' = 'dm_received_delivery',
    ): void {
        const key = `${appId}:${eventId}`;
        if (this.billedDeliveries.has(key)) return;
        this.billedDeliveries.add(key);
        this.charge(kind, appId, eventId, at);
    }

    view(filter: { appId?: string } = {}): LedgerView {
        const items = this.items.filter((item) => !filter.appId || item.appId === filter.appId);
        const count = (kind: BillableKind) => items.filter((item) => item.kind === kind).length;
        // Sum in integer tenths of a cent so totals don't drift with floating point.
        const millis = items.reduce((sum, item) => sum + Math.round(item.usd * 1000), 0);
        return {
            items: items.map((item) => ({ ...item })),
            totals: {
                dmEventReads: count('dm_event_read'),
                dmCreates: count('dm_create'),
                dmReceivedDeliveries: count('dm_received_delivery'),
                userReads: count('user_read'),
                postReads: count('post_read'),
                contentCreates: count('content_create') + count('content_create_url'),
                postEventDeliveries: count('post_event_delivery'),
                usd: millis / 1000,
            },
        };
    }
}
