/**
 * An agent's answer in a public thread's room → public replies on X (issue 19): to the customer's latest
 * post in the thread, so the answer lands in the thread; over 280 weighted characters, a thread of replies
 * (each answering the previous one) or refused with a notice, as the admin chose. Every reply X accepts is
 * recorded at once (its echo is dropped by that id; the record is the ledger entry). X's refusals are told
 * to the agent. One answer at a time per thread, in the order the agent wrote them.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { Translate } from '../i18n/translate';
import { explainFailure } from '../i18n/x-failures';
import { loadThread, recordOwnReply } from '../storage/public-threads';
import { PostRefusal, XFailure } from '../x/client-types';
import { POST_MAX_WEIGHTED_LENGTH } from '../x/post-length';
import type { BridgeContext } from './context';
import { formatAgentMessage } from './format';
import { agentDisplayName, InternalContent, internalContent, XThreadRef } from './outbound-filter';
import { tellAgent } from './outbound-notices';
import { outboundState } from './outbound-state';
import { planPublicReply } from './public-decisions';
import { repliesHere } from './public-inbound';

export interface PublicAnswer {
    ref: XThreadRef;
    agent: IUser;
    room: IRoom;
    text: string;
    hasFiles: boolean;
    /** The message itself: what in it is meant for colleagues is never posted. */
    message: IMessage;
}

/** Runs `fn` after everything already being posted in this thread (answers leave in the order written). */
export function inThreadLane<T>(ref: Pick<XThreadRef, 'accountId' | 'customerId' | 'threadId'>, fn: () => Promise<T>) {
    return outboundState.lanes.run(`pub:${ref.accountId}:${ref.customerId}:${ref.threadId}`, fn);
}

/** X bills a post with a link at another price ("Content: Create (with URL)"). */
const HAS_LINK = /\bhttps?:\/\/|\bwww\./i;

export type AnswerOutcome =
    | { kind: 'posted'; postIds: string[] }
    | { kind: 'refused'; why: 'too-long' | 'no-post' | 'empty' | InternalContent }
    | { kind: 'failed'; posted: number; total: number; failure: XFailure };

export async function answerInPublic(ctx: BridgeContext, answer: PublicAnswer): Promise<AnswerOutcome> {
    const tell = (compose: (t: Translate) => string) =>
        tellAgent(ctx.read, ctx.modify, answer.agent, answer.room, compose, ctx.logger.warn.bind(ctx.logger));
    const { ref } = answer;
    const state = await loadThread(ctx.read.getPersistenceReader(), ref.accountId, ref.customerId, ref.threadId);
    // A thread reply, a quote (with its internal link) or an @colleague is for the team: nothing goes public.
    const internal = internalContent(answer.message, state.thread?.customerHandle);
    if (internal) {
        await tell((t) => t(internalKey(internal)));
        return { kind: 'refused', why: internal };
    }
    // Files are not posted publicly: what a customer sent privately should not go public by accident.
    if (answer.hasFiles) await tell((t) => t('public_reply_files_not_sent'));
    const body = answer.text
        ? formatAgentMessage(ctx.settings.agentTemplate, {
              agent: agentDisplayName(ctx.settings.agentDisplay, answer.agent),
              text: answer.text,
          })
        : '';
    const plan = planPublicReply(body, ctx.settings.publicLongReplies);
    if (!plan.ok) {
        if (plan.reason === 'too-long')
            await tell((t) => t('public_reply_too_long', { length: plan.length, max: POST_MAX_WEIGHTED_LENGTH }));
        return { kind: 'refused', why: plan.reason };
    }
    if (!state.latestPostId) {
        await tell((t) => t('public_reply_no_post'));
        return { kind: 'refused', why: 'no-post' };
    }
    const client = await ctx.x();
    const postIds: string[] = [];
    let inReplyTo = state.latestPostId;
    for (const part of plan.parts) {
        try {
            const { postId } = await client.createReply(part, inReplyTo);
            repliesHere.add(postId);
            await recordOwnReply(
                ctx.persistence,
                ref,
                postId,
                ctx.now(),
                HAS_LINK.test(part) ? 'post_create_url' : 'post_create',
            );
            postIds.push(postId);
            inReplyTo = postId;
        } catch (e) {
            if (!(e instanceof XFailure)) throw e;
            const total = plan.parts.length;
            const posted = postIds.length;
            await tell((t) => {
                const reason = e.refusal ? t(refusalKey(e.refusal)) : explainFailure(t, e);
                return posted > 0
                    ? t('public_reply_partly_posted', { posted, total, reason })
                    : t('public_reply_not_posted', { reason });
            });
            return { kind: 'failed', posted, total, failure: e };
        }
    }
    return { kind: 'posted', postIds };
}

/** Literal keys, so the i18n check sees them. */
function internalKey(internal: InternalContent) {
    switch (internal) {
        case 'thread-reply':
            return 'public_reply_internal_thread' as const;
        case 'quote':
            return 'public_reply_internal_quote' as const;
        case 'mention':
            return 'public_reply_internal_mention' as const;
    }
}

/** Literal keys, so the i18n check sees them. */
function refusalKey(refusal: PostRefusal) {
    switch (refusal) {
        case 'reply-not-allowed':
            return 'public_refusal_reply_not_allowed' as const;
        case 'duplicate-content':
            return 'public_refusal_duplicate_content' as const;
        case 'too-long':
            return 'public_refusal_too_long' as const;
        case 'post-unavailable':
            return 'public_refusal_post_unavailable' as const;
    }
}
