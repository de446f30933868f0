/**
 * A customer without an open room: one claimant opens it (greeting the customer, telling them when nobody
 * is online), or the message waits as pending until the retry job finds a room.
 */
import type { ConversationRecord, ConversationState } from '../storage/conversations';
import type { PendingMessage } from '../storage/waiting-messages';
import { wins } from '../storage/claims';
import { sleep } from '../lib/locks';
import { HOUR } from '../lib/time';
import type { InboundMessage, XUserProfile } from '../x/event-types';
import type { BridgeContext } from './context';
import { isBlockedCustomer } from './blocked';
import { ContactBlockedError, openConversation, openRoomOf, resolveDepartmentId } from './conversation-opener';
import { customerProfile, newClaim, STALE_CLAIM_MS } from './inbound-claims';
import { postAndRecord } from './inbound-post';
import { sendLifecycleDm } from './lifecycle';
import { inConversationLane } from './outbound';
import { sendOneDm } from './outbound-send';

/** How long a delivery that lost the race to open a room waits for the winner's room. */
const OPENING_WAIT_MS = 3_000;

/**
 * A customer without an open room: only the first claimant (on any instance) opens one; it tells the
 * customer when nobody is online, asks Rocket.Chat for a room anyway (it may queue it), greets them and
 * posts what waited while no room could be opened.
 */
export async function openForCustomer(
    ctx: BridgeContext,
    customer: XUserProfile,
    state: ConversationState,
): Promise<ConversationRecord | undefined> {
    const claim = newClaim();
    await ctx.conversations.claimOpening(ctx.persistence, ctx.account.accountId, customer.id, claim, ctx.now());
    const fresh = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.accountId, customer.id);
    if (fresh.conversation) return fresh.conversation;
    const live = fresh.openingClaims.filter((c) => ctx.now() - c.at < STALE_CLAIM_MS);
    if (!wins(live, claim)) return waitForRoom(ctx, customer.id);
    try {
        return await openAsWinner(ctx, customer, {
            ...state,
            pending: fresh.pending,
            unavailableNoticeAt: fresh.unavailableNoticeAt,
        });
    } finally {
        await ctx.conversations.clearOpeningClaims(ctx.persistence, ctx.account.accountId, customer.id);
    }
}

/** The losing side of an opening race: the winner's room appears shortly, or the winner could not open one. */
async function waitForRoom(ctx: BridgeContext, customerId: string): Promise<ConversationRecord | undefined> {
    for (let waited = 0; waited < OPENING_WAIT_MS; waited += 100) {
        await sleep(100);
        const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.accountId, customerId);
        if (state.conversation) return state.conversation;
        if (state.openingClaims.length === 0) return undefined;
    }
    return undefined;
}

/** Opening and greeting hold the conversation's outbound lane, so an agent's first reply cannot overtake the welcome. */
async function openAsWinner(
    ctx: BridgeContext,
    customer: XUserProfile,
    state: ConversationState,
): Promise<ConversationRecord | undefined> {
    const departmentId = await resolveDepartmentId(ctx);
    const online = await ctx.read.getLivechatReader().isOnlineAsync(departmentId);
    if (!online) await sendUnavailableNotice(ctx, customer.id, state);
    return inConversationLane({ accountId: ctx.account.accountId, customerId: customer.id }, async () => {
        const opened = await openConversation(ctx, customer, departmentId);
        if (!opened.ok) return undefined;
        const conversation = opened.conversation;
        if (ctx.settings.welcomeMessage)
            await sendLifecycleDm(ctx, conversation, ctx.settings.welcomeMessage, 'welcome', { inLane: true });
        // Rocket.Chat accepts chats with no agents online (its isOnline then always says yes): the room
        // waits in the queue, and the customer is told nobody can answer right now, after the welcome.
        if (online && opened.queued) await sendUnavailableNotice(ctx, customer.id, state);
        await flushPending(ctx, conversation, state.pending);
        return conversation;
    });
}

/**
 * The retry job's turn for one customer with pending messages: their room may be open by now (another
 * message opened it), or an agent may have come online.
 */
export async function retryPending(
    ctx: BridgeContext,
    customerId: string,
): Promise<'flushed' | 'still-pending' | 'nothing'> {
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.accountId, customerId);
    if (state.pending.length === 0) return 'nothing';
    if (await isBlockedCustomer(ctx, customerId)) return dropPending(ctx, customerId, state.pending);
    const conversation = await openRoomOf(ctx, state.conversation);
    if (conversation) {
        await flushPending(ctx, conversation, state.pending);
        return 'flushed';
    }
    const latest = state.pending[state.pending.length - 1].event as unknown as InboundMessage;
    try {
        return (await openForCustomer(ctx, customerProfile(latest, customerId), { ...state, conversation: undefined }))
            ? 'flushed'
            : 'still-pending';
    } catch (e) {
        if (e instanceof ContactBlockedError) return dropPending(ctx, customerId, state.pending);
        throw e;
    }
}

/** The customer was blocked while their messages waited: they are dropped as blocked, never posted. */
async function dropPending(ctx: BridgeContext, customerId: string, pending: PendingMessage[]): Promise<'nothing'> {
    for (const item of pending) {
        await ctx.conversations.markBlocked(
            ctx.persistence,
            ctx.account.accountId,
            customerId,
            item.eventId,
            ctx.now(),
        );
        await ctx.conversations.removePending(ctx.persistence, ctx.account.accountId, customerId, item.eventId);
    }
    return 'nothing';
}

/** Posts messages kept while no room could be opened, oldest first, each exactly once. */
async function flushPending(
    ctx: BridgeContext,
    conversation: ConversationRecord,
    pending: PendingMessage[],
): Promise<number> {
    for (const item of pending) {
        await postAndRecord(ctx, conversation, item.event as unknown as InboundMessage);
        await ctx.conversations.removePending(
            ctx.persistence,
            conversation.accountId,
            conversation.customerId,
            item.eventId,
        );
    }
    return pending.length;
}

export function toPending(message: InboundMessage, now: number): PendingMessage {
    return {
        type: 'pending',
        eventId: message.eventId,
        createdAt: message.createdAt,
        at: now,
        event: JSON.parse(JSON.stringify(message)),
    };
}

const UNAVAILABLE_NOTICE_INTERVAL = HOUR;

/** The "no one is available" DM, at most once an hour per customer. */
async function sendUnavailableNotice(ctx: BridgeContext, customerId: string, state: ConversationState): Promise<void> {
    const text = ctx.settings.unavailableMessage;
    if (!text) return;
    if (state.unavailableNoticeAt !== undefined && ctx.now() - state.unavailableNoticeAt < UNAVAILABLE_NOTICE_INTERVAL)
        return;
    const outcome = await sendOneDm(ctx, customerId, { text });
    if (outcome.ok)
        await ctx.conversations.recordUnavailableNotice(ctx.persistence, ctx.account.accountId, customerId, ctx.now());
    else ctx.logger.warn(`Service unavailable message not delivered to ${customerId}: ${outcome.failure.kind}`);
}
