/**
 * Which X events a conversation has seen: claims on an event (dedupe of concurrent deliveries), the
 * events in a room as which Rocket.Chat messages, and the DMs this app sent. Create-only records, so two
 * Rocket.Chat instances writing at once cannot lose each other's.
 */
import { IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import { utcDay } from '../lib/time';
import { miscKey } from './associations';
import { conversationKey, seenDayKey, seenKey } from './conversation-keys';
import { ledgerDayKey } from './ledger';

export interface SeenMarker {
    type: 'seen';
    eventId: string;
    at: number;
    /** Random id of the delivery that wrote it: among concurrent claims of one event, the earliest wins. */
    claim?: string;
    /** Set when the same record is also the ledger entry (a DM this app sent, a webhook delivery X bills). */
    kind?: 'dm_create' | 'dm_received';
    units?: number;
    /** On ledger entries: the business account billed (the ledger's per-account totals). */
    accountId?: string;
    /**
     * On a second marker of the same claim, written before something long (uploading a large file): the
     * claimant promises to be done by then, and its claim is not taken for dead before.
     */
    until?: number;
}

/** One claim marker on an event (a claimant may write a second one, with `until`, before a long step). */
export interface ClaimEntry {
    at: number;
    claim?: string;
    until?: number;
}

/**
 * An X event that is in a room: the Rocket.Chat messages it became. This mapping lives here, not in the
 * messages: Rocket.Chat refuses message custom fields unless an admin enables them (and validates them
 * against the admin's schema), so the app puts none on any message.
 */
export interface PostedRecord {
    type: 'posted';
    eventId: string;
    at: number;
    roomId: string;
    messageIds: string[];
}

const claimKey = (claim: string) => miscKey(`x-claim:${claim}`);

/** A seen marker's keys: housekeeping forgets it with its day; a claim's markers go together (dropClaim). */
const seenKeys = (accountId: string, customerId: string, eventId: string, at: number, claim?: string) => [
    conversationKey(accountId, customerId),
    seenKey(eventId),
    seenDayKey(utcDay(at)),
    ...(claim ? [claimKey(claim)] : []),
];

/**
 * Marks an event handled (or claims it: with `claim`, concurrent deliveries of the same event each write
 * one and the earliest wins). With `billed`, the same record is the ledger entry of X's delivery charge.
 */
export async function markSeen(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    eventId: string,
    at: number,
    billed?: 'dm_received',
    claim?: string,
): Promise<void> {
    const marker: SeenMarker = {
        type: 'seen',
        eventId,
        at,
        ...(claim ? { claim } : {}),
        ...(billed ? { kind: billed, units: 1, accountId } : {}),
    };
    const keys = seenKeys(accountId, customerId, eventId, at, claim);
    await persistence.createWithAssociations(marker, billed ? [...keys, ledgerDayKey(utcDay(at))] : keys);
}

/**
 * The claimant of an event is about to do something long (a large upload): its claim is alive until
 * `until`. Written under the claim's keys, so it goes with the claim.
 */
export async function extendClaim(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    eventId: string,
    claim: string,
    at: number,
    until: number,
): Promise<void> {
    const marker: SeenMarker = { type: 'seen', eventId, at, claim, until };
    await persistence.createWithAssociations(marker, seenKeys(accountId, customerId, eventId, at, claim));
}

/**
 * Records that an event is in a room, as which messages (under the same keys as its claims, so
 * housekeeping forgets both on the same day). Written after the post succeeded.
 */
export async function markPosted(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    posted: Omit<PostedRecord, 'type'>,
): Promise<void> {
    const record: PostedRecord = { type: 'posted', ...posted };
    await persistence.createWithAssociations(record, [
        conversationKey(accountId, customerId),
        seenKey(posted.eventId),
        seenDayKey(utcDay(posted.at)),
    ]);
}

/**
 * Removes a claim that lost (the event was seen before): a redelivery or a replay leaves no record
 * behind. Only that one claim goes; the first claim, the event's seen marker, stays.
 */
export async function dropClaim(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    eventId: string,
    claim: string,
): Promise<void> {
    await persistence.removeByAssociations([conversationKey(accountId, customerId), seenKey(eventId), claimKey(claim)]);
}

/** A record of one event that counts in the day's ledger and goes with the day's seen markers. */
const billedEventKeys = (accountId: string, customerId: string, eventId: string, at: number) => [
    conversationKey(accountId, customerId),
    seenKey(eventId),
    seenDayKey(utcDay(at)),
    ledgerDayKey(utcDay(at)),
];

/**
 * Records a DM this app sent: its event id comes back as an echo (dropped as seen), and the same
 * record is the billable DM create in the day's ledger — one write for both.
 */
export async function markSent(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    eventId: string,
    at: number,
): Promise<void> {
    const marker: SeenMarker = { type: 'seen', eventId, at, kind: 'dm_create', units: 1, accountId };
    await persistence.createWithAssociations(marker, billedEventKeys(accountId, customerId, eventId, at));
}

/** Drops seen markers of one UTC day (housekeeping: X stops redelivering long before). */
export async function forgetSeenDay(persistence: IPersistence, day: string): Promise<number> {
    return ((await persistence.removeByAssociation(seenDayKey(day))) ?? []).length;
}

/**
 * A DM from a blocked customer, dropped: filed under the day's ledger key so `/twitter status` counts it with
 * the month's figures, and under the seen keys so it goes (and is counted in the day's summary) with them.
 */
export interface BlockedDm {
    type: 'blocked';
    eventId?: string;
    at: number;
}

/** A DM of a blocked customer was dropped: its redeliveries are duplicates, and status counts it once. */
export async function markBlocked(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    eventId: string,
    at: number,
): Promise<void> {
    const record: BlockedDm = { type: 'blocked', eventId, at };
    await persistence.createWithAssociations(record, billedEventKeys(accountId, customerId, eventId, at));
}
