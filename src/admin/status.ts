/**
 * `/twitter status`: whether messages flow and what X costs, at a glance. Figures come from persistence
 * (what every instance shares) and X's own view of the webhook, asked at most once a minute; secrets never
 * appear. Who may run it is decided by the command (admins and Omnichannel managers).
 */
import { IHttp, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { xClientFor } from '../bridge/build-context';
import { currentChallengeKey } from './challenge-key';
import { maskWebhookUrl } from './urls';
import { explainAutomatic, readDailyVolume } from './delivery-explain';
import { activeModeOf } from '../settings/delivery-modes';
import { authMethodLabel, deliveryModeLabel } from '../i18n/setting-labels';
import { Translate } from '../i18n/translate';
import { failureReasonKey } from '../i18n/x-failures';
import { DeliveryMode, PublicMentions } from '../settings/ids';
import { AppSettings, readSettings } from '../settings/reader';
import { deliveryRecords, listAccounts, readAccount, readForAccount } from '../storage/accounts';
import { conversationType } from '../storage/conversation-keys';
import { ConversationStore } from '../storage/conversations';
import { totalsForDay, totalsForMonth } from '../storage/ledger';
import { OutboxStore } from '../storage/outbox';
import { utcDay } from '../lib/time';
import { toXFailure } from '../x/errors';
import { appSendBudget, DM_SEND_KEY, rateLimitsOf } from '../x/limits';
import { lastEventRecords, WebhookCheck, webhookCheckRecord } from '../storage/admin-state';
import { creditsPauseRecord, pollStateRecords } from '../storage/job-state';

const WEBHOOK_CHECK_TTL_MS = 60_000;

const when = (t: Translate, ms: number | undefined, now: number) => {
    if (!ms) return t('status_never');
    const minutes = Math.round((now - ms) / 60_000);
    return minutes < 1 ? t('status_just_now') : t('status_minutes_ago', { minutes });
};

/** X's webhook as of at most a minute ago: from the shared record, or asked now and recorded. */
async function checkWebhook(
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    settings: AppSettings,
    webhookId: string,
    recorded: WebhookCheck | undefined,
    now: number,
): Promise<WebhookCheck> {
    if (
        recorded &&
        recorded.webhookId === webhookId &&
        now - recorded.at >= 0 &&
        now - recorded.at < WEBHOOK_CHECK_TTL_MS
    )
        return recorded;
    let check: WebhookCheck;
    try {
        const webhook = (await xClientFor(read, http, undefined, settings, () => now).listWebhooks()).find(
            (w) => w.id === webhookId,
        );
        check = webhook
            ? { at: now, webhookId, state: webhook.valid ? 'valid' : 'invalid', url: maskWebhookUrl(webhook.url) }
            : { at: now, webhookId, state: 'missing' };
    } catch (e) {
        // A failure is remembered too: asking again at once would fail again and spend the budget.
        check = { at: now, webhookId, state: 'unknown', failure: toXFailure(e, now).kind };
    }
    await webhookCheckRecord.write(persistence, check);
    return check;
}

function describeWebhook(t: Translate, check: WebhookCheck): string {
    switch (check.state) {
        case 'valid':
        case 'invalid':
            return t(check.state === 'valid' ? 'status_webhook_valid' : 'status_webhook_invalid', {
                url: check.url ?? '',
            });
        case 'missing':
            return t('status_webhook_missing');
        case 'unknown':
            return t('status_webhook_unknown', { reason: t(failureReasonKey(check.failure ?? 'unavailable')) });
    }
}

/** The status of one linked account (`accountId`; without one, the account linked longest). */
export async function statusReport(
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    t: Translate,
    now: number,
    accountId?: string,
): Promise<string> {
    const reader = read.getPersistenceReader();
    const [settings, account] = await Promise.all([
        readSettings(read),
        accountId === undefined ? listAccounts(reader).then((all) => all[0]) : readAccount(reader, accountId),
    ]);
    if (!account) return [t('status_title'), t('status_not_linked')].join('\n');
    const id = account.accountId;
    const [delivery, lastEvent, poll, conversations, pending, outbox, today, month, webhookCheck, creditsPause] =
        await Promise.all([
            readForAccount(reader, deliveryRecords, id),
            readForAccount(reader, lastEventRecords, id),
            readForAccount(reader, pollStateRecords, id),
            reader.readByAssociation(conversationType),
            new ConversationStore().allPending(reader),
            new OutboxStore().all(reader),
            totalsForDay(reader, utcDay(now)),
            totalsForMonth(reader, now),
            webhookCheckRecord.read(reader),
            creditsPauseRecord.read(reader),
        ]);
    const lines = [
        t('status_title'),
        t('status_account', {
            username: account.username,
            method: t(authMethodLabel(account.authMethod)),
        }),
    ];
    if (account.revokedAt) lines.push(t('status_revoked'));
    const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    if (creditsPause)
        lines.push(
            t('status_credits_depleted', { since: clock(creditsPause.since), next: clock(creditsPause.nextProbeAt) }),
        );
    // Automatic's explanation names the mode itself, and says why and at what cost.
    if (settings.deliveryMode === DeliveryMode.Auto && delivery?.automatic) {
        const volume = await readDailyVolume(reader, now);
        const explanation = explainAutomatic(t, delivery, volume, settings.pollingIntervalSeconds);
        lines.push(...explanation.split('\n').map((line) => `• ${line}`));
    } else lines.push(t('status_delivery', { mode: t(deliveryModeLabel(settings.deliveryMode)) }));

    if (activeModeOf(settings, delivery?.mode) === DeliveryMode.Polling) {
        lines.push(
            t('status_polling', { last: when(t, poll?.lastPollAt, now), interval: settings.pollingIntervalSeconds }),
        );
        if (poll?.pausedByCap) lines.push(t('status_polling_paused_cap', { cap: settings.dailyCapUsd.toFixed(2) }));
    } else if (!delivery?.webhookId) {
        lines.push(t('status_webhook_missing'));
    } else {
        lines.push(
            describeWebhook(
                t,
                await checkWebhook(read, http, persistence, settings, delivery.webhookId, webhookCheck, now),
            ),
        );
        lines.push(
            t('status_challenge_key', {
                key: t(`setting_webhook_challenge_key_${await currentChallengeKey(reader, settings)}`),
            }),
        );
        const subscriptions =
            delivery.mode === DeliveryMode.ActivityApi
                ? (delivery.activitySubscriptionIds ?? []).length
                : delivery.accountActivitySubscribed
                  ? 1
                  : 0;
        lines.push(t('status_subscriptions', { count: subscriptions }));
        lines.push(t('status_last_event', { when: when(t, lastEvent?.at, now) }));
    }

    lines.push(t('status_queues', { open: conversations.length, outbox: outbox.length, pending: pending.length }));
    const send = rateLimitsOf(id).get(DM_SEND_KEY);
    if (send?.window)
        lines.push(
            t('status_send_limit', {
                remaining: send.window.remaining,
                limit: send.window.limit,
                reset: new Date(send.window.resetAt).toISOString().slice(11, 16),
            }),
        );
    // X's daily budget of the X app, shared by every linked account.
    const appDay = appSendBudget.current(now);
    if (appDay)
        lines.push(
            t('status_app_send_budget', {
                remaining: appDay.remaining,
                limit: appDay.limit,
                reset: new Date(appDay.resetAt).toISOString().slice(11, 16),
            }),
        );
    lines.push(
        t('status_cost', {
            today: today.usd.toFixed(2),
            month: month.usd.toFixed(2),
            reads: month.units.dm_event_read,
            sends: month.units.dm_create,
            received: month.units.dm_received,
        }),
    );
    lines.push(t('status_blocked', { count: month.blocked }));
    lines.push(
        settings.publicMentions === PublicMentions.On
            ? t('status_mentions_on', {
                  mentions: month.units.post_mention + month.units.post_read,
                  replies: month.units.post_create + month.units.post_create_url,
              })
            : t('status_mentions_off'),
    );
    return lines.join('\n');
}
