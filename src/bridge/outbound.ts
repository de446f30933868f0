/**
 * Rocket.Chat → X: send now, or queue behind what is already waiting.
 *
 * Every DM to one customer passes through the conversation's lane (one at a time, in the order written).
 * Steady state — nothing waiting, X's window not exhausted — a text reply is one X call plus one write
 * (the sent marker, which is also the ledger entry): settings, account, secrets and tokens come from
 * memory, the customer's X id from the room's visitor token. That holds back to back (bench, "burst"); a
 * reply more than 2 s after the last re-read of the outbox view reads it again first (what another
 * instance queued is never overtaken: instances share nothing but persistence), and one more than 30 s
 * after the last account read re-reads the account — with 10 s between replies (bench, "spaced") about
 * 2.3 bridge calls + 1 X call. Once X says "later" (429, 5xx, timeout) the
 * rest of the message, and every later message to that customer, goes into the persisted outbox and
 * leaves only through the outbox job, in order.
 */
import { conversationIdOf } from '../x/ids';
import { sendAvailableAt } from '../x/limits';
import { cachedAccounts, sendingAccountCount } from '../storage/account-cache';
import { creditsPausedUntil } from '../admin/credits';
import { backoffMs, OutboxFile, OutboxItem, OutboxOrigin, OutboxStore, outboxConversationKey } from '../storage/outbox';
import type { BridgeContext } from './context';
import type { XConversationRef } from './outbound-filter';
import { noticeQueued, noticeUndelivered } from './outbound-notices';
import { DeliveryFailure, DmToSend, failureScope, sendOneDm } from './outbound-send';
import { outboundState } from './outbound-state';
import { waitsForX, xTakesSendsAt } from './outbox-decisions';
import { scheduleOutboxWake } from './outbox-wake';

export const outbox = new OutboxStore();

interface OutboundDm extends DmToSend {
    part: number;
    file?: OutboxFile;
}

export interface DeliveryRequest {
    ref: Pick<XConversationRef, 'accountId' | 'customerId' | 'roomId'>;
    dms: OutboundDm[];
    origin: OutboxOrigin;
    /** Orders the message among the conversation's queued ones: the Rocket.Chat message time, or now. */
    orderAt: number;
    /** The Rocket.Chat message id, or a unique id for an automatic message. */
    orderId: string;
}

export interface DeliveryReport {
    sent: number;
    queued: number;
    /** DMs X refused for good (the room was told). */
    dropped: number;
    failure?: DeliveryFailure;
}

/** Runs `fn` in the conversation's lane: after everything already sending to that customer. */
export function inConversationLane<T>(
    ref: Pick<XConversationRef, 'accountId' | 'customerId'>,
    fn: () => Promise<T>,
): Promise<T> {
    return outboundState.lanes.run(conversationIdOf(ref), fn);
}

/**
 * How stale this process's view of waiting conversations may be. Another instance's queued replies are
 * seen within this time; in steady traffic the re-read is shared by every reply sent meanwhile.
 */
export const QUEUED_VIEW_MAX_AGE_MS = 2_000;

/** Which conversations have waiting items: from memory, re-read from persistence when the view is old. */
async function warmQueuedView(ctx: BridgeContext): Promise<void> {
    await outboundState.queued.refresh(
        async () => (await outbox.all(ctx.read.getPersistenceReader())).map(conversationIdOf),
        ctx.now(),
        QUEUED_VIEW_MAX_AGE_MS,
    );
}

/**
 * Sends the DMs of one message (or queues them). `inLane`: the caller already holds the conversation's lane.
 */
export async function deliver(
    ctx: BridgeContext,
    request: DeliveryRequest,
    options: { inLane?: boolean } = {},
): Promise<DeliveryReport> {
    const work = () => deliverInLane(ctx, request);
    return options.inLane ? work() : inConversationLane(request.ref, work);
}

async function deliverInLane(ctx: BridgeContext, request: DeliveryRequest): Promise<DeliveryReport> {
    const { ref, dms, origin } = request;
    const report: DeliveryReport = { sent: 0, queued: 0, dropped: 0 };
    if (dms.length === 0) return report;
    await warmQueuedView(ctx);
    const key = conversationIdOf(ref);
    const now = ctx.now();
    const waiting = outboundState.queued.has(key);
    const accounts = sendingAccountCount(await cachedAccounts(ctx.read, now));
    const sendsAllowedAt = sendAvailableAt(ctx.account.accountId, accounts, now);
    const creditsBackAt = creditsPausedUntil(now);

    let from = 0;
    if (!waiting && creditsBackAt) {
        // X refuses every call until credits are added: queue without spending a call on another 402.
        report.failure = { kind: 'credits-depleted', retryAt: creditsBackAt, uncertain: false };
    } else if (!waiting && sendsAllowedAt <= now) {
        for (; from < dms.length; from++) {
            const outcome = await sendOneDm(ctx, ref.customerId, dms[from]);
            if (outcome.ok) {
                report.sent++;
                continue;
            }
            if (failureScope(outcome.failure.kind) === 'transient') {
                report.failure = outcome.failure;
                break;
            }
            // X refused for good: nothing more of this message goes out (the customer never gets half of it).
            report.failure = outcome.failure;
            report.dropped = dms.length - from;
            await noticeUndelivered(ctx, ref.roomId, outcome.failure.kind, report.dropped, origin);
            return report;
        }
        if (from === dms.length) return report;
    } else if (!waiting) {
        // X's window is known to be exhausted: join the fair queue instead of spending a call on a 429.
        report.failure = { kind: 'rate-limited', retryAt: sendsAllowedAt, uncertain: false };
    }

    await enqueue(ctx, request, from, report.failure, now);
    report.queued = dms.length - from;
    if (!waiting && report.failure) await noticeQueued(ctx, ref.roomId, report.failure.kind, report.failure.retryAt);
    return report;
}

/** Persists DMs `from`… of a message behind what the conversation already has waiting, and asks for a wake-up. */
async function enqueue(
    ctx: BridgeContext,
    request: DeliveryRequest,
    from: number,
    failure: DeliveryFailure | undefined,
    now: number,
): Promise<void> {
    const { ref, dms } = request;
    const key = conversationIdOf(ref);
    const view = outboundState.queued;
    const waiting = view.has(key);
    const orderAt = Math.max(request.orderAt, (await lastOrderOf(ctx, key, ref)) + 1);
    const notBefore = !failure
        ? now
        : waitsForX(failure)
          ? xTakesSendsAt(failure, now, creditsPausedUntil(now))
          : now + backoffMs(1);
    for (let i = from; i < dms.length; i++) {
        const dm = dms[i];
        const first = i === from;
        const item: OutboxItem = {
            type: 'outbox-item',
            id: `${request.orderId}:${dm.part}`,
            accountId: ref.accountId,
            customerId: ref.customerId,
            roomId: ref.roomId,
            orderAt,
            orderId: request.orderId,
            part: dm.part,
            ...(dm.text ? { text: dm.text } : {}),
            ...(dm.file ? { file: dm.file } : {}),
            origin: request.origin,
            queuedAt: now,
            state: first && failure?.uncertain ? 'uncertain' : 'queued',
            ...(first && failure?.uncertain ? { attemptAt: now } : {}),
            attempts: first && failure && !waitsForX(failure) ? 1 : 0,
            notBefore,
            ...(first && failure ? { lastFailure: failure.kind } : {}),
        };
        await outbox.add(ctx.persistence, item);
        view.add(key);
    }
    view.lastOrder.set(key, orderAt);
    if (!waiting) {
        view.nextDue.set(key, notBefore);
        await scheduleOutboxWake(ctx, notBefore);
    } else if (!view.nextDue.has(key)) {
        // Waiting items this process did not queue (another instance, or before a restart): let a drain look now.
        await scheduleOutboxWake(ctx, now);
    }
    // Items queued behind others leave with them: the wake-up of the first one covers them.
    drainHints.add(ctx.account.accountId);
}

/** Newest ordering time queued for the conversation (read once after a restart, then kept in memory). */
async function lastOrderOf(
    ctx: BridgeContext,
    key: string,
    ref: Pick<XConversationRef, 'accountId' | 'customerId'>,
): Promise<number> {
    const known = outboundState.queued.lastOrder.get(key);
    if (known !== undefined) return known;
    if (!outboundState.queued.has(key)) return 0;
    const items = (await ctx.read
        .getPersistenceReader()
        .readByAssociation(outboxConversationKey(ref.accountId, ref.customerId))) as unknown as Partial<OutboxItem>[];
    const last = Math.max(0, ...items.filter((i) => i?.type === 'outbox-item').map((i) => i.orderAt ?? 0));
    outboundState.queued.lastOrder.set(key, last);
    return last;
}

/** Tells the account's drain running in this process that new items arrived (it takes another pass). */
export const drainHints = new Set<string>();
