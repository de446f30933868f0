/** When the service-unavailable DM was last sent to a customer (at most one an hour). */
import { IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import { miscKey } from './associations';
import { conversationKey } from './conversation-keys';

export interface UnavailableNotice {
    type: 'unavailable-notice';
    at: number;
}

const unavailableKey = miscKey('x-unavailable-notice');

export async function recordUnavailableNotice(
    persistence: IPersistence,
    accountId: string,
    customerId: string,
    at: number,
): Promise<void> {
    const notice: UnavailableNotice = { type: 'unavailable-notice', at };
    await persistence.updateByAssociations([conversationKey(accountId, customerId), unavailableKey], notice, true);
}
