/** Posting a customer's DM into its room, and recording what it became (the event ↔ messages mapping). */
import { BoundedSet } from '../lib/bounded-set';
import type { ConversationRecord } from '../storage/conversations';
import type { InboundMessage } from '../x/event-types';
import type { BridgeContext } from './context';
import { PostOptions, postCustomerMessage } from './room-poster';

/** Event ids this instance posted recently: a redelivery of one is a duplicate without looking anything up. */
export const postedHere = new BoundedSet<string>(5_000);

/** Posts the DM (leaving out the parts of a long one already in the room) and records what it became. */
export async function postAndRecord(
    ctx: BridgeContext,
    conversation: ConversationRecord,
    message: InboundMessage,
    options: PostOptions = {},
): Promise<void> {
    const messageIds = await postCustomerMessage(ctx, conversation, message, options);
    postedHere.add(message.eventId);
    await ctx.conversations.markPosted(ctx.persistence, conversation.accountId, conversation.customerId, {
        eventId: message.eventId,
        at: ctx.now(),
        roomId: conversation.roomId,
        messageIds,
    });
}
