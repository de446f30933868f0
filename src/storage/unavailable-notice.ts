/** When the service-unavailable DM was last sent to a customer (at most one an hour). */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { miscKey } from './associations';
import { conversationKey } from './conversation-keys';

export interface UnavailableNotice {
    type: 'unavailable-notice';
    at: number;
    /** Whose conversation it is, so the retention sweep finds its key (absent on records of earlier versions). */
    accountId?: string;
    customerId?: string;
}

const unavailableKey = miscKey('x-unavailable-notice');

export async function recordUnavailableNotice(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    at: number,
): Promise<void> {
    const notice: UnavailableNotice = { type: 'unavailable-notice', at, accountId, customerId };
    await persistence.updateByAssociations([conversationKey(accountId, customerId), unavailableKey], notice, true);
}

/** Every conversation's unavailable notice (the retention sweep). */
export async function allUnavailableNotices(reader: IPersistenceRead): Promise<UnavailableNotice[]> {
    return ((await reader.readByAssociation(unavailableKey)) as unknown as UnavailableNotice[]).filter(
        (r) => r?.type === 'unavailable-notice',
    );
}

export async function removeUnavailableNotice(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
): Promise<void> {
    await persistence.removeByAssociations([conversationKey(accountId, customerId), unavailableKey]);
}
