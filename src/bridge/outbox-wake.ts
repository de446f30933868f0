/**
 * Waking the outbox: a one-time job at the moment queued DMs become due (X's rate-limit reset, the end of a
 * backoff). The recurring sweep catches anything a lost wake-up would leave behind.
 */
import { OUTBOX_JOB_ID, scheduleAt } from '../jobs/ids';
import type { BridgeContext } from './context';
import { outboundState } from './outbound-state';

/** The recurring sweep's interval. */
export const OUTBOX_SWEEP_INTERVAL = '5 minutes';

/** Asks for a drain of the account's items at `at` (rounded up to the second); one request per second per account and process. */
export async function scheduleOutboxWake(ctx: BridgeContext, at: number): Promise<void> {
    const dueAt = Math.ceil(at / 1000) * 1000;
    const now = ctx.now();
    const accountId = ctx.account.accountId;
    const wakes = outboundState.wakes;
    for (const scheduled of wakes.keys()) if (scheduled < now - 60_000) wakes.delete(scheduled);
    const due = wakes.get(dueAt) ?? new Set<string>();
    if (due.has(accountId)) return;
    wakes.set(dueAt, due.add(accountId));
    try {
        await scheduleAt(ctx.modify, OUTBOX_JOB_ID, dueAt, { accountId });
    } catch (e) {
        due.delete(accountId);
        ctx.logger.warn(
            `Could not schedule the outbox for ${new Date(dueAt).toISOString()}; the sweep will deliver instead: ${(e as Error)?.message ?? e}`,
        );
    }
}
