/**
 * Waking the outbox: a one-time job at the moment queued DMs become due (X's rate-limit reset, the end of a
 * backoff). The recurring sweep catches anything a lost wake-up would leave behind.
 */
import { OUTBOX_JOB_ID, scheduleAt } from '../jobs/ids';
import type { BridgeContext } from './context';
import { outboundState } from './outbound-state';

/** The recurring sweep's interval. */
export const OUTBOX_SWEEP_INTERVAL = '5 minutes';

/** Asks for a drain at `at` (rounded up to the second); one request per second per process. */
export async function scheduleOutboxWake(ctx: BridgeContext, at: number): Promise<void> {
    const dueAt = Math.ceil(at / 1000) * 1000;
    const now = ctx.now();
    for (const scheduled of outboundState.wakes) if (scheduled < now - 60_000) outboundState.wakes.delete(scheduled);
    if (outboundState.wakes.has(dueAt)) return;
    outboundState.wakes.add(dueAt);
    try {
        await scheduleAt(ctx.modify, OUTBOX_JOB_ID, dueAt, {});
    } catch (e) {
        outboundState.wakes.delete(dueAt);
        ctx.logger.warn(
            `Could not schedule the outbox for ${new Date(dueAt).toISOString()}; the sweep will deliver instead: ${(e as Error)?.message ?? e}`,
        );
    }
}
