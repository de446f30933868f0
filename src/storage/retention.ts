/** How long dedupe markers are kept (jobs/housekeeping.ts drops older ones) and what follows for deliveries. */
import { DAY, HOUR } from '../lib/time';
import { MIN_RETENTION_DAYS } from '../settings/ids';

/** The *Retention (days)* setting can go no lower: the markers would not outlive DEDUPE_HORIZON. */
export const SEEN_RETENTION_DAYS = MIN_RETENTION_DAYS;
/**
 * Deliveries of events older than this are refused (bridge/webhook-events.ts), so an event is either new or
 * still has its seen marker: a replay can never be taken for a new DM. It covers everything X sends
 * again: retries end within minutes (3 s, 27 s, 242 s), X Activity API replays reach back 24 hours,
 * Account Activity API replays five days (docs: x-api/account-activity/create-replay-job). A marker
 * lives at least SEEN_RETENTION_DAYS after it was written; the hour spares clock differences with X.
 */
export const DEDUPE_HORIZON_MS = SEEN_RETENTION_DAYS * DAY - HOUR;
