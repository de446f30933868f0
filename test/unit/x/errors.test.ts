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
        ['429 with the window exhausted: retry at its reset', apiError(429, { title: 'Too Many Requests' }, { limit: 15, remaining: 0, reset: NOW / 1000 + 600 }), 'rate-limited'],
        ['401 problem', apiError(401, { title: 'Unauthorized', status: 401, detail: 'Unauthorized' }), 'token-invalid'],
        ['v1 code 89 (invalid or expired token)', apiError(401, { errors: [{ code: 89, message: 'Invalid or expired token.' }] }), 'token-invalid'],
        ['v1 code 93 (no DM permission)', apiError(403, { errors: [{ code: 93, message: 'This application is not allowed to access or delete your direct messages.' }] }), 'missing-permission'],
        ['v1 code 453 (endpoint not in this access level)', apiError(403, { errors: [{ code: 453, message: 'You currently have access to a subset of X API V2 endpoints' }] }), 'missing-permission'],
        ['recipient refuses DMs', apiError(403, { title: 'Forbidden', detail: 'You cannot send messages to this user.', type: 'about:blank', status: 403 }), 'recipient-refuses-dms'],
        ['v1 code 349 (cannot send to this user)', apiError(403, { errors: [{ code: 349, message: 'You cannot send messages to this user.' }] }), 'recipient-refuses-dms'],
        ['media not permitted', apiError(403, { title: 'Forbidden', detail: 'You are not permitted to attach this media to a DM event', status: 403 }), 'media-not-permitted'],
        ['unsupported authentication', apiError(403, { title: 'Unsupported Authentication', detail: 'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.', status: 403 }), 'missing-permission'],
        ['404', apiError(404, { title: 'Not Found Error', detail: 'Could not find dm_event' }), 'not-found'],
        ['400 invalid request', apiError(400, { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', errors: [{ message: 'text is too long' }] }), 'invalid-request'],
        ['503', apiError(503, { title: 'Service Unavailable' }), 'unavailable'],
    ])('%s → %s', (_what, error, kind) => {
        expect(toXFailure(error, NOW).kind).toBe(kind);
    });

    it('prefers X\'s specific reason to its generic detail, and never carries request headers', () => {
        const failure = toXFailure(apiError(400, { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', errors: [{ message: 'CrcValidationFailed: timed out' }] }), NOW);
        expect(failure.detail).toBe('CrcValidationFailed: timed out');
        expect(JSON.stringify(failure)).not.toMatch(/authorization|oauth_/i);
    });

    it('treats network failures and timeouts as X being unavailable (worth retrying)', () => {
        const failure = toXFailure(new XTransportError('timeout', 'POST', 'https://api.x.com/2/dm_conversations/with/1/messages'), NOW);
        expect(failure).toBeInstanceOf(XFailure);
        expect(failure.kind).toBe('unavailable');
        expect(failure.transient).toBe(true);
    });

    it('knows which failures are transient', () => {
        expect(new XFailure('rate-limited', 429, NOW).transient).toBe(true);
        expect(new XFailure('recipient-refuses-dms', 403).transient).toBe(false);
        expect(new XFailure('token-invalid', 401).transient).toBe(false);
    });
});

describe('when X accepts requests again after a 429', () => {
    it('uses the reset of the exhausted window, the 24-hour one when that is what ran out', () => {
        const windowOnly = apiError(429, {}, { limit: 15, remaining: 0, reset: NOW / 1000 + 300 });
        expect(retryAtFrom(windowOnly, NOW)).toBe(NOW + 300_000);
        const dayExhausted = apiError(429, {}, { limit: 15, remaining: 3, reset: NOW / 1000 + 300, day: { limit: 1440, remaining: 0, reset: NOW / 1000 + 7200 } });
        expect(retryAtFrom(dayExhausted, NOW)).toBe(NOW + 7_200_000);
    });

    it('falls back to 15 minutes when X sent no usable headers', () => {
        expect(retryAtFrom(apiError(429, {}), NOW)).toBe(NOW + 15 * 60_000);
    });
});
