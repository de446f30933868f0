/**
 * The automatic messages of a conversation's life: the welcome when a customer's first DM opens a room,
 * the "agent joined" notice (optional), the finished message when the room closes. They travel the same
 * road as agent replies: in the conversation's lane, behind anything already waiting, queued when X says
 * later, and reported in the room when X refuses them.
 */
import { randomBytes } from 'crypto';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { OutboxOrigin } from '../storage/outbox';
import type { BridgeContext } from './context';
import { renderForX } from './markdown';
import { deliver } from './outbound';
import { agentDisplayName, planDms, XConversationRef } from './outbound-filter';
import { outboundState } from './outbound-state';
import { serverTranslator } from '../lib/language';

export type ConversationTarget = Pick<XConversationRef, 'accountId' | 'customerId' | 'roomId'>;

export interface LifecycleOptions {
    /** The caller already holds the conversation's lane (the room opener, sending its welcome). */
    inLane?: boolean;
    /** Admin-written texts are Rocket.Chat markdown; generated ones are sent as they are. */
    render?: boolean;
}

/** Sends an automatic message; false when X refused it for good (the room was told why). */
export async function sendLifecycleDm(
    ctx: BridgeContext,
    target: ConversationTarget,
    text: string,
    origin: Exclude<OutboxOrigin, 'agent'> = 'welcome',
    options: LifecycleOptions = {},
): Promise<boolean> {
    const body = (options.render === false ? text : renderForX(text)).trim();
    if (!body) return true;
    const now = ctx.now();
    const orderId = `${origin}:${target.roomId}:${now.toString(36)}${randomBytes(3).toString('hex')}`;
    const report = await deliver(
        ctx,
        { ref: target, dms: planDms(body, []), origin, orderAt: now, orderId },
        { inLane: options.inLane },
    );
    return report.dropped === 0;
}

/**
 * The room was closed (by an agent, the visitor-inactivity timeout or the system): the mapping is cleared
 * so the customer's next DM opens a new room, then the finished message is sent — behind any reply still
 * waiting in the outbox, which is delivered first. A room the app had already forgotten (an agent-started
 * conversation whose first DM X refused) gets none.
 */
export async function onConversationClosed(ctx: BridgeContext, ref: ConversationTarget): Promise<void> {
    outboundState.closedRooms.add(ref.roomId, ctx.now());
    const known = await ctx.conversations.closeRoom(ctx.persistence, ref.roomId);
    if (known && ctx.settings.finishedMessage)
        await sendLifecycleDm(ctx, ref, ctx.settings.finishedMessage, 'finished');
}

/** An agent took the conversation (first assignment or a transfer): tell the customer, if the setting says so. */
export async function onAgentJoined(ctx: BridgeContext, ref: ConversationTarget, agent: IUser): Promise<void> {
    if (!ctx.settings.agentJoinedNotice) return;
    const t = await serverTranslator(ctx.read, ctx.now());
    const name = agentDisplayName(ctx.settings.agentDisplay, agent);
    const text = name ? t('agent_joined_dm', { agent: name }) : t('agent_joined_dm_anonymous');
    await sendLifecycleDm(ctx, ref, text, 'agent-joined', { render: false });
}
