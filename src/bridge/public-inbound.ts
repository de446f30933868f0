/**
 * Public posts → their thread's room, exactly once (issue 19). Same scheme as DMs (inbound-customer.ts):
 * claim the post id, read the thread (every claim, what is posted), and only the first claim posts; a
 * claimant found dead is taken over once. Nothing happens while *Public mentions* is off: no record, no
 * read, no X call. The business's own posts are never conversations: the echo of the app's reply is
 * dropped by its recorded id, a reply typed in X's own app is mirrored into the customer's thread room.
 */
import { serialized, sleep } from '../lib/locks';
import { BoundedSet } from '../lib/bounded-set';
import { serverTranslator } from '../lib/language';
import { cachedAccounts } from '../storage/account-cache';
import { BillableKind, recordBillable } from '../storage/ledger';
import {
    addPendingPost,
    claimPost,
    dropPostClaim,
    isOwnReply,
    knownThreadOf,
    loadThread,
    markPostPosted,
    pendingPostsOf,
    removePendingPost,
    ThreadRecord,
    ThreadState,
} from '../storage/public-threads';
import type { InboundMessage, InboundPost } from '../x/event-types';
import { XFailure } from '../x/client-types';
import type { BridgeContext } from './context';
import { isBlockedCustomer } from './blocked';
import { inboundText } from './format';
import { decideClaimed, newClaim, TAKEOVER, winsTakeover } from './inbound-claims';
import { classifyPost, contextSnippet } from './public-decisions';
import { openForThread, openThreadOf, ThreadRef } from './public-room';
import { postCustomerMessage, postMirroredReply } from './room-poster';

export type PostOutcome =
    | 'posted'
    | 'mirrored'
    | 'echo'
    | 'duplicate'
    /** Another delivery claimed it moments ago and has not posted it yet. */
    | 'in-progress'
    | 'blocked'
    /** Rocket.Chat could not open a room (no agent online): kept for the pending job, which tries every minute. */
    | 'pending'
    | 'skipped';

/** Post ids this instance posted or sent: a redelivery is a duplicate without a lookup. */
const handledHere = new BoundedSet<string>(5_000);
/** Replies this instance posted on X: their echo is known before the record is written. */
export const repliesHere = new BoundedSet<string>(5_000);

/** How long an unrecognized post by the business waits for the app's own record (the reply may be recording). */
export const ECHO_WAIT_MS = 2_000;

export interface PostOptions {
    /** What X bills for each delivered post (XAA `post.mention.create`); polled ones are billed as reads. */
    billed?: BillableKind;
}

/** Oldest first, so a batch lands in the order written. With *Public mentions* off, nothing at all. */
export async function processPosts(
    ctx: BridgeContext,
    posts: InboundPost[],
    options: PostOptions = {},
): Promise<PostOutcome[]> {
    const outcomes: PostOutcome[] = [];
    // A sibling account's reply is never a customer's post (from the cached registry: no round trip mostly).
    const linked = new Set((await cachedAccounts(ctx.read, ctx.now())).map((a) => a.accountId));
    for (const post of [...posts].sort((a, b) => a.createdAt - b.createdAt)) {
        const verdict = classifyPost(post, ctx.account.accountId, ctx.settings, linked);
        // X bills every post it delivers (the business's own ones too, `post.create`); a customer's is
        // recorded with its claim, so a duplicate delivery counts once.
        if (
            options.billed &&
            verdict.kind !== 'customer' &&
            !(verdict.kind === 'skip' && verdict.reason === 'mentions-off')
        )
            await recordBillable(ctx.persistence, options.billed, 1, ctx.now(), ctx.account.accountId);
        if (verdict.kind === 'skip') outcomes.push('skipped');
        else if (verdict.kind === 'business') outcomes.push(await businessPost(ctx, post));
        else outcomes.push(await customerPost(ctx, post, options.billed));
    }
    return outcomes;
}

const threadLock = (ref: ThreadRef) => `pub:${ref.accountId}:${ref.customerId}:${ref.threadId}`;
const load = (ctx: BridgeContext, ref: ThreadRef) =>
    loadThread(ctx.read.getPersistenceReader(), ref.accountId, ref.customerId, ref.threadId);

async function customerPost(ctx: BridgeContext, post: InboundPost, billed?: BillableKind): Promise<PostOutcome> {
    if (post.authorBlocked || (await isBlockedCustomer(ctx, post.authorId))) {
        // Nothing is created for a blocked customer; X billed the delivery all the same.
        if (billed) await recordBillable(ctx.persistence, billed, 1, ctx.now(), ctx.account.accountId);
        return 'blocked';
    }
    const ref: ThreadRef = {
        accountId: ctx.account.accountId,
        customerId: post.authorId,
        threadId: await threadOf(ctx, post),
    };
    return serialized(threadLock(ref), () =>
        exactlyOnce(ctx, ref, post, billed, async (state) => {
            let thread = await openThreadOf(ctx, state.thread);
            if (!thread) {
                const opened = await openForThread(ctx, ref, post);
                if (!opened.ok) {
                    if (opened.reason === 'blocked') return 'blocked';
                    // Kept for the pending job: posted once a room can be opened.
                    await addPendingPost(ctx.persistence, post.eventId, post, ctx.now());
                    return 'pending';
                }
                thread = opened.thread;
            }
            await postIntoThread(ctx, thread, post);
            return 'posted';
        }),
    );
}

/**
 * The post's claim decides who handles it; `handle` runs for the one winner and returns its outcome. A
 * post that could not be handled ('no-room', 'blocked') leaves no claim, so a later delivery tries again.
 */
async function exactlyOnce(
    ctx: BridgeContext,
    ref: ThreadRef,
    post: InboundPost,
    billed: BillableKind | undefined,
    handle: (state: ThreadState) => Promise<PostOutcome>,
): Promise<PostOutcome> {
    const mine = newClaim();
    const at = { postId: post.eventId, createdAt: post.createdAt };
    await claimPost(ctx.persistence, ref, at, mine, ctx.now(), billed);
    let state = await load(ctx, ref);
    const decision = decideClaimed(
        state.claims.get(post.eventId) ?? [],
        mine,
        ctx.now(),
        state.posted.has(post.eventId),
        handledHere.has(post.eventId),
    );
    let claim = mine;
    if (decision.kind !== 'deliver') {
        await dropPostClaim(ctx.persistence, mine);
        if (decision.kind === 'duplicate') return 'duplicate';
        if (decision.kind === 'wait-for-claimant') return 'in-progress';
        // Its first claimant died before posting it: one taker (the first live takeover claim) posts it.
        claim = TAKEOVER + newClaim();
        await claimPost(ctx.persistence, ref, at, claim, ctx.now());
        state = await load(ctx, ref);
        if (!winsTakeover(state.claims.get(post.eventId) ?? [], claim, ctx.now(), state.posted.has(post.eventId))) {
            await dropPostClaim(ctx.persistence, claim);
            return 'duplicate';
        }
    }
    const outcome = await handle(state);
    if (outcome === 'posted' || outcome === 'mirrored') handledHere.add(post.eventId);
    else {
        // The claim was the ledger entry of X's charge: the charge stays when the claim goes.
        if (billed && claim === mine)
            await recordBillable(ctx.persistence, billed, 1, ctx.now(), ctx.account.accountId);
        await dropPostClaim(ctx.persistence, claim);
    }
    return outcome;
}

/**
 * The thread's root: X names it (v2 `conversation_id`), or the post answers one the app has seen or posted,
 * or X is asked about the post it answers (one billed post read); a post that answers none is its own root.
 */
async function threadOf(ctx: BridgeContext, post: InboundPost): Promise<string> {
    if (post.conversationId) return post.conversationId;
    const parent = post.inReplyToPostId;
    if (!parent) return post.eventId;
    const known = await knownThreadOf(ctx.read.getPersistenceReader(), ctx.account.accountId, parent);
    if (known) return known;
    try {
        const looked = await (await ctx.x()).getPost(ctx.account.accountId, parent);
        return looked?.conversationId ?? looked?.inReplyToPostId ?? parent;
    } catch (e) {
        if (!(e instanceof XFailure)) throw e;
        // The reply still reaches agents: in a room of its own, rooted at the post it answers.
        ctx.logger.warn(`Thread of post ${post.eventId} not found at X (${e.kind}): rooted at ${parent}.`);
        return parent;
    }
}

/**
 * The pending job's turn for this account: its mentions that found no room, oldest first. Each is taken off the list and handled
 * again; one that still finds no room goes back on it. Its claim was dropped, so exactly one handling posts it.
 */
export async function retryPendingPosts(ctx: BridgeContext): Promise<void> {
    const pending = await pendingPostsOf(ctx.read.getPersistenceReader(), ctx.account.accountId);
    // A mention delivered twice while no room could open waits twice: handled once.
    const byId = new Map(pending.map((p) => [p.postId, p.post as unknown as InboundPost]));
    for (const post of [...byId.values()].sort((a, b) => a.createdAt - b.createdAt)) {
        await removePendingPost(ctx.persistence, post.eventId);
        await processPosts(ctx, [post]);
    }
}

/** The post as the DM path shows a message: links expanded, `&amp;` undone, media as files, the context first. */
async function postIntoThread(ctx: BridgeContext, thread: ThreadRecord, post: InboundPost): Promise<void> {
    const [first, ...more] = post.media;
    const asMessage = (text: string, media = first): InboundMessage => ({
        kind: 'message',
        eventId: post.eventId,
        accountId: post.accountId,
        senderId: post.authorId,
        recipientId: post.accountId,
        createdAt: post.createdAt,
        text,
        urls: post.urls,
        ...(media ? { media } : {}),
        users: post.users,
    });
    const context = await contextLine(ctx, post);
    const body = inboundText(asMessage(post.text));
    const messageIds = await postCustomerMessage(ctx, thread, {
        ...asMessage([context, body].filter(Boolean).join('\n')),
        // Already rendered: nothing is expanded twice.
        urls: [],
    });
    for (const media of more) messageIds.push(...(await postCustomerMessage(ctx, thread, asMessage('', media))));
    await markPostPosted(ctx.persistence, thread, {
        postId: post.eventId,
        at: ctx.now(),
        createdAt: post.createdAt,
        roomId: thread.roomId,
        messageIds,
        author: 'customer',
        threadId: thread.threadId,
    });
}

async function contextLine(ctx: BridgeContext, post: InboundPost): Promise<string> {
    const context = post.context;
    if (!context) return '';
    const t = await serverTranslator(ctx.read, ctx.now());
    const author = context.authorUsername ? `@${context.authorUsername}` : t('public_context_someone');
    const text = contextSnippet(inboundText({ text: context.text ?? '', urls: post.urls }));
    // Account Activity's v1.1 reply names the post it answers but not its text: then the author alone.
    if (!text)
        return `_${t(context.relation === 'quoted' ? 'public_context_quoting' : 'public_context_replied_to', { author })}_`;
    const key = context.relation === 'quoted' ? 'public_context_quoted' : 'public_context_replied';
    return `_${t(key, { author, text })}_`;
}

/**
 * A post by the business: the echo of the app's own reply (dropped), or a reply typed in X's app in a
 * customer's thread that has a room (mirrored once, marked *Sent from the X app*).
 */
async function businessPost(ctx: BridgeContext, post: InboundPost): Promise<PostOutcome> {
    // A post that answers no customer belongs to no conversation: the business's own announcements.
    const customerId = post.inReplyToUserId;
    if (!customerId || customerId === ctx.account.accountId) return 'skipped';
    if (await isEcho(ctx, post.eventId)) return 'echo';
    const ref: ThreadRef = { accountId: ctx.account.accountId, customerId, threadId: await threadOf(ctx, post) };
    return serialized(threadLock(ref), () =>
        exactlyOnce(ctx, ref, post, undefined, async (state) => {
            const thread = await openThreadOf(ctx, state.thread);
            if (!thread || post.createdAt < thread.openedAt - 10 * 60_000) return 'skipped';
            const messageIds = await postMirroredReply(ctx, thread, {
                kind: 'message',
                eventId: post.eventId,
                accountId: post.accountId,
                senderId: post.authorId,
                recipientId: customerId,
                createdAt: post.createdAt,
                text: post.text,
                urls: post.urls,
                users: post.users,
            });
            await markPostPosted(ctx.persistence, thread, {
                postId: post.eventId,
                at: ctx.now(),
                createdAt: post.createdAt,
                roomId: thread.roomId,
                messageIds,
                author: 'business',
                threadId: thread.threadId,
            });
            return 'mirrored';
        }),
    );
}

/** The app's own reply, known in memory at once or by its record (written right after X accepted it). */
async function isEcho(ctx: BridgeContext, postId: string): Promise<boolean> {
    const reader = ctx.read.getPersistenceReader();
    for (let waited = 0; ; waited += 500) {
        if (repliesHere.has(postId) || (await isOwnReply(reader, ctx.account.accountId, postId))) return true;
        if (waited >= ECHO_WAIT_MS) return false;
        await sleep(500);
    }
}
