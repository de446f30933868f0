/**
 * Everything known about one customer's conversation with the business account, readable in ONE round
 * trip: every record of a conversation carries the conversation key, so reading by it returns the open
 * room, the seen-event markers and claims (dedupe), which X events are in a room as which Rocket.Chat
 * messages, and the messages waiting for an agent. These are create-only records, so two Rocket.Chat
 * instances writing at once cannot lose each other's.
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { miscKey } from './associations';
import { ledgerDayKey } from './ledger';
import { utcDay } from '../lib/time';
import type { InboundMessage } from '../x/event-types';
import { conversationId } from '../x/ids';
import { renamedLegacyId, Stored } from './legacy';
import { roomKey } from './records';

export interface ConversationRecord {
    type: 'conversation';
    accountId: string;
    customerId: string;
    roomId: string;
    visitorId: string;
    visitorToken: string;
    visitorUsername: string;
    visitorName: string;
    openedAt: number;
    /** The customer's last read receipt. */
    lastReadEventId?: string;
    lastReadAt?: number;
}

/** A DM the business sent that is not (yet) known as ours: mirrored later unless our own send claims it first. */
export interface MirrorCandidate {
    type: 'mirror-candidate';
    eventId: string;
    customerId: string;
    at: number;
    event: InboundMessage;
}

/** When the service-unavailable DM was last sent to this customer (at most one an hour). */
interface UnavailableNotice {
    type: 'unavailable-notice';
    at: number;
}

export interface SeenMarker {
    type: 'seen';
    eventId: string;
    at: number;
    /** Random id of the delivery that wrote it: among concurrent claims of one event, the earliest wins. */
    claim?: string;
    /** Set when the same record is also the ledger entry (a DM this app sent, a webhook delivery X bills). */
    kind?: 'dm_create' | 'dm_received';
    units?: number;
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

/** A customer message that could not be posted yet (no agent online and Rocket.Chat refused a room). */
export interface PendingMessage {
    type: 'pending';
    eventId: string;
    /** X's timestamp: pending messages are posted oldest first. */
    createdAt: number;
    at: number;
    /** The normalized event, as JSON-safe data. */
    event: InboundMessage;
}

/**
 * A delivery found this event claimed by another that has not posted it yet. Kept until the verification
 * job, a whole stale window later, finds it in the room or posts it (the claimant died).
 */
export interface InDoubtMessage {
    type: 'in-doubt';
    eventId: string;
    at: number;
    /** The normalized event, as JSON-safe data. */
    event: InboundMessage;
}

/** What the verification job of an in-doubt event carries (Rocket.Chat's scheduler persists it). */
export interface VerifyJobData {
    customerId: string;
    eventId: string;
}

/** A verification job's data as any version scheduled it (before the rename: `xUserId`); malformed: undefined. */
export function fromStoredVerifyJob(data: Record<string, unknown>): VerifyJobData | undefined {
    const { customerId, eventId } = renamedLegacyId(data as Stored<Partial<VerifyJobData>, 'customerId'>, 'customerId');
    return typeof customerId === 'string' && typeof eventId === 'string' ? { customerId, eventId } : undefined;
}

export interface ConversationState {
    conversation?: ConversationRecord;
    seen: Set<string>;
    /** Events of DMs this app sent (their echoes are dropped). */
    sent: Set<string>;
    /**
     * Events already in a room. Seen markers without claim or kind, written after the post by earlier
     * versions, count as posted too (with no message ids).
     */
    posted: Map<string, PostedRecord>;
    /** Every claim on each event id, in the order persistence returns them (the order they were written). */
    claims: Map<string, { at: number; claim?: string }[]>;
    /** Claims on opening this conversation's room, in write order. */
    openingClaims: { at: number; claim: string }[];
    pending: PendingMessage[];
    /** In-doubt events by id (possibly recorded by several deliveries). */
    inDoubt: Map<string, InDoubtMessage>;
    unavailableNoticeAt?: number;
}

/** A claim on opening the room, so two instances never open two rooms for one customer. */
interface OpeningClaim {
    type: 'opening-claim';
    at: number;
    claim: string;
}

/** A conversation record as any version stored it (before the rename: `xUserId`). */
function fromStoredConversation(stored: Stored<ConversationRecord, 'customerId'>): ConversationRecord {
    return renamedLegacyId(stored, 'customerId');
}

/** A mirror candidate as any version stored it (before the rename: `xUserId`). */
function fromStoredMirrorCandidate(stored: Stored<MirrorCandidate, 'customerId'>): MirrorCandidate {
    return renamedLegacyId(stored, 'customerId');
}

type StoredRecord =
    | Stored<ConversationRecord, 'customerId'>
    | SeenMarker
    | PostedRecord
    | PendingMessage
    | UnavailableNotice
    | OpeningClaim
    | InDoubtMessage;

/**
 * Whether `claim` is the first claim written among those read. Readers that see the same claims agree,
 * and a reader that sees only its own claim wrote first: whoever writes later reads both and yields.
 * (Instance clocks play no part; only a MongoDB commit reordering of microseconds could fool it.)
 */
export function wins(claims: { claim?: string }[] | undefined, claim: string): boolean {
    return !!claims?.length && claims[0].claim === claim;
}

export const conversationKey = (accountId: string, customerId: string) =>
    miscKey(`x-conv:${conversationId(accountId, customerId)}`);
export const conversationType = miscKey('x-conversation');
const seenKey = (eventId: string) => miscKey(`x-seen:${eventId}`);
const claimKey = (claim: string) => miscKey(`x-claim:${claim}`);
const pendingKey = (eventId: string) => miscKey(`x-pending:${eventId}`);
const pendingIndex = miscKey('x-pending');
const unavailableKey = miscKey('x-unavailable-notice');
const openingKey = miscKey('x-opening');
const mirrorKey = (eventId: string) => miscKey(`x-mirror:${eventId}`);
const inDoubtKey = (eventId: string) => miscKey(`x-in-doubt:${eventId}`);
const inDoubtIndex = miscKey('x-in-doubt');
const mirrorIndex = miscKey('x-mirror');
const seenDayKey = (day: string) => miscKey(`x-seen-day:${day}`);

export class ConversationStore {
    /** One read: the conversation, what was seen, what is pending. */
    public async load(reader: IPersistenceRead, accountId: string, customerId: string): Promise<ConversationState> {
        const records = (await reader.readByAssociation(
            conversationKey(accountId, customerId),
        )) as unknown as StoredRecord[];
        const state: ConversationState = {
            seen: new Set(),
            sent: new Set(),
            posted: new Map(),
            claims: new Map(),
            openingClaims: [],
            pending: [],
            inDoubt: new Map(),
        };
        for (const record of records) {
            if (record.type === 'conversation') state.conversation = fromStoredConversation(record);
            else if (record.type === 'opening-claim') state.openingClaims.push(record);
            else if (record.type === 'posted') {
                state.seen.add(record.eventId);
                state.posted.set(record.eventId, record);
            } else if (record.type === 'seen') {
                state.seen.add(record.eventId);
                if (record.kind === 'dm_create') state.sent.add(record.eventId);
                else if (record.claim)
                    state.claims.set(record.eventId, [
                        ...(state.claims.get(record.eventId) ?? []),
                        { at: record.at, claim: record.claim },
                    ]);
                else if (!record.kind && !state.posted.has(record.eventId))
                    state.posted.set(record.eventId, {
                        type: 'posted',
                        eventId: record.eventId,
                        at: record.at,
                        roomId: '',
                        messageIds: [],
                    });
            } else if (record.type === 'pending') state.pending.push(record);
            else if (record.type === 'in-doubt') state.inDoubt.set(record.eventId, record);
            else if (record.type === 'unavailable-notice') state.unavailableNoticeAt = record.at;
        }
        state.pending.sort((a, b) => a.createdAt - b.createdAt || a.eventId.localeCompare(b.eventId));
        return state;
    }

    public async byRoom(reader: IPersistenceRead, roomId: string): Promise<ConversationRecord | undefined> {
        const [record] = (await reader.readByAssociations([roomKey(roomId), conversationType])) as unknown as Stored<
            ConversationRecord,
            'customerId'
        >[];
        return record && fromStoredConversation(record);
    }

    /**
     * Marks an event handled (or claims it: with `claim`, concurrent deliveries of the same event each write
     * one and the earliest wins). With `billed`, the same record is the ledger entry of X's delivery charge.
     */
    public async markSeen(
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
            ...(billed ? { kind: billed, units: 1 } : {}),
        };
        const keys = [
            conversationKey(accountId, customerId),
            seenKey(eventId),
            seenDayKey(utcDay(at)),
            ...(claim ? [claimKey(claim)] : []),
        ];
        await persistence.createWithAssociations(marker, billed ? [...keys, ledgerDayKey(utcDay(at))] : keys);
    }

    /**
     * Records that an event is in a room, as which messages (under the same keys as its claims, so
     * housekeeping forgets both on the same day). Written after the post succeeded.
     */
    public async markPosted(
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
    public async dropClaim(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
        eventId: string,
        claim: string,
    ): Promise<void> {
        await persistence.removeByAssociations([
            conversationKey(accountId, customerId),
            seenKey(eventId),
            claimKey(claim),
        ]);
    }

    /**
     * Records a DM this app sent: its event id comes back as an echo (dropped as seen), and the same
     * record is the billable DM create in the day's ledger — one write for both.
     */
    public async markSent(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
        eventId: string,
        at: number,
    ): Promise<void> {
        const marker: SeenMarker = { type: 'seen', eventId, at, kind: 'dm_create', units: 1 };
        await persistence.createWithAssociations(marker, [
            conversationKey(accountId, customerId),
            seenKey(eventId),
            seenDayKey(utcDay(at)),
            ledgerDayKey(utcDay(at)),
        ]);
    }

    public async claimOpening(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
        claim: string,
        at: number,
    ): Promise<void> {
        const record: OpeningClaim = { type: 'opening-claim', at, claim };
        await persistence.createWithAssociations(record, [conversationKey(accountId, customerId), openingKey]);
    }

    /** Once the room is open (or the attempt failed), opening claims are no longer needed. */
    public async clearOpeningClaims(persistence: IPersistence, accountId: string, customerId: string): Promise<void> {
        await persistence.removeByAssociations([conversationKey(accountId, customerId), openingKey]);
    }

    public async open(persistence: IPersistence, record: ConversationRecord): Promise<void> {
        await persistence.createWithAssociations(record, [
            conversationKey(record.accountId, record.customerId),
            roomKey(record.roomId),
            conversationType,
        ]);
    }

    public async update(persistence: IPersistence, record: ConversationRecord): Promise<void> {
        await persistence.updateByAssociations(
            [conversationKey(record.accountId, record.customerId), roomKey(record.roomId), conversationType],
            record,
            false,
        );
    }

    /** Forgets the room so the customer's next DM opens a new one; seen markers stay (they guard against redeliveries). */
    public async closeRoom(persistence: IPersistence, roomId: string): Promise<void> {
        await persistence.removeByAssociations([roomKey(roomId), conversationType]);
    }

    public async addMirrorCandidate(
        persistence: IPersistence,
        accountId: string,
        candidate: MirrorCandidate,
    ): Promise<void> {
        await persistence.createWithAssociations(candidate, [
            conversationKey(accountId, candidate.customerId),
            mirrorKey(candidate.eventId),
            mirrorIndex,
        ]);
    }

    public async allMirrorCandidates(reader: IPersistenceRead): Promise<MirrorCandidate[]> {
        const records = (await reader.readByAssociation(mirrorIndex)) as unknown as Stored<
            MirrorCandidate,
            'customerId'
        >[];
        return records.filter((c) => c.type === 'mirror-candidate').map(fromStoredMirrorCandidate);
    }

    /**
     * Drops a candidate once it is decided (posted, or an echo). Never a way to take one: Rocket.Chat's
     * removal is a find then a delete, so two instances removing at once would both get it back.
     */
    public async removeMirrorCandidate(
        persistence: IPersistence,
        accountId: string,
        candidate: Pick<MirrorCandidate, 'customerId' | 'eventId'>,
    ): Promise<void> {
        await persistence.removeByAssociations([
            conversationKey(accountId, candidate.customerId),
            mirrorKey(candidate.eventId),
        ]);
    }

    public async recordUnavailableNotice(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
        at: number,
    ): Promise<void> {
        const notice: UnavailableNotice = { type: 'unavailable-notice', at };
        await persistence.updateByAssociations([conversationKey(accountId, customerId), unavailableKey], notice, true);
    }

    public async addPending(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
        pending: PendingMessage,
    ): Promise<void> {
        await persistence.createWithAssociations(pending, [
            conversationKey(accountId, customerId),
            pendingKey(pending.eventId),
            pendingIndex,
        ]);
    }

    public async removePending(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
        eventId: string,
    ): Promise<void> {
        await persistence.removeByAssociations([conversationKey(accountId, customerId), pendingKey(eventId)]);
    }

    /** Every pending message of every conversation (for the retry job and /twitter status). */
    public async allPending(reader: IPersistenceRead): Promise<PendingMessage[]> {
        return (await reader.readByAssociation(pendingIndex)) as unknown as PendingMessage[];
    }

    public async addInDoubt(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
        record: InDoubtMessage,
    ): Promise<void> {
        await persistence.createWithAssociations(record, [
            conversationKey(accountId, customerId),
            inDoubtKey(record.eventId),
            inDoubtIndex,
        ]);
    }

    public async removeInDoubt(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
        eventId: string,
    ): Promise<void> {
        await persistence.removeByAssociations([conversationKey(accountId, customerId), inDoubtKey(eventId)]);
    }

    /** Every in-doubt event of every conversation (the backstop sweep of the pending job). */
    public async allInDoubt(reader: IPersistenceRead): Promise<InDoubtMessage[]> {
        return ((await reader.readByAssociation(inDoubtIndex)) as unknown as InDoubtMessage[]).filter(
            (r) => r.type === 'in-doubt',
        );
    }

    /** Drops seen markers of one UTC day (housekeeping: X stops redelivering long before). */
    public async forgetSeenDay(persistence: IPersistence, day: string): Promise<number> {
        return ((await persistence.removeByAssociation(seenDayKey(day))) ?? []).length;
    }
}
