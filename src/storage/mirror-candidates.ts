/** DMs the business sent that are not (yet) known as ours: mirrored later unless our own send claims them first. */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { InboundMessage } from '../x/event-types';
import { miscKey } from './associations';
import { conversationKey } from './conversation-keys';
import { renamedLegacyId, Stored } from './legacy';

export interface MirrorCandidate {
    type: 'mirror-candidate';
    eventId: string;
    customerId: string;
    at: number;
    event: InboundMessage;
}

/** A mirror candidate as any version stored it (before the rename: `xUserId`). */
function fromStoredMirrorCandidate(stored: Stored<MirrorCandidate, 'customerId'>): MirrorCandidate {
    return renamedLegacyId(stored, 'customerId');
}

const mirrorKey = (eventId: string) => miscKey(`x-mirror:${eventId}`);
const mirrorIndex = miscKey('x-mirror');

export async function addMirrorCandidate(
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

export async function allMirrorCandidates(reader: IPersistenceRead): Promise<MirrorCandidate[]> {
    const records = (await reader.readByAssociation(mirrorIndex)) as unknown as Stored<MirrorCandidate, 'customerId'>[];
    return records.filter((c) => c.type === 'mirror-candidate').map(fromStoredMirrorCandidate);
}

/**
 * Drops a candidate once it is decided (posted, or an echo). Never a way to take one: Rocket.Chat's
 * removal is a find then a delete, so two instances removing at once would both get it back.
 */
export async function removeMirrorCandidate(
    persistence: IPersistence,
    accountId: string,
    candidate: Pick<MirrorCandidate, 'customerId' | 'eventId'>,
): Promise<void> {
    await persistence.removeByAssociations([
        conversationKey(accountId, candidate.customerId),
        mirrorKey(candidate.eventId),
    ]);
}
