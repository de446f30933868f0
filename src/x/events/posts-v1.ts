/**
 * AAA `tweet_create_events`: v1.1 Tweets touching the subscribed account (its own posts, mentions of it,
 * replies, quotes and reposts of its posts). Long posts arrive `truncated` with the whole text and entities in
 * `extended_tweet`; a mention's body says `user_has_blocked` (research/x-api.md §4; docs:
 * x-api/account-activity/introduction.mdx). v1.1 carries no conversation id: a post that answers none is its
 * own thread's root, a reply's root is left for the caller to find.
 */
import type { InboundMedia, PostContext } from '../event-types';
import { buildMedia, mediaKind } from './media-kit';
import {
    asArray,
    asObject,
    attempt,
    Collector,
    epochMillis,
    JsonObject,
    nonEmptyString,
    readId,
    requireId,
    skip,
    urlEntities,
    UserMap,
    userProfiles,
} from './parse-kit';
import { buildPost, postMediaLink, twitterDateMillis } from './post-kit';

/** The body's `tweet_create_events` into `collector.posts`; false when it has none. */
export function collectTweetCreateEvents(root: JsonObject, accountId: string, collector: Collector): boolean {
    if (root.tweet_create_events === undefined) return false;
    const items = asArray(root.tweet_create_events);
    if (items === undefined) {
        collector.ignore('missing-field', 'tweet_create_events is not an array');
        return true;
    }
    const authorBlocked = typeof root.user_has_blocked === 'boolean' ? root.user_has_blocked : undefined;
    for (const item of items) {
        const post = attempt(collector, () => v1Post(item, accountId, authorBlocked, collector));
        if (post !== undefined) collector.posts.push(post);
    }
    return true;
}

function v1Post(raw: unknown, accountId: string, authorBlocked: boolean | undefined, collector: Collector) {
    const tweet = asObject(raw) ?? skip('not-an-object', 'tweet_create_events item');
    const eventId = requireId(tweet, 'id', 'tweet');
    const where = `tweet ${eventId}`;
    const user = asObject(tweet.user) ?? skip('missing-field', `${where}: user`);
    const authorId = requireId(user, 'id', `${where}: user`);
    const users: UserMap = userProfiles([user]);
    const createdAt =
        epochMillis(tweet.timestamp_ms) ??
        twitterDateMillis(tweet.created_at) ??
        skip('missing-field', `${where}: created_at`);
    const { text, entities, extendedEntities } = fullText(tweet);
    const urls = urlEntities(entities?.urls);
    const mediaItems = asArray(extendedEntities?.media) ?? asArray(entities?.media) ?? [];
    const mediaLinks = new Set(
        mediaItems.map((m) => nonEmptyString(asObject(m)?.url)).filter((u): u is string => u !== undefined),
    );
    const mediaLink = postMediaLink(urls, eventId, mediaLinks) ?? [...mediaLinks][0];
    const inReplyToPost = readId(tweet, 'in_reply_to_status_id');
    const inReplyToUser = readId(tweet, 'in_reply_to_user_id');
    const replyUsername = nonEmptyString(tweet.in_reply_to_screen_name);
    const quoted = tweet.is_quote_status === true ? asObject(tweet.quoted_status) : undefined;
    const reposted = asObject(tweet.retweeted_status);
    const referenced = quoted ?? reposted;
    const referencedAuthor = readId(asObject(referenced?.user), 'id');
    const context =
        quoted !== undefined
            ? quotedContext(quoted)
            : 'id' in inReplyToPost
              ? repliedContext(inReplyToPost.id, inReplyToUser, replyUsername)
              : undefined;
    return buildPost(
        {
            eventId,
            accountId,
            authorId,
            text,
            urls,
            createdAt,
            ...('id' in inReplyToPost ? { inReplyToPostId: inReplyToPost.id } : { conversationId: eventId }),
            ...('id' in inReplyToUser ? { inReplyToUserId: inReplyToUser.id } : {}),
            mentionedIds: mentionIds(entities?.user_mentions),
            ...('id' in referencedAuthor ? { referencedAuthorId: referencedAuthor.id } : {}),
            ...(context !== undefined ? { context } : {}),
            media: v1Media(mediaItems, eventId, mediaLink, collector),
            isRetweet: reposted !== undefined,
            isQuote: tweet.is_quote_status === true,
            deliveredAsMention: false,
            ...(authorBlocked !== undefined ? { authorBlocked } : {}),
            source: 'aaa',
            users,
        },
        where,
    );
}

/** The whole text and its entities: `extended_tweet` when X truncated the post (or sent it anyway). */
function fullText(tweet: JsonObject): {
    text: string;
    entities: JsonObject | undefined;
    extendedEntities: JsonObject | undefined;
} {
    const extended = asObject(tweet.extended_tweet);
    const extendedText = typeof extended?.full_text === 'string' ? extended.full_text : undefined;
    if (extendedText !== undefined) {
        return {
            text: extendedText,
            entities: asObject(extended?.entities),
            extendedEntities: asObject(extended?.extended_entities) ?? asObject(tweet.extended_entities),
        };
    }
    const text =
        typeof tweet.full_text === 'string' ? tweet.full_text : typeof tweet.text === 'string' ? tweet.text : '';
    return { text, entities: asObject(tweet.entities), extendedEntities: asObject(tweet.extended_entities) };
}

function mentionIds(raw: unknown): string[] {
    const ids: string[] = [];
    for (const item of asArray(raw) ?? []) {
        const id = readId(asObject(item), 'id');
        if ('id' in id) ids.push(id.id);
    }
    return ids;
}

function quotedContext(quoted: JsonObject): PostContext | undefined {
    const id = readId(quoted, 'id');
    if (!('id' in id)) return undefined;
    const user = asObject(quoted.user);
    const author = readId(user, 'id');
    const username = nonEmptyString(user?.screen_name);
    const text = nonEmptyString(fullText(quoted).text);
    return {
        relation: 'quoted',
        postId: id.id,
        ...('id' in author ? { authorId: author.id } : {}),
        ...(username !== undefined ? { authorUsername: username } : {}),
        ...(text !== undefined ? { text } : {}),
    };
}

function repliedContext(postId: string, user: ReturnType<typeof readId>, username: string | undefined): PostContext {
    return {
        relation: 'replied-to',
        postId,
        ...('id' in user ? { authorId: user.id } : {}),
        ...(username !== undefined ? { authorUsername: username } : {}),
    };
}

/** `extended_entities.media`: every photo (up to four) or the one video/GIF, in the post's order. */
function v1Media(items: unknown[], postId: string, tcoUrl: string | undefined, collector: Collector): InboundMedia[] {
    const media: InboundMedia[] = [];
    for (const raw of items) {
        const item = attempt(collector, () => {
            const where = `tweet ${postId}`;
            const entry = asObject(raw) ?? skip('missing-field', `${where}: media item is not an object`);
            const kind =
                mediaKind(entry.type) ?? skip('unsupported-media', `${where}: media type ${String(entry.type)}`);
            const videoInfo = asObject(entry.video_info);
            return buildMedia({
                dmEventId: postId,
                kind,
                rawVariants: videoInfo?.variants,
                rawDuration: videoInfo?.duration_millis,
                rawUrls: [entry.media_url_https, entry.media_url],
                missingUrl: `${where}: media has no URL`,
                mediaId: () => {
                    const id = readId(entry, 'id');
                    return 'id' in id ? id.id : skip('missing-field', `${where}: media id`);
                },
                tcoUrl,
            });
        });
        if (item !== undefined) media.push(item);
    }
    return media;
}
