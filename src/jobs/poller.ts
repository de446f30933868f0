/**
 * Polling delivery: reads /2/dm_events newest first in small pages and stops at the last event already
 * seen, so X bills (per event returned) little more than the new DMs. Pages grow while they are all new;
 * the first page is sized from recent traffic. Quiet periods back off to save reads, a 429 waits for
 * X's reset, and the daily spending cap pauses polling. State lives in persistence: any instance may run it.
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { buildBridgeContext } from '../bridge/build-context';
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

/**
 * How many events to ask for first: a little more than usually arrives, plus the already-seen newest one
 * that shows where new events end; when nothing usually arrives, just that one (X bills every event returned).
 */
export function firstPageSize(averageNew: number): number {
    return averageNew < 0.5 ? 1 : Math.min(MAX_PAGE, Math.ceil(averageNew) + 1);
}

export interface PollResult {
    newEvents: InboundEvent[];
    pages: number;
    read: number;
    reachedCursor: boolean;
}

/** The first poll also takes DMs from shortly before linking: customers who wrote during set-up are not lost. */
export const FIRST_POLL_LOOKBACK_MS = 10 * 60_000;

/** Pure stop rule: an event at or before the cursor was handled by an earlier poll. */
export function isBeyondCursor(state: PollState, linkedAt: number, eventId: string, createdAt: number): boolean {
    if (state.newestEventId) {
        if (eventId === state.newestEventId) return true;
        return state.newestCreatedAt !== undefined && createdAt < state.newestCreatedAt;
    }
    return createdAt < linkedAt - FIRST_POLL_LOOKBACK_MS;
}

export async function runPoll(
    read: IRead,
    modify: IModify,
    http: IHttp,
    persistence: IPersistence,
    logger: ILogger,
): Promise<void> {
    const built = await buildBridgeContext(read, modify, persistence, http, logger);
    if (!built.ok) return;
    const ctx = built.ctx;
    if (ctx.settings.deliveryMode !== DeliveryMode.Polling) return;
    // X no longer accepts the account's token (the admins were told): polling would only collect 401s.
    if (ctx.account.revokedAt) return;
    const now = ctx.now();
    // X refuses calls until credits are added; the credits probe resumes polling from the same cursor.
    if (creditsPausedUntil(now)) return;
    const reader = read.getPersistenceReader();
    const state: PollState = (await pollStateRecord.read(reader)) ?? { averageNew: 1, consecutiveEmpty: 0 };
    if (state.notBefore && now < state.notBefore) return;

    if (ctx.settings.dailyCapUsd > 0) {
        const today = await totalsForDay(reader, utcDay(now));
        if (today.usd >= ctx.settings.dailyCapUsd) {
            if (!state.pausedByCap)
                logger.warn(
                    `Polling paused: today's X cost $${today.usd.toFixed(2)} reached the cap of $${ctx.settings.dailyCapUsd}.`,
                );
            await pollStateRecord.write(persistence, { ...state, pausedByCap: true, lastPollAt: now });
            return;
        }
    }

    const client = await ctx.x();
    const result: PollResult = { newEvents: [], pages: 0, read: 0, reachedCursor: false };
    let top = state.walk ? { eventId: state.walk.topEventId, createdAt: state.walk.topCreatedAt } : undefined;
    let token = state.walk?.token;
    // A walk resumes with the size it would have used next (pages double while they are all new).
    let pageSize = token ? (state.walk?.nextSize ?? MAX_PAGE) : firstPageSize(state.averageNew);
    let failure: XFailure | undefined;
    try {
        while (result.pages < MAX_PAGES_PER_RUN) {
            const page = await client.listDmEvents({ maxResults: pageSize, paginationToken: token });
            result.pages++;
            result.read += page.eventCount;
            const { events } = normalizeDmEventsPage(page.body, ctx.account.xUserId);
            // normalizeDmEventsPage returns oldest first; walk from the newest back to the cursor.
            for (const event of [...events].reverse()) {
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
            pageSize = Math.min(MAX_PAGE, pageSize * 2);
        }
    } catch (e) {
        if (!(e instanceof XFailure)) throw e;
        failure = e;
        // An expired pagination token cannot be continued: the next run walks down from the newest again.
        if (!failure.transient && state.walk) token = undefined;
    }

    await processInbound(ctx, result.newEvents);
    const count = result.newEvents.length;
    const consecutiveEmpty = count === 0 && !failure ? state.consecutiveEmpty + 1 : 0;
    const interval = ctx.settings.pollingIntervalSeconds * 1000;
    const quietDelay =
        consecutiveEmpty >= QUIET_AFTER
            ? Math.min(QUIET_MAX_DELAY_MS, interval * 2 ** (consecutiveEmpty - QUIET_AFTER + 1))
            : 0;
    const notBefore =
        failure?.kind === 'rate-limited'
            ? failure.retryAt
            : failure?.kind === 'credits-depleted'
              ? creditsPausedUntil(now)
              : failure?.transient
                ? now + 60_000
                : quietDelay
                  ? now + quietDelay - 1000
                  : undefined;
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
        averageNew: state.averageNew * 0.7 + count * 0.3,
        consecutiveEmpty,
        notBefore,
        lastPollAt: now,
        lastError: failure?.kind,
        pausedByCap: false,
    });
}
