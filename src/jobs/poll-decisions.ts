/**
 * The poller's decisions, as pure functions of its stored state (jobs/poller.ts does the I/O): how many
 * events to ask for, how far back to read, whether a request may go now, and how many runs to wait.
 *
 * Every wait is counted in the poller's own runs, not read off this server's clock: Rocket.Chat's
 * scheduler runs the job once per interval for the whole cluster, so runs are the cluster's time, and
 * X's limit is a count per window of that time.
 */
import type { PollState } from '../storage/job-state';

export const MAX_PAGE = 100;
export const MAX_PAGES_PER_RUN = 5;
/** After this many empty polls in a row, wait longer between polls (up to QUIET_MAX_DELAY). */
const QUIET_AFTER = 3;
const QUIET_MAX_DELAY_MS = 15 * 60_000;
/** X's limit for GET /2/dm_events: 15 requests per 15 minutes per user (docs: x-api/fundamentals/rate-limits). */
const READ_LIMIT = 15;
const READ_WINDOW_MS = 15 * 60_000;
/** No wait is longer than this: the quiet back-off's maximum and X's rate-limit window are both 15 minutes. */
const LONGEST_WAIT_MS = Math.max(QUIET_MAX_DELAY_MS, READ_WINDOW_MS);
/**
 * Requests are paced by a credit: X's limit spread over the window's runs accrues each run, up to a few
 * (so a quiet spell does not let a burst of requests spend the window at once and leave minutes without
 * a poll); a poll starts with a whole credit, further pages may run a small debt. The window's count
 * still caps everything, so X's limit is never passed.
 */
const CREDIT_MAX = 3;
const PAGE_GROWTH = 4;
const PAGE_DEBT = 2;
/** New events per run: how fast the average follows traffic (a burst's end costs reads until it does). */
const AVERAGE_WEIGHT = 0.5;
/** The first poll also takes DMs from shortly before linking: customers who wrote during set-up are not lost. */
const FIRST_POLL_LOOKBACK_MS = 10 * 60_000;

/** Runs a rate-limit window spans at this interval, plus one for the scheduler's jitter. */
const windowRuns = (intervalMs: number) => Math.ceil(READ_WINDOW_MS / intervalMs) + 1;

/** Runs the longest wait spans at this interval. */
const longestWaitRuns = (intervalMs: number) => Math.ceil(LONGEST_WAIT_MS / intervalMs);

/** This run's state before any request: its number, the runs still to skip, the window's requests, the credit. */
export interface RunStart {
    run: number;
    state: PollState;
}

/**
 * Starts a run from the stored state. Runs to skip were counted at the interval of the run that set them:
 * they are clamped to what the longest wait spans at the current interval, so raising the interval does
 * not stretch a 15-minute wait into hours. A wait written by an earlier version (a time on the server's
 * clock) becomes runs to skip.
 */
export function startRun(stored: PollState | undefined, now: number, intervalMs: number): RunStart {
    const previous: PollState = stored ?? { averageNew: 1, consecutiveEmpty: 0 };
    const run = (previous.runs ?? 0) + 1;
    const legacyWait =
        previous.notBefore && previous.notBefore > now ? Math.ceil((previous.notBefore - now) / intervalMs) : 0;
    return {
        run,
        state: {
            ...previous,
            notBefore: undefined,
            skipRuns: Math.min(longestWaitRuns(intervalMs), Math.max(previous.skipRuns ?? 0, legacyWait)),
            requestRuns: (previous.requestRuns ?? []).filter((r) => r > run - windowRuns(intervalMs)),
            credit: Math.min(CREDIT_MAX, (previous.credit ?? CREDIT_MAX) + READ_LIMIT / windowRuns(intervalMs)),
        },
    };
}

/** Whether one more request may go in this run: X's window count allows it and the credit covers it. */
export function mayRequest(requestsInWindow: number, credit: number, pagesThisRun: number): boolean {
    return requestsInWindow < READ_LIMIT && credit >= (pagesThisRun === 0 ? 1 : 1 - PAGE_DEBT);
}

/**
 * How many events to ask for first: what usually arrives in that many runs, plus the already-seen newest
 * one that shows where new events end; when nothing usually arrives, just that one (X bills every event returned).
 */
export function firstPageSize(averageNew: number, runs: number): number {
    const expected = averageNew * runs;
    return expected < 0.5 ? 1 : Math.min(MAX_PAGE, Math.ceil(expected) + 1);
}

/**
 * The next page of a walk that has not reached the cursor: more than expected arrived (a burst), and X's
 * request budget is the tighter limit, so pages grow fourfold — or less when the events read so far show
 * (X's timestamps) how few are left (`left`, see eventsLeft).
 */
export function nextPageSize(pageSize: number, left: number = MAX_PAGE): number {
    return Math.min(MAX_PAGE, pageSize * PAGE_GROWTH, left);
}

/**
 * Events left between the oldest read and the cursor, at the density of the `read` events just read, plus
 * the one that shows the end: an upper bound only worth using with enough events read (else MAX_PAGE).
 */
export function eventsLeft(read: number, newestAt: number, oldestAt: number, cursorAt: number | undefined): number {
    if (cursorAt === undefined || read < 8) return MAX_PAGE;
    const span = Math.max(1000, newestAt - oldestAt);
    return Math.max(2, Math.ceil((read * Math.max(0, oldestAt - cursorAt)) / span) + 1);
}

/**
 * How far back to read: an event at or before the cursor was handled by an earlier poll (the cursor may
 * be a time alone: where Automatic delivery handed over from the webhook); with no cursor, what was
 * written shortly before linking.
 */
export function isBeyondCursor(
    cursor: Pick<PollState, 'newestEventId' | 'newestCreatedAt'>,
    linkedAt: number,
    eventId: string,
    createdAt: number,
): boolean {
    if (cursor.newestEventId && eventId === cursor.newestEventId) return true;
    if (cursor.newestCreatedAt !== undefined) return createdAt < cursor.newestCreatedAt;
    return createdAt < linkedAt - FIRST_POLL_LOOKBACK_MS;
}

export interface RunOutcome {
    /** Requests made this run. */
    pages: number;
    newEvents: number;
    /** X's failure, if a request failed: a 429 waits for X's reset (`retryAt`, on X's clock). */
    failure?: { kind: string; retryAt?: number };
}

/**
 * Runs to wait after this one: quiet spells back off (doubling after QUIET_AFTER empty polls, up to 15
 * minutes), a 429 waits for X's reset — more than a window away means the clocks disagree, so one window.
 */
export function runsToWait(consecutiveEmpty: number, outcome: RunOutcome, now: number, intervalMs: number): number {
    const quiet =
        outcome.pages > 0 && consecutiveEmpty >= QUIET_AFTER
            ? Math.min(Math.ceil(QUIET_MAX_DELAY_MS / intervalMs), 2 ** (consecutiveEmpty - QUIET_AFTER + 1)) - 1
            : 0;
    const reset =
        outcome.failure?.kind === 'rate-limited'
            ? Math.ceil(
                  Math.min(READ_WINDOW_MS, Math.max(intervalMs, (outcome.failure.retryAt ?? 0) - now)) / intervalMs,
              )
            : 0;
    return Math.max(quiet, reset);
}

/** Empty polls in a row: a poll that found nothing (and did not fail) adds one; anything else resets. */
export function nextConsecutiveEmpty(previous: number, outcome: RunOutcome): number {
    if (outcome.pages === 0) return previous;
    return outcome.newEvents === 0 && !outcome.failure ? previous + 1 : 0;
}

/** The moving average of new events per run, which sizes the next first page. */
export function nextAverageNew(previous: number, outcome: RunOutcome, runsSincePoll: number): number {
    if (outcome.pages === 0) return previous;
    return previous * (1 - AVERAGE_WEIGHT) + (outcome.newEvents / runsSincePoll) * AVERAGE_WEIGHT;
}
