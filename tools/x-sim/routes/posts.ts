import { fileResponse } from '../http/ranges';
import { jsonObject, queryParam } from '../http/request';
import { jsonResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { forbiddenV2, invalidRequest, resourceNotFound } from '../http/x-errors';
import { isRefusal } from '../media/media-service';
import { postMediaUrl, v2PostAll } from '../posts/post-views';
import type { DmAttachment, Post } from '../state/types';
import { callerApp, callerUser, isSnowflake, listParam, nextPageToken, pageBefore } from './route-helpers';

/**
 * Public posts: `POST /2/tweets` (a reply needs `reply.in_reply_to_tweet_id`; X's refusals in posts/post-rules.ts),
 * billed per post created ($0.200 with a link); `GET /2/users/:id/mentions` (`since_id`, `until_id`,
 * `max_results` 5–100, default 10, `pagination_token`) and `GET /2/tweets/:id`, billed per post returned. The
 * media files of posts are served on pbs.twimg.com (photos) and video.twimg.com (videos, GIFs) without credentials.
 */

type Json = Record<string, unknown>;

const PAGINATION_PREFIX = 'mentions:';
const DEFAULT_POST_FIELDS = ['id', 'text', 'edit_history_post_ids'];
const POST_WRITE = {
    accept: ['oauth1-user', 'oauth2-user'] as const,
    scopes: ['tweet.read', 'tweet.write', 'users.read'],
};
const POST_READ = {
    accept: ['oauth1-user', 'oauth2-user', 'app-bearer'] as const,
    scopes: ['tweet.read', 'users.read'],
};

/** A post with the fields and expansions asked for; an expansion brings the field it expands (X's rule). */
function render(context: RouteContext, posts: Post[]): Json {
    const fields = new Set([...DEFAULT_POST_FIELDS, ...listParam(context.request, 'post.fields')]);
    const expansions = new Set(listParam(context.request, 'expansions'));
    const expansionFields: Record<string, string> = {
        author_id: 'author_id',
        'attachments.media_keys': 'attachments',
        referenced_posts: 'referenced_posts',
        in_reply_to_user_id: 'in_reply_to_user_id',
    };
    for (const [expansion, field] of Object.entries(expansionFields)) if (expansions.has(expansion)) fields.add(field);
    const data = posts.map((post) => {
        const all = v2PostAll(post, 'api');
        return Object.fromEntries(Object.entries(all).filter(([key]) => fields.has(key)));
    });
    const all = context.services.posts.includesFor(posts, 'api');
    const includes: Json = {};
    const userIds = new Set<string>();
    for (const post of posts) {
        if (expansions.has('author_id')) userIds.add(post.authorId);
        if (expansions.has('in_reply_to_user_id') && post.inReplyToUserId) userIds.add(post.inReplyToUserId);
    }
    const users = all.users.filter((user) => userIds.has(String(user.id)));
    if (users.length > 0) includes.users = users;
    if (expansions.has('attachments.media_keys') && all.media.length > 0) includes.media = all.media;
    if (expansions.has('referenced_posts') && all.posts.length > 0) includes.posts = all.posts;
    return { data, ...(Object.keys(includes).length > 0 ? { includes } : {}) };
}

function billReads(context: RouteContext, posts: Post[]): void {
    const app = callerApp(context);
    for (const post of posts)
        context.services.ledger.charge('post_read', app.id, post.id, context.services.clock.now());
    context.bill(posts.length);
}

function mentionsPage(context: RouteContext): SimResponse {
    const { id } = context.params;
    if (!isSnowflake(id)) return invalidRequest(`The \`id\` path parameter value [${id}] is not valid`, 'id', id);
    const rawMax = queryParam(context.request, 'max_results');
    const maxResults = rawMax === undefined ? 10 : Number(rawMax);
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100)
        return invalidRequest(
            `The \`max_results\` query parameter value [${rawMax}] is not between 5 and 100`,
            'max_results',
            rawMax,
        );
    let candidates = context.services.posts.mentionsOf(id);
    for (const [name, keep] of [
        ['since_id', (post: Post, bound: bigint) => BigInt(post.id) > bound],
        ['until_id', (post: Post, bound: bigint) => BigInt(post.id) < bound],
    ] as const) {
        const value = queryParam(context.request, name);
        if (value === undefined) continue;
        if (!isSnowflake(value))
            return invalidRequest(`The \`${name}\` query parameter value [${value}] is not valid`, name, value);
        candidates = candidates.filter((post) => keep(post, BigInt(value)));
    }
    const before = pageBefore(context.request, PAGINATION_PREFIX);
    if (typeof before === 'object') return before;
    if (before !== undefined) candidates = candidates.filter((post) => BigInt(post.id) < before);
    const page = candidates.slice(0, maxResults);
    const meta: Json = { result_count: page.length };
    if (page.length > 0) {
        meta.newest_id = page[0].id;
        meta.oldest_id = page[page.length - 1].id;
    }
    if (candidates.length > page.length) meta.next_token = nextPageToken(PAGINATION_PREFIX, page[page.length - 1].id);
    billReads(context, page);
    const body = page.length > 0 ? render(context, page) : {};
    return jsonResponse(200, { ...body, meta });
}

interface CreateBody {
    text: string;
    inReplyToPostId?: string;
    mediaIds: string[];
}

const CREATE_KEYS = new Set(['text', 'reply', 'media', 'reply_settings', 'quote_tweet_id']);

function parseCreateBody(context: RouteContext): CreateBody | SimResponse {
    const body = jsonObject(context.request);
    if (!body) return invalidRequest('The request body must be a JSON object');
    const unknownKey = Object.keys(body).find((key) => !CREATE_KEYS.has(key));
    if (unknownKey)
        return invalidRequest(`The request body contains an unsupported property [${unknownKey}]`, unknownKey);
    const { text, reply, media } = body as { text?: unknown; reply?: unknown; media?: unknown };
    if (text !== undefined && typeof text !== 'string') return invalidRequest('text must be a string', 'text');
    let inReplyToPostId: string | undefined;
    if (reply !== undefined) {
        const target = (reply as { in_reply_to_tweet_id?: unknown } | null)?.in_reply_to_tweet_id;
        if (typeof target !== 'string' || !isSnowflake(target))
            return invalidRequest('reply.in_reply_to_tweet_id must be a numeric string', 'reply.in_reply_to_tweet_id');
        inReplyToPostId = target;
    }
    let mediaIds: string[] = [];
    if (media !== undefined) {
        const ids = (media as { media_ids?: unknown } | null)?.media_ids;
        if (
            !Array.isArray(ids) ||
            ids.length < 1 ||
            ids.length > 4 ||
            ids.some((id) => typeof id !== 'string' || !isSnowflake(id))
        )
            return invalidRequest('media.media_ids must hold 1 to 4 numeric strings', 'media.media_ids');
        mediaIds = ids as string[];
    }
    if ((text ?? '') === '' && mediaIds.length === 0) return invalidRequest('One of text or media is required', 'text');
    return { text: (text as string | undefined) ?? '', inReplyToPostId, mediaIds };
}

function createPost(context: RouteContext): SimResponse {
    const parsed = parseCreateBody(context);
    if ('status' in parsed) return parsed;
    const { app, user } = callerUser(context);
    const { posts, media, ledger, clock } = context.services;
    if (context.auth?.kind === 'oauth1-user' && app.oauth1AccessLevel === 'read')
        return forbiddenV2(
            'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
        );
    const input = {
        authorId: user.id,
        text: parsed.text,
        inReplyToPostId: parsed.inReplyToPostId,
        sourceAppId: app.id,
    };
    const refusal = posts.refusalFor(input);
    if (refusal) return forbiddenV2(refusal);
    const attachments: DmAttachment[] = [];
    for (const mediaId of parsed.mediaIds) {
        const found = media.attachmentFor(mediaId, user.id, 'post');
        if (isRefusal(found))
            return found.status === 403
                ? forbiddenV2(found.message)
                : invalidRequest(found.message, 'media_id', mediaId);
        attachments.push(found);
    }
    const { post } = posts.create({ ...input, media: attachments });
    for (const mediaId of parsed.mediaIds) media.markAttached(mediaId, post.id);
    ledger.charge(
        /https?:\/\//i.test(parsed.text) ? 'content_create_url' : 'content_create',
        app.id,
        post.id,
        clock.now(),
    );
    context.bill(1);
    return jsonResponse(201, { data: { id: post.id, text: post.text, edit_history_post_ids: [post.id] } });
}

/** A post's file on X's public CDN, found by its file name; no credentials asked. */
function servePostFile(context: RouteContext, type: DmAttachment['type']): SimResponse {
    const file = context.params.file;
    for (const post of context.services.store.posts) {
        if (post.deleted) continue;
        const attachment = post.media.find((m) => m.type === type && m.fileName === file);
        // X's CDNs answer byte ranges (the DM videos' host does, media-service.ts); both hosts share that setting.
        if (attachment && postMediaUrl(attachment).file.endsWith(context.request.path))
            return fileResponse(
                context.request,
                attachment.contentType,
                attachment.bytes,
                context.services.media.rangeSupport['video.twimg.com'],
            );
    }
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Not Found') };
}

export const postRoutes: Route[] = [
    {
        method: 'POST',
        path: '/2/tweets',
        endpoint: 'tweets.create',
        operationId: 'createPosts',
        auth: { ...POST_WRITE, accept: [...POST_WRITE.accept] },
        handle: createPost,
    },
    {
        method: 'GET',
        path: '/2/users/:id/mentions',
        endpoint: 'users.mentions',
        operationId: 'getUsersMentions',
        auth: { ...POST_READ, accept: [...POST_READ.accept] },
        handle: mentionsPage,
    },
    {
        method: 'GET',
        path: '/2/tweets/:id',
        endpoint: 'tweets.lookup',
        operationId: 'getPostsById',
        auth: { ...POST_READ, accept: [...POST_READ.accept] },
        handle(context) {
            const { id } = context.params;
            if (!isSnowflake(id))
                return invalidRequest(`The \`id\` path parameter value [${id}] is not valid`, 'id', id);
            const post = context.services.posts.post(id);
            if (!post || post.deleted)
                return resourceNotFound('tweet', 'id', id, `Could not find tweet with id: [${id}].`);
            billReads(context, [post]);
            const rendered = render(context, [post]);
            return jsonResponse(200, { ...rendered, data: (rendered.data as Json[])[0] });
        },
    },
    {
        method: 'GET',
        hosts: ['pbs.twimg.com'],
        path: '/media/:file',
        endpoint: 'post_media.photo',
        handle: (context) => servePostFile(context, 'photo'),
    },
    {
        method: 'GET',
        hosts: ['video.twimg.com'],
        path: '/ext_tw_video/:media_id/pu/vid/:size/:file',
        endpoint: 'post_media.video',
        handle: (context) => servePostFile(context, 'video'),
    },
    {
        method: 'GET',
        hosts: ['video.twimg.com'],
        path: '/tweet_video/:file',
        endpoint: 'post_media.video',
        handle: (context) => servePostFile(context, 'animated_gif'),
    },
];
