/**
 * Every 30 minutes: does X still accept our token, is our webhook valid and are the subscriptions there?
 * What can be repaired is repaired (re-validate, re-subscribe); each incident is announced once in the
 * setup room, and its recovery once — channels that break silently are the top complaint about connectors.
 */
import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { xClientFor } from '../bridge/build-context';
import { XAA_EVENT_TYPES } from '../admin/delivery';
import { announceInSetupRoom } from '../admin/setup-room';
import { I18nKey, translator } from '../i18n/translate';
import { failureReasonKey } from '../i18n/x-failures';
import { DeliveryMode } from '../settings/ids';
import { readSettings } from '../settings/reader';
import { deliveryRecord, readAccount } from '../storage/account';
import { KeyedRecord } from '../storage/records';
import type { XClient } from '../x/client-types';
import { recoverMissedEvents } from './recovery';
import { toXFailure } from '../x/errors';

type CheckName = 'token' | 'webhook' | 'subscriptions';

interface HealthState {
    open: Partial<Record<CheckName, { since: number; reason: string }>>;
}

const healthRecord = KeyedRecord.named<HealthState>('x-health');

/** undefined = healthy (possibly after a repair); a string = the i18n key of what is wrong. */
type CheckResult = { problem?: I18nKey; detail?: string };

async function checkToken(x: XClient): Promise<CheckResult> {
    try {
        await x.me();
        return {};
    } catch (e) {
        const failure = toXFailure(e, Date.now());
        return failure.transient ? {} : { problem: failureReasonKey(failure.kind) };
    }
}

async function checkWebhook(x: XClient, webhookId: string | undefined): Promise<CheckResult> {
    if (!webhookId) return { problem: 'health_webhook_missing' };
    const webhook = (await x.listWebhooks()).find((w) => w.id === webhookId);
    if (!webhook) return { problem: 'health_webhook_missing' };
    if (webhook.valid) return {};
    try {
        await x.revalidateWebhook(webhookId);
        const after = (await x.listWebhooks()).find((w) => w.id === webhookId);
        return after?.valid ? {} : { problem: 'health_webhook_invalid' };
    } catch (e) {
        return { problem: 'health_webhook_invalid', detail: toXFailure(e, Date.now()).detail };
    }
}

async function checkSubscriptions(x: XClient, mode: DeliveryMode, webhookId: string | undefined, userId: string): Promise<CheckResult> {
    if (!webhookId) return {};
    if (mode === DeliveryMode.ActivityApi) {
        const current = (await x.listActivitySubscriptions()).filter((s) => s.webhookId === webhookId && s.userId === userId);
        const missing = XAA_EVENT_TYPES.filter((type) => !current.some((s) => s.eventType === type));
        for (const type of missing) await x.createActivitySubscription(type, userId, webhookId);
        return {};
    }
    const subscribed = await x.listAccountActivitySubscriptions(webhookId);
    if (!subscribed.includes(userId)) await x.subscribeAccountActivity(webhookId);
    return {};
}

export async function runHealthCheck(read: IRead, modify: IModify, http: IHttp, persistence: IPersistence, now: () => number): Promise<HealthState> {
    const reader = read.getPersistenceReader();
    const account = await readAccount(reader);
    const state: HealthState = (await healthRecord.read(reader)) ?? { open: {} };
    if (!account) return state;
    const settings = await readSettings(read, 0);
    const delivery = await deliveryRecord.read(reader);
    const x = xClientFor(read, http, persistence, settings, now);
    const results: Partial<Record<CheckName, CheckResult>> = { token: await checkToken(x) };
    if (!results.token?.problem && delivery && delivery.mode !== DeliveryMode.Polling) {
        results.webhook = await checkWebhook(x, delivery.webhookId).catch((e) => ({ problem: failureReasonKey(toXFailure(e, now()).kind) }));
        results.subscriptions = await checkSubscriptions(x, delivery.mode, delivery.webhookId, account.xUserId).catch((e) => ({
            problem: 'health_subscriptions_failed' as I18nKey,
            detail: toXFailure(e, now()).kind,
        }));
    }

    const language = await read.getEnvironmentReader().getServerSettings().getValueById('Language').catch(() => 'en');
    const t = translator(typeof language === 'string' ? language : 'en');
    for (const [name, result] of Object.entries(results) as [CheckName, CheckResult][]) {
        const open = state.open[name];
        if (result.problem && !open) {
            state.open[name] = { since: now(), reason: result.problem };
            await announceInSetupRoom(read, modify, persistence, t('health_alert', { problem: t(result.problem) }));
        } else if (!result.problem && open) {
            delete state.open[name];
            await announceInSetupRoom(read, modify, persistence, t('health_recovered', { problem: t(open.reason as I18nKey) }));
            // X gave up on what it could not deliver meanwhile: have it replayed.
            if (name === 'webhook') await recoverMissedEvents(read, http, persistence, now()).catch(() => undefined);
        }
    }
    await healthRecord.write(persistence, state);
    return state;
}
