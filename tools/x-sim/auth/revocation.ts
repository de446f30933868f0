import { signedEventUuid } from '../core/ids';
import { oauthRevokeEnvelope, revokeEnvelope } from '../delivery/envelopes';
import type { SimServices } from '../services';
import { ACTIVITY_DM_EVENT_TYPES, ACTIVITY_PRIVATE_POST_EVENT_TYPES, type Webhook } from '../state/types';

/** The X Activity API event that announces a revocation (docs: x-api/activity/introduction.mdx, "OAuth events"). */
export const OAUTH_REVOKE_EVENT = 'oauth.revoke';

/**
 * A user removes an app's access (or every app's): their OAuth 1.0a and 2.0 tokens stop working, their
 * Account Activity subscriptions end with a `user_event.revoke` delivery (docs: "subscription
 * auto-deleted"), and their X Activity subscriptions to private events (DMs, mentions) end too, announced as
 * `oauth.revoke` to the app's subscriptions of that type. That X Activity subscriptions are removed (not
 * kept but silent) is a documented guess: X stops delivering them, and nothing more is billed.
 */
export function revokeUserAccess(services: SimServices, userId: string, appId?: string): void {
    const { store, clock, dispatcher } = services;
    const matches = (record: { userId?: string; appId: string }) =>
        record.userId === userId && (!appId || record.appId === appId);
    /** One revocation event to a webhook, signed with its app's secrets. */
    const announce = (webhook: Webhook, kind: 'aaa' | 'xaa', eventType: string, payload: Record<string, unknown>) => {
        const app = store.requireApp(webhook.appId);
        dispatcher.deliver({
            webhook,
            consumerSecret: app.consumerSecret,
            clientSecret: app.clientSecret,
            kind,
            eventType,
            eventIds: [],
            forUserId: userId,
            payload,
        });
    };
    for (const token of store.oauth1AccessTokens.values()) if (matches(token)) token.revoked = true;
    for (const token of store.oauth2AccessTokens.values()) if (matches(token)) token.revoked = true;
    for (const token of store.oauth2RefreshTokens.values()) if (matches(token)) token.revoked = true;

    const ended = store.accountActivitySubscriptions.filter(matches);
    const kept = store.accountActivitySubscriptions.filter((subscription) => !matches(subscription));
    store.accountActivitySubscriptions.splice(0, store.accountActivitySubscriptions.length, ...kept);
    for (const subscription of ended) {
        const webhook = store.webhooks.get(subscription.webhookId);
        if (!webhook) continue;
        announce(webhook, 'aaa', 'user_event', {
            for_user_id: userId,
            ...revokeEnvelope(subscription.appId, userId, clock.now()),
        });
    }

    const revokedApps = new Set<string>();
    for (const [id, subscription] of store.activitySubscriptions) {
        const privateTypes: readonly string[] = [...ACTIVITY_DM_EVENT_TYPES, ...ACTIVITY_PRIVATE_POST_EVENT_TYPES];
        if (!matches(subscription) || !privateTypes.includes(subscription.eventType)) continue;
        store.activitySubscriptions.delete(id);
        revokedApps.add(subscription.appId);
    }
    for (const token of [...store.oauth2AccessTokens.values(), ...store.oauth1AccessTokens.values()])
        if (matches(token)) revokedApps.add(token.appId);
    for (const subscription of [...store.activitySubscriptions.values()]) {
        if (subscription.eventType !== OAUTH_REVOKE_EVENT || !revokedApps.has(subscription.appId)) continue;
        if (subscription.userId !== undefined && subscription.userId !== userId) continue;
        const webhook = subscription.webhookId ? store.webhooks.get(subscription.webhookId) : undefined;
        if (!webhook) continue;
        announce(
            webhook,
            'xaa',
            OAUTH_REVOKE_EVENT,
            oauthRevokeEnvelope(
                signedEventUuid(store.random),
                subscription.appId,
                userId,
                clock.now(),
                subscription.tag,
            ),
        );
    }
}
