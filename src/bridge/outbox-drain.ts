/**
 * Delivers what waits in the outbox. Only this code sends queued items, and only one drain runs at a time
 * (a flag in this process, a persisted lease across instances), so a queued item is never in two
 * senders' hands.
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
import { DM_SEND_KEY, rateLimits } from '../x/limits';
import { normalizeDmEventsPage } from '../x/events/v2-dm';
import type { InboundMessage } from '../x/event-types';
import { XFailure } from '../x/client-types';
import { conversationKey } from '../storage/conversation-keys';
import { SeenMarker } from '../storage/seen';
import {
    backoffMs,
    ConversationQueue,
    GIVE_UP_AFTER_ATTEMPTS,
    groupByConversation,
    OutboxItem,
} from '../storage/outbox';
import type { BridgeContext } from './context';
import { inboundText } from './format';
import { drainHint, outbox, waitsForX } from './outbound';
import { creditsPausedUntil } from '../admin/credits';
import { isBlockedCustomer } from './blocked';
import { noticeUndelivered } from './outbound-notices';
import { DeliveryFailure, failureScope, sendOneDm } from './outbound-send';
import { outboundState } from './outbound-state';
import { effectiveNow, OutboxJobData, scheduleOutboxWake } from './outbox-wake';

const LEASE_TTL_MS = 10 * 60_000;
/** A run stops taking new items after this long, well inside its lease. */
const RUN_BUDGET_MS = 3 * 60_000;
/** How far back X's copy of an uncertain DM may predate the attempt (clock differences). */
const VERIFY_SLACK_MS = 5 * 60_000;
const VERIFY_PAGE_SIZE = 20;
/** At most this many pages of X's DM events are read to verify one item (X bills each event read). */
const VERIFY_MAX_PAGES = 5;

export interface DrainReport {
    sent: number;
    /** Uncertain items found already delivered at X (recorded, not sent again). */
    alreadyDelivered: number;
    dropped: number;
    deferred: number;
    waiting: number;
    busy?: boolean;
}

let draining = false;

/** One drain of the outbox (the outbox job's work). */
export async function drainOutbox(ctx: BridgeContext, trigger: OutboxJobData = {}): Promise<DrainReport> {
    const report: DrainReport = { sent: 0, alreadyDelivered: 0, dropped: 0, deferred: 0, waiting: 0 };
    if (typeof trigger.dueAt === 'number') outboundState.time.observe(trigger.dueAt, ctx.now());
    if (draining) {
        drainHint.requested = true;
        return { ...report, busy: true };
    }
    draining = true;
    try {
        let versions = snapshotVersions();
        let items = await outbox.all(ctx.read.getPersistenceReader());
        await syncView(items, versions);
        if (items.length === 0) return report;
        const owner = randomBytes(12).toString('hex');
        const reader = ctx.read.getPersistenceReader();
        if (!(await outbox.acquireLease(reader, ctx.persistence, owner, effectiveNow(ctx), LEASE_TTL_MS)))
            return { ...report, busy: true };
        try {
            const started = Date.now();
            for (;;) {
                drainHint.requested = false;
                const stopped = await pass(ctx, items, versions, report);
                if (stopped || !drainHint.requested || Date.now() - started > RUN_BUDGET_MS) break;
                versions = snapshotVersions();
                items = await outbox.all(reader);
                await syncView(items, versions);
            }
        } finally {
            await outbox
                .releaseLease(ctx.persistence, owner)
                .catch((e) => ctx.logger.warn(`Outbox lease not released: ${(e as Error)?.message ?? e}`));
        }
        return report;
    } finally {
        draining = false;
    }
}

/** Taken BEFORE reading the outbox: anything queued after it has a newer version and is not forgotten. */
function snapshotVersions(): Map<string, number> {
    return outboundState.queued.versionSnapshot();
}

/** Persistence is the truth: conversations with items are waiting; those without are not (unless queued since). */
async function syncView(items: OutboxItem[], versions: Map<string, number>): Promise<void> {
    const view = outboundState.queued;
    const present = new Set(items.map(conversationIdOf));
    for (const key of present) view.note(key);
    for (const key of view.keys()) {
        if (!present.has(key))
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
    // Items written for an X account that is no longer the linked one cannot be sent from this one.
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
            const now = effectiveNow(ctx);
            const allowedAt = Math.max(rateLimits.availableAt(DM_SEND_KEY, now), creditsPausedUntil(now) ?? 0);
            if (allowedAt > now) {
                // X's window is exhausted for the account, or its credits are: everyone waits.
                for (const q of active) outboundState.queued.nextDue.set(q.key, allowedAt);
                await scheduleOutboxWake(ctx, allowedAt);
                report.deferred += active.length;
                return finish(true);
            }
            const head = queue.items[0];
            // Items that waited for credits are due as soon as X takes calls again (this process is not paused).
            if (head.notBefore > now && head.lastFailure !== 'credits-depleted') {
                outboundState.queued.nextDue.set(queue.key, head.notBefore);
                await scheduleOutboxWake(ctx, head.notBefore);
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
    const now = effectiveNow(ctx);
    if (head.state === 'uncertain') {
        const check = await findDeliveredCopy(ctx, head);
        if (check.found) {
            await recordFound(ctx, head, check.found);
            return { kind: 'already-delivered' };
        }
        if (check.failure) {
            const retryAt = waitsForX(check.failure)
                ? (check.failure.retryAt ?? creditsPausedUntil(now) ?? now + backoffMs(1))
                : now + backoffMs(head.attempts + 1);
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
    const scope = failureScope(failure.kind);
    if (waitsForX(failure)) {
        // X answered (nothing was sent): wait for its reset, or for credits, without counting an attempt.
        const retryAt = Math.max(now, failure.retryAt ?? creditsPausedUntil(now) ?? now + backoffMs(1));
        await defer(ctx, queue, { ...head, state: 'queued', notBefore: retryAt, lastFailure: failure.kind });
        return { kind: 'deferred', stopAll: true };
    }
    if (scope === 'transient') {
        const attempts = head.attempts + 1;
        if (attempts < GIVE_UP_AFTER_ATTEMPTS) {
            await defer(ctx, queue, {
                ...head,
                state: failure.uncertain ? 'uncertain' : 'queued',
                attempts,
                notBefore: now + backoffMs(attempts),
                lastFailure: failure.kind,
            });
            return { kind: 'deferred', stopAll: false };
        }
        ctx.logger.warn(`Giving up on outbox item ${head.id} after ${attempts} attempts (${failure.kind})`);
        await dropMessage(ctx, queue, head, 'gave-up');
        return { kind: 'dropped-message' };
    }
    if (scope === 'message') {
        await dropMessage(ctx, queue, head, failure.kind);
        return { kind: 'dropped-message' };
    }
    const removed = await outbox.removeConversation(ctx.persistence, head.accountId, head.customerId);
    await noticeUndelivered(ctx, head.roomId, failure.kind, Math.max(removed.length, queue.items.length), head.origin);
    return { kind: 'dropped-conversation' };
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

/**
 * X's copy of an uncertain DM: among the account's newest DM events (paged back to the attempt), one to this
 * customer with this text that was not recorded as one of our earlier sends.
 */
async function findDeliveredCopy(
    ctx: BridgeContext,
    item: OutboxItem,
): Promise<{ found?: InboundMessage; failure?: DeliveryFailure }> {
    const since = (item.attemptAt ?? item.queuedAt) - VERIFY_SLACK_MS;
    const earlier = await sendsRecordedBefore(ctx, item);
    let token: string | undefined;
    for (let page = 0; page < VERIFY_MAX_PAGES; page++) {
        let body: unknown;
        try {
            const result = await (await ctx.x()).listDmEvents({ maxResults: VERIFY_PAGE_SIZE, paginationToken: token });
            body = result.body;
            token = result.nextToken;
        } catch (e) {
            const failure: DeliveryFailure =
                e instanceof XFailure
                    ? { kind: e.kind, retryAt: e.retryAt, uncertain: false, detail: e.detail }
                    : { kind: 'unavailable', uncertain: false };
            ctx.logger.warn(`Could not check with X whether outbox item ${item.id} was delivered: ${failure.kind}`);
            return { failure };
        }
        const events = normalizeDmEventsPage(body, item.accountId).events;
        const found = events.find((e): e is InboundMessage => e.kind === 'message' && isCopyOf(e, item, earlier));
        if (found) return { found };
        // Newest first: once a page reaches back before the attempt, nothing older can be the copy.
        if (!token || events.length === 0 || Math.min(...events.map((e) => e.createdAt)) < since) break;
    }
    return {};
}

/**
 * Event ids this app recorded as its sends to the customer up to the item's attempt. Those are other DMs
 * and must not be taken for the item's copy; a send recorded since may be the item itself (sent, recorded,
 * but the run died before removing it). The inbound side may have marked the copy as seen, or even mirrored
 * it: only our own send records count here.
 */
async function sendsRecordedBefore(ctx: BridgeContext, item: OutboxItem): Promise<Set<string>> {
    const attemptAt = item.attemptAt ?? item.queuedAt;
    const records = (await ctx.read
        .getPersistenceReader()
        .readByAssociation(conversationKey(item.accountId, item.customerId))) as unknown as Partial<SeenMarker>[];
    // Same millisecond counts as before: the item's own record can only follow its X call, which takes time.
    return new Set(
        records
            .filter((r) => r?.type === 'seen' && r.kind === 'dm_create' && r.eventId && (r.at ?? 0) <= attemptAt)
            .map((r) => r.eventId!),
    );
}

const comparable = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Pure: whether an X DM event is the delivered copy of an outbox item. */
export function isCopyOf(event: InboundMessage, item: OutboxItem, recorded: Set<string>): boolean {
    if (event.senderId !== item.accountId || event.recipientId !== item.customerId) return false;
    if (recorded.has(event.eventId)) return false;
    if (event.createdAt < (item.attemptAt ?? item.queuedAt) - VERIFY_SLACK_MS) return false;
    if (!!item.file !== !!event.media) return false;
    return comparable(inboundText(event)) === comparable(item.text ?? '');
}

async function recordFound(ctx: BridgeContext, item: OutboxItem, found: InboundMessage): Promise<void> {
    ctx.logger.info(`Outbox item ${item.id} had reached X already (DM ${found.eventId}); not sending it again.`);
    const recorded = (await ctx.conversations.load(ctx.read.getPersistenceReader(), item.accountId, item.customerId))
        .seen;
    if (!recorded.has(found.eventId))
        await ctx.conversations.markSent(
            ctx.persistence,
            item.accountId,
            item.customerId,
            found.eventId,
            effectiveNow(ctx),
        );
    await outbox.remove(ctx.persistence, item);
}
