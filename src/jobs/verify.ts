/**
 * Settles events left in doubt: a delivery found another's claim on them, not yet posted. Each such event
 * has its own one-off job a stale window later; the pending job's sweep catches any whose job was lost.
 */
import type { BridgeContext } from '../bridge/context';
import { handlesRecordOf } from '../bridge/build-context';
import { STALE_CLAIM_MS } from '../bridge/inbound-claims';
import { verifyInDoubt } from '../bridge/inbound-customer';
import { VERIFY_JOB_ID } from './ids';
import type { JobSpec } from './processor';

export const verifyJob: JobSpec<typeof VERIFY_JOB_ID> = {
    id: VERIFY_JOB_ID,
    needs: 'account',
    run: async (ctx, { customerId, eventId }) => {
        const outcome = await verifyInDoubt(ctx, customerId, eventId, { reschedule: true });
        if (outcome === 'posted' || outcome === 'pending')
            ctx.logger.info(`DM ${eventId} was claimed by a delivery that did not finish; it is ${outcome} now.`);
    },
};

/** In-doubt events older than two stale windows: their job did not run (or failed); settled here. */
export async function sweepInDoubt(ctx: BridgeContext): Promise<number> {
    const stale = (await ctx.conversations.allInDoubt(ctx.read.getPersistenceReader())).filter(
        (r) => ctx.now() - r.at > 2 * STALE_CLAIM_MS,
    );
    let settled = 0;
    for (const record of stale) {
        // The job runs for each account: each settles its own events.
        if (!(await handlesRecordOf(ctx, record.event?.accountId))) continue;
        const customerId = String(record.event.senderId);
        try {
            // One still being worked on (a large upload) has its own job planned for when that time is over.
            const outcome = await verifyInDoubt(ctx, customerId, record.eventId, { reschedule: false });
            if (outcome !== 'gone' && outcome !== 'in-progress') settled++;
        } catch (e) {
            ctx.logger.error(`In-doubt DM ${record.eventId} could not be settled yet: ${(e as Error).message}`);
        }
    }
    return settled;
}
