/**
 * Polling delivery: reads /2/dm_events newest first in small pages and stops at the last event already
 * seen, so X bills (per event returned) little more than the new events. The first page is sized from
 * recent traffic; pages grow while they are all new. Quiet periods back off to save reads, the requests
 * stay within X's limit (15 reads per 15 minutes per account), a 429 waits for X's reset, and the daily
 * spending cap pauses polling. State lives in persistence: any instance may run it.
 *
 * Every wait is counted in the poller's own runs, not read off this server's clock: Rocket.Chat's
 * scheduler runs the job once per interval for the whole cluster, so runs are the cluster's time, and
 * X's limit is a count per window of that time.
 */
import type { BridgeContext } from '../bridge/context';
import { processInbound } from '../bridge/inbound';
import { DeliveryMode } from '../settings/ids';
import { totalsForDay } from '../storage/ledger';
import { utcDay } from '../lib/time';
import { normalizeDmEventsPage } from '../x/events/v2-dm';
import type { InboundEvent } from '../x/event-types';
import { XFailure } from '../x/client-types';
import { creditsPausedUntil } from '../admin/credits';
import { PollState, pollStateRecord } from '../storage/job-state';

const MAX_PAGE = 100;
const MAX_PAGES_PER_RUN = 5;
/** After this many empty polls in a row, wait longer between polls (up to QUIET_MAX_DELAY). */
const QUIET_AFTER = 3;
const QUIET_MAX_DELAY_MS = 15 * 60_000;
/** X's limit for GET /2/dm_events: 15 requests per 15 minutes per user (docs: x-api/fundamentals/rate-limits). */
const READ_LIMIT = 15;
const READ_WINDOW_MS = 15 * 60_000;
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

/**
 * How many events to ask for first: what usually arrives in that many runs, plus the already-seen newest
 * one that shows where new events end; when nothing usually arrives, just that one (X bills every event returned).
 */
function firstPageSize(averageNew: number, runs: number): number {
    const expected = averageNew * runs;
    return expected < 0.5 ? 1 : Math.min(MAX_PAGE, Math.ceil(expected) + 1);
}

/**
 * Events left between the oldest read and the cursor, at the density of the `read` events just read, plus
 * the one that shows the end: an upper bound only worth using with enough events read (else MAX_PAGE).
 */
function eventsLeft(read: number, newestAt: number, oldestAt: number, cursorAt: number | undefined): number {
    if (cursorAt === undefined || read < 8) return MAX_PAGE;
    const span = Math.max(1000, newestAt - oldestAt);
    return Math.max(2, Math.ceil((read * Math.max(0, oldestAt - cursorAt)) / span) + 1);
}

/** Runs a rate-limit window spans at this interval, plus one for the scheduler's jitter. */
const windowRuns = (intervalMs: number) => Math.ceil(READ_WINDOW_MS / intervalMs) + 1;

interface PollResult {
    newEvents: InboundEvent[];
    pages: number;
    read: number;
    reachedCursor: boolean;
}

/** The first poll also takes DMs from shortly before linking: customers who wrote during set-up are not lost. */
const FIRST_POLL_LOOKBACK_MS = 10 * 60_000;

/** Pure stop rule: an event at or before the cursor was handled by an earlier poll. */
function isBeyondCursor(state: PollState, linkedAt: number, eventId: string, createdAt: number): boolean {
    if (state.newestEventId) {
        if (eventId === state.newestEventId) return true;
        return state.newestCreatedAt !== undefined && createdAt < state.newestCreatedAt;
    }
    return createdAt < linkedAt - FIRST_POLL_LOOKBACK_MS;
}

export async function runPoll(ctx: BridgeContext): Promise<void> {
    const { read, persistence, logger } = ctx;
    if (ctx.settings.deliveryMode !== DeliveryMode.Polling) return;
    // X no longer accepts the account's token (the admins were told): polling would only collect 401s.
    if (ctx.account.revokedAt) return;
    const now = ctx.now();
    // X refuses calls until credits are added; the credits probe resumes polling from the same cursor.
    if (creditsPausedUntil(now)) return;
    const reader = read.getPersistenceReader();
    const stored: PollState = (await pollStateRecord.read(reader)) ?? { averageNew: 1, consecutiveEmpty: 0 };
    const interval = ctx.settings.pollingIntervalSeconds * 1000;
    const run = (stored.runs ?? 0) + 1;
    // A wait written by an earlier version (a time on the server's clock) becomes runs to skip.
    const legacyWait = stored.notBefore && stored.notBefore > now ? Math.ceil((stored.notBefore - now) / interval) : 0;
    const state: PollState = {
        ...stored,
        notBefore: undefined,
        skipRuns: Math.max(stored.skipRuns ?? 0, legacyWait),
        requestRuns: (stored.requestRuns ?? []).filter((r) => r > run - windowRuns(interval)),
        credit: Math.min(CREDIT_MAX, (stored.credit ?? CREDIT_MAX) + READ_LIMIT / windowRuns(interval)),
    };
    if ((state.skipRuns ?? 0) > 0) {
        await pollStateRecord.write(persistence, { ...state, runs: run, skipRuns: (state.skipRuns ?? 0) - 1 });
        return;
    }

    if (ctx.settings.dailyCapUsd > 0) {
        const today = await totalsForDay(reader, utcDay(now));
        if (today.usd >= ctx.settings.dailyCapUsd) {
            if (!state.pausedByCap)
                logger.warn(
                    `Polling paused: today's X cost $${today.usd.toFixed(2)} reached the cap of $${ctx.settings.dailyCapUsd}.`,
                );
            await pollStateRecord.write(persistence, { ...state, runs: run, pausedByCap: true, lastPollAt: now });
            return;
        }
    }

    const requestRuns = state.requestRuns ?? [];
    let credit = state.credit ?? CREDIT_MAX;
    const runsSincePoll = Math.max(1, run - (state.lastPollRun ?? run - 1));
    const client = await ctx.x();
    const result: PollResult = { newEvents: [], pages: 0, read: 0, reachedCursor: false };
    let top = state.walk ? { eventId: state.walk.topEventId, createdAt: state.walk.topCreatedAt } : undefined;
    let token = state.walk?.token;
    let pageSize = token ? (state.walk?.nextSize ?? MAX_PAGE) : firstPageSize(state.averageNew, runsSincePoll);
    let failure: XFailure | undefined;
    let oldestAt: number | undefined;
    try {
        // Within X's limit: a request only while the window's count allows it (a walk goes on next run).
        const allowed = () => requestRuns.length < READ_LIMIT && credit >= (result.pages === 0 ? 1 : 1 - PAGE_DEBT);
        while (result.pages < MAX_PAGES_PER_RUN && allowed()) {
            requestRuns.push(run);
            credit--;
            const page = await client.listDmEvents({ maxResults: pageSize, paginationToken: token });
            result.pages++;
            result.read += page.eventCount;
            const { events } = normalizeDmEventsPage(page.body, ctx.account.accountId);
            // normalizeDmEventsPage returns oldest first; walk from the newest back to the cursor.
            for (const event of [...events].reverse()) {
                oldestAt = event.createdAt;
                const id = event.kind === 'message' ? event.eventId : undefined;
                if (id && isBeyondCursor(state, ctx.account.linkedAt, id, event.createdAt)) {
                    result.reachedCursor = true;
                    break;
                }
                if (id && !top) top = { eventId: id, createdAt: event.createdAt };
                result.newEvents.push(event);
            }
            // The end of X's history counts as reaching the cursor: there is nothing older to read.
            if (!page.nextToken) result.reachedCursor = true;
            if (result.reachedCursor) break;
            token = page.nextToken;
            // More than expected arrived (a burst): X's request budget is the tighter limit, so pages grow
            // fourfold, or less when the events read so far show (X's timestamps) how few are left.
            pageSize = Math.min(
                MAX_PAGE,
                pageSize * PAGE_GROWTH,
                state.walk || !top || oldestAt === undefined
                    ? MAX_PAGE
                    : eventsLeft(result.newEvents.length, top.createdAt, oldestAt, state.newestCreatedAt),
            );
        }
    } catch (e) {
        if (!(e instanceof XFailure)) throw e;
        failure = e;
        // An expired pagination token cannot be continued: the next run walks down from the newest again.
        if (!failure.transient && state.walk) token = undefined;
    }

    await processInbound(ctx, result.newEvents);
    const count = result.newEvents.length;
    const polled = result.pages > 0;
    const consecutiveEmpty = !polled
        ? state.consecutiveEmpty
        : count === 0 && !failure
          ? state.consecutiveEmpty + 1
          : 0;
    const quietRuns =
        polled && consecutiveEmpty >= QUIET_AFTER
            ? Math.min(Math.ceil(QUIET_MAX_DELAY_MS / interval), 2 ** (consecutiveEmpty - QUIET_AFTER + 1)) - 1
            : 0;
    // X's reset is on X's clock: more than a window away means the clocks disagree, so one window.
    const resetRuns =
        failure?.kind === 'rate-limited'
            ? Math.ceil(Math.min(READ_WINDOW_MS, Math.max(interval, (failure.retryAt ?? 0) - now)) / interval)
            : 0;
    const finished = result.reachedCursor && !failure;
    const cursor =
        finished && top
            ? { newestEventId: top.eventId, newestCreatedAt: top.createdAt }
            : { newestEventId: state.newestEventId, newestCreatedAt: state.newestCreatedAt };
    await pollStateRecord.write(persistence, {
        ...cursor,
        walk:
            !finished && token && top
                ? { token, topEventId: top.eventId, topCreatedAt: top.createdAt, nextSize: pageSize }
                : undefined,
        averageNew: polled
            ? state.averageNew * (1 - AVERAGE_WEIGHT) + (count / runsSincePoll) * AVERAGE_WEIGHT
            : state.averageNew,
        runs: run,
        lastPollRun: polled ? run : state.lastPollRun,
        skipRuns: Math.max(quietRuns, resetRuns),
        requestRuns,
        credit,
        consecutiveEmpty,
        lastPollAt: polled ? now : state.lastPollAt,
        lastError: failure?.kind,
        pausedByCap: false,
    });
}
