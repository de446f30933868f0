/**
 * Lookups at X made to confirm deliveries whose signature failed: one create-only record per lookup,
 * filed under its UTC day, written before X is asked. Every instance reads the same records, so the
 * hourly cap and the "never ask twice about one event" rule hold across instances: a lookup is a claim,
 * made only if the records read back after writing it hold no more than the cap (confirm-unverifiable.ts).
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { HOUR, utcDay } from '../lib/time';
import { miscKey } from './associations';

export interface ConfirmationLookup {
    type: 'confirmation-lookup';
    eventId: string;
    at: number;
    /** Random id of the delivery that wrote it (absent on records of earlier versions). */
    claim?: string;
}

const dayKey = (day: string) => miscKey(`x-confirm-day:${day}`);
const claimKey = (claim: string) => miscKey(`x-confirm-claim:${claim}`);

/** The lookups of the last hour and of today, in the order they were written (one read, two just after midnight). */
export async function recentLookups(reader: IPersistenceRead, now: number): Promise<ConfirmationLookup[]> {
    const days = [...new Set([utcDay(now - HOUR), utcDay(now)])];
    const perDay = await Promise.all(days.map((day) => reader.readByAssociation(dayKey(day))));
    return (perDay.flat() as unknown as ConfirmationLookup[]).filter((r) => r.type === 'confirmation-lookup');
}

export async function recordLookup(
    persistence: IPersistence,
    lookup: Omit<ConfirmationLookup, 'type'> & { claim: string },
): Promise<void> {
    const record: ConfirmationLookup = { type: 'confirmation-lookup', ...lookup };
    await persistence.createWithAssociations(record, [dayKey(utcDay(lookup.at)), claimKey(lookup.claim)]);
}

/** Withdraws a claim that was not used (over the cap, or another delivery asks about that event): only that one record goes. */
export async function withdrawLookup(persistence: IPersistence, lookup: { at: number; claim: string }): Promise<void> {
    await persistence.removeByAssociations([dayKey(utcDay(lookup.at)), claimKey(lookup.claim)]);
}

/** Drops one UTC day's lookups (housekeeping). */
export async function forgetLookupDay(persistence: IPersistence, day: string): Promise<number> {
    return ((await persistence.removeByAssociation(dayKey(day))) ?? []).length;
}
