/**
 * Everything known about one customer's conversation with the business account, readable in ONE round
 * trip: every record of a conversation carries the conversation key, so reading by it returns the open
 * room, the seen-event markers and claims (dedupe), which X events are in a room as which Rocket.Chat
 * messages, and the messages waiting for an agent. Each record kind has its own module; this one holds
 * the room's record, the one-read view over all of them, and the store the bridge is handed.
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { conversationKey, conversationType } from './conversation-keys';
import { renamedLegacyId, Stored } from './legacy';
import { addMirrorCandidate, allMirrorCandidates, removeMirrorCandidate } from './mirror-candidates';
import {
    allOpeningClaims,
    claimOpening,
    clearOpeningClaims,
    OpeningClaim,
    removeAllOpeningClaims,
} from './opening-claims';
import { roomKey } from './records';
import {
    BlockedDm,
    ClaimEntry,
    dropClaim,
    extendClaim,
    forgetSeenDay,
    markBlocked,
    markPosted,
    markSeen,
    markSent,
    PostedRecord,
    SeenMarker,
} from './seen';
import {
    allUnavailableNotices,
    recordUnavailableNotice,
    removeUnavailableNotice,
    UnavailableNotice,
} from './unavailable-notice';
import {
    addInDoubt,
    addPending,
    allInDoubt,
    allPending,
    InDoubtMessage,
    PendingMessage,
    removeInDoubt,
    removePending,
} from './waiting-messages';

export interface ConversationRecord {
    type: 'conversation';
    accountId: string;
    customerId: string;
    roomId: string;
    visitorId: string;
    visitorToken: string;
    visitorUsername: string;
    visitorName: string;
    /** The customer's X handle when the room opened or last changed (absent in records of earlier versions). */
    customerHandle?: string;
    openedAt: number;
    /** The customer's last read receipt. */
    lastReadEventId?: string;
    lastReadAt?: number;
}

/** A conversation record as any version stored it (before the rename: `xUserId`). */
function fromStoredConversation(stored: Stored<ConversationRecord, 'customerId'>): ConversationRecord {
    return renamedLegacyId(stored, 'customerId');
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
    claims: Map<string, ClaimEntry[]>;
    /** Claims on opening this conversation's room, in write order. */
    openingClaims: { at: number; claim: string }[];
    pending: PendingMessage[];
    /** In-doubt events by id (possibly recorded by several deliveries). */
    inDoubt: Map<string, InDoubtMessage>;
    /** Events dropped because the customer is blocked. */
    blocked: Set<string>;
    unavailableNoticeAt?: number;
}

type StoredRecord =
    | Stored<ConversationRecord, 'customerId'>
    | SeenMarker
    | PostedRecord
    | PendingMessage
    | UnavailableNotice
    | OpeningClaim
    | InDoubtMessage
    | BlockedDm;

/** One read: the conversation, what was seen, what is pending. */
async function load(reader: IPersistenceRead, accountId: string, customerId: string): Promise<ConversationState> {
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
        blocked: new Set(),
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
                    { at: record.at, claim: record.claim, ...(record.until ? { until: record.until } : {}) },
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
        else if (record.type === 'blocked' && record.eventId) {
            state.seen.add(record.eventId);
            state.blocked.add(record.eventId);
        }
    }
    state.pending.sort((a, b) => a.createdAt - b.createdAt || a.eventId.localeCompare(b.eventId));
    return state;
}

async function byRoom(reader: IPersistenceRead, roomId: string): Promise<ConversationRecord | undefined> {
    const [record] = (await reader.readByAssociations([roomKey(roomId), conversationType])) as unknown as Stored<
        ConversationRecord,
        'customerId'
    >[];
    return record && fromStoredConversation(record);
}

async function open(persistence: IPersistence, record: ConversationRecord): Promise<void> {
    await persistence.createWithAssociations(record, [
        conversationKey(record.accountId, record.customerId),
        roomKey(record.roomId),
        conversationType,
    ]);
}

async function update(persistence: IPersistence, record: ConversationRecord): Promise<void> {
    await persistence.updateByAssociations(
        [conversationKey(record.accountId, record.customerId), roomKey(record.roomId), conversationType],
        record,
        false,
    );
}

/**
 * Forgets the room so the customer's next DM opens a new one; seen markers stay (they guard against
 * redeliveries). Whether a conversation record was there to forget.
 */
async function closeRoom(persistence: IPersistence, roomId: string): Promise<boolean> {
    return ((await persistence.removeByAssociations([roomKey(roomId), conversationType])) ?? []).length > 0;
}

/**
 * Erasure: every record filed under the customer's conversation (the open room, seen markers and claims,
 * posted mappings, pending and in-doubt messages, mirror candidates, opening claims, the unavailable
 * notice, dropped blocked DMs). Returns what was removed.
 */
async function forgetCustomer(persistence: IPersistence, accountId: string, customerId: string): Promise<object[]> {
    return (await persistence.removeByAssociation(conversationKey(accountId, customerId))) ?? [];
}

/** Every conversation whose room the app believes open (retention: those long closed are forgotten). */
async function allOpen(reader: IPersistenceRead): Promise<ConversationRecord[]> {
    return ((await reader.readByAssociation(conversationType)) as unknown as Stored<ConversationRecord, 'customerId'>[])
        .filter((r) => r?.type === 'conversation')
        .map(fromStoredConversation);
}

/** Every operation on a conversation's records, in one object the bridge context carries. */
export class ConversationStore {
    public readonly load = load;
    public readonly byRoom = byRoom;
    public readonly open = open;
    public readonly update = update;
    public readonly closeRoom = closeRoom;
    public readonly markSeen = markSeen;
    public readonly markPosted = markPosted;
    public readonly dropClaim = dropClaim;
    public readonly extendClaim = extendClaim;
    public readonly markSent = markSent;
    public readonly forgetSeenDay = forgetSeenDay;
    public readonly claimOpening = claimOpening;
    public readonly clearOpeningClaims = clearOpeningClaims;
    public readonly recordUnavailableNotice = recordUnavailableNotice;
    public readonly addMirrorCandidate = addMirrorCandidate;
    public readonly allMirrorCandidates = allMirrorCandidates;
    public readonly removeMirrorCandidate = removeMirrorCandidate;
    public readonly addPending = addPending;
    public readonly removePending = removePending;
    public readonly allPending = allPending;
    public readonly addInDoubt = addInDoubt;
    public readonly removeInDoubt = removeInDoubt;
    public readonly allInDoubt = allInDoubt;
    public readonly markBlocked = markBlocked;
    public readonly forgetCustomer = forgetCustomer;
    public readonly allOpen = allOpen;
    public readonly allOpeningClaims = allOpeningClaims;
    public readonly removeAllOpeningClaims = removeAllOpeningClaims;
    public readonly allUnavailableNotices = allUnavailableNotices;
    public readonly removeUnavailableNotice = removeUnavailableNotice;
}
