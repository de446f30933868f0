import { revokeEnvelope } from '../delivery/envelopes';
import type { SimServices } from '../services';

/**
 * A user removes an app's access (or every app's): their OAuth 1.0a and 2.0 tokens stop working,
 * and their Account Activity subscriptions end with a `user_event.revoke` delivery.
 */
export function revokeUserAccess(services: SimServices, userId: string, appId?: string): void {
  const { store, clock, dispatcher } = services;
  const matches = (record: { userId: string; appId: string }) => record.userId === userId && (!appId || record.appId === appId);
  for (const token of store.oauth1AccessTokens.values()) if (matches(token)) token.revoked = true;
  for (const token of store.oauth2AccessTokens.values()) if (matches(token)) token.revoked = true;
  for (const token of store.oauth2RefreshTokens.values()) if (matches(token)) token.revoked = true;

  const ended = store.accountActivitySubscriptions.filter(matches);
  const kept = store.accountActivitySubscriptions.filter((subscription) => !matches(subscription));
  store.accountActivitySubscriptions.splice(0, store.accountActivitySubscriptions.length, ...kept);
  for (const subscription of ended) {
    const webhook = store.webhooks.get(subscription.webhookId);
    if (!webhook) continue;
    dispatcher.deliver({
      webhook,
      consumerSecret: store.requireApp(webhook.appId).consumerSecret,
      kind: 'aaa',
      eventType: 'user_event',
      eventIds: [],
      forUserId: userId,
      payload: { for_user_id: userId, ...revokeEnvelope(subscription.appId, userId, clock.now()) },
    });
  }
}
