/**
 * The pure decisions of public mentions (issue 19): which posts become conversations, how an agent's answer
 * fits X's 280 weighted characters, and the one line of context a post is shown with. No I/O: unit-tested.
 */
import { PublicLongReplies, PublicMentions, PublicReposts } from '../settings/ids';
import type { InboundPost } from '../x/event-types';
import { POST_MAX_WEIGHTED_LENGTH, postWeightedLength } from '../x/post-length';

export type PostVerdict =
    /** A customer's post: into its thread's room. */
    | { kind: 'customer' }
    /** Written by the business: the echo of the app's reply, or a reply typed in X's own app. */
    | { kind: 'business' }
    | {
          kind: 'skip';
          reason: 'mentions-off' | 'other-account' | 'linked-account' | 'not-a-mention' | 'repost' | 'quote';
      };

/**
 * `linkedAccountIds`: every business account linked to the app (issue 17). A post one of them wrote is the
 * business talking, never a customer's conversation under another of them.
 */
export function classifyPost(
    post: InboundPost,
    accountId: string,
    settings: { publicMentions: PublicMentions; publicReposts: PublicReposts },
    linkedAccountIds: ReadonlySet<string>,
): PostVerdict {
    if (settings.publicMentions !== PublicMentions.On) return { kind: 'skip', reason: 'mentions-off' };
    if (post.accountId !== accountId) return { kind: 'skip', reason: 'other-account' };
    // The business's own posts are never conversations (X's app, or the app's own replies coming back).
    if (post.byAccount || post.authorId === accountId) return { kind: 'business' };
    if (linkedAccountIds.has(post.authorId)) return { kind: 'skip', reason: 'linked-account' };
    if (post.isRetweet && settings.publicReposts !== PublicReposts.All) return { kind: 'skip', reason: 'repost' };
    if (post.isQuote && settings.publicReposts === PublicReposts.None) return { kind: 'skip', reason: 'quote' };
    if (!post.mentionsAccount && !post.isRetweet && !post.isQuote) return { kind: 'skip', reason: 'not-a-mention' };
    return { kind: 'customer' };
}

export type ReplyPlan =
    { ok: true; parts: string[] } | { ok: false; reason: 'too-long'; length: number } | { ok: false; reason: 'empty' };

/**
 * The posts an agent's answer becomes: one when it fits; a thread of replies (each answering the previous
 * one) split at word boundaries when the admin chose so; otherwise refused with its weighted length.
 */
export function planPublicReply(text: string, mode: PublicLongReplies): ReplyPlan {
    const body = text.trim();
    if (!body) return { ok: false, reason: 'empty' };
    const length = postWeightedLength(body);
    if (length <= POST_MAX_WEIGHTED_LENGTH) return { ok: true, parts: [body] };
    if (mode === PublicLongReplies.Refuse) return { ok: false, reason: 'too-long', length };
    return { ok: true, parts: splitByWeight(body, POST_MAX_WEIGHTED_LENGTH) };
}

const fits = (text: string, max: number) => postWeightedLength(text) <= max;

/**
 * Greedy at word boundaries (a line break is kept as one); a single word longer than a post is cut by code
 * points. Each candidate weighed is at most one post long, so the work is linear in the text.
 */
function splitByWeight(text: string, max: number): string[] {
    const parts: string[] = [];
    let current = '';
    for (const word of text.split(/(?<=\s)(?=\S)/u)) {
        const candidate = current + word;
        if (fits(candidate.trimEnd(), max)) {
            current = candidate;
            continue;
        }
        if (current.trim()) parts.push(current.trim());
        let rest = word;
        while (!fits(rest.trimEnd(), max)) {
            let cut = '';
            for (const char of rest) {
                if (!fits(cut + char, max)) break;
                cut += char;
            }
            // A post never gets empty: one character always fits (the heaviest weighs 2 of 280).
            parts.push(cut);
            rest = rest.slice(cut.length);
        }
        current = rest;
    }
    if (current.trim()) parts.push(current.trim());
    return parts;
}

/** A context line's quoted text is cut to this many characters: one line, not a second post. */
const CONTEXT_TEXT_MAX = 140;

/** The quoted or replied-to post in one line (its text unescaped and flattened by the caller's renderer). */
export function contextSnippet(text: string | undefined): string {
    // A reply's text starts with the @handles X adds as reply metadata: the context line leaves them out.
    const flat = (text ?? '')
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/^(?:@\w{1,15} )+/, '');
    const chars = [...flat];
    return chars.length > CONTEXT_TEXT_MAX ? `${chars.slice(0, CONTEXT_TEXT_MAX - 1).join('')}…` : flat;
}

/** A post's address on X (any handle works in the path; X redirects to the author's). */
export function postUrl(handle: string | undefined, postId: string): string {
    return `https://x.com/${encodeURIComponent(handle || 'i')}/status/${encodeURIComponent(postId)}`;
}
