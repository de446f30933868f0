/**
 * Every minute: customers whose messages wait for a room get one as soon as Rocket.Chat can open it, and
 * in-doubt events and replies typed in X's app whose one-time job never ran are settled (Rocket.Chat logs
 * and swallows a failure to schedule one: the app cannot know).
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { buildBridgeContext } from '../bridge/build-context';
import { retryPending } from '../bridge/inbound-opening';
import { sweepMirrorCandidates } from './mirror';
import { sweepInDoubt } from './verify';

export async function runPendingRetry(
    read: IRead,
    modify: IModify,
    http: IHttp,
    persistence: IPersistence,
    logger: ILogger,
): Promise<void> {
    const built = await buildBridgeContext(read, modify, persistence, http, logger);
    if (!built.ok) return;
    const ctx = built.ctx;
    await sweepInDoubt(ctx);
    await sweepMirrorCandidates(ctx);
    const pending = await ctx.conversations.allPending(read.getPersistenceReader());
    const customers = [...new Set(pending.map((p) => String(p.event.senderId)))];
    for (const customer of customers) {
        try {
            await retryPending(ctx, customer);
        } catch (e) {
            logger.error(`Pending messages of ${customer} could not be posted yet: ${(e as Error).message}`);
        }
    }
}
