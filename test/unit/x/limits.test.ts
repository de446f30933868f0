import { endpointKey, RateLimitBook } from '../../../src/x/limits';

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
