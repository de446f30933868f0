/**
 * Lookups at X made to confirm deliveries whose signature failed: one create-only record per lookup,
 * filed under its UTC day, written before X is asked. Every instance reads the same records, so the
 * hourly cap and the "never ask twice about one event" rule hold across instances (approximately:
 * two instances deciding in the same moment may both ask).
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { HOUR, utcDay } from '../lib/time';
import { miscKey } from './associations';

export interface ConfirmationLookup {
    type: 'confirmation-lookup';
    eventId: string;
    at: number;
}

const dayKey = (day: string) => miscKey(`x-confirm-day:${day}`);

/** The lookups of the last hour and of today (one read, two just after midnight). */
export async function recentLookups(reader: IPersistenceRead, now: number): Promise<ConfirmationLookup[]> {
    const days = [...new Set([utcDay(now - HOUR), utcDay(now)])];
    const perDay = await Promise.all(days.map((day) => reader.readByAssociation(dayKey(day))));
    return (perDay.flat() as unknown as ConfirmationLookup[]).filter((r) => r.type === 'confirmation-lookup');
}

export async function recordLookup(persistence: IPersistence, eventId: string, now: number): Promise<void> {
    const record: ConfirmationLookup = { type: 'confirmation-lookup', eventId, at: now };
    await persistence.createWithAssociations(record, [dayKey(utcDay(now))]);
}

/** Drops one UTC day's lookups (housekeeping). */
export async function forgetLookupDay(persistence: IPersistence, day: string): Promise<number> {
    return ((await persistence.removeByAssociation(dayKey(day))) ?? []).length;
}
