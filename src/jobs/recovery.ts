/**
 * Gap recovery for webhook modes: X stops retrying a delivery after about five minutes, so DMs sent while
 * Rocket.Chat was down or the webhook was invalid would be lost. When the app starts (and when the health
 * check repairs the webhook) X is asked to replay the window since the last event known; deliveries
 * already handled are dropped by the usual exactly-once claims, so the replay is safe. Every instance
 * schedules it when it starts (several at once in a cluster): a claim lets one of them ask X.
 */
import { randomBytes } from 'crypto';
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { toXFailure } from '../x/errors';
import { xClientFor } from '../bridge/build-context';
import { lastEventRecord } from '../admin/status';
import { DeliveryMode } from '../settings/ids';
import { readSettings } from '../settings/reader';
import { deliveryRecord, readAccount } from '../storage/account';
import { miscKey } from '../storage/associations';
import { wins } from '../storage/conversations';
import { KeyedRecord } from '../storage/records';
import { DAY, MINUTE } from '../lib/time';

/** Up to when a replay was already requested, so restarts in a row do not replay the same window again. */
const recoveryRecord = KeyedRecord.named<{ coveredUntil: number }>('x-recovery');

/** X replays at most the last 24 hours, in whole minutes; a margin covers clock skew and the last write. */
const MARGIN = 5 * MINUTE;

/**
 * Claims on asking X for a replay: create-only, the first live one wins; older ones belong to finished or dead
 * runs. A run drops only its own claim (by record id), never another instance's.
 */
const claimKey = miscKey('x-recovery-claim');
const CLAIM_LIFETIME = 5 * MINUTE;

async function claimRecovery(read: IRead, persistence: IPersistence, now: number): Promise<{ won: boolean; release(): Promise<void> }> {
    const claim = randomBytes(9).toString('base64url');
    const recordId = await persistence.createWithAssociation({ type: 'recovery-claim', claim, at: now }, claimKey);
    const claims = (await read.getPersistenceReader().readByAssociation(claimKey)) as unknown as { claim?: string; at?: number }[];
    const live = claims.filter((c) => c.claim === claim || now - (c.at ?? 0) < CLAIM_LIFETIME);
    return { won: wins(live, claim), release: async () => void (await persistence.remove(recordId)) };
}

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
    const claim = await claimRecovery(read, persistence, now);
    try {
        if (!claim.won) return { replayed: false, reason: 'another instance is asking X' };
        // A claim is first only among live ones: another instance may have asked X, recorded it and dropped its
        // claim between our reading of the coverage and our claim. Its replay reached (almost) now, like ours would.
        const coveredNow = (await recoveryRecord.read(reader))?.coveredUntil ?? 0;
        if (coveredNow > (recovered?.coveredUntil ?? 0)) return { replayed: false, reason: 'another instance asked X meanwhile' };
        await xClientFor(read, http, persistence, settings, () => now).replayWebhook(delivery.webhookId, from, now);
        await recoveryRecord.write(persistence, { coveredUntil: now });
    } finally {
        await claim.release();
    }
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
