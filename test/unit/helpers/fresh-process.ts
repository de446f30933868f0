/** What a restarted app process holds in memory for the outbound side: nothing (each test starts there). */
import { outboundState, QueuedConversations, RecentlyClosed } from '../../../src/bridge/outbound-state';
import { KeyedQueue } from '../../../src/lib/keyed-queue';

export function freshOutboundState(): void {
    outboundState.lanes = new KeyedQueue();
    outboundState.queued = new QueuedConversations();
    outboundState.closedRooms = new RecentlyClosed();
    outboundState.wakes.clear();
}
