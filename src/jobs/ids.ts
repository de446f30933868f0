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
