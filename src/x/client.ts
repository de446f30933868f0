/**
 * XClient over twitter-api-v2: the library builds and signs every request (OAuth 1.0a or 2.0), the
 * transport plugin carries it through Rocket.Chat's HTTP accessor, and every failure comes back as an
 * XFailure people can act on. An OAuth 2.0 call rejected with 401 is retried once with a refreshed token.
 */
import { TwitterApi } from 'twitter-api-v2';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';
import { AuthMethod } from '../settings/ids';
import {
    ActivityEventType,
    ActivitySubscription,
    AppActivityEventType,
    CreatedPost,
    DmEventsPage,
    DmMediaDownload,
    DmMediaLocation,
    MentionsPage,
    SentDm,
    Webhook,
    XClient,
    XFailure,
    XUser,
    XUserLookup,
} from './client-types';
import type { CredentialSource, UserAuth } from './credentials';
import type { InboundPost } from './event-types';
import { postCategoryFor } from './media-limits';
import { toXFailure } from './errors';
import { downloadDmMedia, MediaCallDeps, uploadDmMedia, uploadMedia } from './client-media';
import { createReply, getPost, mentions, PostCallDeps } from './client-posts';
import {
    DM_EVENT_QUERY,
    LOOKUP_FIELDS,
    replayTimestamp,
    toSubscription,
    toUser,
    USER_FIELDS,
    V2User,
    XActivitySubscription,
} from './client-wire';

export interface XClientDeps {
    credentials: CredentialSource;
    plugins: ITwitterApiClientPlugin[];
    now(): number;
    /** Waits between media processing status checks (injectable so tests need not sleep). */
    sleep(ms: number): Promise<void>;
    /** Called with the number of DM events a read returned (X bills each). */
    onDmEventsRead?(count: number): Promise<void> | void;
    /** Called with the number of posts a read returned (X bills each as a post read). */
    onPostsRead?(count: number): Promise<void> | void;
    /** Called after X accepted a post (X bills a content create; more when the text has a link). */
    onContentCreated?(withUrl: boolean): Promise<void> | void;
    /**
     * Called with every failure a call ends with (after the token refresh retry), and whose credentials
     * X refused: the account's (`user`) or the app's (`app`). Lets the app react once, centrally, to
     * depleted credits and a broken link; its own errors never replace the call's failure.
     */
    onFailure?(failure: XFailure, credentials: 'user' | 'app'): Promise<void> | void;
}

export class TwitterXClient implements XClient {
    constructor(private readonly deps: XClientDeps) {}

    private clientFor(auth: UserAuth): TwitterApi {
        const options = { plugins: this.deps.plugins };
        return auth.kind === 'oauth2' ? new TwitterApi(auth.accessToken, options) : new TwitterApi(auth, options);
    }

    /** Runs a user-context call; an OAuth 2.0 token rejected by X is refreshed once and the call retried. */
    private async asUser<T>(call: (client: TwitterApi, auth: UserAuth) => Promise<T>): Promise<T> {
        try {
            const auth = await this.deps.credentials.user();
            try {
                return await call(this.clientFor(auth), auth);
            } catch (e) {
                const failure = toXFailure(e, this.deps.now());
                if (failure.kind !== 'token-invalid') throw failure;
                const retryAuth = await this.deps.credentials.refreshAfterRejection();
                if (!retryAuth) throw failure;
                return await call(this.clientFor(retryAuth), retryAuth);
            }
        } catch (e) {
            throw await this.reported(e, 'user');
        }
    }

    private async asApp<T>(call: (client: TwitterApi) => Promise<T>): Promise<T> {
        try {
            const bearer = await this.deps.credentials.appBearer();
            return await call(new TwitterApi(bearer, { plugins: this.deps.plugins }));
        } catch (e) {
            throw await this.reported(e, 'app');
        }
    }

    private async reported(error: unknown, credentials: 'user' | 'app'): Promise<XFailure> {
        const failure = toXFailure(error, this.deps.now());
        try {
            await this.deps.onFailure?.(failure, credentials);
        } catch {
            // Reacting is best effort; the caller still gets X's failure.
        }
        return failure;
    }

    public async me(): Promise<XUser> {
        return this.asUser(async (c) => toUser((await c.v2.me(USER_FIELDS as never)).data as V2User));
    }

    public async userByUsername(username: string): Promise<XUserLookup | undefined> {
        return this.asUser(async (c) => {
            const found = (await c.v2.userByUsername(username, LOOKUP_FIELDS as never)).data as V2User | undefined;
            if (!found?.id) return undefined;
            return {
                ...toUser(found),
                ...(typeof found.receives_your_dm === 'boolean' ? { receivesYourDm: found.receives_your_dm } : {}),
            };
        });
    }

    public async sendDm(customerId: string, text: string | undefined, mediaId?: string): Promise<SentDm> {
        if (!text && !mediaId) throw new XFailure('invalid-request', 0, undefined, 'A DM needs text or an attachment');
        return this.asUser(async (c) => {
            const response = await c.v2.sendDmToParticipant(customerId, {
                ...(text ? { text } : {}),
                ...(mediaId ? { attachments: [{ media_id: mediaId }] } : {}),
            });
            // The library types this as the bare result, but it resolves to X's body: { data: { ... } }.
            const result = ((response as unknown as { data?: typeof response }).data ?? response) as typeof response;
            if (!result.dm_event_id)
                throw new XFailure('invalid-request', 0, undefined, 'X did not return the DM event id');
            return { dmEventId: String(result.dm_event_id), dmConversationId: String(result.dm_conversation_id) };
        });
    }

    /** The media calls (client-media.ts): a chunked upload in the DM category, a bounded download. */
    public uploadDmMedia(bytes: Buffer, mimeType: string): Promise<string> {
        return uploadDmMedia(this.callDeps(), bytes, mimeType);
    }

    public downloadDmMedia(location: DmMediaLocation, maxBytes: number, deadlineAt?: number): Promise<DmMediaDownload> {
        return downloadDmMedia(this.callDeps(), location, maxBytes, deadlineAt);
    }

    /** What the media and post calls (client-media.ts, client-posts.ts) take: the deps and the user-context runner. */
    private callDeps(): MediaCallDeps & PostCallDeps {
        return { ...this.deps, asUser: (call) => this.asUser(call) };
    }

    public async listDmEvents(options: { maxResults: number; paginationToken?: string }): Promise<DmEventsPage> {
        const body = await this.asUser((c) =>
            c.v2.get('dm_events', {
                ...DM_EVENT_QUERY,
                event_types: 'MessageCreate',
                max_results: options.maxResults,
                ...(options.paginationToken ? { pagination_token: options.paginationToken } : {}),
            }),
        );
        const eventCount = Array.isArray(body?.data) ? body.data.length : 0;
        await this.deps.onDmEventsRead?.(eventCount);
        return { body, eventCount, nextToken: body?.meta?.next_token };
    }

    public async getDmEvent(eventId: string): Promise<unknown> {
        const body = await this.asUser((c) =>
            c.v2.get('dm_events/:event_id', DM_EVENT_QUERY, { params: { event_id: eventId } }),
        );
        await this.deps.onDmEventsRead?.(body?.data ? 1 : 0);
        return body;
    }

    public createReply(text: string, inReplyToPostId: string, mediaIds?: string[]): Promise<CreatedPost> {
        return createReply(this.callDeps(), text, inReplyToPostId, mediaIds);
    }

    public uploadPostMedia(bytes: Buffer, mimeType: string): Promise<string> {
        return uploadMedia(this.callDeps(), bytes, mimeType, postCategoryFor(mimeType));
    }

    public mentions(
        accountId: string,
        options: { sinceId?: string; maxResults: number; paginationToken?: string },
    ): Promise<MentionsPage> {
        return mentions(this.callDeps(), accountId, options);
    }

    public getPost(accountId: string, postId: string): Promise<InboundPost | undefined> {
        return getPost(this.callDeps(), accountId, postId);
    }

    public async listWebhooks(): Promise<Webhook[]> {
        const body = await this.asApp((c) => c.v2.get('webhooks'));
        return ((body?.data ?? []) as { id: string; url: string; valid: boolean; created_at?: string }[]).map((w) => ({
            id: w.id,
            url: w.url,
            valid: w.valid,
            createdAt: w.created_at,
        }));
    }

    public async createWebhook(url: string): Promise<Webhook> {
        const body = await this.asApp((c) => c.v2.post('webhooks', { url }));
        return { id: body.data.id, url: body.data.url, valid: body.data.valid, createdAt: body.data.created_at };
    }

    public async revalidateWebhook(webhookId: string): Promise<void> {
        await this.asApp((c) => c.v2.put('webhooks/:webhook_id', undefined, { params: { webhook_id: webhookId } }));
    }

    public async deleteWebhook(webhookId: string): Promise<void> {
        await this.asApp((c) => c.v2.delete('webhooks/:webhook_id', undefined, { params: { webhook_id: webhookId } }));
    }

    public async replayWebhook(webhookId: string, fromMs: number, toMs: number): Promise<void> {
        await this.asApp((c) =>
            c.v2.post('webhooks/replay', {
                webhook_id: webhookId,
                from_date: replayTimestamp(fromMs),
                to_date: replayTimestamp(toMs),
            }),
        );
    }

    /** DM events are private: X accepts the subscription only with the monitored account's OAuth 2.0 token. */
    public async createActivitySubscription(
        eventType: ActivityEventType,
        accountId: string,
        webhookId: string,
    ): Promise<ActivitySubscription> {
        const body = await this.asUser((c) =>
            c.v2.post('activity/subscriptions', {
                event_type: eventType,
                filter: { user_id: accountId },
                webhook_id: webhookId,
            }),
        );
        return toSubscription(body?.data?.subscription ?? body?.data);
    }

    /** Events about the app itself (a revocation) have no user filter; the app's bearer token subscribes. */
    public async createAppActivitySubscription(
        eventType: AppActivityEventType,
        webhookId: string,
    ): Promise<ActivitySubscription> {
        const body = await this.asApp((c) =>
            c.v2.post('activity/subscriptions', { event_type: eventType, filter: {}, webhook_id: webhookId }),
        );
        return toSubscription(body?.data?.subscription ?? body?.data);
    }

    public async listActivitySubscriptions(): Promise<ActivitySubscription[]> {
        const body = await this.asApp((c) => c.v2.get('activity/subscriptions'));
        return ((body?.data ?? []) as XActivitySubscription[]).map(toSubscription);
    }

    public async deleteActivitySubscription(subscriptionId: string): Promise<void> {
        await this.asApp((c) =>
            c.v2.delete('activity/subscriptions/:subscription_id', undefined, {
                params: { subscription_id: subscriptionId },
            }),
        );
    }

    public async subscribeAccountActivity(webhookId: string): Promise<void> {
        await this.asUser((c) =>
            c.v2.post('account_activity/webhooks/:webhook_id/subscriptions/all', undefined, {
                params: { webhook_id: webhookId },
            }),
        );
    }

    public async listAccountActivitySubscriptions(webhookId: string): Promise<string[]> {
        const body = await this.asApp((c) =>
            c.v2.get('account_activity/webhooks/:webhook_id/subscriptions/all/list', undefined, {
                params: { webhook_id: webhookId },
            }),
        );
        return ((body?.data?.subscriptions ?? []) as { user_id: string }[]).map((s) => String(s.user_id));
    }

    public async unsubscribeAccountActivity(webhookId: string, accountId: string): Promise<void> {
        await this.asApp((c) =>
            c.v2.delete('account_activity/webhooks/:webhook_id/subscriptions/:user_id/all', undefined, {
                params: { webhook_id: webhookId, user_id: accountId },
            }),
        );
    }

    public get authMethod(): AuthMethod {
        return this.deps.credentials.method;
    }
}
