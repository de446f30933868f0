/** Decides business-sent DMs that were not recognized as our own when they arrived (see inbound.ts). */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { buildBridgeContext } from '../bridge/build-context';
import { decideMirror, MIRROR_GRACE_MS } from '../bridge/inbound';
import { MIRROR_JOB_ID } from './ids';

export async function runMirrorDecisions(read: IRead, modify: IModify, http: IHttp, persistence: IPersistence, logger: ILogger): Promise<void> {
    const built = await buildBridgeContext(read, modify, persistence, http, logger);
    if (!built.ok) return;
    const ctx = built.ctx;
    const due = (await ctx.conversations.allMirrorCandidates(read.getPersistenceReader()))
        .filter((c) => c.at + MIRROR_GRACE_MS <= ctx.now())
        .sort((a, b) => a.at - b.at);
    for (const candidate of due) {
        if (!(await ctx.conversations.takeMirrorCandidate(persistence, ctx.account.xUserId, candidate))) continue;
        await decideMirror(ctx, candidate);
    }
    const waiting = (await ctx.conversations.allMirrorCandidates(read.getPersistenceReader())).length;
    if (waiting > 0) await modify.getScheduler().scheduleOnce({ id: MIRROR_JOB_ID, when: `${Math.ceil(MIRROR_GRACE_MS / 1000) + 1} seconds` });
}
