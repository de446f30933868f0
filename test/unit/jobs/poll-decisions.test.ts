/** The poller's decisions (src/jobs/poll-decisions.ts): page sizes, how far back, when to wait, when to stop. */
import {
    eventsLeft,
    firstPageSize,
    isBeyondCursor,
    MAX_PAGE,
    mayRequest,
    nextAverageNew,
    nextConsecutiveEmpty,
    nextPageSize,
    runsToWait,
    startRun,
} from '../../../src/jobs/poll-decisions';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 5, 12);

describe('page sizes', () => {
    it('asks for one event when nothing usually arrives, else the expected new ones plus the one already seen', () => {
        expect(firstPageSize(0, 1)).toBe(1);
        expect(firstPageSize(0.1, 4)).toBe(1);
        expect(firstPageSize(2, 3)).toBe(7);
        expect(firstPageSize(50, 10)).toBe(MAX_PAGE);
    });

    it('grows fourfold while a walk has not reached the cursor, never beyond what is left or 100', () => {
        expect(nextPageSize(2)).toBe(8);
        expect(nextPageSize(8, 5)).toBe(5);
        expect(nextPageSize(40)).toBe(MAX_PAGE);
    });

    it('estimates what is left from the density of what was read, only with enough events read', () => {
        expect(eventsLeft(5, 10_000, 0, -10_000)).toBe(MAX_PAGE);
        expect(eventsLeft(10, 10_000, 0, undefined)).toBe(MAX_PAGE);
        // 10 events over 10 s; 5 s more down to the cursor: about 5, plus the one that shows the end.
        expect(eventsLeft(10, 10_000, 0, -5_000)).toBe(6);
        expect(eventsLeft(10, 10_000, 0, 0)).toBe(2);
    });
});

describe('how far back', () => {
    it('stops at the cursor event and at anything older than it', () => {
        const cursor = { newestEventId: '100', newestCreatedAt: NOW };
        expect(isBeyondCursor(cursor, 0, '100', NOW)).toBe(true);
        expect(isBeyondCursor(cursor, 0, '99', NOW - 1)).toBe(true);
        expect(isBeyondCursor(cursor, 0, '101', NOW)).toBe(false);
        expect(isBeyondCursor(cursor, 0, '102', NOW + 1)).toBe(false);
    });

    it('with a cursor that is only a time (where the webhook handed over), stops before that time', () => {
        expect(isBeyondCursor({ newestCreatedAt: NOW }, 0, '5', NOW - 1)).toBe(true);
        expect(isBeyondCursor({ newestCreatedAt: NOW }, 0, '6', NOW)).toBe(false);
    });

    it('without a cursor, reads back to ten minutes before linking', () => {
        expect(isBeyondCursor({}, NOW, '1', NOW - 9 * MINUTE)).toBe(false);
        expect(isBeyondCursor({}, NOW, '1', NOW - 11 * MINUTE)).toBe(true);
    });
});

describe('when to request, when to wait', () => {
    it("keeps within X's 15 reads per window and the run's credit", () => {
        expect(mayRequest(0, 1, 0)).toBe(true);
        expect(mayRequest(0, 0.9, 0)).toBe(false);
        expect(mayRequest(3, -0.5, 2)).toBe(true);
        expect(mayRequest(3, -1.5, 2)).toBe(false);
        expect(mayRequest(15, 3, 0)).toBe(false);
    });

    it('backs off after three empty polls in a row, doubling, up to 15 minutes', () => {
        const empty = { pages: 1, newEvents: 0 };
        expect(runsToWait(2, empty, NOW, MINUTE)).toBe(0);
        expect(runsToWait(3, empty, NOW, MINUTE)).toBe(1);
        expect(runsToWait(4, empty, NOW, MINUTE)).toBe(3);
        expect(runsToWait(20, empty, NOW, MINUTE)).toBe(14);
        // A run that made no request waits for nothing more.
        expect(runsToWait(20, { pages: 0, newEvents: 0 }, NOW, MINUTE)).toBe(0);
    });

    it("waits for X's reset after a 429, at most one window when the clocks disagree", () => {
        const limited = (retryAt: number) => ({ pages: 1, newEvents: 0, failure: { kind: 'rate-limited', retryAt } });
        expect(runsToWait(0, limited(NOW + 4 * MINUTE), NOW, MINUTE)).toBe(4);
        expect(runsToWait(0, limited(NOW + 3 * 60 * MINUTE), NOW, MINUTE)).toBe(15);
        expect(runsToWait(0, limited(NOW - MINUTE), NOW, MINUTE)).toBe(1);
    });

    it('counts empty polls and follows traffic with a moving average', () => {
        expect(nextConsecutiveEmpty(2, { pages: 1, newEvents: 0 })).toBe(3);
        expect(nextConsecutiveEmpty(2, { pages: 1, newEvents: 0, failure: { kind: 'unavailable' } })).toBe(0);
        expect(nextConsecutiveEmpty(2, { pages: 0, newEvents: 0 })).toBe(2);
        expect(nextConsecutiveEmpty(2, { pages: 1, newEvents: 3 })).toBe(0);
        expect(nextAverageNew(1, { pages: 1, newEvents: 4 }, 2)).toBe(1.5);
        expect(nextAverageNew(1, { pages: 0, newEvents: 0 }, 2)).toBe(1);
    });
});

describe('starting a run', () => {
    it('numbers runs and forgets requests older than the window', () => {
        const { run, state } = startRun(
            { averageNew: 1, consecutiveEmpty: 0, runs: 40, requestRuns: [20, 24, 30, 40], credit: 0 },
            NOW,
            MINUTE,
        );
        expect(run).toBe(41);
        expect(state.requestRuns).toEqual([30, 40]);
        expect(state.credit).toBeCloseTo(15 / 16);
    });

    it('starts from nothing on the first run', () => {
        const { run, state } = startRun(undefined, NOW, MINUTE);
        expect(run).toBe(1);
        expect(state).toEqual(expect.objectContaining({ averageNew: 1, consecutiveEmpty: 0, skipRuns: 0, credit: 3 }));
    });

    it('clamps runs to skip when the admin raised the interval: a 15-minute wait stays 15 minutes', () => {
        // 14 runs to skip were set at one run a minute; at 10 minutes a run that would be 140 minutes.
        const stored = { averageNew: 0, consecutiveEmpty: 10, runs: 5, skipRuns: 14 };
        expect(startRun(stored, NOW, 10 * MINUTE).state.skipRuns).toBe(2);
        expect(startRun(stored, NOW, MINUTE).state.skipRuns).toBe(14);
        expect(startRun({ ...stored, skipRuns: 400 }, NOW, MINUTE).state.skipRuns).toBe(15);
    });

    it("turns an earlier version's wait on the server's clock into runs, clamped too", () => {
        const stored = { averageNew: 1, consecutiveEmpty: 0, notBefore: NOW + 5 * MINUTE };
        const { state } = startRun(stored, NOW, MINUTE);
        expect(state.skipRuns).toBe(5);
        expect(state.notBefore).toBeUndefined();
        expect(startRun({ ...stored, notBefore: NOW + 600 * MINUTE }, NOW, MINUTE).state.skipRuns).toBe(15);
    });
});
