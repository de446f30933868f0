/**
 * Tells X where to deliver the business account's DMs for the chosen mode, and undoes it. Registration is
 * idempotent: an existing webhook for our URL is reused (re-validated when X marked it invalid), existing
 * subscriptions are kept, and a webhook this app registered earlier under another URL is replaced.
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IModify } from '@rocket.chat/apps-engine/definition/accessors';
import { AuthMethod, DeliveryMode } from '../settings/ids';
import type { AppSettings } from '../settings/reader';
import { DeliveryRegistration, deliveryRecord, LinkedAccount } from '../storage/account';
import { ActivityEventType, Webhook, XClient, XFailure } from '../x/client-types';
import { POLLER_JOB_ID } from '../jobs/ids';

export const XAA_EVENT_TYPES: ActivityEventType[] = ['dm.received', 'dm.sent', 'dm.read', 'dm.indicate_typing'];

export interface DeliveryDeps {
    x: XClient;
    reader: IPersistenceRead;
    persistence: IPersistence;
    modify: IModify;
    settings: AppSettings;
    account: LinkedAccount;
    webhookUrl: string;
    now(): number;
}

/** Why a mode cannot be set up with these settings (an i18n key), before asking X anything. */
export function deliveryPrerequisite(settings: AppSettings): 'delivery_needs_api_secret' | 'delivery_xaa_needs_oauth2' | undefined {
    if (settings.deliveryMode === DeliveryMode.Polling) return undefined;
    if (!settings.apiKeySecret || (!settings.bearerToken && !settings.apiKey)) return 'delivery_needs_api_secret';
    if (settings.deliveryMode === DeliveryMode.ActivityApi && settings.authMethod !== AuthMethod.OAuth2) return 'delivery_xaa_needs_oauth2';
    return undefined;
}

const isDuplicate = (e: unknown) => e instanceof XFailure && /duplicate/i.test(e.detail ?? '');

async function ensureWebhook(deps: DeliveryDeps, previous: DeliveryRegistration | undefined): Promise<Webhook> {
    const existing = await deps.x.listWebhooks();
    const ours = existing.find((w) => w.url === deps.webhookUrl);
    if (ours) {
        if (!ours.valid) await deps.x.revalidateWebhook(ours.id);
        return { ...ours, valid: true };
    }
    // Our own earlier registration (e.g. before a reinstall changed the URL's secret) makes room for the new one.
    const stale = previous?.webhookId && existing.find((w) => w.id === previous.webhookId);
    if (stale) await deps.x.deleteWebhook(stale.id);
    return deps.x.createWebhook(deps.webhookUrl);
}

export async function registerDelivery(deps: DeliveryDeps): Promise<DeliveryRegistration> {
    const previous = await deliveryRecord.read(deps.reader);
    const mode = deps.settings.deliveryMode;
    const registration: DeliveryRegistration = { mode, registeredAt: deps.now() };
    if (mode === DeliveryMode.Polling) {
        await removeWebhookDelivery(deps, previous);
        await deps.modify.getScheduler().scheduleRecurring({ id: POLLER_JOB_ID, interval: `${deps.settings.pollingIntervalSeconds} seconds`, skipImmediate: false });
    } else {
        await deps.modify.getScheduler().cancelJob(POLLER_JOB_ID);
        if (previous && previous.mode !== mode) await removeSubscriptions(deps, previous);
        const webhook = await ensureWebhook(deps, previous);
        registration.webhookId = webhook.id;
        registration.webhookUrl = webhook.url;
        registration.lastValidAt = deps.now();
        if (mode === DeliveryMode.ActivityApi) {
            const current = (await deps.x.listActivitySubscriptions()).filter((s) => s.webhookId === webhook.id && s.userId === deps.account.xUserId);
            const ids = current.map((s) => s.id);
            for (const type of XAA_EVENT_TYPES.filter((t) => !current.some((s) => s.eventType === t))) {
                try {
                    ids.push((await deps.x.createActivitySubscription(type, deps.account.xUserId, webhook.id)).id);
                } catch (e) {
                    if (!isDuplicate(e)) throw e;
                }
            }
            registration.activitySubscriptionIds = ids;
        } else {
            try {
                await deps.x.subscribeAccountActivity(webhook.id);
            } catch (e) {
                if (!isDuplicate(e)) throw e;
            }
            registration.accountActivitySubscribed = true;
        }
    }
    await deliveryRecord.write(deps.persistence, registration);
    return registration;
}

async function removeSubscriptions(deps: DeliveryDeps, registration: DeliveryRegistration): Promise<void> {
    for (const id of registration.activitySubscriptionIds ?? []) {
        await ignoreNotFound(deps.x.deleteActivitySubscription(id));
    }
    if (registration.accountActivitySubscribed && registration.webhookId) {
        await ignoreNotFound(deps.x.unsubscribeAccountActivity(registration.webhookId, deps.account.xUserId));
    }
}

async function removeWebhookDelivery(deps: DeliveryDeps, registration: DeliveryRegistration | undefined): Promise<void> {
    if (!registration) return;
    await removeSubscriptions(deps, registration);
    if (registration.webhookId) await ignoreNotFound(deps.x.deleteWebhook(registration.webhookId));
}

/** Stops every delivery for the account: subscriptions, our webhook, the poller. */
export async function unregisterDelivery(deps: Omit<DeliveryDeps, 'webhookUrl' | 'settings'>): Promise<void> {
    const registration = await deliveryRecord.read(deps.reader);
    await deps.modify.getScheduler().cancelJob(POLLER_JOB_ID);
    await removeWebhookDelivery(deps as DeliveryDeps, registration);
    await deliveryRecord.remove(deps.persistence);
}

async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
    try {
        await call;
    } catch (e) {
        if (!(e instanceof XFailure && e.kind === 'not-found')) throw e;
    }
}
