/** Scheduler processor ids (Rocket.Chat stores jobs under these names: renaming one orphans them). */
export const POLLER_JOB_ID = 'x-poll-dm-events';
export const PENDING_JOB_ID = 'x-retry-pending';
export const HOUSEKEEPING_JOB_ID = 'x-housekeeping';
export const MIRROR_JOB_ID = 'x-mirror-native-replies';
export const SETTINGS_JOB_ID = 'x-apply-settings';
export const HEALTH_JOB_ID = 'x-health-check';
export const RECOVERY_JOB_ID = 'x-recover-missed-events';
export const VERIFY_JOB_ID = 'x-verify-in-doubt';
