/**
 * The public-post calls of the X client (issue 19): a reply in a thread, the mentions timeline, one post by id.
 * Posts are billed by X per read and per create: the client's hooks let the app record both.
 */
import type { TwitterApi } from 'twitter-api-v2';
import { CreatedPost, MentionsPage, XFailure } from './client-types';
import type { UserAuth } from './credentials';
import type { InboundPost } from './event-types';
import { normalizePostsPage } from './events/posts-v2';
import { POST_MAX_WEIGHTED_LENGTH, postWeightedLength } from './post-length';
import { toXFailure, withPostRefusal } from './errors';
import { POST_QUERY } from './client-wire';

/** What the post calls take from the client: its user-context runner, clock and billing hooks. */
export interface PostCallDeps {
    asUser<T>(call: (client: TwitterApi, auth: UserAuth) => Promise<T>): Promise<T>;
    now(): number;
    onPostsRead?(count: number): Promise<void> | void;
    onContentCreated?(withUrl: boolean): Promise<void> | void;
}

/**
 * `POST /2/tweets` with `reply.in_reply_to_tweet_id` (spec: CreatePostsRequest, CreatePostsReply); X adds the
 * @mentions of the thread itself. Text over X's weighted limit is refused here, without a request.
 */
export async function createReply(
    x: PostCallDeps,
    text: string,
    inReplyToPostId: string,
    mediaIds?: string[],
): Promise<CreatedPost> {
    if (postWeightedLength(text) > POST_MAX_WEIGHTED_LENGTH)
        throw new XFailure('invalid-request', 0, undefined, 'The reply is longer than X allows', undefined, 'too-long');
    if (!/^\d{1,19}$/.test(inReplyToPostId))
        throw new XFailure('invalid-request', 0, undefined, 'Not a post id', undefined, 'post-unavailable');
    let body;
    try {
        body = await x.asUser((c) =>
            c.v2.post('tweets', {
                text,
                reply: { in_reply_to_tweet_id: inReplyToPostId },
                ...(mediaIds?.length ? { media: { media_ids: mediaIds } } : {}),
            }),
        );
    } catch (e) {
        throw withPostRefusal(toXFailure(e, x.now()));
    }
    const postId = body?.data?.id;
    if (typeof postId !== 'string' || !/^\d{1,19}$/.test(postId))
        throw new XFailure('invalid-request', 0, undefined, 'X did not return the post id');
    await x.onContentCreated?.(/https?:\/\//i.test(text));
    return { postId };
}

/** Newest first at X; `since_id` makes a poll read only what is new (research/x-api.md §12: polling). */
export async function mentions(
    x: PostCallDeps,
    accountId: string,
    options: { sinceId?: string; maxResults: number; paginationToken?: string },
): Promise<MentionsPage> {
    const maxResults = Math.min(100, Math.max(5, Math.floor(options.maxResults) || 5));
    const body = await x.asUser((c) =>
        c.v2.get(
            'users/:id/mentions',
            {
                ...POST_QUERY,
                max_results: maxResults,
                ...(options.sinceId ? { since_id: options.sinceId } : {}),
                ...(options.paginationToken ? { pagination_token: options.paginationToken } : {}),
            },
            { params: { id: accountId } },
        ),
    );
    const resultCount = Array.isArray(body?.data) ? body.data.length : 0;
    await x.onPostsRead?.(resultCount);
    const page = normalizePostsPage(body, accountId, 'poll');
    const newestId = body?.meta?.newest_id;
    const nextToken = body?.meta?.next_token;
    return {
        posts: page.posts,
        ignored: page.ignored,
        ...(typeof newestId === 'string' && /^\d{1,19}$/.test(newestId) ? { newestId } : {}),
        ...(typeof nextToken === 'string' && nextToken !== '' ? { nextToken } : {}),
        resultCount,
    };
}

export async function getPost(x: PostCallDeps, accountId: string, postId: string): Promise<InboundPost | undefined> {
    if (!/^\d{1,19}$/.test(postId)) return undefined;
    let body;
    try {
        body = await x.asUser((c) => c.v2.get('tweets/:id', POST_QUERY, { params: { id: postId } }));
    } catch (e) {
        const failure = toXFailure(e, x.now());
        if (failure.kind === 'not-found') return undefined;
        throw failure;
    }
    await x.onPostsRead?.(body?.data ? 1 : 0);
    // A lookup says nothing about why the post exists: only its entities and author make it one of the account's.
    return normalizePostsPage(body, accountId, 'poll', false).posts.find((post) => post.eventId === postId);
}
