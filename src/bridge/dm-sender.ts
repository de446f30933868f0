/**
 * Sends a DM to a customer and records it: the returned event id is marked seen in the conversation (so
 * X's echo of it is dropped) and the same record is the billable DM create in the ledger.
 */
import { SentDm, XFailure } from '../x/client-types';
import type { BridgeContext } from './context';

export type DmOutcome = { ok: true; sent: SentDm } | { ok: false; failure: XFailure };

export async function sendRecordedDm(
    ctx: BridgeContext,
    xUserId: string,
    text: string | undefined,
    mediaId?: string,
): Promise<DmOutcome> {
    try {
        const client = await ctx.x();
        const sent = await client.sendDm(xUserId, text, mediaId);
        await ctx.conversations.markSent(ctx.persistence, ctx.account.xUserId, xUserId, sent.dmEventId, ctx.now());
        return { ok: true, sent };
    } catch (e) {
        if (e instanceof XFailure) return { ok: false, failure: e };
        throw e;
    }
}
