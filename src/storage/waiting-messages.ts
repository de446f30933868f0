/**
 * Customer messages not in a room yet: pending (no agent online and Rocket.Chat refused a room) or in
 * doubt (another delivery claimed the event and has not posted it), with the verification job of each
 * in-doubt event.
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { InboundMessage } from '../x/event-types';
import { miscKey } from './associations';
import { conversationKey } from './conversation-keys';
import { renamedLegacyId, Stored } from './legacy';

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
    /** The business account (absent in jobs scheduled by versions that served one account). */
    accountId?: string;
    customerId: string;
    eventId: string;
}

/** A verification job's data as any version scheduled it (before the rename: `xUserId`); malformed: undefined. */
export function fromStoredVerifyJob(data: Record<string, unknown>): VerifyJobData | undefined {
    const { customerId, eventId, accountId } = renamedLegacyId(
        data as Stored<Partial<VerifyJobData>, 'customerId'>,
        'customerId',
    );
    if (typeof customerId !== 'string' || typeof eventId !== 'string') return undefined;
    return typeof accountId === 'string' ? { accountId, customerId, eventId } : { customerId, eventId };
}

const pendingKey = (eventId: string) => miscKey(`x-pending:${eventId}`);
const pendingIndex = miscKey('x-pending');
const inDoubtKey = (eventId: string) => miscKey(`x-in-doubt:${eventId}`);
const inDoubtIndex = miscKey('x-in-doubt');

export async function addPending(
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

export async function removePending(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    eventId: string,
): Promise<void> {
    await persistence.removeByAssociations([conversationKey(accountId, customerId), pendingKey(eventId)]);
}

/** Every pending message of every conversation (for the retry job and /twitter status). */
export async function allPending(reader: IPersistenceRead): Promise<PendingMessage[]> {
    return (await reader.readByAssociation(pendingIndex)) as unknown as PendingMessage[];
}

export async function addInDoubt(
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

export async function removeInDoubt(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    eventId: string,
): Promise<void> {
    await persistence.removeByAssociations([conversationKey(accountId, customerId), inDoubtKey(eventId)]);
}

/** Every in-doubt event of every conversation (the backstop sweep of the pending job). */
export async function allInDoubt(reader: IPersistenceRead): Promise<InDoubtMessage[]> {
    return ((await reader.readByAssociation(inDoubtIndex)) as unknown as InDoubtMessage[]).filter(
        (r) => r.type === 'in-doubt',
    );
}
