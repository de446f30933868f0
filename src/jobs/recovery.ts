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
import { IHttp, IModify, IPersistence, IPersistenceRead, IRead } from '@rocket.chat/apps-engine/definition/accessors';
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
    webhookId: string,
    now: number,
): Promise<{ won: boolean; release(): Promise<void> }> {
    const claim = randomBytes(9).toString('base64url');
    const key = recoveryClaimKeyOf(webhookId);
    const recordId = await persistence.createWithAssociation({ type: 'recovery-claim', claim, at: now }, key);
    const claims = (await read.getPersistenceReader().readByAssociation(key)) as unknown as {
        claim?: string;
        at?: number;
    }[];
    const live = claims.filter((c) => c.claim === claim || now - (c.at ?? 0) < CLAIM_LIFETIME);
    return { won: wins(live, claim), release: async () => void (await persistence.remove(recordId)) };
}

export type RecoveryOutcome = {
    replayed: boolean;
    from?: number;
    to?: number;
    owedUntil?: number;
    reason?: string;
    /** The accounts this run answered for (every account delivered to the webhook it asked about). */
    covered?: string[];
};

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

/**
 * Asks X to replay what it could not deliver for `account`. X replays a webhook, not an account
 * (`POST /2/webhooks/replay` is app-only), so one request covers every account delivered to the same
 * webhook: the claim is the webhook's, the gap the earliest of those accounts' gaps, and what it covered is
 * written for each of them (a second account's run then finds nothing new to ask for).
 */
export async function recoverMissedEvents(
    a: RecoveryAccessors,
    account: Pick<LinkedAccount, 'accountId' | 'authMethod'>,
    now: number,
    options: RecoveryOptions = {},
): Promise<RecoveryOutcome> {
    const reader = a.read.getPersistenceReader();
    const [delivery, settings] = await Promise.all([
        readForAccount(reader, deliveryRecords, account.accountId),
        readSettings(a.read),
    ]);
    if (!delivery?.webhookId) return { replayed: false, reason: 'no webhook delivery' };
    if (delivery.mode === DeliveryMode.Polling) return { replayed: false, reason: 'polling reads from its own cursor' };
    const webhookId = delivery.webhookId;
    const sharing = await accountsOnWebhook(reader, webhookId, account.accountId, delivery.registeredAt);
    const readStates = () =>
        Promise.all(sharing.map(({ accountId }) => readForAccount(reader, recoveryRecords, accountId)));
    const states = await readStates();
    const gaps: Gap[] = states.flatMap((state) => (state?.owed ? [state.owed] : []));
    if (!options.owedOnly) {
        const starts = await Promise.all(
            sharing.map(async ({ accountId, registeredAt }, i) => {
                const last = await readForAccount(reader, lastEventRecords, accountId);
                return gapStart(options.from, Math.max(states[i]?.coveredUntil ?? 0, last?.at ?? 0, registeredAt));
            }),
        );
        gaps.push({ from: Math.min(...starts) - MARGIN, until: now });
    }
    if (gaps.length === 0) return { replayed: false, reason: 'nothing owed' };
    const claim = await claimRecovery(a.read, a.persistence, webhookId, now);
    try {
        if (!claim.won) return { replayed: false, reason: 'another instance is asking X' };
        // A claim is first only among live ones: another instance may have asked X, recorded it and dropped its
        // claim between our reading of the state and our claim. Its request reached (almost) now, like ours would.
        if (JSON.stringify(await readStates()) !== JSON.stringify(states))
            return { replayed: false, reason: 'another instance asked X meanwhile' };
        const coveredUntil = Math.max(0, ...states.map((state) => state?.coveredUntil ?? 0));
        const outcome = await requestReplay(a, account, sharing, webhookId, settings, coveredUntil, gaps, now);
        return { ...outcome, covered: sharing.map(({ accountId }) => accountId) };
    } finally {
        await claim.release();
    }
}

/** The accounts delivered to `webhookId` (the asking one first, whatever the registry shows). */
async function accountsOnWebhook(
    reader: IPersistenceRead,
    webhookId: string,
    accountId: string,
    registeredAt: number,
): Promise<{ accountId: string; registeredAt: number }[]> {
    const others = (await listAccounts(reader)).filter((other) => other.accountId !== accountId);
    const deliveries = await Promise.all(
        others.map((other) => readForAccount(reader, deliveryRecords, other.accountId)),
    );
    return [
        { accountId, registeredAt },
        ...others.flatMap((other, i) => {
            const d = deliveries[i];
            return d?.webhookId === webhookId && d.mode !== DeliveryMode.Polling
                ? [{ accountId: other.accountId, registeredAt: d.registeredAt }]
                : [];
        }),
    ];
}

async function requestReplay(
    a: RecoveryAccessors,
    account: Pick<LinkedAccount, 'accountId' | 'authMethod'>,
    sharing: { accountId: string }[],
    webhookId: string,
    settings: AppSettings,
    coveredUntil: number,
    gaps: Gap[],
    now: number,
): Promise<RecoveryOutcome> {
    const gap = { from: Math.min(...gaps.map((g) => g.from)), until: Math.max(...gaps.map((g) => g.until)) };
    const plan = planReplay(gap, now);
    const next: RecoveryState = { coveredUntil };
    const record = {
        write: (persistence: IPersistence, state: RecoveryState) =>
            Promise.all(sharing.map(({ accountId }) => recoveryRecords.of(accountId).write(persistence, state))),
    };
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
        // One after the other, as the health check does: the first one's request covers the webhook the
        // accounts share and they are skipped (in parallel, or asked again, each would have X replay it all).
        const covered = new Set<string>();
        for (const account of accounts) {
            if (covered.has(account.accountId)) continue;
            try {
                const outcome = await recoverMissedEvents(ctx, account, now, { owedOnly: job.owedOnly === true });
                for (const accountId of outcome.covered ?? []) covered.add(accountId);
            } catch (e) {
                ctx.logger.warn(
                    `Could not ask X to replay missed events for @${account.username}: ${e instanceof XFailure ? e.kind : toXFailure(e, now).kind}`,
                );
            }
        }
    },
};
