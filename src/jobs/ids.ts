import type { IModify } from '@rocket.chat/apps-engine/definition/accessors';
import type { VerifyJobData } from '../storage/waiting-messages';
import { IRecurringStartup, StartupType } from '@rocket.chat/apps-engine/definition/scheduler';

/** Scheduler processor ids (Rocket.Chat stores jobs under these names: renaming one orphans them). */
export const POLLER_JOB_ID = 'x-poll-dm-events';
export const PENDING_JOB_ID = 'x-retry-pending';
export const HOUSEKEEPING_JOB_ID = 'x-housekeeping';
export const MIRROR_JOB_ID = 'x-mirror-native-replies';
export const SETTINGS_JOB_ID = 'x-apply-settings';
export const HEALTH_JOB_ID = 'x-health-check';
export const RECOVERY_JOB_ID = 'x-recover-missed-events';
export const VERIFY_JOB_ID = 'x-verify-in-doubt';
export const CREDITS_PROBE_JOB_ID = 'x-credits-probe';
/** The outbox: one-time wake-ups when queued DMs become due, and a recurring sweep. */
export const OUTBOX_JOB_ID = 'x-outbox';

export type JobId =
    | typeof POLLER_JOB_ID
    | typeof PENDING_JOB_ID
    | typeof HOUSEKEEPING_JOB_ID
    | typeof MIRROR_JOB_ID
    | typeof SETTINGS_JOB_ID
    | typeof HEALTH_JOB_ID
    | typeof RECOVERY_JOB_ID
    | typeof VERIFY_JOB_ID
    | typeof CREDITS_PROBE_JOB_ID
    | typeof OUTBOX_JOB_ID;

/**
 * What each job's runs carry (Agenda stores it with the job; jobs/processor.ts checks it before a run sees
 * it). Jobs not listed carry nothing.
 */
interface JobDataById {
    /** Only what X does not replay yet (a follow-up), for one account (absent: every account). */
    [RECOVERY_JOB_ID]: { owedOnly?: boolean; accountId?: string };
    /** The customer whose DM is in doubt, and its event. */
    [VERIFY_JOB_ID]: VerifyJobData;
    /** A wake-up for one account's queued DMs (absent: the recurring sweep, every account). */
    [OUTBOX_JOB_ID]: { accountId?: string };
}

export type JobData<Id extends JobId> = Id extends keyof JobDataById ? JobDataById[Id] : Record<string, never>;

/** Schedules a one-off run of `id` at `at`, rounded up to the second (Agenda's precision). */
export async function scheduleAt<Id extends JobId>(
    modify: IModify,
    id: Id,
    at: number,
    data: JobData<Id>,
): Promise<void> {
    const when = new Date(Math.ceil(at / 1000) * 1000);
    await modify.getScheduler().scheduleOnce({ id, when, data });
}

/**
 * Recurring jobs registered at every start. Registered again without skipImmediate, Agenda keeps the job's
 * next run; with it, Agenda pushes the next run a whole interval forward each time (packages/agenda:
 * Job.repeatEvery, Agenda._saveSingleJob) — a 24-hour job would never run on a server restarted daily. So
 * none skips: the first registration runs the job once at once, later ones keep its schedule.
 */
export const recurringAtStartup = (interval: string): IRecurringStartup => ({
    type: StartupType.RECURRING,
    interval,
    skipImmediate: false,
});
