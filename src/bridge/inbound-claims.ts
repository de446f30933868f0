/**
 * What the inbound steps share: their outcomes, and the claim vocabulary that makes one delivery (on
 * whatever instance) the one that posts an event. Rocket.Chat's persistence has no atomic take, so every
 * contender writes a claim and the first one written wins (see `wins`).
 */
import { randomBytes } from 'crypto';
import type { ConversationRecord } from '../storage/conversations';
import type { InboundMessage, InboundTyping, XUserProfile } from '../x/event-types';
import { conversationId } from '../x/ids';
import type { BridgeContext } from './context';

export type InboundOutcome =
    | 'posted'
    | 'duplicate'
    | 'echo'
    | 'mirrored'
    | 'deferred'
    | 'pending'
    /** Another delivery claimed this event moments ago and has not posted it yet: kept for the verification job. */
    | 'in-progress'
    | 'typing'
    | 'read'
    /** From a customer blocked in the setting or in Rocket.Chat: dropped and counted, nothing created. */
    | 'blocked'
    | 'ignored-no-conversation'
    | 'ignored-other-account';

export function customerProfile(event: InboundMessage | InboundTyping, customerId: string): XUserProfile {
    return event.users[customerId] ?? { id: customerId };
}

/**
 * A claim older than this, whose message is not in the room, was left by a delivery that died half-way
 * (a restart, a crash): the message is then posted by whoever sees it next. A delivery that finds a
 * younger claim leaves the event in doubt, and the verification job settles it a window later.
 */
export const STALE_CLAIM_MS = 60_000;
/** When the verification job looks again at an event whose claimant had not posted it: after a whole stale window. */
export const VERIFY_DELAY_SECONDS = STALE_CLAIM_MS / 1000 + 5;
/** Claims that take over an event from a claimant that died carry this prefix: among them, too, the first wins. */
export const TAKEOVER = 'takeover:';

export const newClaim = () => randomBytes(9).toString('base64url');
export const conversationLock = (ctx: BridgeContext, customerId: string) =>
    conversationId(ctx.account.accountId, customerId);

/**
 * A DM written this long before its customer's room opened was handled in an earlier room. (X's clock and
 * Rocket.Chat's differ, and a DM in flight while its room opened is seconds older than the room.)
 */
const EARLIER_CONVERSATION_MS = 10 * 60_000;

/**
 * Whether a DM was written before this conversation's room opened: it belonged to an earlier one (or to
 * none). A business DM that arrives again later (X's replay, or a captured delivery posted again) is
 * never mirrored into a room that did not exist when it was written.
 */
export const writtenBefore = (conversation: ConversationRecord, message: InboundMessage) =>
    message.createdAt < conversation.openedAt - EARLIER_CONVERSATION_MS;
