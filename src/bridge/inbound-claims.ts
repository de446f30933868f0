/**
 * What the inbound steps share: their outcomes, and the claim vocabulary that makes one delivery (on
 * whatever instance) the one that posts an event. Rocket.Chat's persistence has no atomic take, so every
 * contender writes a claim and the first one written wins (see `wins`).
 */
import { randomBytes } from 'crypto';
import type { ConversationRecord } from '../storage/conversations';
import type { ClaimEntry } from '../storage/seen';
import { wins } from '../storage/claims';
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
 * younger claim leaves the event in doubt, and the verification job settles it a window later. A claimant
 * about to upload a large file first extends its claim (`until`, uploadDeadline below).
 */
export const STALE_CLAIM_MS = 60_000;
/** When the verification job looks again at an event whose claimant had not posted it: after a whole stale window. */
export const VERIFY_DELAY_SECONDS = STALE_CLAIM_MS / 1000 + 5;
/** Claims that take over an event from a claimant that died carry this prefix: among them, too, the first wins. */
export const TAKEOVER = 'takeover:';

export const newClaim = () => randomBytes(9).toString('base64url');
export const conversationLock = (ctx: BridgeContext, customerId: string) =>
    conversationId(ctx.account.accountId, customerId);

/** Whoever holds a claim: its first marker's writer, alive until its last sign of life is a stale window old. */
export function claimantAliveUntil(claims: readonly ClaimEntry[], claim: string | undefined): number {
    return Math.max(
        ...claims.filter((c) => c.claim === claim).map((c) => Math.max(c.at + STALE_CLAIM_MS, c.until ?? 0)),
    );
}

/**
 * Until when the holder of `claim` said it works on (an upload), if it did. The verification job runs when a
 * claim it found is a stale window old (it is scheduled for then); only an extension written since holds it back.
 */
export function extendedUntil(claims: readonly ClaimEntry[], claim: string | undefined): number {
    return Math.max(0, ...claims.filter((c) => c.claim === claim).map((c) => c.until ?? 0));
}

/** Whether the delivery that holds `claim` may be taken for dead at `now` (a restart, a crash). */
const claimantDead = (claims: readonly ClaimEntry[], claim: string | undefined, now: number) =>
    now >= claimantAliveUntil(claims, claim);

export type ClaimDecision =
    /** This delivery's claim came first: it posts the event. */
    | { kind: 'deliver' }
    /** The event is in a room, waits for one, or was posted by this instance. */
    | { kind: 'duplicate' }
    /** Another delivery claimed it and may still be working: looked at again once it is presumed dead. */
    | { kind: 'wait-for-claimant'; until: number }
    /** Its claimant died before posting it. */
    | { kind: 'take-over' };

/**
 * A delivery wrote its claim `mine` and read every claim on the event (`claims`, in write order): what it
 * does. `handled`: the event is recorded as posted or pending; `postedHere`: this instance posted it.
 */
export function decideClaimed(
    claims: readonly ClaimEntry[],
    mine: string,
    now: number,
    handled: boolean,
    postedHere: boolean,
): ClaimDecision {
    if (!handled && wins(claims as ClaimEntry[], mine)) return { kind: 'deliver' };
    if (handled || postedHere || claims.length === 0) return { kind: 'duplicate' };
    const first = claims[0].claim;
    return claimantDead(claims, first, now)
        ? { kind: 'take-over' }
        : { kind: 'wait-for-claimant', until: claimantAliveUntil(claims, first) };
}

/**
 * Among deliveries that took over an event from a dead claimant, whether `mine` is the one that posts it:
 * the first live takeover claim (a taker that died in turn no longer counts), on an event not posted meanwhile.
 */
export function winsTakeover(claims: readonly ClaimEntry[], mine: string, now: number, posted: boolean): boolean {
    const takers = claims.filter(
        (c) => c.claim?.startsWith(TAKEOVER) && (c.claim === mine || !claimantDead(claims, c.claim, now)),
    );
    return !posted && wins(takers, mine);
}

/**
 * The slowest pace assumed for Rocket.Chat storing an upload (bytes per millisecond: 256 KiB/s). A claimant
 * about to upload a file promises to be done within a stale window plus the file's size at this pace
 * (100 MB, Rocket.Chat's default maximum: under 7 minutes), so a redelivery meanwhile does not upload it twice.
 */
const SLOWEST_UPLOAD_BYTES_PER_MS = 256;

export const uploadDeadline = (now: number, bytes: number) =>
    now + STALE_CLAIM_MS + Math.ceil(bytes / SLOWEST_UPLOAD_BYTES_PER_MS);

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
