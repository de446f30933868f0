/**
 * What X bills, as pay-per-use prices it. Entries are append-only (one create per billable event, no
 * read-modify-write), so several Rocket.Chat instances can record concurrently without losing counts.
 * Entries name the business account they were billed for, when one was: the app's total is every entry,
 * an account's total its own entries (of days not yet summarized: the summary is the app's).
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { miscKey } from './associations';
import { utcDay } from '../lib/time';

export type BillableKind =
    | 'dm_event_read'
    | 'dm_create'
    | 'dm_received'
    | 'user_read'
    | 'post_mention'
    | 'post_read'
    | 'post_create'
    | 'post_create_url';

/**
 * USD per unit (X pay-per-use, 2026; docs.x.com/x-api/getting-started/pricing: "User: Read $0.010 per
 * resource", the *Blocked X users* handles resolved and `/twitter forget @handle`).
 */
export const PRICE_USD: Readonly<Record<BillableKind, number>> = {
    dm_event_read: 0.01,
    dm_create: 0.015,
    dm_received: 0.01,
    user_read: 0.01,
    // Public mentions (docs.x.com/x-api/activity/event-pricing: `post.mention.create` $0.005/event; pricing:
    // "Posts: Read $0.005 per resource", "Content: Create $0.015 per request", "(with URL) $0.200").
    post_mention: 0.005,
    post_read: 0.005,
    post_create: 0.015,
    post_create_url: 0.2,
};

export const unitPriceUsd = (kind: BillableKind): number => PRICE_USD[kind];

interface LedgerEntry {
    type: 'ledger';
    kind: BillableKind;
    units: number;
    at: number;
    accountId?: string;
}

export interface LedgerTotals {
    units: Record<BillableKind, number>;
    usd: number;
    /** DMs of blocked customers dropped (free: X billed their delivery, counted in units). */
    blocked: number;
}

export const ledgerDayKey = (day: string) => miscKey(`x-ledger:${day}`);
const summaryKey = miscKey('x-ledger-summary');

/**
 * What a day's seen markers billed, kept when housekeeping drops the markers (they double as ledger
 * entries of DM creates and webhook deliveries, see ConversationStore.markSeen/markSent). Once it exists,
 * the day's seen markers no longer count: a fold interrupted before the markers went is not counted twice.
 */
interface LedgerSummary {
    type: 'ledger-summary';
    day: string;
    units: Record<BillableKind, number>;
    blocked?: number;
}

type StoredEntry = Omit<Partial<LedgerEntry>, 'type' | 'units'> & { type?: string; eventId?: string; units?: unknown };

function emptyTotals(): LedgerTotals {
    return {
        units: {
            dm_event_read: 0,
            dm_create: 0,
            dm_received: 0,
            user_read: 0,
            post_mention: 0,
            post_read: 0,
            post_create: 0,
            post_create_url: 0,
        },
        usd: 0,
        blocked: 0,
    };
}

function addToTotals(totals: LedgerTotals, kind: BillableKind, units: number): LedgerTotals {
    totals.units[kind] += units;
    totals.usd = Math.round((totals.usd + units * PRICE_USD[kind]) * 1000) / 1000;
    return totals;
}

export async function recordBillable(
    persistence: IPersistence,
    kind: BillableKind,
    units: number,
    at: number,
    accountId?: string,
): Promise<void> {
    if (units <= 0) return;
    const entry: LedgerEntry = { type: 'ledger', kind, units, at, ...(accountId ? { accountId } : {}) };
    await persistence.createWithAssociations(entry, [ledgerDayKey(utcDay(at))]);
}

/**
 * Any record filed under the day's ledger key with a kind and units counts (sent-DM markers do too).
 * A delivery X bills once may be claimed by several instances: entries naming the same event count once.
 */
export async function totalsForDay(reader: IPersistenceRead, day: string, accountId?: string): Promise<LedgerTotals> {
    const all = (await reader.readByAssociation(ledgerDayKey(day))) as unknown as StoredEntry[];
    if (accountId !== undefined) return sumEntries(all.filter((e) => e.accountId === accountId));
    const entries = all;
    const summary = entries.find((e) => e.type === 'ledger-summary') as LedgerSummary | undefined;
    const totals = sumEntries(summary ? entries.filter((e) => !SUMMARIZED.includes(e.type ?? '')) : entries);
    if (summary) {
        for (const kind of Object.keys(totals.units) as BillableKind[])
            addToTotals(totals, kind, Number(summary.units?.[kind]) || 0);
        totals.blocked += Number(summary.blocked) || 0;
    }
    return totals;
}

/** Records a day's summary stands for once written (they go with the seen markers). */
const SUMMARIZED = ['seen', 'blocked', 'public-seen', 'public-reply'];

function sumEntries(entries: StoredEntry[]): LedgerTotals {
    const counted = new Set<string>();
    return entries.reduce((t, e) => {
        if (e.type === 'blocked') {
            if (e.eventId && counted.has(`blocked:${e.eventId}`)) return t;
            if (e.eventId) counted.add(`blocked:${e.eventId}`);
            // Erasure leaves a day's count of a forgotten customer's blocked DMs as one entry naming nobody.
            t.blocked += typeof e.units === 'number' && !e.eventId ? e.units : 1;
            return t;
        }
        if (!e.kind || !(e.kind in PRICE_USD) || typeof e.units !== 'number') return t;
        if (e.eventId) {
            const key = `${e.kind}:${e.eventId}`;
            if (counted.has(key)) return t;
            counted.add(key);
        }
        return addToTotals(t, e.kind, e.units);
    }, emptyTotals());
}

/**
 * Before housekeeping drops a day's seen markers: keeps what they billed as the day's summary (one write;
 * a day already summarized is left as it is, so a repeated or resumed run changes nothing). Returns
 * whether a summary was written.
 */
export async function summarizeSeenMarkers(
    reader: IPersistenceRead,
    persistence: IPersistence,
    day: string,
): Promise<boolean> {
    const entries = (await reader.readByAssociation(ledgerDayKey(day))) as unknown as StoredEntry[];
    if (entries.some((e) => e.type === 'ledger-summary')) return false;
    const markers = entries.filter((e) => SUMMARIZED.includes(e.type ?? ''));
    if (markers.length === 0) return false;
    const totals = sumEntries(markers);
    const summary: LedgerSummary = { type: 'ledger-summary', day, units: totals.units, blocked: totals.blocked };
    await persistence.updateByAssociations([ledgerDayKey(day), summaryKey], summary, true);
    return true;
}

/** Drops a day's ledger (entries and summary), for days no total shows any more. */
export async function forgetLedgerDay(persistence: IPersistence, day: string): Promise<number> {
    return ((await persistence.removeByAssociation(ledgerDayKey(day))) ?? []).length;
}

/** Sum of the month's days up to `now` (one read per day; only /twitter status and the cap check ask). */
export async function totalsForMonth(reader: IPersistenceRead, now: number): Promise<LedgerTotals> {
    const date = new Date(now);
    const days: string[] = [];
    for (let d = 1; d <= date.getUTCDate(); d++)
        days.push(utcDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), d)));
    const perDay = await Promise.all(days.map((day) => totalsForDay(reader, day)));
    return perDay.reduce((sum, t) => {
        for (const kind of Object.keys(t.units) as BillableKind[]) addToTotals(sum, kind, t.units[kind]);
        sum.blocked += t.blocked;
        return sum;
    }, emptyTotals());
}

/**
 * Erasure keeps the bill whole: what a forgotten customer's records billed (or counted) on days not yet
 * summarized is written again as entries that name nobody, before those records go.
 */
export async function anonymizeLedgerEntries(
    reader: IPersistenceRead,
    persistence: IPersistence,
    records: object[],
): Promise<void> {
    const byDay = new Map<string, StoredEntry[]>();
    for (const record of records as (StoredEntry & { at?: unknown })[]) {
        if (!SUMMARIZED.includes(record.type ?? '') || typeof record.at !== 'number') continue;
        if (record.type === 'seen' && !record.kind) continue;
        const day = utcDay(record.at);
        byDay.set(day, [...(byDay.get(day) ?? []), record]);
    }
    for (const [day, dayRecords] of byDay) {
        const entries = (await reader.readByAssociation(ledgerDayKey(day))) as unknown as StoredEntry[];
        if (entries.some((e) => e.type === 'ledger-summary')) continue;
        const totals = sumEntries(dayRecords);
        const at = Date.parse(`${day}T12:00:00Z`);
        for (const kind of Object.keys(totals.units) as BillableKind[])
            await recordBillable(persistence, kind, totals.units[kind], at);
        if (totals.blocked)
            await persistence.createWithAssociations({ type: 'blocked', units: totals.blocked, at }, [
                ledgerDayKey(day),
            ]);
    }
}
