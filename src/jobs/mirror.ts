/**
 * Decides business-sent DMs that were not recognized as our own when they arrived (see inbound.ts). Any
 * number of runs may overlap, on one instance or several (Agenda runs one-time jobs of one processor on
 * every instance): each candidate is claimed, and dropped only once it is decided.
 */
import type { BridgeContext } from '../bridge/context';
import { handlesRecordOf } from '../bridge/build-context';
import { decideMirror, MIRROR_GRACE_MS } from '../bridge/inbound-business';
import { STALE_CLAIM_MS } from '../bridge/inbound-claims';
import type { MirrorCandidate } from '../storage/mirror-candidates';
import { MIRROR_JOB_ID } from './ids';
import type { JobSpec } from './processor';

/** Seconds until the next run while candidates wait: their grace period, or a claim another run may have left behind. */
const GRACE_SECONDS = Math.ceil(MIRROR_GRACE_MS / 1000) + 1;
const STALE_SECONDS = Math.ceil(STALE_CLAIM_MS / 1000) + 5;

export const mirrorJob: JobSpec<typeof MIRROR_JOB_ID> = {
    id: MIRROR_JOB_ID,
    needs: 'each-account',
    run: (ctx) => decideMirrorCandidates(ctx),
};

async function decideMirrorCandidates(ctx: BridgeContext): Promise<void> {
    const { read, modify, logger } = ctx;
    const byEvent = new Map<string, MirrorCandidate>();
    // The job runs for each account: each decides its own account's replies.
    for (const c of await ctx.conversations.allMirrorCandidates(read.getPersistenceReader()))
        if (!byEvent.has(c.eventId) && (await handlesRecordOf(ctx, c.event?.accountId))) byEvent.set(c.eventId, c);
    const due = [...byEvent.values()].filter((c) => c.at + MIRROR_GRACE_MS <= ctx.now()).sort((a, b) => a.at - b.at);
    let claimedElsewhere = 0;
    let failed = 0;
    for (const candidate of due) {
        try {
            if ((await decideMirror(ctx, candidate)) === 'claimed-elsewhere') claimedElsewhere++;
        } catch (e) {
            failed++;
            logger.error(
                `The reply typed in the X app (DM ${candidate.eventId}) could not be mirrored yet: ${(e as Error)?.message ?? e}`,
            );
        }
    }
    const notDue = byEvent.size - due.length;
    if (notDue > 0 || failed > 0)
        await modify.getScheduler().scheduleOnce({ id: MIRROR_JOB_ID, when: `${GRACE_SECONDS} seconds` });
    else if (claimedElsewhere > 0)
        await modify.getScheduler().scheduleOnce({ id: MIRROR_JOB_ID, when: `${STALE_SECONDS} seconds` });
}

/** Candidates older than two stale windows: their decision job did not run (or failed); decided here. */
export async function sweepMirrorCandidates(ctx: BridgeContext): Promise<number> {
    const stale = (await ctx.conversations.allMirrorCandidates(ctx.read.getPersistenceReader())).filter(
        (c) => ctx.now() - c.at > 2 * STALE_CLAIM_MS,
    );
    const seen = new Set<string>();
    let decided = 0;
    for (const candidate of stale) {
        if (seen.has(candidate.eventId) || !(await handlesRecordOf(ctx, candidate.event?.accountId))) continue;
        seen.add(candidate.eventId);
        try {
            if ((await decideMirror(ctx, candidate)) !== 'claimed-elsewhere') decided++;
        } catch (e) {
            ctx.logger.error(
                `The reply typed in the X app (DM ${candidate.eventId}) could not be mirrored yet: ${(e as Error)?.message ?? e}`,
            );
        }
    }
    return decided;
}
