import {
    DM_SEND_KEY,
    endpointKey,
    observeLimits,
    RateLimitBook,
    rateLimitsOf,
    sendAvailableAt,
} from '../../../src/x/limits';

const observation = (endpoint: string) => ({
    method: 'GET' as const,
    endpoint,
    statusCode: 200,
    durationMs: 1,
    rateLimit: { limit: 15, remaining: 14, reset: 1_800_000_000 },
});

describe('the rate-limit book', () => {
    it('keeps one entry per endpoint, not one per downloaded attachment', () => {
        const book = new RateLimitBook();
        const urls = Array.from(
            { length: 50 },
            (_, i) => `https://api.x.com/2/dm_conversations/media/19${i}/18${i}/a${i}.jpg`,
        );
        for (const url of urls) book.observe(observation(url), 0);
        // The book keeps an entry per endpointKey: every attachment shares one.
        const key = 'GET /2/dm_conversations/media/:dm_id/:media_id/:resource_id';
        expect(new Set(urls.map((url) => endpointKey('GET', url)))).toEqual(new Set([key]));
        expect(book.get(key)?.window).toEqual({ limit: 15, remaining: 14, resetAt: 1_800_000_000_000 });
        expect(endpointKey('GET', 'https://ton.twitter.com/1.1/ton/data/dm/1/2/a.jpg')).toBe(
            'GET /1.1/ton/data/dm/:dm_id/:media_id/:file',
        );
    });

    it('keeps one entry per route, not one per customer, DM event or upload looked up', () => {
        const book = new RateLimitBook();
        const urls = Array.from({ length: 50 }, (_, i) => [
            `https://api.x.com/2/users/${2_000_000_000 + i}`,
            `https://api.x.com/2/dm_events/19${i}00000000000000`,
            `https://api.x.com/2/media/upload/18${i}0000000000000/finalize`,
        ]).flat();
        for (const url of urls) book.observe(observation(url), 0);
        // The book keeps an entry per endpointKey: three routes, whatever the ids.
        const keys = ['GET /2/users/:id', 'GET /2/dm_events/:id', 'GET /2/media/upload/:id/finalize'];
        expect(new Set(urls.map((url) => endpointKey('GET', url)))).toEqual(new Set(keys));
        for (const key of keys) expect(book.get(key)).toBeDefined();
        expect(endpointKey('GET', 'https://api.x.com/2/users/me')).toBe('GET /2/users/me');
    });

    it('still tells the DM send budget apart per method and path', () => {
        expect(endpointKey('POST', 'https://api.x.com/2/dm_conversations/with/123/messages')).toBe(
            'POST /2/dm_conversations/with/:id/messages',
        );
        expect(endpointKey('GET', 'https://api.x.com/2/dm_events')).toBe('GET /2/dm_events');
    });
});

describe("the X app's daily DM budget, shared by the accounts (x-api.md §6)", () => {
    const RESET = 1_900_000_000; // seconds, as X sends it
    const send = (accountId: string, remaining: number, now: number, status = 201) =>
        observeLimits(
            accountId,
            {
                method: 'POST',
                endpoint: `https://api.x.com/2/dm_conversations/with/${now}/messages`,
                statusCode: status,
                durationMs: 1,
                rateLimit: {
                    limit: 15,
                    remaining: 14,
                    reset: RESET,
                    day: { limit: 10, remaining, reset: RESET },
                } as never,
            },
            now,
        );

    it("one account's exhausted 15-minute window does not hold back another account", () => {
        observeLimits(
            'acct-busy',
            {
                method: 'POST',
                endpoint: 'https://api.x.com/2/dm_conversations/with/42/messages',
                statusCode: 429,
                durationMs: 1,
                rateLimit: { limit: 15, remaining: 0, reset: RESET },
            },
            1_000,
        );
        expect(sendAvailableAt('acct-busy', 2, 1_000)).toBe(RESET * 1000);
        expect(sendAvailableAt('acct-quiet', 2, 1_000)).toBe(1_000);
        expect(rateLimitsOf('acct-quiet').get(DM_SEND_KEY)).toBeUndefined();
    });

    it('each account keeps its share: one beyond it waits while the other has not used its own', () => {
        // Budget 10 for the app, two accounts: 5 each. Account A sends 5, then 2 more while B sent nothing.
        let remaining = 10;
        for (let i = 0; i < 5; i++) send('acct-a', --remaining, 2_000 + i);
        expect(sendAvailableAt('acct-a', 2, 3_000)).toBe(RESET * 1000); // 5 left, all of them B's share
        expect(sendAvailableAt('acct-b', 2, 3_000)).toBe(3_000);
        // B uses 3 of its 5: 2 remain B's, the app has 2 left, A still waits; B may go on.
        for (let i = 0; i < 3; i++) send('acct-b', --remaining, 4_000 + i);
        expect(sendAvailableAt('acct-a', 2, 5_000)).toBe(RESET * 1000);
        expect(sendAvailableAt('acct-b', 2, 5_000)).toBe(5_000);
        // Alone, an account may use the whole budget; once X says 0, nobody sends until the reset.
        expect(sendAvailableAt('acct-a', 1, 5_000)).toBe(5_000);
        send('acct-b', 0, 6_000);
        expect(sendAvailableAt('acct-b', 2, 6_000)).toBe(RESET * 1000);
        // The reset starts a new window: the counts start over.
        expect(sendAvailableAt('acct-a', 2, RESET * 1000 + 1)).toBe(RESET * 1000 + 1);
    });

    it("counts an account's sends made on other instances from X's per-user day count", () => {
        const now = RESET * 1000 + 10_000;
        const reset = RESET + 86_400;
        // This instance sent one DM for C; X's headers say C sent 6 today (5 on other instances) of the app's 10.
        observeLimits(
            'acct-c',
            {
                method: 'POST',
                endpoint: 'https://api.x.com/2/dm_conversations/with/7/messages',
                statusCode: 201,
                durationMs: 1,
                rateLimit: {
                    limit: 15,
                    remaining: 14,
                    reset,
                    day: { limit: 10, remaining: 4, reset },
                    userDay: { limit: 1440, remaining: 1434, reset },
                } as never,
            },
            now,
        );
        // C is past its share of 5 and the 4 left are D's: C waits, D sends.
        expect(sendAvailableAt('acct-c', 2, now + 1)).toBe(reset * 1000);
        expect(sendAvailableAt('acct-d', 2, now + 1)).toBe(now + 1);
    });
});
