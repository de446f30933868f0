/**
 * Posts in the X API v2 shape: the payload of XAA `post.mention.create` / `post.create` (the spec maps both to
 * its Post schema, with the envelope's `includes`; docs: x-api/activity/event-payloads.mdx) and the items of
 * `GET /2/users/:id/mentions` and `GET /2/tweets/:id`. X speaks two dialects: the documented one
 * (`note_tweet`, `referenced_tweets`, `includes.tweets`, as the event samples show) and the spec's
 * (`note_post`, `referenced_posts`, `includes.posts`, asked for with `post.fields`); both are read.
 */
import type { InboundMedia, PostContext, PostSource } from '../event-types';
import { buildMedia, MEDIA_KIND_BY_KEY_PREFIX, mediaKind } from './media-kit';
import {
    asArray,
    asObject,
    attempt,
    Collector,
    compareNumericIds,
    isoMillis,
    JsonObject,
    nonEmptyString,
    readId,
    requireId,
    skip,
    urlEntities,
    UserMap,
    userProfiles,
} from './parse-kit';
import { buildPost, postMediaLink } from './post-kit';

/** What a v2 delivery or page carries beside its posts: users, referenced posts and media, by id or key. */
export interface V2Includes {
    users: UserMap;
    posts: Map<string, JsonObject>;
    media: Map<string, JsonObject>;
}

export function v2Includes(raw: unknown): V2Includes {
    const includes = asObject(raw);
    const posts = new Map<string, JsonObject>();
    for (const item of [...(asArray(includes?.tweets) ?? []), ...(asArray(includes?.posts) ?? [])]) {
        const post = asObject(item);
        const id = readId(post, 'id');
        if (post !== undefined && 'id' in id) posts.set(id.id, post);
    }
    const media = new Map<string, JsonObject>();
    for (const item of asArray(includes?.media) ?? []) {
        const entry = asObject(item);
        const key = nonEmptyString(entry?.media_key);
        if (entry !== undefined && key !== undefined) media.set(key, entry);
    }
    return { users: userProfiles(includes?.users), posts, media };
}

interface V2Options {
    accountId: string;
    source: PostSource;
    /** X delivered it because it mentions the account. */
    deliveredAsMention: boolean;
}

/** One v2 Post into `collector.posts`, or its ignore reason. */
export function collectV2Post(raw: unknown, includes: V2Includes, options: V2Options, collector: Collector): void {
    const post = attempt(collector, () => v2Post(raw, includes, options, collector));
    if (post !== undefined) collector.posts.push(post);
}

/**
 * A page of posts (`GET /2/users/:id/mentions`, or a lookup's one post): X's partial errors, then its posts oldest
 * first. `deliveredAsMention`: X listed them because they mention the account (the mentions timeline).
 */
export function normalizePostsPage(
    page: unknown,
    accountId: string,
    source: PostSource,
    deliveredAsMention = true,
): Collector {
    const collector = new Collector();
    const root = asObject(page);
    if (root === undefined) {
        return collector.ignore('not-an-object', 'posts page');
    }
    collector.ignoreApiErrors(root.errors);
    if (root.data === undefined) {
        return collector;
    }
    // A lookup (`GET /2/tweets/:id`) answers one object, a timeline an array.
    const items = asArray(root.data) ?? (asObject(root.data) !== undefined ? [root.data] : undefined);
    if (items === undefined) {
        return collector.ignore('missing-field', 'data is neither a post nor a list of posts');
    }
    const includes = v2Includes(root.includes);
    for (const item of items) {
        collectV2Post(item, includes, { accountId, source, deliveredAsMention }, collector);
    }
    collector.posts.sort((a, b) => a.createdAt - b.createdAt || compareNumericIds(a.eventId, b.eventId));
    return collector;
}

function v2Post(raw: unknown, includes: V2Includes, options: V2Options, collector: Collector) {
    const post = asObject(raw) ?? skip('not-an-object', 'post');
    const eventId = requireId(post, 'id', 'post');
    const where = `post ${eventId}`;
    const authorId = requireId(post, 'author_id', where);
    const createdAt = isoMillis(post.created_at) ?? skip('missing-field', `${where}: created_at`);
    // A long post's full text and its entities are in the note; `text` is then cut at 280.
    const note = asObject(post.note_tweet) ?? asObject(post.note_post);
    const noteText = typeof note?.text === 'string' ? note.text : undefined;
    const text = noteText ?? (typeof post.text === 'string' ? post.text : '');
    const entities = (noteText !== undefined ? asObject(note?.entities) : undefined) ?? asObject(post.entities);
    // Media links live in the post's own entities even when the note carries the text's.
    const ownUrls = asArray(asObject(post.entities)?.urls) ?? [];
    const mediaFlagged = new Set(
        ownUrls
            .map((item) => asObject(item))
            .filter((entity) => nonEmptyString(entity?.media_key) !== undefined)
            .map((entity) => String(entity?.url)),
    );
    const urls = urlEntities(entities?.urls);
    const mediaLink = postMediaLink([...urls, ...urlEntities(ownUrls)], eventId, mediaFlagged);
    const references = referencesOf(post);
    const repliedTo = references.find((r) => r.type === 'replied_to');
    const quoted = references.find((r) => r.type === 'quoted');
    const reposted = references.find((r) => r.type === 'retweeted');
    const inReplyTo = readId(post, 'in_reply_to_user_id');
    const conversation = readId(post, 'conversation_id');
    const contextRef = quoted ?? repliedTo;
    const media = attempt(collector, () =>
        v2PostMedia(asObject(post.attachments)?.media_keys, includes.media, eventId, mediaLink, collector),
    );
    return buildPost(
        {
            eventId,
            accountId: options.accountId,
            authorId,
            text,
            urls,
            createdAt,
            ...('id' in conversation ? { conversationId: conversation.id } : {}),
            ...(repliedTo !== undefined ? { inReplyToPostId: repliedTo.id } : {}),
            ...('id' in inReplyTo ? { inReplyToUserId: inReplyTo.id } : {}),
            mentionedIds: mentionIds(entities?.mentions),
            referencedAuthorId: authorOf(includes.posts.get((quoted ?? reposted)?.id ?? '')),
            ...(contextRef !== undefined
                ? { context: contextOf(contextRef, quoted !== undefined ? 'quoted' : 'replied-to', includes) }
                : {}),
            media: media ?? [],
            isRetweet: reposted !== undefined,
            isQuote: quoted !== undefined,
            deliveredAsMention: options.deliveredAsMention,
            source: options.source,
            users: includes.users,
        },
        where,
    );
}

interface Reference {
    type: string;
    id: string;
}

function referencesOf(post: JsonObject): Reference[] {
    const references: Reference[] = [];
    for (const item of [...(asArray(post.referenced_tweets) ?? []), ...(asArray(post.referenced_posts) ?? [])]) {
        const reference = asObject(item);
        const id = readId(reference, 'id');
        const type = nonEmptyString(reference?.type);
        if (type !== undefined && 'id' in id) references.push({ type, id: id.id });
    }
    return references;
}

function mentionIds(raw: unknown): string[] {
    const ids: string[] = [];
    for (const item of asArray(raw) ?? []) {
        const id = readId(asObject(item), 'id');
        if ('id' in id) ids.push(id.id);
    }
    return ids;
}

function authorOf(post: JsonObject | undefined): string | undefined {
    const author = readId(post, 'author_id');
    return 'id' in author ? author.id : undefined;
}

function contextOf(reference: Reference, relation: PostContext['relation'], includes: V2Includes): PostContext {
    const post = includes.posts.get(reference.id);
    const authorId = authorOf(post);
    const username = authorId !== undefined ? includes.users[authorId]?.username : undefined;
    const note = asObject(post?.note_tweet) ?? asObject(post?.note_post);
    const text = nonEmptyString(note?.text) ?? nonEmptyString(post?.text);
    return {
        relation,
        postId: reference.id,
        ...(authorId !== undefined ? { authorId } : {}),
        ...(username !== undefined ? { authorUsername: username } : {}),
        ...(text !== undefined ? { text } : {}),
    };
}

/** Every attachment X included, in the post's order; one that cannot be read costs itself, not the post. */
function v2PostMedia(
    rawKeys: unknown,
    mediaByKey: Map<string, JsonObject>,
    postId: string,
    tcoUrl: string | undefined,
    collector: Collector,
): InboundMedia[] {
    const keys = (asArray(rawKeys) ?? []).filter((key): key is string => typeof key === 'string');
    const media: InboundMedia[] = [];
    for (const rawKey of keys) {
        const item = attempt(collector, () => {
            const where = `post ${postId}`;
            const key = /^(\d+)_(\d+)$/.exec(rawKey) ?? skip('missing-field', `${where}: media key ${rawKey}`);
            const entry =
                mediaByKey.get(rawKey) ?? skip('media-unavailable', `${where}: ${rawKey} is not in includes.media`);
            const kind =
                (entry.type === undefined ? MEDIA_KIND_BY_KEY_PREFIX[key[1]] : mediaKind(entry.type)) ??
                skip('unsupported-media', `${where}: media type ${String(entry.type)}`);
            return buildMedia({
                dmEventId: postId,
                kind,
                rawVariants: entry.variants,
                rawDuration: entry.duration_ms,
                rawUrls: [entry.url, entry.preview_image_url],
                missingUrl: `${where}: media ${rawKey} has no URL`,
                mediaId: () => key[2],
                tcoUrl,
            });
        });
        if (item !== undefined) media.push(item);
    }
    return media;
}
