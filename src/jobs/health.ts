/**
 * Every 30 minutes: does X still accept our token, is our webhook valid and are the subscriptions there?
 * What can be repaired is repaired (re-validate — with the other challenge key if X changed it —,
 * re-subscribe) and what X could not deliver meanwhile is replayed; each incident is announced once in
 * the setup room, and its recovery once — channels that break silently are the top complaint about
 * connectors. A broken link and depleted credits have their own alerts (link-broken.ts, credits.ts).
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { xClientFor } from '../bridge/build-context';
import { ensureActivitySubscriptions } from '../admin/delivery';
import { automaticTurn } from '../admin/auto-delivery-turn';
import { withChallengeKeyFallback } from '../admin/challenge-key';
import { rescheduleLostProbe } from '../admin/credits';
import { markLinkRestored } from '../admin/link-broken';
import { announceInSetupRoom } from '../admin/setup-room';
import { I18nKey, Translate } from '../i18n/translate';
import { failureReasonKey } from '../i18n/x-failures';
import { serverTranslator } from '../lib/language';
import { DeliveryMode, PublicMentions } from '../settings/ids';
import { AppSettings, readSettings } from '../settings/reader';
import { deliveryRecords, LinkedAccount, listAccounts, readForAccount } from '../storage/accounts';
import { XClient, XFailure } from '../x/client-types';
import { recoverMissedEvents } from './recovery';
import { toXFailure } from '../x/errors';
import { creditsPauseRecord, HealthCheckName, healthRecords, HealthState } from '../storage/job-state';

/** undefined problem = healthy (possibly after a repair); else the i18n key of what is wrong. */
type CheckResult = { problem?: I18nKey; detail?: string; repaired?: boolean; announced?: boolean };
/** `accepted`: X answered the account's own call with success (not merely: nothing was found wrong). */
type TokenCheck = CheckResult & { accepted?: boolean };

interface HealthAccessors {
    read: IRead;
    modify: IModify;
    http: IHttp;
    persistence: IPersistence;
    appId: string;
    now(): number;
}

async function checkToken(x: XClient, revoked: boolean): Promise<TokenCheck> {
    try {
        await x.me();
        return { accepted: true };
    } catch (e) {
        const failure = toXFailure(e, Date.now());
        if (failure.transient) return {};
        // X refusing the token (it answered) marked the link broken and alerted already (link-broken.ts).
        return {
            problem: failureReasonKey(failure.kind),
            announced: revoked || (failure.kind === 'token-invalid' && failure.status !== 0),
        };
    }
}

async function checkWebhook(
    a: HealthAccessors,
    x: XClient,
    t: Translate,
    settings: AppSettings,
    webhookId: string | undefined,
    now: number,
): Promise<CheckResult> {
    if (!webhookId) return { problem: 'health_webhook_missing' };
    const webhook = (await x.listWebhooks()).find((w) => w.id === webhookId);
    if (!webhook) return { problem: 'health_webhook_missing' };
    if (webhook.valid) return {};
    try {
        const { switchedTo } = await withChallengeKeyFallback(
            a.read.getPersistenceReader(),
            a.persistence,
            settings,
            now,
            async () => {
                await x.revalidateWebhook(webhookId);
                const after = (await x.listWebhooks()).find((w) => w.id === webhookId);
                if (!after?.valid)
                    throw new XFailure(
                        'invalid-request',
                        400,
                        undefined,
                        'X still reports the webhook invalid',
                        'CrcValidationFailed',
                    );
            },
        );
        if (switchedTo)
            await announceInSetupRoom(
                a.read,
                a.modify,
                a.persistence,
                t('health_challenge_key_switched', { key: t(`setting_webhook_challenge_key_${switchedTo}`) }),
            );
        return { repaired: true };
    } catch (e) {
        return { problem: 'health_webhook_invalid', detail: toXFailure(e, now).detail };
    }
}

/** X's challenge of a webhook it lists as valid: still answered? (A refusal is the webhook's problem.) */
async function rechallenge(
    a: HealthAccessors,
    x: XClient,
    settings: AppSettings,
    webhookId: string,
    now: number,
): Promise<CheckResult> {
    try {
        await withChallengeKeyFallback(a.read.getPersistenceReader(), a.persistence, settings, now, () =>
            x.revalidateWebhook(webhookId),
        );
        return {};
    } catch (e) {
        const failure = toXFailure(e, now);
        return failure.reason === 'CrcValidationFailed'
            ? { problem: 'health_webhook_invalid', detail: failure.detail }
            : {};
    }
}

async function checkSubscriptions(
    x: XClient,
    mode: DeliveryMode,
    webhookId: string,
    accountId: string,
    mentions: boolean,
): Promise<CheckResult> {
    if (mode === DeliveryMode.ActivityApi) {
        await ensureActivitySubscriptions(x, webhookId, accountId, mentions);
        return {};
    }
    const subscribed = await x.listAccountActivitySubscriptions(webhookId);
    if (!subscribed.includes(accountId)) await x.subscribeAccountActivity(webhookId);
    return {};
}

/**
 * Checks every linked account: one account's failure (a revoked token, X's 429) is logged and does not stop
 * the others' checks. Returns each account's state.
 */
export async function runHealthCheck(a: HealthAccessors & { logger?: ILogger }): Promise<HealthState[]> {
    const reader = a.read.getPersistenceReader();
    const [accounts, creditsPause] = await Promise.all([listAccounts(reader), creditsPauseRecord.read(reader)]);
    // Without credits X answers every check with 402: the credits probe watches X until it accepts calls.
    if (creditsPause) {
        await rescheduleLostProbe(a.modify, creditsPause, a.now());
        return [];
    }
    // One after the other: the accounts share one webhook, and two re-validations of it at once would race.
    const states: HealthState[] = [];
    for (const account of accounts) {
        try {
            states.push(await checkAccount(a, account, accounts.length > 1));
        } catch (e) {
            a.logger?.error(`Health check of @${account.username} failed: ${(e as Error)?.message ?? e}`);
        }
    }
    return states;
}

/** One account's checks; `several`: its alerts name it (more than one account is linked). */
async function checkAccount(a: HealthAccessors, account: LinkedAccount, several: boolean): Promise<HealthState> {
    const { read, modify, http, persistence } = a;
    const now = () => a.now();
    const reader = read.getPersistenceReader();
    const accountId = account.accountId;
    const [stored, delivery, settings] = await Promise.all([
        readForAccount(reader, healthRecords, accountId),
        readForAccount(reader, deliveryRecords, accountId),
        readSettings(read),
    ]);
    const state: HealthState = stored ?? { open: {} };
    const whose = several ? `@${account.username}: ` : '';
    const x = xClientFor(read, http, persistence, settings, now, { account, modify });
    const t = await serverTranslator(read, now());
    const token = await checkToken(x, !!account.revokedAt);
    const results: Partial<Record<HealthCheckName, CheckResult>> = { token };
    // X accepted the token again (a transient failure proves nothing): the link is not broken after all (its
    // own notice replaces "recovered").
    const restored =
        token.accepted === true &&
        !!account.revokedAt &&
        (await markLinkRestored({ read, modify, persistence }, now(), account));
    const automatic = settings.deliveryMode === DeliveryMode.Auto;
    // Automatic while polling: every check tries the webhook again (a switch is announced on its own).
    if (!token.problem && automatic && delivery?.mode === DeliveryMode.Polling)
        await automaticTurn(a, accountId, now(), 'health');
    if (!token.problem && delivery && delivery.mode !== DeliveryMode.Polling) {
        results.webhook = await checkWebhook(a, x, t, settings, delivery.webhookId, now()).catch((e) => ({
            problem: failureReasonKey(toXFailure(e, now()).kind),
        }));
        // Automatic asks X to challenge the webhook now: X itself marks an unreachable one invalid only after
        // 28 hours of failed checks (research/x-api.md §2), while DMs it cannot deliver are dropped meanwhile.
        if (automatic && !results.webhook.problem && delivery.webhookId)
            results.webhook = await rechallenge(a, x, settings, delivery.webhookId, now());
        // A webhook X no longer has has no subscriptions to check: its own alert says what to do.
        if (results.webhook.problem !== 'health_webhook_missing' && delivery.webhookId) {
            results.subscriptions = await checkSubscriptions(
                x,
                delivery.mode,
                delivery.webhookId,
                account.accountId,
                settings.publicMentions === PublicMentions.On,
            ).catch((e): CheckResult => ({
                problem: 'health_subscriptions_failed',
                detail: toXFailure(e, now()).kind,
            }));
        }
    }

    // Automatic: a webhook X cannot use hands delivery to polling at once; that switch is the notice.
    if (automatic && results.webhook?.problem) {
        const after = await automaticTurn(a, accountId, now(), 'health');
        if (after?.mode === DeliveryMode.Polling) {
            delete results.webhook;
            delete results.subscriptions;
        }
    }

    let replay = results.webhook?.repaired === true;
    for (const [name, result] of Object.entries(results) as [HealthCheckName, CheckResult][]) {
        const open = state.open[name];
        if (result.problem && !open) {
            state.open[name] = { since: now(), reason: result.problem };
            if (!result.announced)
                await announceInSetupRoom(
                    read,
                    modify,
                    persistence,
                    whose + t('health_alert', { problem: t(result.problem) }),
                );
        } else if (!result.problem && open) {
            delete state.open[name];
            if (name === 'token' && restored) continue;
            await announceInSetupRoom(
                read,
                modify,
                persistence,
                whose + t('health_recovered', { problem: t(open.reason) }),
            );
            if (name === 'webhook') replay = true;
        }
    }
    await healthRecords.of(accountId).write(persistence, state);
    // X skipped deliveries to the invalid webhook and gave up on others meanwhile: have them replayed.
    if (replay) await recoverMissedEvents(a, account, now()).catch(() => undefined);
    return state;
}
