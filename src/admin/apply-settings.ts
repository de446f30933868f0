/**
 * After an admin saves settings: say in the setup room what is wrong and what the app does instead, and
 * when the delivery mode or credentials changed, register delivery at X again (or start/stop polling).
 * Runs as a job because onSettingUpdated gets no accessors to write or post with.
 */
import { IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { createHash } from 'crypto';
import { invalidateAccount, xClientFor } from '../bridge/build-context';
import { dmCategoryFor, X_MEDIA_LIMITS } from '../x/media-limits';
import { validateAgentTemplate } from '../bridge/format';
import { deliveryModeLabel } from '../i18n/setting-labels';
import { Translate } from '../i18n/translate';
import { serverTranslator } from '../lib/language';
import { explainFailure } from '../i18n/x-failures';
import { MIN_POLLING_INTERVAL_SECONDS, MIN_RETENTION_DAYS, PublicMentions, SettingId } from '../settings/ids';
import { AppSettings, readSettingsFresh } from '../settings/reader';
import { listAccounts } from '../storage/accounts';
import { ensureAppSecrets } from '../storage/app-secrets';
import { toXFailure } from '../x/errors';
import { deliveryPrerequisite } from './delivery';
import { setUpDelivery } from './auto-delivery';
import { explainAutomatic, readDailyVolume } from './delivery-explain';
import { announceInSetupRoom } from './setup-room';
import { webhookUrl } from './urls';
import type { AdminAccessors } from './link';
import { appliedRecord } from '../storage/admin-state';
import { blockedListProblems, resolveBlockedHandles } from './blocked-users';

/** What delivery was last registered with: a change of any of these means registering again. */

/** Secrets enter only as a digest: the fingerprint must change with them but never reveal them. */
function deliveryFingerprint(s: AppSettings): string {
    const parts = [
        s.deliveryMode,
        s.pollingIntervalSeconds,
        s.authMethod,
        s.apiKey,
        s.apiKeySecret,
        s.bearerToken,
        s.oauth2ClientId,
        s.accessToken,
        s.accessTokenSecret,
        // Only when on, so installs that never turned mentions on keep their fingerprint (no re-registration).
        ...(s.publicMentions === PublicMentions.On ? ['public-mentions'] : []),
    ];
    return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** Problems with the saved settings, as sentences (empty when all is well). */
async function settingsProblems(read: IRead, settings: AppSettings, t: Translate): Promise<string[]> {
    const problems: string[] = [];
    if (settings.department && !(await read.getLivechatReader().getLivechatDepartmentByIdOrName(settings.department))) {
        problems.push(t('settings_department_unknown', { department: settings.department }));
    }
    const template = validateAgentTemplate(settings.agentTemplate);
    if (!template.ok) problems.push(t('settings_template_invalid', { reason: template.detail ?? template.reason }));
    const rawInterval = Number(
        await read.getEnvironmentReader().getSettings().getValueById(SettingId.PollingIntervalSeconds),
    );
    if (Number.isFinite(rawInterval) && rawInterval < MIN_POLLING_INTERVAL_SECONDS) {
        problems.push(
            t('settings_polling_interval_clamped', { value: rawInterval, min: MIN_POLLING_INTERVAL_SECONDS }),
        );
    }
    const rawRetention = Number(await read.getEnvironmentReader().getSettings().getValueById(SettingId.RetentionDays));
    if (Number.isFinite(rawRetention) && rawRetention < MIN_RETENTION_DAYS)
        problems.push(t('settings_retention_clamped', { value: rawRetention, min: MIN_RETENTION_DAYS }));
    const unsupported = settings.acceptedMediaTypes.filter((type) => !dmCategoryFor(type));
    if (unsupported.length) problems.push(t('settings_media_types_unsupported', { types: unsupported.join(', ') }));
    const largestX = Math.max(...Object.values(X_MEDIA_LIMITS)) / (1024 * 1024);
    if (settings.fileMaxSizeMb > largestX)
        problems.push(t('settings_max_size_above_x', { value: settings.fileMaxSizeMb, max: largestX }));
    const prerequisite = deliveryPrerequisite(settings);
    if (prerequisite) problems.push(t(prerequisite));
    problems.push(...blockedListProblems(settings, t));
    return problems;
}

export async function applySettings(a: AdminAccessors): Promise<void> {
    const { appId, read, modify, http, persistence } = a;
    const now = () => a.now();
    const settings = await readSettingsFresh(read);
    const t = await serverTranslator(read, now());
    const problems = await settingsProblems(read, settings, t);
    problems.push(...(await resolveBlockedHandles(read, http, persistence, settings, now, t)));
    const lines = problems.map((p) => `• ${p}`);

    const reader = read.getPersistenceReader();
    const accounts = await listAccounts(reader);
    const fingerprint = deliveryFingerprint(settings);
    const applied = await appliedRecord.read(reader);
    // Each account's delivery follows the settings; one account's failure is reported and the others go on.
    const several = accounts.length > 1;
    for (const account of applied?.fingerprint !== fingerprint && !deliveryPrerequisite(settings) ? accounts : []) {
        invalidateAccount();
        try {
            const secrets = await ensureAppSecrets(reader, persistence);
            const registration = await setUpDelivery({
                x: xClientFor(read, http, persistence, settings, now, { account }),
                reader,
                persistence,
                modify,
                settings,
                account,
                webhookUrl: await webhookUrl(read, appId, secrets.webhookPath),
                now,
            });
            if (several) lines.push(`@${account.username}:`);
            lines.push(
                registration.automatic
                    ? explainAutomatic(
                          t,
                          registration,
                          await readDailyVolume(reader, now()),
                          settings.pollingIntervalSeconds,
                      )
                    : t('settings_delivery_applied', { mode: t(deliveryModeLabel(registration.mode)) }),
            );
        } catch (e) {
            if (several) lines.push(`@${account.username}:`);
            lines.push(t('settings_delivery_failed', { reason: explainFailure(t, toXFailure(e, now())) }));
        }
    }
    await appliedRecord.write(persistence, { fingerprint });
    if (lines.length)
        await announceInSetupRoom(read, modify, persistence, [t('settings_review_title'), ...lines].join('\n'));
}

/** Linking registers delivery with the current settings: remember them, so saving unrelated settings does not re-register. */
export async function rememberAppliedDelivery(persistence: IPersistence, settings: AppSettings): Promise<void> {
    await appliedRecord.write(persistence, { fingerprint: deliveryFingerprint(settings) });
}
