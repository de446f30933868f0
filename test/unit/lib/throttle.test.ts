import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import { ThrottledLog, TokenBucket } from '../../../src/lib/throttle';

describe('TokenBucket', () => {
    it('allows the burst, then one per refill interval, never more than the capacity', () => {
        const bucket = new TokenBucket(3, 1_000);
        expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
        expect(bucket.secondsUntilNext(0)).toBe(1);
        expect(bucket.take(999)).toBe(false);
        expect(bucket.take(1_000)).toBe(true);
        expect(bucket.take(1_000)).toBe(false);
        // A long quiet spell refills to the capacity, not beyond.
        expect([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)]).toEqual([
            true,
            true,
            true,
            false,
        ]);
    });

    it('keeps partial refill time: two half intervals make one token', () => {
        const bucket = new TokenBucket(1, 1_000);
        expect(bucket.take(0)).toBe(true);
        expect(bucket.take(500)).toBe(false);
        expect(bucket.take(1_000)).toBe(true);
    });
});

describe('ThrottledLog', () => {
    it('logs at most once per interval and says how many lines it held back', () => {
        const lines: string[] = [];
        const logger = { warn: (line: string) => lines.push(line) } as unknown as ILogger;
        const log = new ThrottledLog(60_000);
        for (let i = 0; i < 100; i++) log.warn(logger, i * 100, 'refused');
        expect(lines).toEqual(['refused']);
        log.warn(logger, 60_000, 'refused again');
        expect(lines).toEqual(['refused', 'refused again (99 more like it since the last such message)']);
    });
});
