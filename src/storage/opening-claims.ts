/** Claims on opening a conversation's room, so two instances never open two rooms for one customer. */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { miscKey } from './associations';
import { conversationKey } from './conversation-keys';

export interface OpeningClaim {
    type: 'opening-claim';
    at: number;
    claim: string;
}

const openingKey = miscKey('x-opening');

export async function claimOpening(
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
export async function clearOpeningClaims(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
): Promise<void> {
    await persistence.removeByAssociations([conversationKey(accountId, customerId), openingKey]);
}

/** Every opening claim of every conversation (retention: claims left by a crash). */
export async function allOpeningClaims(reader: IPersistenceRead): Promise<OpeningClaim[]> {
    return ((await reader.readByAssociation(openingKey)) as unknown as OpeningClaim[]).filter(
        (r) => r?.type === 'opening-claim',
    );
}

/** Drops every opening claim (the retention sweep does so only when none is younger than the retention). */
export async function removeAllOpeningClaims(persistence: IPersistence): Promise<number> {
    return ((await persistence.removeByAssociation(openingKey)) ?? []).length;
}
