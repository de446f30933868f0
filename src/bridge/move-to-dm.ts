/**
 * *Move to DM* (issue 19): from a public thread's room, the conversation continues privately. The author is
 * looked up as `/twitter dm` does (X says whether they take DMs from the business), the DM goes out through
 * the same path (a DM room served by the agent, the outbox when X says "later"; an open DM room with them
 * gets the DM instead), the public room says where it went and is closed: agents expect one open room per
 * conversation, and the customer's next public post in the thread opens a new public room. Nothing is
 * posted publicly by the app (X's automation rules: no unsolicited replies); the agent may answer publicly
 * first.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { serverTranslator } from '../lib/language';
import { threadByRoom } from '../storage/public-threads';
import type { BridgeContext } from './context';
import { startConversation, StartOutcome, StartRequest } from './agent-started';
import { formatAgentMessage } from './format';
import { deliver, inConversationLane } from './outbound';
import { agentDisplayName, planDms } from './outbound-filter';
import { outboundState } from './outbound-state';
import { threadRoomClosed } from './public-room';
import { postRoomNotice } from './room-poster';

export type MoveOutcome =
    /** Not a public thread's room of this app (or already closed). */
    | { kind: 'not-public' }
    /** The delivery named no @handle for the author, so X cannot be asked about DMs. */
    | { kind: 'no-handle' }
    | { kind: 'moved'; outcome: StartOutcome };

const MOVED: StartOutcome['kind'][] = ['sent', 'queued', 'already-open'];

export async function moveToDm(
    ctx: BridgeContext,
    agent: IUser,
    roomId: string,
    request: Omit<StartRequest, 'handle' | 'customerId'>,
): Promise<MoveOutcome> {
    const thread = await threadByRoom(ctx.read.getPersistenceReader(), roomId);
    const room = thread && ((await ctx.read.getRoomReader().getById(roomId)) as ILivechatRoom | undefined);
    if (!thread || !room?.isOpen || thread.accountId !== ctx.account.accountId) return { kind: 'not-public' };
    if (!thread.customerHandle) return { kind: 'no-handle' };
    // The handle is how X is asked; the id says it is still the same person (handles change owners).
    let outcome = await startConversation(ctx, agent, {
        ...request,
        handle: thread.customerHandle,
        customerId: thread.customerId,
    });
    if (outcome.kind === 'already-open')
        outcome = await sendInOpenRoom(ctx, agent, outcome, thread.customerId, request);
    if (!MOVED.includes(outcome.kind) || !('roomId' in outcome)) return { kind: 'moved', outcome };
    const t = await serverTranslator(ctx.read, ctx.now());
    await postRoomNotice(
        ctx,
        roomId,
        t('public_moved_to_dm', { agent: agent.name || agent.username, handle: outcome.handle, text: request.text }),
    );
    // Forgotten first, so an agent message still in flight is not posted publicly.
    outboundState.closedRooms.add(roomId, ctx.now());
    await threadRoomClosed(ctx.persistence, roomId);
    await ctx.modify.getUpdater().getLivechatUpdater().closeRoom(room, t('public_moved_to_dm_comment'), agent);
    return { kind: 'moved', outcome };
}

/** The customer already has an open DM room: the agent's message goes there, as a reply would. */
async function sendInOpenRoom(
    ctx: BridgeContext,
    agent: IUser,
    open: Extract<StartOutcome, { kind: 'already-open' }>,
    customerId: string,
    request: { text: string },
): Promise<StartOutcome> {
    const ref = { accountId: ctx.account.accountId, customerId, roomId: open.roomId };
    const body = formatAgentMessage(ctx.settings.agentTemplate, {
        agent: agentDisplayName(ctx.settings.agentDisplay, agent),
        text: request.text,
    });
    const report = await inConversationLane(ref, () =>
        deliver(
            ctx,
            { ref, dms: planDms(body, []), origin: 'agent', orderAt: ctx.now(), orderId: `move:${open.roomId}` },
            { inLane: true },
        ),
    );
    if (report.dropped > 0)
        return { kind: 'send-refused', handle: open.handle, reason: report.failure?.kind ?? 'invalid-request' };
    const t = await serverTranslator(ctx.read, ctx.now());
    await postRoomNotice(
        ctx,
        open.roomId,
        t('public_moved_into_dm', { agent: agent.name || agent.username, text: request.text }),
    );
    return open;
}
