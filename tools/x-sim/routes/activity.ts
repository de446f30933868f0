import { APP_ONLY } from '../auth/policy';
import { isoTimestamp } from '../core/time-format';
import { jsonObject } from '../http/request';
import { jsonResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { forbiddenV2, invalidRequest, unsupportedAuthentication } from '../http/x-errors';
import { ACTIVITY_DM_EVENT_TYPES, ACTIVITY_PRIVATE_POST_EVENT_TYPES, type ActivitySubscription } from '../state/types';
import { callerApp, isSnowflake, listParam } from './route-helpers';

/** X Activity API subscriptions (`/2/activity/subscriptions`). */

const SUBSCRIPTION_LIMIT = 1500;
const MAX_TAG_LENGTH = 200;
const EVENT_TYPE_PATTERN = /^[a-z_]+(\.[a-z_]+)+$/;

export function subscriptionView(subscription: ActivitySubscription): Record<string, unknown> {
    const filter: Record<string, unknown> = {};
    if (subscription.userId !== undefined) filter.user_id = subscription.userId;
    if (subscription.direction !== undefined) filter.direction = subscription.direction;
    if (subscription.keyword !== undefined) filter.keyword = subscription.keyword;
    const view: Record<string, unknown> = {
        subscription_id: subscription.id,
        event_type: subscription.eventType,
        filter,
        created_at: isoTimestamp(subscription.createdAt),
        updated_at: isoTimestamp(subscription.updatedAt),
    };
    if (subscription.webhookId !== undefined) view.webhook_id = subscription.webhookId;
    if (subscription.tag !== undefined) view.tag = subscription.tag;
    return view;
}

/**
 * Private events (DMs; mentions: "Private event — requires user-context authentication", docs:
 * x-api/activity/event-payloads.mdx): only the monitored account's own OAuth 2.0 token, with the scope that
 * reads them (`dm.read`, `tweet.read`), may subscribe.
 */
function privateSubscriptionRefusal(
    context: RouteContext,
    userId: string | undefined,
    scope: string,
): SimResponse | undefined {
    const auth = context.auth;
    if (!auth || auth.kind !== 'oauth2-user') {
        return unsupportedAuthentication(
            auth?.kind === 'app-bearer' ? 'OAuth 2.0 Application-Only' : 'OAuth 1.0a User Context',
            ['OAuth 2.0 User Context'],
        );
    }
    if (!auth.token.scopes.includes(scope)) return forbiddenV2();
    if (userId !== auth.user.id) return forbiddenV2('filter.user_id must be the authenticated user for private events');
    return undefined;
}

function createSubscription(context: RouteContext): SimResponse {
    const body = jsonObject(context.request);
    if (!body) return invalidRequest('The request body must be a JSON object');
    const { event_type: eventType, filter, webhook_id: webhookId, tag } = body;
    if (typeof eventType !== 'string' || !EVENT_TYPE_PATTERN.test(eventType))
        return invalidRequest(`event_type [${String(eventType)}] is not valid`, 'event_type', String(eventType));
    if (!filter || typeof filter !== 'object') return invalidRequest('filter is required', 'filter');
    const { user_id: userId, direction, keyword } = filter as Record<string, unknown>;
    if (userId !== undefined && (typeof userId !== 'string' || !isSnowflake(userId)))
        return invalidRequest('filter.user_id must be a numeric string', 'filter.user_id');
    if (direction !== undefined && direction !== 'inbound' && direction !== 'outbound')
        return invalidRequest('filter.direction must be inbound or outbound', 'filter.direction');
    if (tag !== undefined && (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG_LENGTH))
        return invalidRequest(`tag must be 1 to ${MAX_TAG_LENGTH} characters`, 'tag');

    const isDmEvent = (ACTIVITY_DM_EVENT_TYPES as readonly string[]).includes(eventType);
    if (isDmEvent || (ACTIVITY_PRIVATE_POST_EVENT_TYPES as readonly string[]).includes(eventType)) {
        if (typeof userId !== 'string')
            return invalidRequest(`filter.user_id is required for ${eventType} events`, 'filter.user_id');
        const refusal = privateSubscriptionRefusal(context, userId, isDmEvent ? 'dm.read' : 'tweet.read');
        if (refusal) return refusal;
    }
    const app = callerApp(context);
    const { store, clock } = context.services;
    if (webhookId !== undefined && (typeof webhookId !== 'string' || store.webhooks.get(webhookId)?.appId !== app.id)) {
        return invalidRequest(
            `webhook_id [${String(webhookId)}] is not a webhook of this app`,
            'webhook_id',
            String(webhookId),
        );
    }
    const existing = [...store.activitySubscriptions.values()].filter((s) => s.appId === app.id);
    if (
        existing.some(
            (s) =>
                s.eventType === eventType &&
                s.userId === userId &&
                s.webhookId === webhookId &&
                s.direction === direction &&
                s.tag === tag,
        )
    ) {
        return invalidRequest('DuplicateSubscription: an identical subscription already exists');
    }
    if (existing.length >= SUBSCRIPTION_LIMIT)
        return invalidRequest(`SubscriptionLimitExceeded: at most ${SUBSCRIPTION_LIMIT} subscriptions`);
    const now = clock.now();
    const subscription: ActivitySubscription = {
        id: store.ids.next(),
        appId: app.id,
        eventType,
        userId: userId as string | undefined,
        direction: direction as string | undefined,
        keyword: typeof keyword === 'string' ? keyword : undefined,
        webhookId: webhookId as string | undefined,
        tag: tag as string | undefined,
        createdAt: now,
        updatedAt: now,
    };
    store.activitySubscriptions.set(subscription.id, subscription);
    return jsonResponse(200, { data: { subscription: subscriptionView(subscription) } });
}

export const activityRoutes: Route[] = [
    {
        method: 'POST',
        path: '/2/activity/subscriptions',
        endpoint: 'activity.subscriptions',
        operationId: 'createActivitySubscription',
        auth: { accept: ['oauth2-user', 'oauth1-user', 'app-bearer'] },
        handle: createSubscription,
    },
    {
        method: 'GET',
        path: '/2/activity/subscriptions',
        endpoint: 'activity.subscriptions',
        operationId: 'getActivitySubscriptions',
        auth: { accept: ['oauth2-user', 'oauth1-user', 'app-bearer'] },
        handle(context) {
            const appId = callerApp(context).id;
            const subscriptions = [...context.services.store.activitySubscriptions.values()].filter(
                (s) => s.appId === appId,
            );
            return jsonResponse(200, { data: subscriptions.map(subscriptionView) });
        },
    },
    {
        method: 'DELETE',
        path: '/2/activity/subscriptions/:subscription_id',
        endpoint: 'activity.subscriptions',
        operationId: 'deleteActivitySubscription',
        auth: APP_ONLY,
        handle(context) {
            const { store } = context.services;
            const id = context.params.subscription_id;
            // A subscription that is gone (deleted, or removed with its webhook) answers 400, not 404 (research/x-api.md §12).
            if (store.activitySubscriptions.get(id)?.appId !== callerApp(context).id)
                return invalidRequest(
                    `SubscriptionNotFound: could not find subscription with id: [${id}].`,
                    'subscription_id',
                    id,
                );
            store.activitySubscriptions.delete(id);
            return jsonResponse(200, { data: { deleted: true } });
        },
    },
    {
        method: 'DELETE',
        path: '/2/activity/subscriptions',
        endpoint: 'activity.subscriptions',
        operationId: 'deleteActivitySubscriptionsByIds',
        auth: APP_ONLY,
        handle(context) {
            const { store } = context.services;
            const appId = callerApp(context).id;
            const ids = listParam(context.request, 'ids');
            if (ids.length === 0 || ids.length > 100)
                return invalidRequest('ids must list 1 to 100 subscription ids', 'ids');
            const deleted: Array<Record<string, unknown>> = [];
            const errors: Array<Record<string, unknown>> = [];
            for (const id of ids) {
                if (store.activitySubscriptions.get(id)?.appId === appId) {
                    store.activitySubscriptions.delete(id);
                    deleted.push({ subscription_id: id, deleted: true });
                } else {
                    errors.push({
                        subscription_id: id,
                        reason: 'NotFound',
                        message: `Could not find subscription with id: [${id}].`,
                    });
                }
            }
            const remaining = [...store.activitySubscriptions.values()].filter((s) => s.appId === appId).length;
            const body: Record<string, unknown> = { data: deleted, meta: { total_subscriptions: remaining } };
            if (errors.length > 0) body.errors = errors;
            return jsonResponse(200, body);
        },
    },
];
