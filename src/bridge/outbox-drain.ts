/**
 * Delivers what waits in the outbox, per linked account (a drain each, side by side: one account's 429 never
 * holds back another's replies). Only this code sends queued items, and only one drain per account runs at a
 * time (a flag here, a persisted lease across instances): a queued item is never in two senders' hands.
 *
 * - Order: per conversation, strictly oldest first; a conversation whose first item cannot go yet waits
 *   as a whole (nothing overtakes it).
 * - Fairness: one DM per conversation per round, so when X's budget (15 per 15 minutes, 1,440 a day) runs
 *   out mid-way, every waiting customer got a turn before anyone got a second one.
 * - No double send: an item is marked `uncertain` before its X call. Whoever later finds an uncertain item
 *   (a retry after a timeout or 5xx, a run after a crash) first looks at X's recent DMs and, if the DM is
 *   there, records it instead of sending it again.
 */
import { randomBytes } from 'crypto';
import { conversationIdOf } from '../x/ids';
import { sendAvailableAt } from '../x/limits';
import { ConversationQueue, groupByConversation, OutboxItem } from '../storage/outbox';
import type { BridgeContext } from './context';
import { drainHints, outbox } from './outbound';
import { cachedAccounts, sendingAccountCount } from '../storage/account-cache';
import { creditsPausedUntil } from '../admin/credits';
import { isBlockedCustomer } from './blocked';
import { noticeUndelivered } from './outbound-notices';
import { DeliveryFailure, sendOneDm } from './outbound-send';
import { outboundState } from './outbound-state';
import { decideAfterFailure, decideHead, retryCheckAt } from './outbox-decisions';
import { findDeliveredCopy, recordFound } from './outbox-verify';
import { scheduleOutboxWake } from './outbox-wake';

const LEASE_TTL_MS = 10 * 60_000;
/** A run stops taking new items after this long, well inside its lease. */
const RUN_BUDGET_MS = 3 * 60_000;

export interface DrainReport {
    sent: number;
    /** Uncertain items found already delivered at X (recorded, not sent again). */
    alreadyDelivered: number;
    dropped: number;
    deferred: number;
    waiting: number;
    busy?: boolean;
}

/** The accounts whose drain runs in this process. */
const draining = new Set<string>();

/** One drain of the account's outbox items (the outbox job's work for one account). */
export async function drainOutbox(ctx: BridgeContext): Promise<DrainReport> {
    const report: DrainReport = { sent: 0, alreadyDelivered: 0, dropped: 0, deferred: 0, waiting: 0 };
    const accountId = ctx.account.accountId;
    if (draining.has(accountId)) {
        drainHints.add(accountId);
        return { ...report, busy: true };
    }
    draining.add(accountId);
    try {
        let versions = snapshotVersions();
        let items = await itemsToDrain(ctx);
        await syncView(accountId, items, versions);
        if (items.length === 0) return report;
        const owner = randomBytes(12).toString('hex');
        const reader = ctx.read.getPersistenceReader();
        if (!(await outbox.acquireLease(reader, ctx.persistence, accountId, owner, ctx.now(), LEASE_TTL_MS)))
            return { ...report, busy: true };
        try {
            const started = Date.now();
            for (;;) {
                drainHints.delete(accountId);
                const stopped = await pass(ctx, items, versions, report);
                if (stopped || !drainHints.has(accountId) || Date.now() - started > RUN_BUDGET_MS) break;
                versions = snapshotVersions();
                items = await itemsToDrain(ctx);
                await syncView(accountId, items, versions);
            }
        } finally {
            await outbox
                .releaseLease(ctx.persistence, accountId, owner)
                .catch((e) => ctx.logger.warn(`Outbox lease not released: ${(e as Error)?.message ?? e}`));
        }
        return report;
    } finally {
        draining.delete(accountId);
    }
}

/** The account's items; the account linked longest also takes those of unlinked accounts (to drop, with a notice). */
async function itemsToDrain(ctx: BridgeContext): Promise<OutboxItem[]> {
    const [items, accounts] = await Promise.all([
        outbox.all(ctx.read.getPersistenceReader()),
        cachedAccounts(ctx.read, ctx.now()),
    ]);
    const linked = new Set(accounts.map((a) => a.accountId));
    const takesOrphans = accounts[0]?.accountId === ctx.account.accountId;
    return items.filter((i) => i.accountId === ctx.account.accountId || (takesOrphans && !linked.has(i.accountId)));
}

/** Taken BEFORE reading the outbox: anything queued after it has a newer version and is not forgotten. */
function snapshotVersions(): Map<string, number> {
    return outboundState.queued.versionSnapshot();
}

/** Persistence is the truth: the account's conversations with items wait; those without do not (unless queued since). */
async function syncView(accountId: string, items: OutboxItem[], versions: Map<string, number>): Promise<void> {
    const view = outboundState.queued;
    const present = new Set(items.map(conversationIdOf));
    for (const key of present) view.note(key);
    const mine = conversationIdOf({ accountId, customerId: '' });
    for (const key of view.keys()) {
        if (key.startsWith(mine) && !present.has(key))
            await outboundState.lanes.run(key, async () => view.clearIfUnchanged(key, versions.get(key) ?? 0));
    }
}

type Attempt =
    | { kind: 'sent' }
    | { kind: 'already-delivered' }
    | { kind: 'dropped-message' }
    | { kind: 'dropped-conversation' }
    | { kind: 'deferred'; stopAll: boolean };

/** One pass over everything read: round-robin across conversations. Returns true when X said stop for everyone. */
async function pass(
    ctx: BridgeContext,
    items: OutboxItem[],
    versions: Map<string, number>,
    report: DrainReport,
): Promise<boolean> {
    const { queues, duplicates } = groupByConversation(items);
    for (const extra of duplicates) await outbox.remove(ctx.persistence, extra);
    // Items written for an X account no longer linked cannot be sent from any (see itemsToDrain).
    for (const queue of queues.filter((q) => q.items.length > 0 && q.items[0].accountId !== ctx.account.accountId)) {
        const removed = await outbox.removeConversation(
            ctx.persistence,
            queue.items[0].accountId,
            queue.items[0].customerId,
        );
        await noticeUndelivered(
            ctx,
            queue.items[0].roomId,
            'account-changed',
            Math.max(removed.length, queue.items.length),
            queue.items[0].origin,
        );
        report.dropped += queue.items.length;
        queue.items = [];
    }
    // Replies queued before the customer was blocked are not sent either; the room says so.
    for (const queue of queues.filter((q) => q.items.length > 0)) {
        const head = queue.items[0];
        if (!(await isBlockedCustomer(ctx, head.customerId))) continue;
        const removed = await outbox.removeConversation(ctx.persistence, head.accountId, head.customerId);
        await noticeUndelivered(
            ctx,
            head.roomId,
            'customer-blocked',
            Math.max(removed.length, queue.items.length),
            head.origin,
        );
        report.dropped += queue.items.length;
        queue.items = [];
    }
    let active: ConversationQueue[] = queues.filter((q) => q.items.length > 0);
    const finish = (stop: boolean) => {
        report.waiting = active.reduce((n, q) => n + q.items.length, 0);
        return stop;
    };
    while (active.length > 0) {
        for (const queue of [...active]) {
            const now = ctx.now();
            const accounts = sendingAccountCount(await cachedAccounts(ctx.read, now));
            const allowedAt = Math.max(
                sendAvailableAt(ctx.account.accountId, accounts, now),
                creditsPausedUntil(now) ?? 0,
            );
            const head = queue.items[0];
            const decision = decideHead(head, now, allowedAt);
            if (decision.kind === 'everyone-waits') {
                for (const q of active) outboundState.queued.nextDue.set(q.key, decision.until);
                await scheduleOutboxWake(ctx, decision.until);
                report.deferred += active.length;
                return finish(true);
            }
            if (decision.kind === 'wait') {
                outboundState.queued.nextDue.set(queue.key, decision.until);
                await scheduleOutboxWake(ctx, decision.until);
                report.deferred++;
                active = active.filter((q) => q !== queue);
                continue;
            }
            const attempt = await outboundState.lanes.run(queue.key, () => attemptHead(ctx, queue));
            switch (attempt.kind) {
                case 'sent':
                case 'already-delivered':
                    if (attempt.kind === 'sent') report.sent++;
                    else report.alreadyDelivered++;
                    queue.items.shift();
                    break;
                case 'dropped-message': {
                    const dropped = queue.items.filter((i) => i.orderId === head.orderId);
                    report.dropped += dropped.length;
                    queue.items = queue.items.filter((i) => i.orderId !== head.orderId);
                    break;
                }
                case 'dropped-conversation':
                    report.dropped += queue.items.length;
                    queue.items = [];
                    break;
                case 'deferred':
                    report.deferred++;
                    active = active.filter((q) => q !== queue);
                    if (attempt.stopAll) return finish(true);
                    continue;
            }
            if (queue.items.length === 0) {
                active = active.filter((q) => q !== queue);
                const seen = versions.get(queue.key) ?? 0;
                await outboundState.lanes.run(queue.key, async () =>
                    outboundState.queued.clearIfUnchanged(queue.key, seen),
                );
            }
        }
    }
    return finish(false);
}

/** The conversation's first waiting item: verified if uncertain, then sent; its outcome decides the rest. Runs in the lane. */
async function attemptHead(ctx: BridgeContext, queue: ConversationQueue): Promise<Attempt> {
    const head = queue.items[0];
    const now = ctx.now();
    if (head.state === 'uncertain') {
        const check = await findDeliveredCopy(ctx, head);
        if (check.found) {
            await recordFound(ctx, head, check.found);
            return { kind: 'already-delivered' };
        }
        if (check.failure) {
            const retryAt = retryCheckAt(head, check.failure, now, creditsPausedUntil(now));
            await defer(ctx, queue, { ...head, notBefore: retryAt });
            return { kind: 'deferred', stopAll: false };
        }
    }
    // Written before the call: if this run dies or X's answer is lost, the next one knows to look first.
    await outbox.put(ctx.persistence, { ...head, state: 'uncertain', attemptAt: now });
    const outcome = await sendOneDm(ctx, head.customerId, head);
    if (outcome.ok) {
        await outbox.remove(ctx.persistence, head);
        return { kind: 'sent' };
    }
    return handleFailure(ctx, queue, outcome.failure, now);
}

async function handleFailure(
    ctx: BridgeContext,
    queue: ConversationQueue,
    failure: DeliveryFailure,
    now: number,
): Promise<Attempt> {
    const head = queue.items[0];
    const decision = decideAfterFailure(head, failure, now, creditsPausedUntil(now));
    switch (decision.kind) {
        case 'retry':
            await defer(ctx, queue, decision.item);
            return { kind: 'deferred', stopAll: decision.stopAll };
        case 'drop-message':
            if (decision.reason === 'gave-up')
                ctx.logger.warn(
                    `Giving up on outbox item ${head.id} after ${head.attempts + 1} attempts (${failure.kind})`,
                );
            await dropMessage(ctx, queue, head, decision.reason);
            return { kind: 'dropped-message' };
        case 'drop-conversation': {
            const removed = await outbox.removeConversation(ctx.persistence, head.accountId, head.customerId);
            const count = Math.max(removed.length, queue.items.length);
            await noticeUndelivered(ctx, head.roomId, failure.kind, count, head.origin);
            return { kind: 'dropped-conversation' };
        }
    }
}

/** The item waits; the outbox wakes up when it is due. */
async function defer(ctx: BridgeContext, queue: ConversationQueue, item: OutboxItem): Promise<void> {
    await outbox.put(ctx.persistence, item);
    queue.items[0] = item;
    outboundState.queued.nextDue.set(queue.key, item.notBefore);
    await scheduleOutboxWake(ctx, item.notBefore);
}

/** Drops the rest of one Rocket.Chat message (the customer never gets half of it) and tells the room. */
async function dropMessage(
    ctx: BridgeContext,
    queue: ConversationQueue,
    head: OutboxItem,
    reason: DeliveryFailure['kind'] | 'gave-up',
): Promise<void> {
    const doomed = queue.items.filter((i) => i.orderId === head.orderId);
    for (const item of doomed) await outbox.remove(ctx.persistence, item);
    await noticeUndelivered(ctx, head.roomId, reason, doomed.length, head.origin);
}
