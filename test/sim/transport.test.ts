import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import {
    createTransportPlugin,
    HttpSendTimeoutError,
    XTransportError,
    type HttpSendRequest,
    type HttpSendResponse,
    type TransportObservation,
} from '../../src/x/transport';

/** A sender that records requests and answers from a script. */
function scriptedSender(answer: (request: HttpSendRequest) => HttpSendResponse | Promise<HttpSendResponse>) {
    const requests: HttpSendRequest[] = [];
    const send = async (request: HttpSendRequest) => {
        requests.push(request);
        return answer(request);
    };
    return { requests, send };
}

const OAUTH1 = { appKey: 'ck', appSecret: 'cs', accessToken: 'at', accessSecret: 'as' };
const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpSendResponse => ({
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    content: JSON.stringify(body),
});

describe('transport plugin', () => {
    test('sends the request signed for https://api.x.com and returns the library response shape', async () => {
        const observations: TransportObservation[] = [];
        const sender = scriptedSender(() =>
            json(
                200,
                { data: { id: '1', name: 'n', username: 'u' } },
                {
                    'X-Rate-Limit-Limit': '75',
                    'x-rate-limit-remaining': '74',
                    'x-rate-limit-reset': '1768479300',
                    'x-app-limit-24hour-limit': '1440',
                    'x-app-limit-24hour-remaining': '1439',
                    'x-app-limit-24hour-reset': '1768565700',
                    'x-user-limit-24hour-limit': '1440',
                    'x-user-limit-24hour-remaining': '1438',
                    'x-user-limit-24hour-reset': '1768565701',
                },
            ),
        );
        const client = new TwitterApi(OAUTH1, {
            plugins: [createTransportPlugin(sender.send, (o) => observations.push(o))],
        });
        const response = await client.v2.get(
            'users/me',
            { 'user.fields': 'name' },
            { fullResponse: true, timeout: 1234 },
        );

        const [request] = sender.requests;
        expect(request).toMatchObject({
            method: 'GET',
            url: 'https://api.x.com/2/users/me?user.fields=name',
            timeoutMs: 1234,
            binary: false,
        });
        expect(request.headers.Authorization).toMatch(/^OAuth oauth_consumer_key="ck"/);
        expect(response.data).toEqual({ data: { id: '1', name: 'n', username: 'u' } });
        expect(response.headers['x-rate-limit-limit']).toBe('75');
        expect(response.rateLimit).toEqual({
            limit: 75,
            remaining: 74,
            reset: 1768479300,
            day: { limit: 1440, remaining: 1439, reset: 1768565700 },
            userDay: { limit: 1440, remaining: 1438, reset: 1768565701 },
        });
        expect(observations).toEqual([
            {
                method: 'GET',
                endpoint: 'https://api.x.com/2/users/me',
                statusCode: 200,
                durationMs: expect.any(Number),
                rateLimit: response.rateLimit,
            },
        ]);
    });

    test('prefers a body the sender already parsed (IHttp fills data for JSON)', async () => {
        const sender = scriptedSender(() => ({
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            data: { data: { id: '9' } },
        }));
        const client = new TwitterApi('bearer', { plugins: [createTransportPlugin(sender.send)] });
        expect(await client.v2.get('users/9')).toEqual({ data: { id: '9' } });
    });

    test('parses /oauth/ form answers into an object', async () => {
        const sender = scriptedSender(() => ({
            statusCode: 200,
            headers: { 'content-type': 'text/html; charset=utf-8' },
            content: 'oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true',
        }));
        const client = new TwitterApi(
            { appKey: 'ck', appSecret: 'cs' },
            { plugins: [createTransportPlugin(sender.send)] },
        );
        const link = await client.generateAuthLink('oob');
        expect(link).toMatchObject({ oauth_token: 't', oauth_token_secret: 's', oauth_callback_confirmed: 'true' });
        expect(sender.requests[0]).toMatchObject({
            method: 'POST',
            url: 'https://api.x.com/oauth/request_token',
            content: 'oauth_callback=oob',
        });
    });

    test('binary downloads ask for raw bytes and return a Buffer', async () => {
        const bytes = Buffer.from([0, 255, 1, 254]);
        const sender = scriptedSender(() => ({
            statusCode: 200,
            headers: { 'content-type': 'image/png' },
            content: bytes,
        }));
        const client = new TwitterApi(OAUTH1, { plugins: [createTransportPlugin(sender.send)] });
        const downloaded = await client.v1.downloadDmImage('https://ton.twitter.com/1.1/ton/data/dm/1/2/a.png');
        expect(sender.requests[0]).toMatchObject({
            binary: true,
            url: 'https://ton.twitter.com/1.1/ton/data/dm/1/2/a.png',
        });
        expect(Buffer.isBuffer(downloaded) && downloaded.equals(bytes)).toBe(true);
    });

    test('status ≥ 400 throws the library ApiResponseError with data, headers and rate limits', async () => {
        const problem = { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 };
        const limited = scriptedSender(() =>
            json(429, problem, {
                'x-rate-limit-limit': '15',
                'x-rate-limit-remaining': '0',
                'x-rate-limit-reset': '99',
            }),
        );
        const error = await new TwitterApi(OAUTH1, { plugins: [createTransportPlugin(limited.send)] }).v2.me().then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ApiResponseError);
        const apiError = error as ApiResponseError;
        expect([apiError.code, apiError.message, apiError.data, apiError.rateLimitError]).toEqual([
            429,
            'Request failed with code 429',
            problem,
            true,
        ]);
        expect(apiError.rateLimit).toEqual({ limit: 15, remaining: 0, reset: 99 });

        const v1 = scriptedSender(() => json(401, { errors: [{ code: 32, message: 'Could not authenticate you.' }] }));
        const v1Error = (await new TwitterApi(OAUTH1, { plugins: [createTransportPlugin(v1.send)] }).v2.me().then(
            () => undefined,
            (e: unknown) => e,
        )) as ApiResponseError;
        expect(v1Error.message).toBe('Request failed with code 401 - Could not authenticate you. (Twitter code 32)');
        expect(v1Error.isAuthError).toBe(true);
    });

    test('network failures and timeouts become XTransportError', async () => {
        const observations: TransportObservation[] = [];
        const broken = createTransportPlugin(
            () => Promise.reject(new Error('ECONNREFUSED')),
            (o) => observations.push(o),
        );
        const network = await new TwitterApi('bearer', { plugins: [broken] }).v2.get('users/1').then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(network).toBeInstanceOf(XTransportError);
        expect((network as XTransportError).kind).toBe('network');
        expect(observations[0]).toMatchObject({ error: 'network', endpoint: 'https://api.x.com/2/users/1' });

        const slow = createTransportPlugin(() => Promise.reject(new HttpSendTimeoutError(50)));
        const timeout = await new TwitterApi('bearer', { plugins: [slow] }).v2.get('users/1').then(
            () => undefined,
            (e: unknown) => e,
        );
        expect((timeout as XTransportError).kind).toBe('timeout');
    });

    test('binary request bodies that would not survive a string transport are refused before sending', async () => {
        const sender = scriptedSender(() => json(200, {}));
        const client = new TwitterApi('bearer', { plugins: [createTransportPlugin(sender.send)] });
        const error = await client.v2
            .post(
                'media/upload/1/append',
                { segment_index: 0, media: Buffer.from([0xff, 0xfe, 0x00]) },
                { forceBodyMode: 'form-data' },
            )
            .then(
                () => undefined,
                (e: unknown) => e,
            );
        expect((error as XTransportError).kind).toBe('unsupported-body');
        expect(sender.requests).toHaveLength(0);
    });
});
