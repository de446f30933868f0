/**
 * Public posts: creating them (from the API or the driver) as X stores them, X's refusals (post-rules.ts) and the
 * webhook deliveries they cause:
 * - X Activity API: `post.mention.create` to subscriptions whose `filter.user_id` the post mentions (not its
 *   author), `post.create` to those filtering on its author; the envelope carries the v2 Post as `payload` and
 *   the author, the mentioned users and the referenced posts in `includes` (docs: x-api/activity/event-payloads.mdx);
 * - Account Activity API: `tweet_create_events` to every subscribed user the post is by, mentions, answers or
 *   quotes/reposts, with `user_has_blocked` on mentions of someone else's making (research/x-api.md §4).
 */
import { signedEventUuid } from '../core/ids';
import type { DeliveryDispatcher, DeliveryRecord } from '../delivery/dispatcher';
import { composeDmText } from '../dm/compose';
import { v2User } from '../dm/views';
import type { SimStore } from '../state/store';
import type { DmAttachment, Post, PostMention, ReplySettings, XUser } from '../state/types';
import {
    DUPLICATE,
    MAX_POST_WEIGHT,
    REPLY_NOT_ALLOWED,
    REPLY_TARGET_GONE,
    replyAllowed,
    TOO_LONG,
    weightedLength,
} from './post-rules';
import { v1Tweet, v2PostAll, v2PostMedia } from './post-views';

export interface NewPost {
    authorId: string;
    text: string;
    inReplyToPostId?: string;
    quotedPostId?: string;
    repostOfId?: string;
    media?: DmAttachment[];
    replySettings?: ReplySettings;
    sourceAppId?: string;
}

type Json = Record<string, unknown>;

const MENTION = /(^|[^\w@])@(\w{1,15})/g;
const USER_FIELDS = ['id', 'name', 'username', 'profile_image_url'];

export class PostService {
    constructor(
        private readonly store: SimStore,
        private readonly dispatcher: DeliveryDispatcher,
    ) {}

    post(postId: string): Post | undefined {
        return this.store.posts.find((p) => p.id === postId);
    }

    /** X's sentence for a post it would refuse from the API (403), or undefined. */
    refusalFor(input: NewPost): string | undefined {
        if (weightedLength(input.text) > MAX_POST_WEIGHT) return TOO_LONG;
        if (input.inReplyToPostId !== undefined) {
            const target = this.post(input.inReplyToPostId);
            if (!target || target.deleted) return REPLY_TARGET_GONE;
            if (!replyAllowed(target, input.authorId, this.store.posts)) return REPLY_NOT_ALLOWED;
        }
        const duplicate = this.store.posts.some(
            (p) =>
                p.authorId === input.authorId && !p.deleted && !p.repostOfId && p.typedText === this.storedText(input),
        );
        return duplicate ? DUPLICATE : undefined;
    }

    create(input: NewPost): { post: Post; deliveries: DeliveryRecord[] } {
        const id = this.store.ids.next();
        const author = this.store.requireUser(input.authorId);
        const parent = input.inReplyToPostId ? this.post(input.inReplyToPostId) : undefined;
        const reposted = input.repostOfId ? this.post(input.repostOfId) : undefined;
        const media = input.media ?? [];
        const typedText = this.storedText(input);
        const composed = composeDmText(
            typedText,
            this.store.random,
            media.length > 0
                ? {
                      expandedUrl: `https://x.com/${author.username}/status/${id}/${media[0].type === 'photo' ? 'photo' : 'video'}/1`,
                  }
                : undefined,
        );
        const post: Post = {
            id,
            authorId: author.id,
            text: composed.text,
            typedText,
            urls: composed.urls,
            mentions: this.mentionsIn(composed.text),
            createdAt: this.store.clock.now(),
            conversationId: parent?.conversationId ?? id,
            ...(parent ? { inReplyToPostId: parent.id, inReplyToUserId: parent.authorId } : {}),
            ...(input.quotedPostId ? { quotedPostId: input.quotedPostId } : {}),
            ...(reposted ? { repostOfId: reposted.id } : {}),
            media,
            replySettings: input.replySettings ?? 'everyone',
            ...(input.sourceAppId ? { sourceAppId: input.sourceAppId } : {}),
            deleted: false,
        };
        this.store.posts.push(post);
        return { post, deliveries: this.publish(post) };
    }

    /** The author deletes a post: it is gone from lookups and timelines, and replies to it are refused. */
    delete(postId: string): void {
        const post = this.post(postId);
        if (post) post.deleted = true;
    }

    /**
     * The text X stores before its links are shortened: a reply starts with the @handle of the post it answers
     * (X's reply metadata) unless the writer typed it; a repost is "RT @author: text".
     */
    private storedText(input: NewPost): string {
        if (input.repostOfId) {
            const original = this.post(input.repostOfId);
            const author = original ? this.store.users.get(original.authorId) : undefined;
            return original && author ? `RT @${author.username}: ${original.text}` : input.text;
        }
        const parent = input.inReplyToPostId ? this.post(input.inReplyToPostId) : undefined;
        const parentAuthor = parent ? this.store.users.get(parent.authorId) : undefined;
        if (!parentAuthor || parentAuthor.id === input.authorId) return input.text;
        const handle = `@${parentAuthor.username}`;
        return input.text.toLowerCase().startsWith(handle.toLowerCase()) ? input.text : `${handle} ${input.text}`;
    }

    private mentionsIn(text: string): PostMention[] {
        const mentions: PostMention[] = [];
        for (const match of text.matchAll(MENTION)) {
            const user = this.store.userByUsername(match[2]);
            if (!user) continue;
            const start = Array.from(text.slice(0, (match.index ?? 0) + match[1].length)).length;
            mentions.push({ userId: user.id, username: user.username, start, end: start + 1 + match[2].length });
        }
        return mentions;
    }

    /** Posts mentioning `userId` by others, newest first (the mentions timeline). */
    mentionsOf(userId: string): Post[] {
        return this.store.posts
            .filter((p) => !p.deleted && p.authorId !== userId && p.mentions.some((m) => m.userId === userId))
            .reverse();
    }

    /** The users and posts a v2 answer or event about `posts` includes. */
    includesFor(posts: Post[], dialect: 'events' | 'api'): { users: Json[]; posts: Json[]; media: Json[] } {
        const userIds = new Set<string>();
        const referenced: Post[] = [];
        for (const post of posts) {
            userIds.add(post.authorId);
            if (post.inReplyToUserId) userIds.add(post.inReplyToUserId);
            post.mentions.forEach((m) => userIds.add(m.userId));
            for (const id of [post.quotedPostId, post.repostOfId, post.inReplyToPostId]) {
                const ref = id ? this.post(id) : undefined;
                if (ref && !ref.deleted && !referenced.includes(ref)) referenced.push(ref);
            }
        }
        return {
            users: [...userIds].map((id) => v2User(this.store.requireUser(id), USER_FIELDS)),
            posts: referenced.map((p) => v2PostAll(p, dialect)),
            media: posts.flatMap((p) => p.media.map(v2PostMedia)),
        };
    }

    private publish(post: Post): DeliveryRecord[] {
        return [...this.publishToActivityApi(post), ...this.publishToAccountActivity(post)];
    }

    private publishToActivityApi(post: Post): DeliveryRecord[] {
        const records: DeliveryRecord[] = [];
        for (const subscription of this.store.activitySubscriptions.values()) {
            const webhook = subscription.webhookId ? this.store.webhooks.get(subscription.webhookId) : undefined;
            const userId = subscription.userId;
            if (!webhook || !userId) continue;
            const matches =
                (subscription.eventType === 'post.mention.create' &&
                    userId !== post.authorId &&
                    post.mentions.some((m) => m.userId === userId)) ||
                (subscription.eventType === 'post.create' && userId === post.authorId);
            if (!matches) continue;
            const includes = this.includesFor([post], 'events');
            const data: Json = {
                event_uuid: signedEventUuid(this.store.random),
                filter: { user_id: userId },
                event_type: subscription.eventType,
                ...(subscription.tag !== undefined ? { tag: subscription.tag } : {}),
                payload: v2PostAll(post, 'events'),
                includes: {
                    users: includes.users,
                    ...(includes.posts.length ? { tweets: includes.posts } : {}),
                    ...(includes.media.length ? { media: includes.media } : {}),
                },
            };
            records.push(...this.send(webhook.id, 'xaa', subscription.eventType, post, userId, { data }));
        }
        return records;
    }

    private publishToAccountActivity(post: Post): DeliveryRecord[] {
        const records: DeliveryRecord[] = [];
        const author = this.store.requireUser(post.authorId);
        const referencedId = post.quotedPostId ?? post.repostOfId;
        const referencedPost = referencedId ? this.post(referencedId) : undefined;
        const referenced = referencedPost
            ? { post: referencedPost, author: this.store.requireUser(referencedPost.authorId) }
            : undefined;
        for (const subscription of this.store.accountActivitySubscriptions) {
            const userId = subscription.userId;
            const touches =
                userId === post.authorId ||
                post.mentions.some((m) => m.userId === userId) ||
                post.inReplyToUserId === userId ||
                referencedPost?.authorId === userId;
            if (!touches || !this.store.webhooks.get(subscription.webhookId)) continue;
            const body: Json = { for_user_id: userId };
            if (userId !== post.authorId) body.user_has_blocked = this.blocks(userId, author);
            body.tweet_create_events = [v1Tweet(post, author, referenced)];
            records.push(...this.send(subscription.webhookId, 'aaa', 'tweet_create', post, userId, body));
        }
        return records;
    }

    private blocks(userId: string, author: XUser): boolean {
        return this.store.users.get(userId)?.blocked.has(author.id) ?? false;
    }

    private send(
        webhookId: string,
        kind: 'xaa' | 'aaa',
        eventType: string,
        post: Post,
        forUserId: string,
        payload: unknown,
    ): DeliveryRecord[] {
        const webhook = this.store.webhooks.get(webhookId)!;
        const app = this.store.requireApp(webhook.appId);
        return this.dispatcher.deliver({
            webhook,
            consumerSecret: app.consumerSecret,
            clientSecret: app.clientSecret,
            kind,
            eventType,
            eventIds: [post.id],
            forUserId,
            payload,
        });
    }
}
