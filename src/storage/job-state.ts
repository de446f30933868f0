/**
 * What the scheduled jobs keep between runs, one record each (per linked account where the job works for
 * one): any instance may run a job, so its state lives in persistence.
 */
import type { I18nKey } from '../i18n/translate';
import { miscKey } from './associations';
import { KeyedRecord, PerAccountRecord } from './records';
import type { Gap } from '../x/replay-window';

/** Polling delivery (jobs/poller.ts). */
export interface PollState {
    /** The cursor: this event and everything before it were handed to the pipeline (the stop marker). */
    newestEventId?: string;
    newestCreatedAt?: number;
    /**
     * A walk down from `top` toward the cursor that one run could not finish (a burst larger than a run's
     * pages, or X's limit): the next run continues from `token`; only when it reaches the cursor does the
     * cursor move up to `top`, so nothing between is skipped.
     */
    walk?: { token: string; topEventId: string; topCreatedAt: number; nextSize?: number };
    /** Moving average of new events per run (polled or skipped), to size the first page. */
    averageNew: number;
    /** Runs of the job so far (each scheduler run, polled or skipped). */
    runs?: number;
    /** The run that last polled. */
    lastPollRun?: number;
    /** Runs still to skip (429 reset, quiet back-off). */
    skipRuns?: number;
    /** The runs that made each request to X within the last rate-limit window (one entry per request). */
    requestRuns?: number[];
    /** Requests this run may still make (see CREDIT_MAX). */
    credit?: number;
    /** Before version 0.2: do not poll before this time on the server's clock (read once, then dropped). */
    notBefore?: number;
    consecutiveEmpty: number;
    /** DMs whose handling threw, by event id, with the number of polls that tried: the cursor waits for them. */
    failedEvents?: Record<string, number>;
    lastPollAt?: number;
    lastError?: string;
    pausedByCap?: boolean;
}

export const pollStateRecords = new PerAccountRecord<PollState>('x-poll-state');

/** The daily health check (jobs/health.ts): the problems it found open, and since when. */
export type HealthCheckName = 'token' | 'webhook' | 'subscriptions';

export interface HealthState {
    open: Partial<Record<HealthCheckName, { since: number; reason: I18nKey }>>;
}

export const healthRecords = new PerAccountRecord<HealthState>('x-health');

/** Replays of missed webhook events (jobs/recovery.ts). */
export interface RecoveryState {
    /** Up to when a replay was already requested, so restarts in a row do not replay the same window again. */
    coveredUntil: number;
    /** Part of a gap X would not replay yet (too recent), asked for later. */
    owed?: Gap;
}

export const recoveryRecords = new PerAccountRecord<RecoveryState>('x-recovery');

/**
 * Claims on asking X for a replay: create-only, the first live one wins; older ones belong to finished or dead
 * runs. A run drops only its own claim (by record id), never another instance's. Keyed by the webhook: X
 * replays a webhook for every account delivered to it.
 */
export const recoveryClaimKeyOf = (webhookId: string) => miscKey(`x-recovery-claim:${webhookId}`);
/** Where versions before several accounts filed their claims (live for minutes at most; dropped on upgrade). */
export const legacyRecoveryClaimKey = miscKey('x-recovery-claim');

/**
 * Depleted X credits (admin/credits.ts, jobs/credits-probe.ts): everything pauses until X accepts calls again.
 * Credits belong to the X developer app, so one pause for every account.
 */
export interface CreditsPause {
    /** When X first answered 402. */
    since: number;
    /** When the probe asks X again. */
    nextProbeAt: number;
    probes: number;
}

export const creditsPauseRecord = KeyedRecord.named<CreditsPause>('x-credits-paused');
