/**
 * The outbox job: the only sender of queued Direct Messages. One processor, two kinds of runs — one-time
 * wake-ups scheduled for the moment items become due (X's rate-limit reset, the end of a backoff), and a
 * recurring sweep that catches anything a lost wake-up would leave behind.
 */
import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IJobContext, IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import { buildBridgeContext } from '../bridge/build-context';
import { drainOutbox } from '../bridge/outbox-drain';
import { OUTBOX_SWEEP_INTERVAL } from '../bridge/outbox-wake';
import { OUTBOX_JOB_ID, recurringAtStartup } from './ids';

export function outboxProcessor(logger: ILogger): IProcessor {
    return {
        id: OUTBOX_JOB_ID,
        startupSetting: recurringAtStartup(OUTBOX_SWEEP_INTERVAL),
        processor: (job, read, modify, http, persistence) => runOutboxJob(job, read, modify, http, persistence, logger),
    };
}

async function runOutboxJob(
    job: IJobContext | undefined,
    read: IRead,
    modify: IModify,
    http: IHttp,
    persistence: IPersistence,
    logger: ILogger,
): Promise<void> {
    const built = await buildBridgeContext(read, modify, persistence, http, logger);
    if (!built.ok) return;
    const dueAt = typeof job?.dueAt === 'number' ? job.dueAt : undefined;
    const report = await drainOutbox(built.ctx, { dueAt });
    if (report.sent || report.dropped || report.alreadyDelivered) {
        logger.info(
            `Outbox: ${report.sent} sent, ${report.alreadyDelivered} found already delivered, ${report.dropped} refused by X, ${report.waiting} waiting.`,
        );
    }
}
