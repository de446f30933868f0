/**
 * The jobs' turn at Automatic delivery (auto-delivery.ts): the poller's back-off and the health check
 * try the webhook again; a switch is announced once in the setup room, in plain words.
 */
import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { xClientFor } from '../bridge/build-context';
import { Translate } from '../i18n/translate';
import { serverTranslator } from '../lib/language';
import { DeliveryMode } from '../settings/ids';
import { AppSettings, readSettings } from '../settings/reader';
import {
    DeliveryRegistration,
    deliveryRecords,
    LinkedAccount,
    listAccounts,
    readAccount,
    readForAccount,
} from '../storage/accounts';
import { ensureAppSecrets } from '../storage/app-secrets';
import { retryWebhook, SwitchNotice, webhookRetryDue } from './auto-delivery';
import { explainAutomatic, readDailyVolume } from './delivery-explain';
import { announceInSetupRoom } from './setup-room';
import { webhookUrl } from './urls';

export interface TurnAccessors {
    read: IRead;
    modify: IModify;
    http: IHttp;
    persistence: IPersistence;
    appId: string;
}

/**
 * The setup-room notice of a switch: what changed, then the whole explanation; with several accounts linked,
 * whose delivery it is.
 */
function switchNotice(
    a: TurnAccessors,
    t: Translate,
    settings: AppSettings,
    account: LinkedAccount,
    now: number,
): SwitchNotice {
    return async (registration) => {
        const reader = a.read.getPersistenceReader();
        const [volume, accounts] = await Promise.all([readDailyVolume(reader, now), listAccounts(reader)]);
        const title = t(registration.mode === DeliveryMode.Polling ? 'auto_switched_polling' : 'auto_switched_webhook');
        const explanation = explainAutomatic(t, registration, volume, settings.pollingIntervalSeconds);
        const whose = accounts.length > 1 ? `@${account.username}: ` : '';
        await announceInSetupRoom(a.read, a.modify, a.persistence, `${whose}${title}\n${explanation}`);
    };
}

/**
 * Tries the webhook again when Automatic is on and a turn is due: `backoff` (the poller) only once the
 * back-off has passed, otherwise (the health check: polling, or the webhook has a problem) at once.
 * Returns the account's registration in force afterwards, or undefined when Automatic is not in charge.
 */
export async function automaticTurn(
    a: TurnAccessors,
    accountId: string,
    now: number,
    trigger: 'backoff' | 'health',
): Promise<DeliveryRegistration | undefined> {
    const reader = a.read.getPersistenceReader();
    const settings = await readSettings(a.read);
    if (settings.deliveryMode !== DeliveryMode.Auto) return undefined;
    const [account, current] = await Promise.all([
        readAccount(reader, accountId),
        readForAccount(reader, deliveryRecords, accountId),
    ]);
    // Not linked, or the token is refused (its own alert asks for /twitter authorize): nothing to try.
    if (!account || account.revokedAt || !current) return current;
    if (trigger === 'backoff' && !webhookRetryDue(current, now)) return current;
    const secrets = await ensureAppSecrets(reader, a.persistence);
    const t = await serverTranslator(a.read, now);
    return retryWebhook(
        {
            x: xClientFor(a.read, a.http, a.persistence, settings, () => now, { account, modify: a.modify }),
            reader,
            persistence: a.persistence,
            modify: a.modify,
            settings,
            account,
            webhookUrl: await webhookUrl(a.read, a.appId, secrets.webhookPath),
            now: () => now,
        },
        current,
        switchNotice(a, t, settings, account, now),
    );
}
