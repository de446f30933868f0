/**
 * Automatic delivery in plain words, for the setup room and `/twitter status`: which mode is active and
 * why, what to fix for instant delivery, how late DMs arrive and what a day costs at the current volume
 * (from the cost ledger, at X's pay-per-use prices).
 */
import { IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { deliveryModeLabel } from '../i18n/setting-labels';
import { Translate } from '../i18n/translate';
import { DAY, utcDay } from '../lib/time';
import { ActiveDeliveryMode, DeliveryMode } from '../settings/ids';
import type { DeliveryRegistration } from '../storage/accounts';
import { LedgerTotals, PRICE_USD, totalsForDay } from '../storage/ledger';

/** DMs a day: received from customers, sent by the business (agents' replies and automatic messages). */
export interface DailyVolume {
    received: number;
    sent: number;
}

/**
 * A day's volume from the ledger: the last whole day, or today when yesterday had none. Received DMs are
 * what X billed as webhook deliveries, or what polling read less the business's own DMs (reads return both).
 */
function dailyVolume(yesterday: LedgerTotals, today: LedgerTotals): DailyVolume {
    const day = Object.values(yesterday.units).some((n) => n > 0) ? yesterday : today;
    const sent = day.units.dm_create;
    return { received: Math.max(day.units.dm_received, day.units.dm_event_read - sent, 0), sent };
}

export async function readDailyVolume(reader: IPersistenceRead, now: number): Promise<DailyVolume> {
    const [yesterday, today] = await Promise.all([
        totalsForDay(reader, utcDay(now - DAY)),
        totalsForDay(reader, utcDay(now)),
    ]);
    return dailyVolume(yesterday, today);
}

/**
 * What X bills a day in a mode (README, "Choose a delivery mode"): every mode pays for sent DMs; the X
 * Activity API also for each DM delivered; polling for every event a read returns, the business's own
 * DMs included; the Account Activity API bills none per DM (the plan's access is paid apart).
 */
function dailyCostUsd(mode: ActiveDeliveryMode, volume: DailyVolume): number {
    const sends = volume.sent * PRICE_USD.dm_create;
    switch (mode) {
        case DeliveryMode.ActivityApi:
            return volume.received * PRICE_USD.dm_received + sends;
        case DeliveryMode.AccountActivityApi:
            return sends;
        case DeliveryMode.Polling:
            return (volume.received + volume.sent) * PRICE_USD.dm_event_read + sends;
    }
}

const usd = (n: number) => n.toFixed(2);
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** Which mode Automatic runs and why, the delay and the cost a day, and what would give instant delivery. */
export function explainAutomatic(
    t: Translate,
    registration: DeliveryRegistration,
    volume: DailyVolume,
    pollingIntervalSeconds: number,
): string {
    const automatic = registration.automatic;
    const url = automatic?.url ?? '';
    const figures = { received: volume.received, sent: volume.sent };
    if (registration.mode !== DeliveryMode.Polling)
        return t('auto_webhook_active', {
            mode: t(deliveryModeLabel(registration.mode)),
            url,
            cost: usd(dailyCostUsd(registration.mode, volume)),
            pollingCost: usd(dailyCostUsd(DeliveryMode.Polling, volume)),
            ...figures,
        });
    const reason = automatic?.reason ?? 'auto_reason_unreachable';
    const lines = [
        t('auto_polling_active', {
            minutes: Math.max(1, Math.round(pollingIntervalSeconds / 60)),
            cost: usd(dailyCostUsd(DeliveryMode.Polling, volume)),
            reason: t(reason, { url, detail: automatic?.detail ?? '—' }),
            ...figures,
        }),
    ];
    // Reasons of reachability have a fix outside the app and a retry; the others name their fix themselves.
    if (automatic?.webhookMode && automatic.nextTryAt !== undefined)
        lines.push(
            t('auto_fix_reachability', {
                url,
                cost: usd(dailyCostUsd(automatic.webhookMode, volume)),
                next: clock(automatic.nextTryAt),
            }),
        );
    return lines.join('\n');
}
