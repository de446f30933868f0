/**
 * DMs sent by the business account: echoes of this app's own sends are dropped; replies typed in X's own
 * app are mirrored into the open room — decided by the mirror job once our own send had time to record
 * itself, claimed like customer DMs so one instance posts each.
 */
import type { ConversationRecord, ConversationState } from '../storage/conversations';
import type { MirrorCandidate } from '../storage/mirror-candidates';
import type { IMessageRaw } from '@rocket.chat/apps-engine/definition/messages';
import { wins } from '../storage/claims';
import { serialized } from '../lib/locks';
import { MIRROR_JOB_ID } from '../jobs/ids';
import type { InboundMessage } from '../x/event-types';
import { readAccount, writeAccount } from '../storage/accounts';
import type { BridgeContext } from './context';
import { openRoomOf } from './conversation-opener';
import { inboundText } from './format';
import { conversationLock, InboundOutcome, newClaim, STALE_CLAIM_MS, writtenBefore } from './inbound-claims';
import { postMirroredReply } from './room-poster';

/**
 * A DM sent by the business account: an echo of one this app sent is dropped (its X app id is known, or
 * its event id is already marked as our send); one typed in X's own app is mirrored into the open room.
 * X may deliver the echo before our own send has recorded its id, so an unknown one is decided a moment
 * later by the mirror job — which also learns our X app id, after which echoes cost no lookup at all.
 */
export async function handleBusinessMessage(ctx: BridgeContext, message: InboundMessage): Promise<InboundOutcome> {
    const customerId = message.recipientId;
    if (message.sourceAppId && (ctx.account.ownSourceAppIds ?? []).includes(message.sourceAppId)) return 'echo';
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.accountId, customerId);
    if (state.sent.has(message.eventId)) {
        if (message.sourceAppId) await learnOwnSourceApp(ctx, message.sourceAppId);
        return 'echo';
    }
    if (state.posted.has(message.eventId)) return 'duplicate';
    if (!state.conversation || writtenBefore(state.conversation, message)) return 'ignored-no-conversation';
    await ctx.conversations.addMirrorCandidate(ctx.persistence, ctx.account.accountId, {
        type: 'mirror-candidate',
        eventId: message.eventId,
        customerId,
        at: ctx.now(),
        event: JSON.parse(JSON.stringify(message)),
    });
    await ctx.modify
        .getScheduler()
        .scheduleOnce({ id: MIRROR_JOB_ID, when: `${Math.ceil(MIRROR_GRACE_MS / 1000) + 1} seconds` });
    return 'deferred';
}

/** How long our own send has to record its event id before an unknown business DM counts as typed in X's app. */
export const MIRROR_GRACE_MS = 2_000;

export type MirrorDecision = 'echo' | 'mirrored' | 'duplicate' | 'claimed-elsewhere' | 'ignored-no-conversation';

/**
 * The mirror job's decision for one candidate, on any instance, several at once: our own send recorded
 * meanwhile → an echo; else one instance claims it (the first live claim wins, as for customer DMs),
 * posts it into the open room and records the post. Only then is the candidate dropped — a post that
 * failed leaves it for the next run, and a claimant that died leaves a claim that goes stale.
 */
export async function decideMirror(ctx: BridgeContext, candidate: MirrorCandidate): Promise<MirrorDecision> {
    const message = candidate.event as unknown as InboundMessage;
    return serialized(conversationLock(ctx, candidate.customerId), async () => {
        const reader = ctx.read.getPersistenceReader();
        const state = await ctx.conversations.load(reader, ctx.account.accountId, candidate.customerId);
        const settled = await settledMirror(ctx, state, message);
        if (settled) {
            await ctx.conversations.removeMirrorCandidate(ctx.persistence, ctx.account.accountId, candidate);
            return settled;
        }
        const conversation = await openRoomOf(ctx, state.conversation);
        if (!conversation || writtenBefore(conversation, message)) {
            await ctx.conversations.removeMirrorCandidate(ctx.persistence, ctx.account.accountId, candidate);
            return 'ignored-no-conversation';
        }
        const claim = newClaim();
        await ctx.conversations.markSeen(
            ctx.persistence,
            ctx.account.accountId,
            candidate.customerId,
            message.eventId,
            ctx.now(),
            undefined,
            claim,
        );
        const fresh = await ctx.conversations.load(reader, ctx.account.accountId, candidate.customerId);
        const claims = fresh.claims.get(message.eventId) ?? [];
        const live = claims.filter((c) => c.claim === claim || ctx.now() - c.at < STALE_CLAIM_MS);
        if (!wins(live, claim)) return 'claimed-elsewhere';
        const again = await settledMirror(ctx, fresh, message);
        const tookOver = live.length < claims.length;
        if (!again && !(tookOver && (await mirroredInRoom(ctx, conversation, message)))) {
            const messageIds = await postMirroredReply(ctx, conversation, message);
            await ctx.conversations.markPosted(ctx.persistence, ctx.account.accountId, candidate.customerId, {
                eventId: message.eventId,
                at: ctx.now(),
                roomId: conversation.roomId,
                messageIds,
            });
        }
        await ctx.conversations.removeMirrorCandidate(ctx.persistence, ctx.account.accountId, candidate);
        return again ?? 'mirrored';
    });
}

/** A candidate decided already: our own send (an echo), or mirrored by another run. */
async function settledMirror(
    ctx: BridgeContext,
    state: ConversationState,
    message: InboundMessage,
): Promise<'echo' | 'duplicate' | undefined> {
    if (state.sent.has(message.eventId)) {
        if (message.sourceAppId) await learnOwnSourceApp(ctx, message.sourceAppId);
        return 'echo';
    }
    return state.posted.has(message.eventId) ? 'duplicate' : undefined;
}

/** For a claimant that died between posting a mirrored reply and recording it: the reply among the room's newest messages. */
async function mirroredInRoom(
    ctx: BridgeContext,
    conversation: ConversationRecord,
    message: InboundMessage,
): Promise<boolean> {
    const text = inboundText(message).trim().slice(0, 100);
    if (!text) return false;
    const messages = await ctx.read
        .getRoomReader()
        .getMessages(conversation.roomId, { limit: 100, sort: { createdAt: 'desc' } });
    const appUser = await ctx.read.getUserReader().getAppUser();
    return messages.some((m: IMessageRaw) => m.sender?.username === appUser?.username && (m.text ?? '').includes(text));
}

/** Remembers the X app id our sends carry, so an echo that outruns our own record of the send is still recognized. */
async function learnOwnSourceApp(ctx: BridgeContext, sourceAppId: string): Promise<void> {
    const account = await readAccount(ctx.read.getPersistenceReader(), ctx.account.accountId);
    if (!account) return;
    const ids = new Set(account.ownSourceAppIds ?? []);
    ids.add(sourceAppId);
    await writeAccount(ctx.persistence, { ...account, ownSourceAppIds: [...ids] });
    ctx.account.ownSourceAppIds = [...ids];
}
