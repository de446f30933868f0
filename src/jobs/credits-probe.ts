/**
 * While X refuses calls for lack of credits (admin/credits.ts), this one-off job asks X again — one cheap
 * call, the same the health check makes — at a growing interval. When X accepts it, everything resumes:
 * the outbox drains in order, polling continues from its cursor, and the webhook DMs X withheld meanwhile
 * are replayed from the moment credits ran out.
 */
import { endCreditsPause, probeAgainLater } from '../admin/credits';
import type { BridgeContext } from '../bridge/context';
import { outbox } from '../bridge/outbound';
import { scheduleOutboxWake } from '../bridge/outbox-wake';
import { XFailure } from '../x/client-types';
import { toXFailure } from '../x/errors';
import { recoverMissedEvents } from './recovery';
import { creditsPauseRecord } from '../storage/job-state';
import { CREDITS_PROBE_JOB_ID } from './ids';
import type { JobSpec } from './processor';

export const creditsProbeJob: JobSpec<typeof CREDITS_PROBE_JOB_ID> = {
    id: CREDITS_PROBE_JOB_ID,
    needs: 'account',
    run: (ctx) => probeCredits(ctx),
};

async function probeCredits(ctx: BridgeContext): Promise<void> {
    const { read, logger } = ctx;
    const now = ctx.now();
    const pause = await creditsPauseRecord.read(read.getPersistenceReader());
    // Ended already (another instance's probe), or a later probe is planned: this run has nothing to do.
    if (!pause || pause.nextProbeAt > now + 1000) return;
    try {
        await (await ctx.x()).me();
    } catch (e) {
        const failure = e instanceof XFailure ? e : toXFailure(e, now);
        // Any other definite answer means credits are no longer what stops X (that problem has its own alert).
        if (failure.transient) {
            logger.info(`X still does not accept calls (${failure.kind}); asking again later.`);
            await probeAgainLater(ctx, pause, now);
            return;
        }
    }
    const waiting = (await outbox.all(read.getPersistenceReader())).length;
    if (!(await endCreditsPause(ctx, waiting, now))) return;
    logger.info(`X accepts calls again after credits ran out; ${waiting} waiting replies are being sent.`);
    await scheduleOutboxWake(ctx, now);
    await recoverMissedEvents(ctx, ctx.account, now, { from: pause.since }).catch((e) =>
        logger.warn(`Could not ask X to replay what it withheld: ${toXFailure(e, now).kind}`),
    );
}
