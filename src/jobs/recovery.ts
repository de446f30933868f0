/**
 * Gap recovery for webhook modes: X stops retrying a delivery after about five minutes, so DMs sent while
 * Rocket.Chat was down or the webhook was invalid would be lost. When the app starts (and when the health
 * check repairs the webhook) X is asked to replay the window since the last event known; deliveries
 * already handled are dropped by the usual exactly-once claims, so the replay is safe.
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { toXFailure } from '../x/errors';
import { xClientFor } from '../bridge/build-context';
import { lastEventRecord } from '../admin/status';
import { DeliveryMode } from '../settings/ids';
import { readSettings } from '../settings/reader';
import { deliveryRecord, readAccount } from '../storage/account';
import { KeyedRecord } from '../storage/records';
import { DAY, MINUTE } from '../lib/time';

/** Up to when a replay was already requested, so restarts in a row do not replay the same window again. */
const recoveryRecord = KeyedRecord.named<{ coveredUntil: number }>('x-recovery');

/** X replays at most the last 24 hours, in whole minutes; a margin covers clock skew and the last write. */
const MARGIN = 5 * MINUTE;

export type RecoveryOutcome = { replayed: true; from: number; to: number } | { replayed: false; reason: string };

export async function recoverMissedEvents(read: IRead, http: IHttp, persistence: IPersistence, now: number): Promise<RecoveryOutcome> {
    const reader = read.getPersistenceReader();
    const [account, delivery, settings] = await Promise.all([readAccount(reader), deliveryRecord.read(reader), readSettings(read, 0)]);
    if (!account || !delivery?.webhookId) return { replayed: false, reason: 'no webhook delivery' };
    if (delivery.mode === DeliveryMode.Polling) return { replayed: false, reason: 'polling reads from its own cursor' };
    const [last, recovered] = await Promise.all([lastEventRecord.read(reader), recoveryRecord.read(reader)]);
    const since = Math.max(recovered?.coveredUntil ?? 0, last?.at ?? 0, delivery.registeredAt);
    const from = Math.max(since - MARGIN, now - DAY + MINUTE);
    if (now - from < MARGIN) return { replayed: false, reason: 'nothing missed' };
    await xClientFor(read, http, persistence, settings, () => now).replayWebhook(delivery.webhookId, from, now);
    await recoveryRecord.write(persistence, { coveredUntil: now });
    return { replayed: true, from, to: now };
}

/** The scheduler's entry point (the app's start schedules it once). Best effort: X refusing is logged, not a failed job. */
export async function runRecovery(read: IRead, _modify: IModify, http: IHttp, persistence: IPersistence, logger: ILogger): Promise<void> {
    try {
        await recoverMissedEvents(read, http, persistence, Date.now());
    } catch (e) {
        logger.warn(`Could not ask X to replay missed events: ${toXFailure(e, Date.now()).kind}`);
    }
}
