/**
 * A customer's DM → its room, exactly once across instances. Claim, then read: the read returns the
 * conversation, what was seen and every claim on this event, so exactly one delivery posts it; a claimant
 * that died half-way is taken over once its claim is stale (after looking what of it is in the room).
 */
import type { ConversationState } from '../storage/conversations';
import { serialized } from '../lib/locks';
import { scheduleAt, VERIFY_JOB_ID } from '../jobs/ids';
import type { InboundMessage } from '../x/event-types';
import type { BridgeContext } from './context';
import { isBlockedCustomer } from './blocked';
import { identityChanged, refreshIdentity } from './contact-identity';
import { ContactBlockedError, openRoomOf } from './conversation-opener';
import {
    extendedUntil,
    conversationLock,
    customerProfile,
    decideClaimed,
    InboundOutcome,
    newClaim,
    TAKEOVER,
    uploadDeadline,
    VERIFY_DELAY_SECONDS,
    winsTakeover,
} from './inbound-claims';
import { openForCustomer, toPending } from './inbound-opening';
import { postAndRecord, postedHere } from './inbound-post';
import { outboundState } from './outbound-state';
import { inRoomAlready } from './inbound-in-room';

export interface InboundOptions {
    /** Webhook deliveries of customer DMs are billed by X (dm.received); polled ones are billed as reads. */
    billReceived?: boolean;
}

export async function handleCustomerMessage(
    ctx: BridgeContext,
    message: InboundMessage,
    options: InboundOptions,
): Promise<InboundOutcome> {
    return serialized(conversationLock(ctx, message.senderId), async () => {
        const claim = newClaim();
        const state = await claimAndRead(ctx, message, claim, options.billReceived ? 'dm_received' : undefined);
        const claims = state.claims.get(message.eventId) ?? [];
        const handled =
            state.posted.has(message.eventId) ||
            state.blocked.has(message.eventId) ||
            state.pending.some((p) => p.eventId === message.eventId);
        const decision = decideClaimed(claims, claim, ctx.now(), handled, postedHere.has(message.eventId));
        if (decision.kind === 'deliver') return deliverToRoom(ctx, state, message, claim);
        // Not this delivery's to post: its claim goes again, so redeliveries and replays add no record.
        await dropClaim(ctx, message, claim);
        if (decision.kind === 'duplicate') return 'duplicate';
        // The first claimant may still be working — or may have died before recording its post (a restart).
        if (decision.kind === 'wait-for-claimant') return verifyLater(ctx, state, message, decision.until);
        return takeOver(ctx, message);
    });
}

/** Writes `claim` on the DM's event, then reads the conversation: every claim on the event, the posts, the room. */
async function claimAndRead(
    ctx: BridgeContext,
    message: InboundMessage,
    claim: string,
    billed?: 'dm_received',
): Promise<ConversationState> {
    const { persistence, account } = ctx;
    await ctx.conversations.markSeen(
        persistence,
        account.accountId,
        message.senderId,
        message.eventId,
        ctx.now(),
        billed,
        claim,
    );
    return ctx.conversations.load(ctx.read.getPersistenceReader(), account.accountId, message.senderId);
}

const dropClaim = (ctx: BridgeContext, message: InboundMessage, claim: string) =>
    ctx.conversations.dropClaim(ctx.persistence, ctx.account.accountId, message.senderId, message.eventId, claim);

/** A blocked customer's DM: recorded only as dropped (status counts it; its redeliveries are duplicates). */
async function dropBlocked(ctx: BridgeContext, message: InboundMessage): Promise<InboundOutcome> {
    await ctx.conversations.markBlocked(
        ctx.persistence,
        ctx.account.accountId,
        message.senderId,
        message.eventId,
        ctx.now(),
    );
    return 'blocked';
}

/**
 * The winner's part: into the open room, or a room is opened (none yet, or the last one was closed or
 * deleted), or the message waits for one. What was posted is recorded under the event.
 */
async function deliverToRoom(
    ctx: BridgeContext,
    state: ConversationState,
    message: InboundMessage,
    claim: string,
    alreadyPosted?: ReadonlySet<number>,
): Promise<InboundOutcome> {
    // Before anything is created: no visitor, no room, no welcome DM, no media download.
    if (await isBlockedCustomer(ctx, message.senderId)) return dropBlocked(ctx, message);
    try {
        return await intoRoom(ctx, state, message, claim, alreadyPosted);
    } catch (e) {
        if (e instanceof ContactBlockedError) return dropBlocked(ctx, message);
        throw e;
    }
}

async function intoRoom(
    ctx: BridgeContext,
    state: ConversationState,
    message: InboundMessage,
    claim: string,
    alreadyPosted?: ReadonlySet<number>,
): Promise<InboundOutcome> {
    let conversation = await openRoomOf(ctx, state.conversation);
    if (!conversation) {
        if (state.conversation) outboundState.closedRooms.add(state.conversation.roomId, ctx.now());
        const opened = await openForCustomer(ctx, customerProfile(message, message.senderId), {
            ...state,
            conversation: undefined,
        });
        if (!opened) {
            await ctx.conversations.addPending(
                ctx.persistence,
                ctx.account.accountId,
                message.senderId,
                toPending(message, ctx.now()),
            );
            return 'pending';
        }
        conversation = opened;
        alreadyPosted = undefined;
    } else {
        // The event names the customer as they are now: a renamed handle reaches the contact at no X call.
        const profile = customerProfile(message, message.senderId);
        if (identityChanged(conversation, profile)) conversation = await refreshIdentity(ctx, conversation, profile);
    }
    // A large file takes long to store: the claim says so first, or a redelivery would take it for dead.
    const beforeUpload = (bytes: number) =>
        ctx.conversations.extendClaim(
            ctx.persistence,
            ctx.account.accountId,
            message.senderId,
            message.eventId,
            claim,
            ctx.now(),
            uploadDeadline(ctx.now(), bytes),
        );
    await postAndRecord(ctx, conversation, message, { alreadyPosted, beforeUpload });
    return 'posted';
}

/**
 * Another delivery claimed this event moments ago and has not posted it. Answering X "retry later" would
 * lose the message if that claimant died and X's retries ran out first, so the event is kept and the
 * verification job looks again once the claim is stale. X gets 200: the app owns the event now.
 */
async function verifyLater(
    ctx: BridgeContext,
    state: ConversationState,
    message: InboundMessage,
    claimantUntil: number,
): Promise<InboundOutcome> {
    if (state.inDoubt.has(message.eventId)) return 'in-progress';
    await ctx.conversations.addInDoubt(ctx.persistence, ctx.account.accountId, message.senderId, {
        type: 'in-doubt',
        eventId: message.eventId,
        at: ctx.now(),
        event: JSON.parse(JSON.stringify(message)),
    });
    await scheduleVerification(ctx, message.senderId, message.eventId, claimantUntil);
    return 'in-progress';
}

/** The verification job's next look at an in-doubt event: once its claimant is presumed dead. */
async function scheduleVerification(
    ctx: BridgeContext,
    customerId: string,
    eventId: string,
    claimantUntil: number,
): Promise<void> {
    const at = Math.max(ctx.now() + VERIFY_DELAY_SECONDS * 1000, claimantUntil + 5000);
    await scheduleAt(ctx.modify, VERIFY_JOB_ID, at, { accountId: ctx.account.accountId, customerId, eventId });
}

/**
 * The first claimant died before posting: one taker (the first live takeover claim, on any instance)
 * posts the message. A takeover claim that is itself stale belongs to a taker that died too.
 */
async function takeOver(ctx: BridgeContext, message: InboundMessage): Promise<InboundOutcome> {
    const claim = TAKEOVER + newClaim();
    const state = await claimAndRead(ctx, message, claim);
    const claims = state.claims.get(message.eventId) ?? [];
    if (
        !winsTakeover(claims, claim, ctx.now(), state.posted.has(message.eventId)) ||
        state.blocked.has(message.eventId)
    ) {
        await dropClaim(ctx, message, claim);
        return 'duplicate';
    }
    let outcome: InboundOutcome = 'duplicate';
    const already = await inRoomAlready(ctx, state, message);
    if (already === 'all') {
        const at = ctx.now();
        await ctx.conversations.markPosted(ctx.persistence, ctx.account.accountId, message.senderId, {
            eventId: message.eventId,
            at,
            roomId: state.conversation!.roomId,
            messageIds: [],
        });
    } else outcome = await deliverToRoom(ctx, state, message, claim, already);
    if (state.inDoubt.has(message.eventId))
        await ctx.conversations.removeInDoubt(
            ctx.persistence,
            ctx.account.accountId,
            message.senderId,
            message.eventId,
        );
    return outcome;
}

/**
 * The verification job's turn for one in-doubt event: a whole stale window has passed since a delivery
 * saw it claimed and not posted. Still not in the room, its claimant died: the message is posted now —
 * unless the claimant said it needs longer (a large upload); `reschedule`: then look again at that time.
 */
export async function verifyInDoubt(
    ctx: BridgeContext,
    customerId: string,
    eventId: string,
    options: { reschedule: boolean },
): Promise<'posted' | 'pending' | 'duplicate' | 'gone' | 'in-progress'> {
    return serialized(conversationLock(ctx, customerId), async () => {
        const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.accountId, customerId);
        const doubt = state.inDoubt.get(eventId);
        if (!doubt) return 'gone';
        const message = doubt.event as unknown as InboundMessage;
        if (
            postedHere.has(eventId) ||
            state.posted.has(eventId) ||
            state.blocked.has(eventId) ||
            state.pending.some((p) => p.eventId === eventId)
        ) {
            await ctx.conversations.removeInDoubt(ctx.persistence, ctx.account.accountId, customerId, eventId);
            return 'duplicate';
        }
        // Its claimant said it needs longer (a large upload): looked at again when that time is over.
        const claims = state.claims.get(eventId) ?? [];
        const claimantUntil = claims.length ? extendedUntil(claims, claims[0].claim) : 0;
        if (ctx.now() < claimantUntil) {
            if (options.reschedule) await scheduleVerification(ctx, customerId, eventId, claimantUntil);
            return 'in-progress';
        }
        const outcome = await takeOver(ctx, message);
        return outcome === 'posted' || outcome === 'pending' ? outcome : 'duplicate';
    });
}
