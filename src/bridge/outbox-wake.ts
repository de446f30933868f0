/**
 * Waking the outbox: a one-time job at the moment queued DMs become due (X's rate-limit reset, the end of a
 * backoff). The recurring sweep catches anything a lost wake-up would leave behind.
 */
import { OUTBOX_JOB_ID } from '../jobs/ids';
import type { BridgeContext } from './context';
import { outboundState } from './outbound-state';

/** The recurring sweep's interval. */
export const OUTBOX_SWEEP_INTERVAL = '5 minutes';

export interface OutboxJobData {
    /** Set on wake-ups: the time the job was scheduled for. */
    dueAt?: number;
}

/** The time as the outbox sees it: the machine clock, or the scheduler's if a wake-up proved it later. */
export function effectiveNow(ctx: Pick<BridgeContext, 'now'>): number {
    return outboundState.time.now(ctx.now());
}

/** Asks for a drain at `at` (rounded up to the second); one request per second per process. */
export async function scheduleOutboxWake(ctx: BridgeContext, at: number): Promise<void> {
    const dueAt = Math.ceil(at / 1000) * 1000;
    const now = effectiveNow(ctx);
    for (const scheduled of outboundState.wakes) if (scheduled < now - 60_000) outboundState.wakes.delete(scheduled);
    if (outboundState.wakes.has(dueAt)) return;
    outboundState.wakes.add(dueAt);
    try {
        const data: OutboxJobData = { dueAt };
        await ctx.modify.getScheduler().scheduleOnce({ id: OUTBOX_JOB_ID, when: new Date(dueAt), data });
    } catch (e) {
        outboundState.wakes.delete(dueAt);
        ctx.logger.warn(
            `Could not schedule the outbox for ${new Date(dueAt).toISOString()}; the sweep will deliver instead: ${(e as Error)?.message ?? e}`,
        );
    }
}
