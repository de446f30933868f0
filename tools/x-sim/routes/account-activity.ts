import { APP_ONLY, type AuthRequirement } from '../auth/policy';
import { jsonResponse } from '../http/response';
import type { Route } from '../http/router';
import { invalidRequest } from '../http/x-errors';
import { appWebhook, callerUser, isWebhook } from './route-helpers';

/** Account Activity API v2 subscriptions (one per user per webhook; 3 per app on pay-per-use). */

const SUBSCRIBE_AUTH: AuthRequirement = {
    accept: ['oauth1-user', 'oauth2-user'],
    scopes: ['dm.read', 'dm.write', 'tweet.read', 'users.read'],
    dmAccess: true,
};

export const accountActivityRoutes: Route[] = [
    {
        method: 'POST',
        path: '/2/account_activity/webhooks/:webhook_id/subscriptions/all',
        endpoint: 'account_activity.subscriptions',
        operationId: 'createAccountActivitySubscription',
        auth: SUBSCRIBE_AUTH,
        handle(context) {
            const webhook = appWebhook(context, context.params.webhook_id);
            if (!isWebhook(webhook)) return webhook;
            const { app, user } = callerUser(context);
            const subscriptions = context.services.store.accountActivitySubscriptions;
            if (subscriptions.some((s) => s.webhookId === webhook.id && s.userId === user.id)) {
                return invalidRequest('DuplicateSubscriptionFailed: this user is already subscribed to the webhook');
            }
            if (subscriptions.filter((s) => s.appId === app.id).length >= app.accountActivitySubscriptionLimit) {
                return invalidRequest(
                    `SubscriptionLimitExceeded: at most ${app.accountActivitySubscriptionLimit} subscriptions`,
                );
            }
            subscriptions.push({ appId: app.id, webhookId: webhook.id, userId: user.id });
            return jsonResponse(200, { data: { subscribed: true } });
        },
    },
    {
        method: 'GET',
        path: '/2/account_activity/webhooks/:webhook_id/subscriptions/all',
        endpoint: 'account_activity.subscriptions',
        operationId: 'validateAccountActivitySubscription',
        auth: SUBSCRIBE_AUTH,
        handle(context) {
            const webhook = appWebhook(context, context.params.webhook_id);
            if (!isWebhook(webhook)) return webhook;
            const { user } = callerUser(context);
            const subscribed = context.services.store.accountActivitySubscriptions.some(
                (s) => s.webhookId === webhook.id && s.userId === user.id,
            );
            return jsonResponse(200, { data: { subscribed } });
        },
    },
    {
        method: 'GET',
        path: '/2/account_activity/webhooks/:webhook_id/subscriptions/all/list',
        endpoint: 'account_activity.subscriptions',
        operationId: 'getAccountActivitySubscriptions',
        auth: APP_ONLY,
        handle(context) {
            const webhook = appWebhook(context, context.params.webhook_id);
            if (!isWebhook(webhook)) return webhook;
            const subscriptions = context.services.store.accountActivitySubscriptions
                .filter((s) => s.webhookId === webhook.id)
                .map((s) => ({ user_id: s.userId }));
            return jsonResponse(200, {
                data: {
                    application_id: webhook.appId,
                    webhook_id: webhook.id,
                    webhook_url: webhook.url,
                    subscriptions,
                },
            });
        },
    },
    {
        method: 'DELETE',
        path: '/2/account_activity/webhooks/:webhook_id/subscriptions/:user_id/all',
        endpoint: 'account_activity.subscriptions',
        operationId: 'deleteAccountActivitySubscription',
        auth: APP_ONLY,
        handle(context) {
            const webhook = appWebhook(context, context.params.webhook_id);
            if (!isWebhook(webhook)) return webhook;
            const subscriptions = context.services.store.accountActivitySubscriptions;
            const index = subscriptions.findIndex(
                (s) => s.webhookId === webhook.id && s.userId === context.params.user_id,
            );
            if (index === -1)
                return invalidRequest(
                    `SubscriptionNotFound: user ${context.params.user_id} is not subscribed`,
                    'user_id',
                    context.params.user_id,
                );
            subscriptions.splice(index, 1);
            return jsonResponse(200, { data: { subscribed: false } });
        },
    },
];
