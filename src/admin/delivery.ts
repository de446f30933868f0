/**
 * Tells X where to deliver the business account's DMs for the chosen mode, and undoes it. Registration is
 * idempotent: an existing webhook for our URL is reused (re-validated when X marked it invalid), existing
 * subscriptions are kept, and a webhook this app registered earlier under another URL is replaced.
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IModify } from '@rocket.chat/apps-engine/definition/accessors';
import { ActiveDeliveryMode, AuthMethod, DeliveryMode, PublicMentions, WebhookDeliveryMode } from '../settings/ids';
import type { AppSettings } from '../settings/reader';
import {
    DeliveryRegistration,
    deliveryRecords,
    LinkedAccount,
    listAccounts,
    readForAccount,
} from '../storage/accounts';
import {
    Webhook,
    XAA_DM_EVENT_TYPES,
    XAA_MENTION_EVENT_TYPES,
    XAA_REVOKE_EVENT,
    XClient,
    XFailure,
} from '../x/client-types';
import { withChallengeKeyFallback } from './challenge-key';
import { POLLER_JOB_ID } from '../jobs/ids';

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
export function deliveryPrerequisite(
    settings: AppSettings,
): 'delivery_needs_api_secret' | 'delivery_xaa_needs_oauth2' | undefined {
    // Automatic polls when no webhook mode can be set up, and says why (auto-delivery.ts).
    if (settings.deliveryMode === DeliveryMode.Polling || settings.deliveryMode === DeliveryMode.Auto) return undefined;
    if (!settings.apiKeySecret || (!settings.bearerToken && !settings.apiKey)) return 'delivery_needs_api_secret';
    if (settings.deliveryMode === DeliveryMode.ActivityApi && settings.authMethod !== AuthMethod.OAuth2)
        return 'delivery_xaa_needs_oauth2';
    return undefined;
}

const DUPLICATE_REASONS = new Set(['DuplicateSubscriptionFailed', 'DuplicateSubscription']);
const isDuplicate = (e: unknown) => e instanceof XFailure && !!e.reason && DUPLICATE_REASONS.has(e.reason);

/** Registration and re-validation make X challenge the webhook: answered with the key X expects (challenge-key.ts). */
async function ensureWebhook(deps: DeliveryDeps, previous: DeliveryRegistration | undefined): Promise<Webhook> {
    const existing = await deps.x.listWebhooks();
    const ours = existing.find((w) => w.url === deps.webhookUrl);
    const challenged = <T>(call: () => Promise<T>) =>
        withChallengeKeyFallback(deps.reader, deps.persistence, deps.settings, deps.now(), call);
    if (ours) {
        if (!ours.valid) await challenged(() => deps.x.revalidateWebhook(ours.id));
        return { ...ours, valid: true };
    }
    // Our own earlier registration (e.g. before a reinstall changed the URL's secret) makes room for the new one.
    const stale = previous?.webhookId && existing.find((w) => w.id === previous.webhookId);
    if (stale) await ignoreNotFound(deps.x.deleteWebhook(stale.id));
    return (await challenged(() => deps.x.createWebhook(deps.webhookUrl))).result;
}

/**
 * The X Activity subscriptions delivery needs on `webhookId`: the account's DM events (its own OAuth 2.0
 * token), its public mentions only while *Public mentions* is on (X bills each one delivered; one left over
 * from when it was on is deleted), and the app-wide revocation event. Existing ones are kept; returns all
 * their ids.
 */
export async function ensureActivitySubscriptions(
    x: XClient,
    webhookId: string,
    accountId: string,
    mentions: boolean,
): Promise<string[]> {
    const all = (await x.listActivitySubscriptions()).filter(
        (s) =>
            s.webhookId === webhookId &&
            (s.userId === accountId || (s.eventType === XAA_REVOKE_EVENT && s.userId === undefined)),
    );
    const unwanted = mentions ? [] : all.filter((s) => isMentionType(s.eventType));
    for (const s of unwanted) await ignoreNotFound(x.deleteActivitySubscription(s.id));
    const current = all.filter((s) => !unwanted.includes(s));
    const ids = current.map((s) => s.id);
    const create = async (make: () => Promise<{ id: string }>) => {
        try {
            ids.push((await make()).id);
        } catch (e) {
            if (!isDuplicate(e)) throw e;
        }
    };
    const wanted = [...XAA_DM_EVENT_TYPES, ...(mentions ? XAA_MENTION_EVENT_TYPES : [])];
    for (const type of wanted.filter((t) => !current.some((s) => s.eventType === t)))
        await create(() => x.createActivitySubscription(type, accountId, webhookId));
    if (!current.some((s) => s.eventType === XAA_REVOKE_EVENT))
        await create(() => x.createAppActivitySubscription(XAA_REVOKE_EVENT, webhookId));
    return ids;
}

const isMentionType = (eventType: string) => (XAA_MENTION_EVENT_TYPES as readonly string[]).includes(eventType);

/** Registers delivery for the explicit mode the settings name (Automatic goes through auto-delivery.ts). */
export async function registerDelivery(deps: DeliveryDeps, mode: ActiveDeliveryMode): Promise<DeliveryRegistration> {
    const registration = await registerAtX(deps, mode, await readDelivery(deps));
    await deliveryRecords.of(deps.account.accountId).write(deps.persistence, registration);
    return registration;
}

/** The account's delivery registration. */
export function readDelivery(
    deps: Pick<DeliveryDeps, 'reader' | 'account'>,
): Promise<DeliveryRegistration | undefined> {
    return readForAccount(deps.reader, deliveryRecords, deps.account.accountId);
}

/** The other linked accounts' registrations: the webhook and the poller job are shared by every account. */
async function otherRegistrations(deps: Pick<DeliveryDeps, 'reader' | 'account'>): Promise<DeliveryRegistration[]> {
    const others = (await listAccounts(deps.reader)).filter((a) => a.accountId !== deps.account.accountId);
    const registrations = await Promise.all(others.map((account) => readDelivery({ reader: deps.reader, account })));
    return registrations.filter((r): r is DeliveryRegistration => !!r);
}

/** The poller job reads every polling account: it stops only when no other account polls. */
export async function stopPollerUnlessNeeded(deps: Pick<DeliveryDeps, 'reader' | 'account' | 'modify'>): Promise<void> {
    const others = await otherRegistrations(deps);
    if (others.some((r) => r.mode === DeliveryMode.Polling || r.automatic?.pollUntilEventAfter !== undefined)) return;
    await deps.modify.getScheduler().cancelJob(POLLER_JOB_ID);
}

/**
 * Sets `mode` up at X (and the poller here) and returns the registration, without storing it: Automatic
 * claims its decision before storing (auto-delivery.ts). `keepPolling`: a webhook mode leaves the poller
 * running (Automatic stops it once the webhook has delivered).
 */
export async function registerAtX(
    deps: DeliveryDeps,
    mode: ActiveDeliveryMode,
    previous: DeliveryRegistration | undefined,
    keepPolling = false,
): Promise<DeliveryRegistration> {
    const registration: DeliveryRegistration = { mode, registeredAt: deps.now() };
    if (mode === DeliveryMode.Polling) {
        await removeWebhookDelivery(deps, previous);
        await schedulePoller(deps);
    } else {
        if (!keepPolling) await stopPollerUnlessNeeded(deps);
        if (previous) await removeSubscriptions(deps, previous, mode);
        const webhook = await ensureWebhook(deps, previous);
        registration.webhookId = webhook.id;
        registration.webhookUrl = webhook.url;
        registration.lastValidAt = deps.now();
        if (mode === DeliveryMode.ActivityApi) {
            registration.activitySubscriptionIds = await ensureActivitySubscriptions(
                deps.x,
                webhook.id,
                deps.account.accountId,
                deps.settings.publicMentions === PublicMentions.On,
            );
        } else {
            try {
                await deps.x.subscribeAccountActivity(webhook.id);
            } catch (e) {
                if (!isDuplicate(e)) throw e;
            }
            registration.accountActivitySubscribed = true;
        }
    }
    return registration;
}

export async function schedulePoller(deps: Pick<DeliveryDeps, 'modify' | 'settings'>): Promise<void> {
    await deps.modify.getScheduler().scheduleRecurring({
        id: POLLER_JOB_ID,
        interval: `${deps.settings.pollingIntervalSeconds} seconds`,
        skipImmediate: false,
    });
}

/** Removes the registration's subscriptions, except those of `keep` (the mode being set up, which reuses them). */
async function removeSubscriptions(
    deps: DeliveryDeps,
    registration: DeliveryRegistration,
    keep?: WebhookDeliveryMode,
): Promise<void> {
    if (keep !== DeliveryMode.ActivityApi) {
        // The app-wide revocation subscription is listed by every account on the webhook: it stays for the others.
        const shared = new Set((await otherRegistrations(deps)).flatMap((r) => r.activitySubscriptionIds ?? []));
        for (const id of registration.activitySubscriptionIds ?? []) {
            if (!shared.has(id)) await ignoreNotFound(deps.x.deleteActivitySubscription(id));
        }
    }
    if (keep !== DeliveryMode.AccountActivityApi && registration.accountActivitySubscribed && registration.webhookId) {
        await ignoreNotFound(deps.x.unsubscribeAccountActivity(registration.webhookId, deps.account.accountId));
    }
}

async function removeWebhookDelivery(
    deps: DeliveryDeps,
    registration: DeliveryRegistration | undefined,
): Promise<void> {
    if (!registration) return;
    await removeSubscriptions(deps, registration);
    // One webhook per X app: it stays while another account's delivery uses it.
    const webhookId = registration.webhookId;
    if (webhookId && !(await otherRegistrations(deps)).some((r) => r.webhookId === webhookId))
        await ignoreNotFound(deps.x.deleteWebhook(webhookId));
}

/**
 * Stops every delivery for the account: its subscriptions, the poller (unless another account polls), the
 * webhook (unless another account uses it).
 */
export async function unregisterDelivery(deps: Omit<DeliveryDeps, 'webhookUrl' | 'settings'>): Promise<void> {
    const registration = await readDelivery(deps);
    await stopPollerUnlessNeeded(deps);
    await removeWebhookDelivery(deps as DeliveryDeps, registration);
    await deliveryRecords.of(deps.account.accountId).remove(deps.persistence);
}

/** Removing what X no longer has (deleted in the developer portal, or with its webhook) is done already. */
async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
    try {
        await call;
    } catch (e) {
        if (!(e instanceof XFailure && e.kind === 'not-found')) throw e;
    }
}
