/**
 * InboundEvent → the right room, exactly once. One pipeline for webhook and polling deliveries:
 * classify (customer message, echo of our own send, reply typed in X's app, typing, read) → dedupe on the
 * event id → find or open the conversation (or keep the message pending) → post.
 *
 * Steady state (room open) costs five bridge calls per message: claim the event, read the conversation
 * (which returns every claim on it), check that its room is still open, post, and record which messages
 * the event became (Rocket.Chat refuses message custom fields on a default server, so the mapping lives
 * in the app's persistence).
 * A duplicate costs one bridge call more: its losing claim is removed again.
 */
import { randomBytes } from 'crypto';
import type { ConversationRecord, ConversationState, MirrorCandidate, PendingMessage } from '../storage/conversations';
import type { IMessageRaw } from '@rocket.chat/apps-engine/definition/messages';
import { wins } from '../storage/conversations';
import { serialized, sleep } from '../lib/locks';
import { BoundedSet } from '../lib/bounded-set';
import { MIRROR_JOB_ID, VERIFY_JOB_ID } from '../jobs/ids';
import type { InboundEvent, InboundMessage, InboundRead, InboundTyping, XUserProfile } from '../x/event-types';
import { conversationId } from '../x/ids';
import { readAccount, accountRecord } from '../storage/account';
import { HOUR } from '../lib/time';
import type { BridgeContext } from './context';
import { displayName, openConversation, openRoomOf, resolveDepartmentId } from './conversation-opener';
import { sendLifecycleDm } from './lifecycle';
import { inConversationLane } from './outbound';
import { inboundText } from './format';
import { sendOneDm } from './outbound-send';
import { outboundState } from './outbound-state';
import { postCustomerMessage, postMirroredReply, roomMessageParts } from './room-poster';

export type InboundOutcome =
    | 'posted'
    | 'duplicate'
    | 'echo'
    | 'mirrored'
    | 'deferred'
    | 'pending'
    /** Another delivery claimed this event moments ago and has not posted it yet: kept for the verification job. */
    | 'in-progress'
    | 'typing'
    | 'read'
    | 'ignored-no-conversation'
    | 'ignored-other-account';

export interface InboundReport {
    outcomes: { eventId?: string; kind: InboundEvent['kind']; outcome: InboundOutcome }[];
}

export interface InboundOptions {
    /** Webhook deliveries of customer DMs are billed by X (dm.received); polled ones are billed as reads. */
    billReceived?: boolean;
}

/** Processes events oldest first, so a batch (or a page) lands in the order customers wrote it. */
export async function processInbound(
    ctx: BridgeContext,
    events: InboundEvent[],
    options: InboundOptions = {},
): Promise<InboundReport> {
    const report: InboundReport = { outcomes: [] };
    const ordered = [...events].sort((a, b) => a.createdAt - b.createdAt);
    for (const event of ordered) {
        const outcome = await processOne(ctx, event, options);
        report.outcomes.push({
            eventId: event.kind === 'message' ? event.eventId : undefined,
            kind: event.kind,
            outcome,
        });
    }
    return report;
}

async function processOne(ctx: BridgeContext, event: InboundEvent, options: InboundOptions): Promise<InboundOutcome> {
    if (event.accountId !== ctx.account.xUserId) return 'ignored-other-account';
    switch (event.kind) {
        case 'message':
            return event.senderId === ctx.account.xUserId
                ? handleBusinessMessage(ctx, event)
                : handleCustomerMessage(ctx, event, options);
        case 'typing':
            return handleTyping(ctx, event);
        case 'read':
            return handleRead(ctx, event);
    }
}

function customerProfile(event: InboundMessage | InboundTyping, customerId: string): XUserProfile {
    return event.users[customerId] ?? { id: customerId };
}

/**
 * A claim older than this, whose message is not in the room, was left by a delivery that died half-way
 * (a restart, a crash): the message is then posted by whoever sees it next. A delivery that finds a
 * younger claim leaves the event in doubt, and the verification job settles it a window later.
 */
export const STALE_CLAIM_MS = 60_000;
/** When the verification job looks again at an event whose claimant had not posted it: after a whole stale window. */
export const VERIFY_DELAY_SECONDS = STALE_CLAIM_MS / 1000 + 5;
/** How long a delivery that lost the race to open a room waits for the winner's room. */
const OPENING_WAIT_MS = 3_000;
/** Claims that take over an event from a claimant that died carry this prefix: among them, too, the first wins. */
const TAKEOVER = 'takeover:';

const newClaim = () => randomBytes(9).toString('base64url');
const conversationLock = (ctx: BridgeContext, xUserId: string) => conversationId(ctx.account.xUserId, xUserId);

/**
 * Claim, then read: the read returns the conversation, what was seen and every claim on this event, so
 * exactly one delivery (on whatever instance) posts it — in three bridge calls when the room is open.
 */
async function handleCustomerMessage(
    ctx: BridgeContext,
    message: InboundMessage,
    options: InboundOptions,
): Promise<InboundOutcome> {
    return serialized(conversationLock(ctx, message.senderId), async () => {
        const claim = newClaim();
        const billed = options.billReceived ? 'dm_received' : undefined;
        await ctx.conversations.markSeen(
            ctx.persistence,
            ctx.account.xUserId,
            message.senderId,
            message.eventId,
            ctx.now(),
            billed,
            claim,
        );
        const state = await ctx.conversations.load(
            ctx.read.getPersistenceReader(),
            ctx.account.xUserId,
            message.senderId,
        );
        const duplicate = state.posted.has(message.eventId) || state.pending.some((p) => p.eventId === message.eventId);
        if (!duplicate && wins(state.claims.get(message.eventId), claim)) return deliverToRoom(ctx, state, message);
        // Not this delivery's to post: its claim goes again, so redeliveries and replays add no record.
        await ctx.conversations.dropClaim(
            ctx.persistence,
            ctx.account.xUserId,
            message.senderId,
            message.eventId,
            claim,
        );
        if (duplicate || postedHere.has(message.eventId)) return 'duplicate';
        // The first claimant may still be working — or may have died before recording its post (a restart).
        const first = state.claims.get(message.eventId)![0];
        if (ctx.now() - first.at < STALE_CLAIM_MS) return verifyLater(ctx, state, message);
        return takeOver(ctx, message);
    });
}

/** Event ids this instance posted recently: a redelivery of one is a duplicate without looking anything up. */
const postedHere = new BoundedSet<string>(5_000);

/**
 * The winner's part: into the open room, or a room is opened (none yet, or the last one was closed or
 * deleted), or the message waits for one. What was posted is recorded under the event.
 */
async function deliverToRoom(
    ctx: BridgeContext,
    state: ConversationState,
    message: InboundMessage,
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
                ctx.account.xUserId,
                message.senderId,
                toPending(message, ctx.now()),
            );
            return 'pending';
        }
        conversation = opened;
        alreadyPosted = undefined;
    }
    await postAndRecord(ctx, conversation, message, alreadyPosted);
    return 'posted';
}

/** Posts the DM (leaving out the parts of a long one already in the room) and records what it became. */
async function postAndRecord(
    ctx: BridgeContext,
    conversation: ConversationRecord,
    message: InboundMessage,
    alreadyPosted?: ReadonlySet<number>,
): Promise<void> {
    const messageIds = await postCustomerMessage(ctx, conversation, message, alreadyPosted);
    postedHere.add(message.eventId);
    await ctx.conversations.markPosted(ctx.persistence, conversation.accountId, conversation.xUserId, {
        eventId: message.eventId,
        at: ctx.now(),
        roomId: conversation.roomId,
        messageIds,
    });
}

/**
 * A DM written this long before its customer's room opened was handled in an earlier room. (X's clock and
 * Rocket.Chat's differ, and a DM in flight while its room opened is seconds older than the room.)
 */
const EARLIER_CONVERSATION_MS = 10 * 60_000;

/**
 * Whether a DM was written before this conversation's room opened: it belonged to an earlier one (or to
 * none). A business DM that arrives again later (X's replay, or a captured delivery posted again) is
 * never mirrored into a room that did not exist when it was written.
 */
const writtenBefore = (conversation: ConversationRecord, message: InboundMessage) =>
    message.createdAt < conversation.openedAt - EARLIER_CONVERSATION_MS;

/**
 * For a claim whose owner died (a restart, a crash) before recording its post: how much of the message is
 * already in the room, looked up among its newest messages. `'all'` when the file named after the media id
 * is there, when every part of the text is (part i is the visitor's message stamped X's time + i ms that
 * starts like that part), or when the DM belongs to an earlier conversation of this customer; else the
 * indexes of the parts that are there — a claimant can die between the parts of a long DM. Also recognizes
 * DMs posted by earlier versions, which recorded no posts and did not split.
 */
async function inRoomAlready(
    ctx: BridgeContext,
    state: ConversationState,
    message: InboundMessage,
): Promise<'all' | Set<number>> {
    const present = new Set<number>();
    const conversation = state.conversation;
    if (!conversation) return present;
    if (writtenBefore(conversation, message)) return 'all';
    const messages = (
        await ctx.read.getRoomReader().getMessages(conversation.roomId, { limit: 100, sort: { createdAt: 'desc' } })
    ).filter((m: IMessageRaw) => m.sender?.username === conversation.visitorUsername);
    const uploadName = message.media ? `x-${message.media.mediaId}.` : undefined;
    if (uploadName !== undefined && messages.some((m) => m.file?.name?.startsWith(uploadName))) return 'all';
    const at = (i: number) => messages.filter((m) => new Date(m.createdAt).getTime() === message.createdAt + i);
    const text = inboundText(message).trim();
    // A file-only DM whose file could not be shown is posted as the note alone.
    if (!text) return at(0).length > 0 ? 'all' : present;
    if (at(0).some((m) => (m.text ?? '').trimStart().startsWith(text))) return 'all';
    const parts = await roomMessageParts(ctx, text);
    parts.forEach((part, i) => {
        if (at(i).some((m) => (m.text ?? '').trimStart().startsWith(part.slice(0, 100)))) present.add(i);
    });
    return present.size === parts.length ? 'all' : present;
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
): Promise<InboundOutcome> {
    if (state.inDoubt.has(message.eventId)) return 'in-progress';
    await ctx.conversations.addInDoubt(ctx.persistence, ctx.account.xUserId, message.senderId, {
        type: 'in-doubt',
        eventId: message.eventId,
        at: ctx.now(),
        event: JSON.parse(JSON.stringify(message)),
    });
    await ctx.modify.getScheduler().scheduleOnce({
        id: VERIFY_JOB_ID,
        when: `${VERIFY_DELAY_SECONDS} seconds`,
        data: { xUserId: message.senderId, eventId: message.eventId },
    });
    return 'in-progress';
}

/**
 * The first claimant died before posting: one taker (the first live takeover claim, on any instance)
 * posts the message. A takeover claim that is itself stale belongs to a taker that died too.
 */
async function takeOver(ctx: BridgeContext, message: InboundMessage): Promise<InboundOutcome> {
    const claim = TAKEOVER + newClaim();
    await ctx.conversations.markSeen(
        ctx.persistence,
        ctx.account.xUserId,
        message.senderId,
        message.eventId,
        ctx.now(),
        undefined,
        claim,
    );
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.xUserId, message.senderId);
    const takers = (state.claims.get(message.eventId) ?? []).filter(
        (c) => c.claim?.startsWith(TAKEOVER) && (c.claim === claim || ctx.now() - c.at < STALE_CLAIM_MS),
    );
    if (!wins(takers, claim) || state.posted.has(message.eventId)) {
        await ctx.conversations.dropClaim(
            ctx.persistence,
            ctx.account.xUserId,
            message.senderId,
            message.eventId,
            claim,
        );
        return 'duplicate';
    }
    let outcome: InboundOutcome = 'duplicate';
    const already = await inRoomAlready(ctx, state, message);
    if (already === 'all') {
        const at = ctx.now();
        await ctx.conversations.markPosted(ctx.persistence, ctx.account.xUserId, message.senderId, {
            eventId: message.eventId,
            at,
            roomId: state.conversation!.roomId,
            messageIds: [],
        });
    } else outcome = await deliverToRoom(ctx, state, message, already);
    if (state.inDoubt.has(message.eventId))
        await ctx.conversations.removeInDoubt(ctx.persistence, ctx.account.xUserId, message.senderId, message.eventId);
    return outcome;
}

/**
 * The verification job's turn for one in-doubt event: a whole stale window has passed since a delivery
 * saw it claimed and not posted. Still not in the room, its claimant died: the message is posted now.
 */
export async function verifyInDoubt(
    ctx: BridgeContext,
    xUserId: string,
    eventId: string,
): Promise<'posted' | 'pending' | 'duplicate' | 'gone'> {
    return serialized(conversationLock(ctx, xUserId), async () => {
        const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.xUserId, xUserId);
        const doubt = state.inDoubt.get(eventId);
        if (!doubt) return 'gone';
        const message = doubt.event as unknown as InboundMessage;
        if (postedHere.has(eventId) || state.posted.has(eventId) || state.pending.some((p) => p.eventId === eventId)) {
            await ctx.conversations.removeInDoubt(ctx.persistence, ctx.account.xUserId, xUserId, eventId);
            return 'duplicate';
        }
        const outcome = await takeOver(ctx, message);
        return outcome === 'posted' || outcome === 'pending' ? outcome : 'duplicate';
    });
}

/**
 * A customer without an open room: only the first claimant (on any instance) opens one; it tells the
 * customer when nobody is online, asks Rocket.Chat for a room anyway (it may queue it), greets them and
 * posts what waited while no room could be opened.
 */
async function openForCustomer(
    ctx: BridgeContext,
    customer: XUserProfile,
    state: ConversationState,
): Promise<ConversationRecord | undefined> {
    const claim = newClaim();
    await ctx.conversations.claimOpening(ctx.persistence, ctx.account.xUserId, customer.id, claim, ctx.now());
    const fresh = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.xUserId, customer.id);
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
        await ctx.conversations.clearOpeningClaims(ctx.persistence, ctx.account.xUserId, customer.id);
    }
}

/** The losing side of an opening race: the winner's room appears shortly, or the winner could not open one. */
async function waitForRoom(ctx: BridgeContext, xUserId: string): Promise<ConversationRecord | undefined> {
    for (let waited = 0; waited < OPENING_WAIT_MS; waited += 100) {
        await sleep(100);
        const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.xUserId, xUserId);
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
    return inConversationLane({ accountId: ctx.account.xUserId, xUserId: customer.id }, async () => {
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
    xUserId: string,
): Promise<'flushed' | 'still-pending' | 'nothing'> {
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.xUserId, xUserId);
    if (state.pending.length === 0) return 'nothing';
    const conversation = await openRoomOf(ctx, state.conversation);
    if (conversation) {
        await flushPending(ctx, conversation, state.pending);
        return 'flushed';
    }
    const latest = state.pending[state.pending.length - 1].event as unknown as InboundMessage;
    return (await openForCustomer(ctx, customerProfile(latest, xUserId), { ...state, conversation: undefined }))
        ? 'flushed'
        : 'still-pending';
}

/** Posts messages kept while no room could be opened, oldest first, each exactly once. */
export async function flushPending(
    ctx: BridgeContext,
    conversation: ConversationRecord,
    pending: PendingMessage[],
): Promise<number> {
    for (const item of pending) {
        await postAndRecord(ctx, conversation, item.event as unknown as InboundMessage);
        await ctx.conversations.removePending(
            ctx.persistence,
            conversation.accountId,
            conversation.xUserId,
            item.eventId,
        );
    }
    return pending.length;
}

function toPending(message: InboundMessage, now: number): PendingMessage {
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
        await ctx.conversations.recordUnavailableNotice(ctx.persistence, ctx.account.xUserId, customerId, ctx.now());
    else ctx.logger.warn(`Service unavailable message not delivered to ${customerId}: ${outcome.failure.kind}`);
}

/**
 * A DM sent by the business account: an echo of one this app sent is dropped (its X app id is known, or
 * its event id is already marked as our send); one typed in X's own app is mirrored into the open room.
 * X may deliver the echo before our own send has recorded its id, so an unknown one is decided a moment
 * later by the mirror job — which also learns our X app id, after which echoes cost no lookup at all.
 */
async function handleBusinessMessage(ctx: BridgeContext, message: InboundMessage): Promise<InboundOutcome> {
    const customerId = message.recipientId;
    if (message.sourceAppId && (ctx.account.ownSourceAppIds ?? []).includes(message.sourceAppId)) return 'echo';
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.xUserId, customerId);
    if (state.sent.has(message.eventId)) {
        if (message.sourceAppId) await learnOwnSourceApp(ctx, message.sourceAppId);
        return 'echo';
    }
    if (state.posted.has(message.eventId)) return 'duplicate';
    if (!state.conversation || writtenBefore(state.conversation, message)) return 'ignored-no-conversation';
    await ctx.conversations.addMirrorCandidate(ctx.persistence, ctx.account.xUserId, {
        type: 'mirror-candidate',
        eventId: message.eventId,
        xUserId: customerId,
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
    return serialized(conversationLock(ctx, candidate.xUserId), async () => {
        const reader = ctx.read.getPersistenceReader();
        const state = await ctx.conversations.load(reader, ctx.account.xUserId, candidate.xUserId);
        const settled = await settledMirror(ctx, state, message);
        if (settled) {
            await ctx.conversations.removeMirrorCandidate(ctx.persistence, ctx.account.xUserId, candidate);
            return settled;
        }
        const conversation = await openRoomOf(ctx, state.conversation);
        if (!conversation || writtenBefore(conversation, message)) {
            await ctx.conversations.removeMirrorCandidate(ctx.persistence, ctx.account.xUserId, candidate);
            return 'ignored-no-conversation';
        }
        const claim = newClaim();
        await ctx.conversations.markSeen(
            ctx.persistence,
            ctx.account.xUserId,
            candidate.xUserId,
            message.eventId,
            ctx.now(),
            undefined,
            claim,
        );
        const fresh = await ctx.conversations.load(reader, ctx.account.xUserId, candidate.xUserId);
        const claims = fresh.claims.get(message.eventId) ?? [];
        const live = claims.filter((c) => c.claim === claim || ctx.now() - c.at < STALE_CLAIM_MS);
        if (!wins(live, claim)) return 'claimed-elsewhere';
        const again = await settledMirror(ctx, fresh, message);
        const tookOver = live.length < claims.length;
        if (!again && !(tookOver && (await mirroredInRoom(ctx, conversation, message)))) {
            const messageIds = await postMirroredReply(ctx, conversation, message);
            await ctx.conversations.markPosted(ctx.persistence, ctx.account.xUserId, candidate.xUserId, {
                eventId: message.eventId,
                at: ctx.now(),
                roomId: conversation.roomId,
                messageIds,
            });
        }
        await ctx.conversations.removeMirrorCandidate(ctx.persistence, ctx.account.xUserId, candidate);
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
    const account = await readAccount(ctx.read.getPersistenceReader());
    if (!account || account.xUserId !== ctx.account.xUserId) return;
    const ids = new Set(account.ownSourceAppIds ?? []);
    ids.add(sourceAppId);
    await accountRecord.write(ctx.persistence, { ...account, ownSourceAppIds: [...ids] });
    ctx.account.ownSourceAppIds = [...ids];
}

async function handleTyping(ctx: BridgeContext, typing: InboundTyping): Promise<InboundOutcome> {
    if (typing.senderId === ctx.account.xUserId) return 'typing';
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.xUserId, typing.senderId);
    if (!state.conversation) return 'ignored-no-conversation';
    await ctx.modify.getNotifier().typing({
        id: state.conversation.roomId,
        username: state.conversation.visitorName || displayName(customerProfile(typing, typing.senderId)),
    });
    return 'typing';
}

/** The customer read the business's DMs: recorded on the conversation (agents see it in /twitter status). */
async function handleRead(ctx: BridgeContext, read: InboundRead): Promise<InboundOutcome> {
    if (read.senderId === ctx.account.xUserId) return 'read';
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.xUserId, read.senderId);
    if (!state.conversation) return 'ignored-no-conversation';
    await ctx.conversations.update(ctx.persistence, {
        ...state.conversation,
        lastReadEventId: read.lastReadEventId,
        lastReadAt: read.createdAt,
    });
    return 'read';
}
