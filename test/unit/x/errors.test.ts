import { ApiResponseError } from 'twitter-api-v2';
import { XFailure } from '../../../src/x/client-types';
import { retryAtFrom, toXFailure } from '../../../src/x/errors';
import { XTransportError } from '../../../src/x/transport';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

function apiError(code: number, data: unknown, rateLimit?: Record<string, unknown>): ApiResponseError {
    return new ApiResponseError(`Request failed with code ${code}`, { code, data, headers: {}, rateLimit } as never);
}

describe('X failures as people must see them', () => {
    it.each([
        [
            '429 with the window exhausted: retry at its reset',
            apiError(429, { title: 'Too Many Requests' }, { limit: 15, remaining: 0, reset: NOW / 1000 + 600 }),
            'rate-limited',
        ],
        ['401 problem', apiError(401, { title: 'Unauthorized', status: 401, detail: 'Unauthorized' }), 'token-invalid'],
        [
            'v1 code 89 (invalid or expired token)',
            apiError(401, { errors: [{ code: 89, message: 'Invalid or expired token.' }] }),
            'token-invalid',
        ],
        [
            'v1 code 93 (no DM permission)',
            apiError(403, {
                errors: [
                    { code: 93, message: 'This application is not allowed to access or delete your direct messages.' },
                ],
            }),
            'missing-permission',
        ],
        [
            'v1 code 453 (endpoint not in this access level)',
            apiError(403, {
                errors: [{ code: 453, message: 'You currently have access to a subset of X API V2 endpoints' }],
            }),
            'missing-permission',
        ],
        [
            'v1 code 349 (cannot send to this user: settings or a block)',
            apiError(403, { errors: [{ code: 349, message: 'You cannot send messages to this user.' }] }),
            'recipient-refuses-dms',
        ],
        [
            'v1 code 150 (recipient does not follow the sender)',
            apiError(403, {
                errors: [{ code: 150, message: 'You cannot send messages to users who are not following you.' }],
            }),
            'recipient-not-following',
        ],
        [
            'v1 code 476 (message requests only from verified senders)',
            apiError(403, { errors: [{ code: 476, message: 'Sender is not verified to send message requests' }] }),
            'sender-unverified',
        ],
        [
            'a generic 403, whatever its wording',
            apiError(403, {
                title: 'Forbidden',
                detail: 'You cannot send messages to this user.',
                type: 'about:blank',
                status: 403,
            }),
            'forbidden',
        ],
        [
            'a generic 403 about media',
            apiError(403, {
                title: 'Forbidden',
                detail: 'You are not permitted to attach this media to a DM event',
                status: 403,
            }),
            'forbidden',
        ],
        [
            'a 403 naming a permission in words only',
            apiError(403, {
                title: 'Forbidden',
                detail: 'This app lacks the appropriate permissions (oauth1 app permissions).',
                type: 'about:blank',
                status: 403,
            }),
            'forbidden',
        ],
        [
            'unsupported authentication',
            apiError(403, {
                title: 'Unsupported Authentication',
                detail: 'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.',
                type: 'https://api.twitter.com/2/problems/unsupported-authentication',
                status: 403,
            }),
            'forbidden',
        ],
        [
            'client-forbidden problem (app not enrolled for this access)',
            apiError(403, {
                title: 'Client Forbidden',
                type: 'https://api.x.com/2/problems/client-forbidden',
                reason: 'client-not-enrolled',
            }),
            'missing-permission',
        ],
        [
            '402 credits depleted, as captured',
            apiError(402, { title: 'Payment Required', type: 'https://api.x.com/2/problems/credits-depleted' }),
            'credits-depleted',
        ],
        ['404', apiError(404, { title: 'Not Found Error', detail: 'Could not find dm_event' }), 'not-found'],
        [
            '400 WebhookIdInvalid (a deleted webhook)',
            apiError(400, {
                title: 'Invalid Request',
                errors: [{ message: 'WebhookIdInvalid: webhook 1 was not found for this app' }],
            }),
            'not-found',
        ],
        [
            '400 SubscriptionNotFound (a deleted subscription)',
            apiError(400, { title: 'Invalid Request', errors: [{ message: 'SubscriptionNotFound' }] }),
            'not-found',
        ],
        [
            '400 naming another reason',
            apiError(400, { title: 'Invalid Request', errors: [{ message: 'CrcValidationFailed: timed out' }] }),
            'invalid-request',
        ],
        [
            '400 invalid request',
            apiError(400, {
                title: 'Invalid Request',
                detail: 'One or more parameters to your request was invalid.',
                errors: [{ message: 'text is too long' }],
            }),
            'invalid-request',
        ],
        ['503', apiError(503, { title: 'Service Unavailable' }), 'unavailable'],
    ])('%s → %s', (_what, error, kind) => {
        expect(toXFailure(error, NOW).kind).toBe(kind);
    });

    it("prefers X's specific reason to its generic detail, and never carries request headers", () => {
        const failure = toXFailure(
            apiError(400, {
                title: 'Invalid Request',
                detail: 'One or more parameters to your request was invalid.',
                errors: [{ message: 'CrcValidationFailed: timed out' }],
            }),
            NOW,
        );
        expect(failure.detail).toBe('CrcValidationFailed: timed out');
        expect(JSON.stringify(failure)).not.toMatch(/authorization|oauth_/i);
    });

    it("reads X's machine reason as a whole identifier, not from phrases around it", () => {
        const reasonOf = (message: string) => toXFailure(apiError(400, { errors: [{ message }] }), NOW).reason;
        expect(reasonOf('CrcValidationFailed: Invalid response_token')).toBe('CrcValidationFailed');
        expect(reasonOf('DuplicateSubscriptionFailed: already subscribed')).toBe('DuplicateSubscriptionFailed');
        expect(reasonOf('DuplicateSubscription: an identical subscription already exists')).toBe(
            'DuplicateSubscription',
        );
        expect(reasonOf('the crc validation failed')).toBeUndefined();
        expect(reasonOf('NotAWebhookIdInvalidReason')).toBeUndefined();
    });

    it('treats network failures and timeouts as X being unavailable (worth retrying)', () => {
        const failure = toXFailure(
            new XTransportError('timeout', 'POST', 'https://api.x.com/2/dm_conversations/with/1/messages'),
            NOW,
        );
        expect(failure).toBeInstanceOf(XFailure);
        expect(failure.kind).toBe('unavailable');
        expect(failure.transient).toBe(true);
    });

    it('knows which failures are transient', () => {
        expect(new XFailure('rate-limited', 429, NOW).transient).toBe(true);
        expect(new XFailure('credits-depleted', 402).transient).toBe(true);
        expect(new XFailure('forbidden', 403).transient).toBe(false);
        expect(new XFailure('recipient-refuses-dms', 403).transient).toBe(false);
        expect(new XFailure('token-invalid', 401).transient).toBe(false);
    });
});

describe('when X accepts requests again after a 429', () => {
    it('uses the reset of the exhausted window, the 24-hour one when that is what ran out', () => {
        const windowOnly = apiError(429, {}, { limit: 15, remaining: 0, reset: NOW / 1000 + 300 });
        expect(retryAtFrom(windowOnly, NOW)).toBe(NOW + 300_000);
        const dayExhausted = apiError(
            429,
            {},
            {
                limit: 15,
                remaining: 3,
                reset: NOW / 1000 + 300,
                day: { limit: 1440, remaining: 0, reset: NOW / 1000 + 7200 },
            },
        );
        expect(retryAtFrom(dayExhausted, NOW)).toBe(NOW + 7_200_000);
    });

    it('falls back to 15 minutes when X sent no usable headers', () => {
        expect(retryAtFrom(apiError(429, {}), NOW)).toBe(NOW + 15 * 60_000);
    });
});
