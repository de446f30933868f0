/**
 * Every minute: customers whose messages wait for a room get one as soon as Rocket.Chat can open it, and
 * in-doubt events and replies typed in X's app whose one-time job never ran are settled (Rocket.Chat logs
 * and swallows a failure to schedule one: the app cannot know).
 */
import type { BridgeContext } from '../bridge/context';
import { handlesRecordOf } from '../bridge/build-context';
import { retryPending } from '../bridge/inbound-opening';
import { retryPendingPosts } from '../bridge/public-inbound';
import { PENDING_JOB_ID, recurringAtStartup } from './ids';
import type { JobSpec } from './processor';
import { sweepMirrorCandidates } from './mirror';
import { sweepInDoubt } from './verify';

export const pendingJob: JobSpec<typeof PENDING_JOB_ID> = {
    id: PENDING_JOB_ID,
    startupSetting: recurringAtStartup('60 seconds'),
    needs: 'each-account',
    run: (ctx) => retryEverythingWaiting(ctx),
};

async function retryEverythingWaiting(ctx: BridgeContext): Promise<void> {
    await sweepInDoubt(ctx);
    await sweepMirrorCandidates(ctx);
    // Public mentions that found no room (no agent online).
    await retryPendingPosts(ctx).catch((e) =>
        ctx.logger.error(`Pending public mentions could not be posted yet: ${(e as Error).message}`),
    );
    const pending = await ctx.conversations.allPending(ctx.read.getPersistenceReader());
    // The job runs for each account: each takes its own customers' waiting DMs.
    const mine = await filterAsync(pending, (p) => handlesRecordOf(ctx, p.event?.accountId));
    const customers = [...new Set(mine.map((p) => String(p.event.senderId)))];
    for (const customer of customers) {
        try {
            await retryPending(ctx, customer);
        } catch (e) {
            ctx.logger.error(`Pending messages of ${customer} could not be posted yet: ${(e as Error).message}`);
        }
    }
}

async function filterAsync<T>(items: T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
    const verdicts = await Promise.all(items.map(keep));
    return items.filter((_, i) => verdicts[i]);
}
