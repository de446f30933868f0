/**
 * Polling delivery: reads /2/dm_events newest first in small pages and stops at the last event already
 * seen, so X bills (per event returned) little more than the new events. The first page is sized from
 * recent traffic; pages grow while they are all new. Quiet periods back off to save reads, the requests
 * stay within X's limit (15 reads per 15 minutes per account), a 429 waits for X's reset, and the daily
 * spending cap pauses polling. State lives in persistence: any instance may run it. The decisions are
 * pure functions (poll-decisions.ts); this module does the reading, posting and storing.
 *
 * Under Automatic delivery the poller also gives the webhook its retries on a back-off while it polls,
 * and after the webhook took over it polls on until the webhook has delivered an event, then stops.
 */
import type { ILogger, IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { DeliveryMode } from '../settings/ids';
import { totalsForDay } from '../storage/ledger';
import { utcDay } from '../lib/time';
import { normalizeDmEventsPage } from '../x/events/v2-dm';
import type { InboundEvent } from '../x/event-types';
import { XFailure } from '../x/client-types';
import { creditsPausedUntil } from '../admin/credits';
import { PollState, pollStateRecords } from '../storage/job-state';
import { deliveryRecords, readForAccount } from '../storage/accounts';
import { activeModeOf } from '../settings/delivery-modes';
import { automaticTurn } from '../admin/auto-delivery-turn';
import { endHandOver, webhookHasDelivered, webhookRetryDue } from '../admin/auto-delivery';
import type { BridgeContext } from '../bridge/context';
import { postEach, stillRetrying } from './poll-posting';
import { pollMentions } from './mentions-poll';
import {
    eventsLeft,
    firstPageSize,
    isBeyondCursor,
    MAX_PAGE,
    MAX_PAGES_PER_RUN,
    mayRequest,
    nextAverageNew,
    nextConsecutiveEmpty,
    nextPageSize,
    RunOutcome,
    runsToWait,
    startRun,
} from './poll-decisions';

interface PollResult {
    newEvents: InboundEvent[];
    pages: number;
    read: number;
    reachedCursor: boolean;
}

/** One account's poll (the job runs it for each linked account). */
export async function runPoll(ctx: BridgeContext, appId: string): Promise<void> {
    const { read, modify, http, persistence, logger, account } = ctx;
    const reader = read.getPersistenceReader();
    const delivery = await readForAccount(reader, deliveryRecords, account.accountId);
    const now = ctx.now();
    let handedOver = false;
    if (activeModeOf(ctx.settings, delivery?.mode) === DeliveryMode.Polling) {
        // Automatic: the webhook's retry, on its back-off (a success hands over to it, polling goes on below).
        if (webhookRetryDue(delivery, now))
            await automaticTurn({ read, modify, http, persistence, appId }, account.accountId, now, 'backoff');
    } else {
        // The webhook delivers. Automatic keeps polling after the switch until the webhook has delivered.
        if (!delivery?.automatic?.pollUntilEventAfter) return;
        handedOver = await webhookHasDelivered(reader, account.accountId, delivery);
    }
    // X no longer accepts the account's token (the admins were told): polling would only collect 401s.
    if (ctx.account.revokedAt) return;
    // X refuses calls until credits are added; the credits probe resumes polling from the same cursor.
    if (creditsPausedUntil(now)) return;
    const finished = await pollOnce(ctx, reader, persistence, logger, now);
    // Public mentions, when on, only while polling delivers (a webhook brings them otherwise).
    if (!delivery?.automatic?.pollUntilEventAfter || !handedOver) await pollMentionsWithinCap(ctx, reader, now);
    // The webhook delivers and this poll read down to its cursor: nothing from before the switch is left.
    if (handedOver && finished) await endHandOver({ reader, persistence, modify, account }, delivery!);
}

/** The same daily cap as DM reads: X's bill counts both. */
async function pollMentionsWithinCap(ctx: BridgeContext, reader: IPersistenceRead, now: number): Promise<void> {
    if (ctx.settings.dailyCapUsd > 0 && (await totalsForDay(reader, utcDay(now))).usd >= ctx.settings.dailyCapUsd)
        return;
    await pollMentions(ctx);
}

/** One run's poll; true when it read down to the cursor and handed every event on (nothing left to read). */
async function pollOnce(
    ctx: BridgeContext,
    reader: IPersistenceRead,
    persistence: IPersistence,
    logger: ILogger,
    now: number,
): Promise<boolean> {
    const interval = ctx.settings.pollingIntervalSeconds * 1000;
    const record = pollStateRecords.of(ctx.account.accountId);
    const { run, state } = startRun(
        await readForAccount(reader, pollStateRecords, ctx.account.accountId),
        now,
        interval,
    );
    if ((state.skipRuns ?? 0) > 0) {
        await record.write(persistence, { ...state, runs: run, skipRuns: (state.skipRuns ?? 0) - 1 });
        return false;
    }

    // The cap counts what X billed today whatever delivered it: webhook deliveries and reads alike.
    if (ctx.settings.dailyCapUsd > 0) {
        const today = await totalsForDay(reader, utcDay(now));
        if (today.usd >= ctx.settings.dailyCapUsd) {
            if (!state.pausedByCap)
                logger.warn(
                    `Polling paused: today's X cost $${today.usd.toFixed(2)} reached the cap of $${ctx.settings.dailyCapUsd}.`,
                );
            await record.write(persistence, { ...state, runs: run, pausedByCap: true, lastPollAt: now });
            return false;
        }
    }

    const requestRuns = state.requestRuns ?? [];
    let credit = state.credit ?? 0;
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
        while (result.pages < MAX_PAGES_PER_RUN && mayRequest(requestRuns.length, credit, result.pages)) {
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
            pageSize = nextPageSize(
                pageSize,
                state.walk || !top || oldestAt === undefined
                    ? undefined
                    : eventsLeft(result.newEvents.length, top.createdAt, oldestAt, state.newestCreatedAt),
            );
        }
    } catch (e) {
        if (!(e instanceof XFailure)) throw e;
        failure = e;
        // An expired pagination token cannot be continued: the next run walks down from the newest again.
        if (!failure.transient && state.walk) token = undefined;
    }

    const outcome: RunOutcome = { pages: result.pages, newEvents: result.newEvents.length, failure };
    const polled = result.pages > 0;
    const consecutiveEmpty = nextConsecutiveEmpty(state.consecutiveEmpty, outcome);
    const accounting: PollState = {
        ...state,
        averageNew: nextAverageNew(state.averageNew, outcome, runsSincePoll),
        runs: run,
        lastPollRun: polled ? run : state.lastPollRun,
        skipRuns: runsToWait(consecutiveEmpty, outcome, now, interval),
        requestRuns,
        credit,
        consecutiveEmpty,
        lastPollAt: polled ? now : state.lastPollAt,
        lastError: failure?.kind,
        pausedByCap: false,
    };
    // The requests are on record before anything is posted: whatever posting does, X's limit is kept.
    if (result.newEvents.length > 0) await record.write(persistence, accounting);
    const failed = await postEach(ctx, result.newEvents, state.failedEvents ?? {}, logger);

    // A failed event keeps the cursor where it is: the next poll reads it again (claims drop what was posted).
    const finished = result.reachedCursor && !failure && !stillRetrying(failed);
    await record.write(persistence, {
        ...accounting,
        ...(finished && top
            ? { newestEventId: top.eventId, newestCreatedAt: top.createdAt }
            : { newestEventId: state.newestEventId, newestCreatedAt: state.newestCreatedAt }),
        walk:
            !result.reachedCursor && token && top
                ? { token, topEventId: top.eventId, topCreatedAt: top.createdAt, nextSize: pageSize }
                : undefined,
        failedEvents: finished ? undefined : { ...state.failedEvents, ...failed },
    });
    return finished;
}
