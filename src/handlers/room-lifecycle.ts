/**
 * IPostLivechatRoomClosed and IPostLivechatAgentAssigned for the app's rooms: the finished message and the
 * cleared mapping on close; the optional "agent joined" DM on every assignment (transfers included — the
 * room and its mapping stay as they are).
 */
import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { ILivechatEventContext, ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { buildBridgeContext } from '../bridge/build-context';
import { isOurVisitorToken } from '../x/ids';
import { onAgentJoined, onConversationClosed } from '../bridge/lifecycle';
import { classifyRoom, classifyThreadRoom } from '../bridge/outbound-filter';
import { threadRoomClosed } from '../bridge/public-room';
import { outboundState } from '../bridge/outbound-state';
import type { AppRef } from './agent-message';

export async function handleRoomClosed(
    app: AppRef,
    room: ILivechatRoom,
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    modify: IModify | undefined,
): Promise<void> {
    const thread = classifyThreadRoom(room, app.id);
    if (thread.ours) {
        // A public thread's room: nothing goes to X (no public goodbye); its next mention opens a new room.
        outboundState.closedRooms.add(thread.ref.roomId, Date.now());
        await threadRoomClosed(persistence, thread.ref.roomId);
        return;
    }
    const verdict = classifyRoom(room, app.id);
    if (!verdict.ours) return;
    // Known at once, so an agent message still in flight for this room is not sent.
    outboundState.closedRooms.add(verdict.ref.roomId, Date.now());
    if (!modify) return;
    // The room's account (its visitor token); a room of an account no longer linked is only forgotten.
    const accountId = verdict.ref.accountId;
    let built = await buildBridgeContext(read, modify, persistence, http, app.logger, accountId);
    if (!built.ok && built.reason === 'unknown-account')
        built = await buildBridgeContext(read, modify, persistence, http, app.logger, undefined);
    if (!built.ok) {
        app.logger.warn(
            `Room ${verdict.ref.roomId} closed while the app is ${built.reason}: no finished message sent.`,
        );
        return;
    }
    const ctx = built.ctx;
    if (!isOurVisitorToken(ctx.secrets.visitorTokenKey, verdict.ref.visitorToken)) return;
    if (verdict.ref.accountId !== ctx.account.accountId || outboundState.forgottenRooms.has(verdict.ref.roomId)) {
        // A room of a previously linked account, or of a customer being erased: forget it, send nothing.
        await ctx.conversations.closeRoom(ctx.persistence, verdict.ref.roomId);
        return;
    }
    await onConversationClosed(ctx, verdict.ref);
}

export async function handleAgentAssigned(
    app: AppRef,
    context: ILivechatEventContext,
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    modify: IModify | undefined,
): Promise<void> {
    const verdict = classifyRoom(context?.room, app.id);
    if (!verdict.ours || !verdict.open || !context.agent || !modify) return;
    const built = await buildBridgeContext(read, modify, persistence, http, app.logger, verdict.ref.accountId);
    if (!built.ok || !built.ctx.settings.agentJoinedNotice) return;
    const ctx = built.ctx;
    if (
        !isOurVisitorToken(ctx.secrets.visitorTokenKey, verdict.ref.visitorToken) ||
        verdict.ref.accountId !== ctx.account.accountId
    )
        return;
    await onAgentJoined(ctx, verdict.ref, context.agent);
}
