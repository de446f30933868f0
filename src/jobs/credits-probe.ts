/**
 * While X refuses calls for lack of credits (admin/credits.ts), this one-off job asks X again — one cheap
 * call, the same the health check makes — at a growing interval. When X accepts it, everything resumes:
 * the outbox drains in order, polling continues from its cursor, and the webhook DMs X withheld meanwhile
 * are replayed from the moment credits ran out.
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IJobContext } from '@rocket.chat/apps-engine/definition/scheduler';
import { endCreditsPause, probeAgainLater } from '../admin/credits';
import { buildBridgeContext } from '../bridge/build-context';
import { outbox } from '../bridge/outbound';
import { outboundState } from '../bridge/outbound-state';
import { scheduleOutboxWake } from '../bridge/outbox-wake';
import { XFailure } from '../x/client-types';
import { toXFailure } from '../x/errors';
import { recoverMissedEvents } from './recovery';
import { creditsPauseRecord } from '../storage/job-state';

export async function runCreditsProbe(
    job: IJobContext | undefined,
    read: IRead,
    modify: IModify,
    http: IHttp,
    persistence: IPersistence,
    logger: ILogger,
): Promise<void> {
    const dueAt = typeof job?.dueAt === 'number' ? job.dueAt : undefined;
    if (dueAt !== undefined) outboundState.time.observe(dueAt, Date.now());
    const now = outboundState.time.now(Date.now());
    const pause = await creditsPauseRecord.read(read.getPersistenceReader());
    // Ended already (another instance's probe), or a later probe is planned: this run has nothing to do.
    if (!pause || pause.nextProbeAt > now + 1000) return;
    const built = await buildBridgeContext(read, modify, persistence, http, logger);
    if (!built.ok) return;
    const ctx = built.ctx;
    try {
        await (await ctx.x()).me();
    } catch (e) {
        const failure = e instanceof XFailure ? e : toXFailure(e, now);
        // Any other definite answer means credits are no longer what stops X (that problem has its own alert).
        if (failure.transient) {
            logger.info(`X still does not accept calls (${failure.kind}); asking again later.`);
            await probeAgainLater({ read, modify, persistence }, pause, now);
            return;
        }
    }
    const waiting = (await outbox.all(read.getPersistenceReader())).length;
    if (!(await endCreditsPause({ read, modify, persistence }, waiting, now))) return;
    logger.info(`X accepts calls again after credits ran out; ${waiting} waiting replies are being sent.`);
    await scheduleOutboxWake(ctx, now);
    await recoverMissedEvents({ read, modify, http, persistence }, now, { from: pause.since }).catch((e) =>
        logger.warn(`Could not ask X to replay what it withheld: ${toXFailure(e, now).kind}`),
    );
}
