/**
 * What the outbox drain decides, as pure functions of an item, X's answer and the time: whether a
 * conversation's first item may go now, when a failed one is tried again, when the app gives up on it, and
 * whether a DM found at X is the delivered copy of an item. The drain (outbox-drain.ts) carries them out.
 */
import type { InboundMessage } from '../x/event-types';
import { backoffMs, GIVE_UP_AFTER_ATTEMPTS, OutboxItem } from '../storage/outbox';
import { inboundText } from './format';
import { DeliveryFailure, failureScope } from './outbound-send';

/** X said when (or on what condition) it takes sends again: waiting for it is not a failed attempt. */
export const waitsForX = (failure: Pick<DeliveryFailure, 'kind'>) =>
    failure.kind === 'rate-limited' || failure.kind === 'credits-depleted';

/** When X takes sends again after it said "later": its reset, the end of the credits pause, or a first backoff. */
export function xTakesSendsAt(failure: DeliveryFailure, now: number, pausedUntil: number | undefined): number {
    return Math.max(now, failure.retryAt ?? pausedUntil ?? now + backoffMs(1));
}

/** How far back X's copy of an uncertain DM may predate the attempt (clock differences). */
export const VERIFY_SLACK_MS = 5 * 60_000;

/** When a conversation's first item may go, given when X allows sends again for the whole account. */
export type HeadDecision =
    /** X's window or its credits are exhausted for the account: every conversation waits until `until`. */
    | { kind: 'everyone-waits'; until: number }
    /** This item's own time has not come (a backoff): this conversation waits, the others go on. */
    | { kind: 'wait'; until: number }
    | { kind: 'attempt' };

/** `allowedAt`: when X takes sends again (its rate-limit reset, the end of a credits pause), or earlier than now. */
export function decideHead(head: OutboxItem, now: number, allowedAt: number): HeadDecision {
    if (allowedAt > now) return { kind: 'everyone-waits', until: allowedAt };
    // Items that waited for credits are due as soon as X takes calls again (this process is not paused).
    if (head.notBefore > now && head.lastFailure !== 'credits-depleted') return { kind: 'wait', until: head.notBefore };
    return { kind: 'attempt' };
}

/** What becomes of an item whose send failed. */
export type FailureDecision =
    /** Tried again later, as `item` (persisted as such); `stopAll` when X said stop for the whole account. */
    | { kind: 'retry'; item: OutboxItem; stopAll: boolean }
    /** The rest of its Rocket.Chat message is dropped and the room told (`reason`). */
    | { kind: 'drop-message'; reason: DeliveryFailure['kind'] | 'gave-up' }
    /** Nothing more can reach this customer: the conversation's queue is dropped and the room told. */
    | { kind: 'drop-conversation' };

/**
 * `pausedUntil`: until when this process holds calls back for lack of credits, if it does. Waiting for X
 * (its reset, credits) is not a failed attempt; a transient failure is retried with a growing backoff until
 * GIVE_UP_AFTER_ATTEMPTS; a refusal of the message or the conversation is final.
 */
export function decideAfterFailure(
    head: OutboxItem,
    failure: DeliveryFailure,
    now: number,
    pausedUntil: number | undefined,
): FailureDecision {
    if (waitsForX(failure)) {
        const notBefore = xTakesSendsAt(failure, now, pausedUntil);
        return {
            kind: 'retry',
            item: { ...head, state: 'queued', notBefore, lastFailure: failure.kind },
            stopAll: true,
        };
    }
    const scope = failureScope(failure.kind);
    if (scope === 'transient') {
        const attempts = head.attempts + 1;
        if (attempts >= GIVE_UP_AFTER_ATTEMPTS) return { kind: 'drop-message', reason: 'gave-up' };
        return {
            kind: 'retry',
            item: {
                ...head,
                state: failure.uncertain ? 'uncertain' : 'queued',
                attempts,
                notBefore: now + backoffMs(attempts),
                lastFailure: failure.kind,
            },
            stopAll: false,
        };
    }
    return scope === 'message' ? { kind: 'drop-message', reason: failure.kind } : { kind: 'drop-conversation' };
}

/**
 * An uncertain item could not be checked at X (the look-up failed): when to look again. It stays uncertain
 * and the failed look-up counts no attempt of the send.
 */
export function retryCheckAt(
    head: OutboxItem,
    failure: DeliveryFailure,
    now: number,
    pausedUntil: number | undefined,
): number {
    return waitsForX(failure)
        ? (failure.retryAt ?? pausedUntil ?? now + backoffMs(1))
        : now + backoffMs(head.attempts + 1);
}

const comparable = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Whether an X DM event is the delivered copy of an outbox item (`recorded`: our earlier sends' event ids). */
export function isCopyOf(event: InboundMessage, item: OutboxItem, recorded: Set<string>): boolean {
    if (event.senderId !== item.accountId || event.recipientId !== item.customerId) return false;
    if (recorded.has(event.eventId)) return false;
    if (event.createdAt < (item.attemptAt ?? item.queuedAt) - VERIFY_SLACK_MS) return false;
    if (!!item.file !== !!event.media) return false;
    return comparable(inboundText(event)) === comparable(item.text ?? '');
}
