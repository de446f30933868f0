/**
 * Which part of a gap X will replay now. X's rules (docs: account-activity quickstart, "Replay";
 * research/x-api.md §12): minute precision, `from_date` inclusive and no more recent than 31 minutes ago,
 * `to_date` exclusive and at least 10 minutes ago, both within the last 24 hours. The spec calls `to_date`
 * inclusive for /2/webhooks/replay; the window is built to be right under the stricter reading.
 * A minute of margin on each bound absorbs clock differences with X.
 */
import { DAY, MINUTE } from '../lib/time';

/** `to_date` must be at least this old (X: 10 minutes), and `from_date` this old (X: 31 minutes). */
export const REPLAY_TO_MIN_AGE = 11 * MINUTE;
export const REPLAY_FROM_MIN_AGE = 32 * MINUTE;
/** X replays at most the last 24 hours; a minute less, so a request never starts outside it. */
const REPLAY_HORIZON = DAY - MINUTE;

export interface Gap {
    from: number;
    until: number;
}

export interface ReplayPlan {
    /** The request to make now ([from, to), whole minutes), if X accepts any of the gap yet. */
    request?: Gap;
    /** What X will only accept later (its end is too recent), and when to ask for it. */
    owed?: Gap & { askAt: number };
    /** The part of the gap older than X's 24 hours: it cannot be replayed any more. */
    lost?: Gap;
}

const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
const ceilMinute = (ms: number) => Math.ceil(ms / MINUTE) * MINUTE;

/** Pure: the replay request for `gap` at `now`, and what remains for later. */
export function planReplay(gap: Gap, now: number): ReplayPlan {
    const plan: ReplayPlan = {};
    const oldest = ceilMinute(now - REPLAY_HORIZON);
    let from = floorMinute(gap.from);
    const until = ceilMinute(gap.until);
    if (from < oldest) {
        plan.lost = { from, until: Math.min(until, oldest) };
        from = oldest;
    }
    if (until <= from) return plan;
    // The request may start earlier than the gap (already-handled events are dropped as duplicates).
    const requestFrom = Math.min(from, floorMinute(now - REPLAY_FROM_MIN_AGE));
    const requestTo = Math.min(until, floorMinute(now - REPLAY_TO_MIN_AGE));
    if (requestTo > from) plan.request = { from: requestFrom, until: requestTo };
    const coveredTo = plan.request ? requestTo : from;
    if (until > coveredTo) plan.owed = { from: coveredTo, until, askAt: until + REPLAY_TO_MIN_AGE };
    return plan;
}
