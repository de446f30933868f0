/**
 * Settles events left in doubt: a delivery found another's claim on them, not yet posted. Each such event
 * has its own one-off job a stale window later; the pending job's sweep catches any whose job was lost.
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IJobContext } from '@rocket.chat/apps-engine/definition/scheduler';
import { buildBridgeContext } from '../bridge/build-context';
import type { BridgeContext } from '../bridge/context';
import { STALE_CLAIM_MS } from '../bridge/inbound-claims';
import { verifyInDoubt } from '../bridge/inbound-customer';
import { fromStoredVerifyJob } from '../storage/waiting-messages';

export async function runVerification(
    job: IJobContext,
    read: IRead,
    modify: IModify,
    http: IHttp,
    persistence: IPersistence,
    logger: ILogger,
): Promise<void> {
    const data = fromStoredVerifyJob(job);
    if (!data) return;
    const { customerId, eventId } = data;
    const built = await buildBridgeContext(read, modify, persistence, http, logger);
    if (!built.ok) return;
    const outcome = await verifyInDoubt(built.ctx, customerId, eventId);
    if (outcome === 'posted' || outcome === 'pending')
        logger.info(`DM ${eventId} was claimed by a delivery that did not finish; it is ${outcome} now.`);
}

/** In-doubt events older than two stale windows: their job did not run (or failed); settled here. */
export async function sweepInDoubt(ctx: BridgeContext): Promise<number> {
    const stale = (await ctx.conversations.allInDoubt(ctx.read.getPersistenceReader())).filter(
        (r) => ctx.now() - r.at > 2 * STALE_CLAIM_MS,
    );
    let settled = 0;
    for (const record of stale) {
        const customerId = String(record.event.senderId);
        try {
            if ((await verifyInDoubt(ctx, customerId, record.eventId)) !== 'gone') settled++;
        } catch (e) {
            ctx.logger.error(`In-doubt DM ${record.eventId} could not be settled yet: ${(e as Error).message}`);
        }
    }
    return settled;
}
