/** Page sizing of the polling job: X bills every event a read returns, so pages follow the expected new count. */
import { expectedSinceLastPoll, nextRate, pageSizeFor, remainingBelow } from '../../../src/jobs/poller';

describe('polling page sizes', () => {
    it('asks for just the newest event when nothing new is expected, else the expected count plus the one that marks the end', () => {
        expect(pageSizeFor(0)).toBe(1);
        expect(pageSizeFor(0.1)).toBe(1);
        expect(pageSizeFor(10)).toBe(12);
        expect(pageSizeFor(50)).toBe(57);
        expect(pageSizeFor(1_000)).toBe(100);
    });

    it('expects new DMs at the smoothed rate over the time since the last poll', () => {
        expect(expectedSinceLastPoll({ ratePerMinute: 12, averageNew: 3, lastPollAt: 0 }, 30_000)).toBe(6);
        expect(expectedSinceLastPoll({ ratePerMinute: 12, averageNew: 3, lastPollAt: 0 }, 5 * 60_000)).toBe(60);
        // State written before the rate existed: the per-poll average.
        expect(expectedSinceLastPoll({ averageNew: 3, lastPollAt: 0 }, 60_000)).toBe(3);
    });

    it('reacts to a burst within two polls and forgets it as fast', () => {
        let rate = nextRate(undefined, 1, 60_000);
        expect(rate).toBe(1);
        rate = nextRate(rate, 50, 60_000);
        expect(rate).toBeCloseTo(25.5);
        rate = nextRate(rate, 50, 60_000);
        expect(rate).toBeGreaterThan(37);
        for (let i = 0; i < 4; i++) rate = nextRate(rate, 0, 60_000);
        expect(rate).toBeLessThan(3);
    });

    it('after a page that was all new, sizes the next from the page pace and the distance to the cursor', () => {
        // 20 events over 20 s, and 10 s more down to the cursor: about 10 more.
        expect(remainingBelow({ oldestAt: 100_000, newestAt: 120_000, count: 20 }, 90_000)).toBeCloseTo(10);
        expect(remainingBelow({ oldestAt: 100_000, newestAt: 120_000, count: 20 }, 100_000)).toBe(0);
        // No cursor yet (first poll): read full pages.
        expect(remainingBelow({ oldestAt: 100_000, newestAt: 120_000, count: 20 }, undefined)).toBe(100);
    });
});
