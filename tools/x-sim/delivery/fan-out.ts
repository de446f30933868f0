import { signedEventUuid } from '../core/ids';
import type { SimStore } from '../state/store';
import type { ActivitySubscription, Webhook } from '../state/types';
import type { DeliveryDispatcher, DeliveryRecord } from './dispatcher';
import { accountActivityEnvelope, activityApiEnvelope, type DmActivity } from './envelopes';

/** Works out which subscriptions an activity matches and hands each envelope to the dispatcher. */
export class ActivityFanOut {
    constructor(
        private readonly store: SimStore,
        private readonly dispatcher: DeliveryDispatcher,
    ) {}

    publish(activity: DmActivity): DeliveryRecord[] {
        return [...this.publishToActivityApi(activity), ...this.publishToAccountActivity(activity)];
    }

    private publishToActivityApi(activity: DmActivity): DeliveryRecord[] {
        const records: DeliveryRecord[] = [];
        for (const subscription of this.store.activitySubscriptions.values()) {
            const webhook = subscription.webhookId ? this.store.webhooks.get(subscription.webhookId) : undefined;
            if (!webhook || !subscription.userId || !matchesActivityApi(subscription, activity)) continue;
            const payload = activityApiEnvelope(
                activity,
                subscription.eventType,
                subscription.userId,
                signedEventUuid(this.store.random),
                this.participants(activity),
                subscription.tag,
            );
            records.push(...this.send(webhook, 'xaa', subscription.eventType, activity, subscription.userId, payload));
        }
        return records;
    }

    private publishToAccountActivity(activity: DmActivity): DeliveryRecord[] {
        const records: DeliveryRecord[] = [];
        for (const subscription of this.store.accountActivitySubscriptions) {
            const webhook = this.store.webhooks.get(subscription.webhookId);
            if (!webhook || !matchesAccountActivity(subscription.userId, activity)) continue;
            const sourceApp =
                activity.kind === 'message' && activity.message.sourceAppId
                    ? this.store.apps.get(activity.message.sourceAppId)
                    : undefined;
            const payload = accountActivityEnvelope(
                activity,
                subscription.userId,
                this.participants(activity),
                sourceApp,
            );
            const eventType = {
                message: 'message_create',
                typing: 'direct_message_indicate_typing',
                read: 'direct_message_mark_read',
            }[activity.kind];
            records.push(...this.send(webhook, 'aaa', eventType, activity, subscription.userId, payload));
        }
        return records;
    }

    private send(
        webhook: Webhook,
        kind: 'xaa' | 'aaa',
        eventType: string,
        activity: DmActivity,
        forUserId: string,
        payload: unknown,
    ): DeliveryRecord[] {
        const app = this.store.requireApp(webhook.appId);
        return this.dispatcher.deliver({
            webhook,
            consumerSecret: app.consumerSecret,
            clientSecret: app.clientSecret,
            kind,
            eventType,
            eventIds: activity.kind === 'message' ? [activity.message.id] : [],
            forUserId,
            payload,
        });
    }

    private participants(activity: DmActivity) {
        const ids =
            activity.kind === 'message'
                ? [activity.message.senderId, activity.message.recipientId]
                : [activity.actorId, activity.targetId];
        return [...new Set(ids)].map((id) => this.store.requireUser(id));
    }
}

function matchesActivityApi(subscription: ActivitySubscription, activity: DmActivity): boolean {
    switch (activity.kind) {
        case 'message':
            return (
                (subscription.eventType === 'dm.received' && subscription.userId === activity.message.recipientId) ||
                (subscription.eventType === 'dm.sent' && subscription.userId === activity.message.senderId)
            );
        case 'typing':
            return subscription.eventType === 'dm.indicate_typing' && subscription.userId === activity.targetId;
        case 'read':
            return subscription.eventType === 'dm.read' && subscription.userId === activity.targetId;
    }
}

function matchesAccountActivity(userId: string, activity: DmActivity): boolean {
    if (activity.kind === 'message')
        return userId === activity.message.senderId || userId === activity.message.recipientId;
    return userId === activity.targetId;
}
