/**
 * Daily: drop dedupe markers old enough that X can no longer redeliver their events (what they billed is
 * kept as the day's ledger summary, so the month's cost stays whole), lookups of unverifiable deliveries
 * older than the hourly cap and the same-day de-duplication need, and ledger days of months no total
 * shows any more, keeping persistence small.
 */
import { IHttp, IPersistence, IPersistenceRead, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { resolveBlockedHandles } from '../admin/blocked-users';
import { translator } from '../i18n/translate';
import { DAY, utcDay } from '../lib/time';
import { readSettings } from '../settings/reader';
import { claimIncident, clearIncident } from '../storage/incidents';
import { ConversationStore } from '../storage/conversations';
import { forgetLookupDay } from '../storage/confirmations';
import { forgetLedgerDay, summarizeSeenMarkers } from '../storage/ledger';
import { SEEN_RETENTION_DAYS } from '../storage/retention';
import { sweepRetention } from './retention';

/** How far back a missed run is caught up. */
const CATCH_UP_DAYS = 30;
/** Lookups are read for the last hour and today only. */
const LOOKUP_RETENTION_DAYS = 1;

/** `/twitter status` shows this month's cost: ledger days are kept until the month after theirs is over. */
const LEDGER_RETENTION_DAYS = 62;

export async function runHousekeeping(
    reader: IPersistenceRead,
    persistence: IPersistence,
    now: number,
): Promise<number> {
    const store = new ConversationStore();
    let removed = 0;
    for (let age = SEEN_RETENTION_DAYS + 1; age <= SEEN_RETENTION_DAYS + CATCH_UP_DAYS; age++) {
        const day = utcDay(now - age * DAY);
        await summarizeSeenMarkers(reader, persistence, day);
        removed += await store.forgetSeenDay(persistence, day);
    }
    for (let age = LEDGER_RETENTION_DAYS + 1; age <= LEDGER_RETENTION_DAYS + CATCH_UP_DAYS; age++) {
        removed += await forgetLedgerDay(persistence, utcDay(now - age * DAY));
    }
    for (let age = LOOKUP_RETENTION_DAYS + 1; age <= LOOKUP_RETENTION_DAYS + CATCH_UP_DAYS; age++) {
        removed += await forgetLookupDay(persistence, utcDay(now - age * DAY));
    }
    return removed;
}

const dayClaim = (day: string) => `housekeeping:${day}`;

/**
 * The scheduled run: once per UTC day across all instances (every instance runs the job at start and
 * then every 24 hours; the first claim written for the day sweeps, the others return). A sweep that dies
 * half-way is finished by the next day's, which catches up on every day it covers.
 */
export async function runDailyHousekeeping(
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    now: number,
): Promise<number | undefined> {
    const reader = read.getPersistenceReader();
    if (!(await claimIncident(reader, persistence, dayClaim(utcDay(now)), now))) return undefined;
    // Earlier days' claims (the winner's and the others'), days the job did not run included.
    for (let age = 2; age <= CATCH_UP_DAYS; age++) await clearIncident(persistence, dayClaim(utcDay(now - age * DAY)));
    const settings = await readSettings(read);
    const removed = await runHousekeeping(reader, persistence, now);
    // Handles listed before the account was linked, or whose lookup failed, are resolved now.
    await resolveBlockedHandles(read, http, persistence, settings, () => now, translator('en')).catch(() => []);
    return removed + (await sweepRetention(read, persistence, now, settings.retentionDays));
}
