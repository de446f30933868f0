/**
 * The outbox job: the only sender of queued Direct Messages. One processor, two kinds of runs — one-time
 * wake-ups scheduled for the moment items become due (X's rate-limit reset, the end of a backoff), and a
 * recurring sweep that catches anything a lost wake-up would leave behind.
 */
import { drainOutbox } from '../bridge/outbox-drain';
import { OUTBOX_SWEEP_INTERVAL } from '../bridge/outbox-wake';
import { OUTBOX_JOB_ID, recurringAtStartup } from './ids';
import type { JobSpec } from './processor';

export const outboxJob: JobSpec<typeof OUTBOX_JOB_ID> = {
    id: OUTBOX_JOB_ID,
    startupSetting: recurringAtStartup(OUTBOX_SWEEP_INTERVAL),
    needs: 'each-account',
    run: async (ctx) => {
        const report = await drainOutbox(ctx);
        if (report.sent || report.dropped || report.alreadyDelivered) {
            ctx.logger.info(
                `Outbox: ${report.sent} sent, ${report.alreadyDelivered} found already delivered, ${report.dropped} refused by X, ${report.waiting} waiting.`,
            );
        }
    },
};
