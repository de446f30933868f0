/**
 * Gap recovery for webhook modes: X stops retrying a delivery after about five minutes, skips deliveries
 * to a webhook it marked invalid and withholds billed ones while credits are used up, so DMs of such a
 * gap would be lost. When the app starts, when the health check repairs the webhook and when credits come
 * back, X is asked to replay the gap; deliveries already handled are dropped by the usual exactly-once
 * claims, so a replay is safe. X replays only windows that ended at least 10 minutes ago (replay-window.ts):
 * the recent rest of a gap is remembered and asked for by a one-off run of this job once X accepts it.
 * Every instance schedules recovery when it starts (several at once in a cluster): a claim lets one of them ask X.
 */
import { randomBytes } from 'crypto';
import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { toXFailure } from '../x/errors';
import { xClientFor } from '../bridge/build-context';
import { DeliveryMode } from '../settings/ids';
import { AppSettings, readSettings } from '../settings/reader';
import { deliveryRecords, LinkedAccount, listAccounts, readForAccount } from '../storage/accounts';
import { wins } from '../storage/claims';
import { MINUTE } from '../lib/time';
import { Gap, planReplay } from '../x/replay-window';
import { XFailure } from '../x/client-types';
import { RECOVERY_JOB_ID, scheduleAt } from './ids';
import type { JobSpec } from './processor';
import { lastEventRecords } from '../storage/admin-state';
import { recoveryClaimKeyOf, recoveryRecords, RecoveryState } from '../storage/job-state';

/** The last event is noted at most once a minute per instance; the margin also covers clock skew. */
const MARGIN = 5 * MINUTE;
/** When X refused or failed the request itself, ask again this much later. */
const RETRY_AFTER = 5 * MINUTE;

const CLAIM_LIFETIME = 5 * MINUTE;

async function claimRecovery(
    read: IRead,
    persistence: IPersistence,
    accountId: string,
    now: number,
): Promise<{ won: boolean; release(): Promise<void> }> {
    const claim = randomBytes(9).toString('base64url');
    const key = recoveryClaimKeyOf(accountId);
    const recordId = await persistence.createWithAssociation({ type: 'recovery-claim', claim, at: now }, key);
    const claims = (await read.getPersistenceReader().readByAssociation(key)) as unknown as {
        claim?: string;
        at?: number;
    }[];
    const live = claims.filter((c) => c.claim === claim || now - (c.at ?? 0) < CLAIM_LIFETIME);
    return { won: wins(live, claim), release: async () => void (await persistence.remove(recordId)) };
}

export type RecoveryOutcome = { replayed: boolean; from?: number; to?: number; owedUntil?: number; reason?: string };

export interface RecoveryOptions {
    /** The gap started here (e.g. when credits ran out); default: the last event known. */
    from?: number;
    /** Only what an earlier run could not ask for yet (the one-off follow-up). */
    owedOnly?: boolean;
}

export interface RecoveryAccessors {
    read: IRead;
    modify: IModify;
    http: IHttp;
    persistence: IPersistence;
}

/**
 * Where a gap starts: after the last event known, or earlier when the caller knows an earlier start. Never later:
 * X may have withheld deliveries before the app noticed (credits run out silently; the app learns it from its
 * next call, up to a health-check interval later), and a request that starts too early only costs duplicates.
 */
export function gapStart(knownFrom: number | undefined, lastKnown: number): number {
    return Math.min(knownFrom ?? lastKnown, lastKnown);
}

/** Asks X to replay what it could not deliver for `account` (each account keeps its own state and claim). */
export async function recoverMissedEvents(
    a: RecoveryAccessors,
    account: Pick<LinkedAccount, 'accountId' | 'authMethod'>,
    now: number,
    options: RecoveryOptions = {},
): Promise<RecoveryOutcome> {
    const reader = a.read.getPersistenceReader();
    const accountId = account.accountId;
    const [delivery, settings, state] = await Promise.all([
        readForAccount(reader, deliveryRecords, accountId),
        readSettings(a.read),
        readForAccount(reader, recoveryRecords, accountId),
    ]);
    if (!delivery?.webhookId) return { replayed: false, reason: 'no webhook delivery' };
    if (delivery.mode === DeliveryMode.Polling) return { replayed: false, reason: 'polling reads from its own cursor' };
    const gaps: Gap[] = state?.owed ? [state.owed] : [];
    if (!options.owedOnly) {
        const last = await readForAccount(reader, lastEventRecords, accountId);
        const since = gapStart(options.from, Math.max(state?.coveredUntil ?? 0, last?.at ?? 0, delivery.registeredAt));
        gaps.push({ from: since - MARGIN, until: now });
    }
    if (gaps.length === 0) return { replayed: false, reason: 'nothing owed' };
    const claim = await claimRecovery(a.read, a.persistence, accountId, now);
    try {
        if (!claim.won) return { replayed: false, reason: 'another instance is asking X' };
        // A claim is first only among live ones: another instance may have asked X, recorded it and dropped its
        // claim between our reading of the state and our claim. Its request reached (almost) now, like ours would.
        const current = await readForAccount(reader, recoveryRecords, accountId);
        if (JSON.stringify(current ?? null) !== JSON.stringify(state ?? null))
            return { replayed: false, reason: 'another instance asked X meanwhile' };
        return await requestReplay(a, account, delivery.webhookId, settings, state, gaps, now);
    } finally {
        await claim.release();
    }
}

async function requestReplay(
    a: RecoveryAccessors,
    account: Pick<LinkedAccount, 'accountId' | 'authMethod'>,
    webhookId: string,
    settings: AppSettings,
    state: RecoveryState | undefined,
    gaps: Gap[],
    now: number,
): Promise<RecoveryOutcome> {
    const gap = { from: Math.min(...gaps.map((g) => g.from)), until: Math.max(...gaps.map((g) => g.until)) };
    const plan = planReplay(gap, now);
    const next: RecoveryState = { coveredUntil: state?.coveredUntil ?? 0 };
    const record = recoveryRecords.of(account.accountId);
    let outcome: RecoveryOutcome = { replayed: false, reason: 'X does not replay this window yet' };
    if (plan.request) {
        try {
            await xClientFor(a.read, a.http, a.persistence, settings, () => now, { account }).replayWebhook(
                webhookId,
                plan.request.from,
                plan.request.until,
            );
            next.coveredUntil = Math.max(next.coveredUntil, plan.request.until);
            outcome = { replayed: true, from: plan.request.from, to: plan.request.until };
        } catch (e) {
            const failure = toXFailure(e, now);
            // The webhook is gone: nothing can be replayed to it. Anything else: the whole gap is asked for again.
            if (failure.kind === 'not-found') {
                await record.write(a.persistence, next);
                throw failure;
            }
            next.owed = gap;
            await record.write(a.persistence, next);
            await scheduleFollowUp(a.modify, account.accountId, now + RETRY_AFTER);
            throw failure;
        }
    }
    if (plan.owed) {
        next.owed = { from: plan.owed.from, until: plan.owed.until };
        outcome.owedUntil = plan.owed.until;
        await scheduleFollowUp(a.modify, account.accountId, plan.owed.askAt);
    }
    await record.write(a.persistence, next);
    return outcome;
}

/** A one-off run of the recovery job for what X does not replay yet. */
async function scheduleFollowUp(modify: IModify, accountId: string, at: number): Promise<void> {
    await scheduleAt(modify, RECOVERY_JOB_ID, at, { owedOnly: true, accountId });
}

/**
 * The scheduler's entry point: scheduled once when the app starts (everything since the last event), and
 * as a follow-up for the rest of a gap. Best effort: X refusing is logged, not a failed job.
 */
export const recoveryJob: JobSpec<typeof RECOVERY_JOB_ID> = {
    id: RECOVERY_JOB_ID,
    needs: 'app',
    run: async (ctx, job) => {
        const now = ctx.now();
        // A follow-up names its account; the start-up run (and follow-ups of versions that served one
        // account) covers every account.
        const accounts = (await listAccounts(ctx.read.getPersistenceReader())).filter(
            (account) => job.accountId === undefined || account.accountId === job.accountId,
        );
        await Promise.all(
            accounts.map(async (account) => {
                try {
                    await recoverMissedEvents(ctx, account, now, { owedOnly: job.owedOnly === true });
                } catch (e) {
                    ctx.logger.warn(
                        `Could not ask X to replay missed events for @${account.username}: ${e instanceof XFailure ? e.kind : toXFailure(e, now).kind}`,
                    );
                }
            }),
        );
    },
};
