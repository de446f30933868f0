import type { TwitterApi } from 'twitter-api-v2';
import {
    buildOAuth1Header,
    DEFAULT_APP,
    DEFAULT_BUSINESS_ACCOUNT,
    DEFAULT_BUSINESS_OAUTH1,
    ManualClock,
    startXSim,
    type XSim,
} from '../../tools/x-sim';
import { nodeSender } from '../../tools/x-sim/node-sender';
import { appOnlyClient, oauth1Client, oauth2Client, xClient } from './helpers/clients';
import { rawRequest } from './helpers/raw-http';
import { rejection } from './helpers/errors';

const CALLBACK = 'http://127.0.0.1/callback';
const UNAUTHORIZED_V2 = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
const COULD_NOT_AUTHENTICATE = { errors: [{ code: 32, message: 'Could not authenticate you.' }] };
/** twitter-api-v2 adds an `errors` entry to `{error, error_description}` bodies, hence toMatchObject below. */
const INVALID_CODE = {
    error: 'invalid_request',
    error_description: 'Value passed for the authorization code was invalid.',
};

describe('authentication', () => {
    let sim: XSim;
    let clock: ManualClock;

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
    });
    afterEach(() => sim.close());

    /** Runs the authorize step of the PKCE flow and returns the code from the redirect. */
    async function authorize(client: TwitterApi, scope: string[]) {
        const link = client.generateOAuth2AuthLink(CALLBACK, { scope });
        const answer = await nodeSender(sim)({ method: 'GET', url: link.url, headers: {} });
        expect(answer.statusCode).toBe(302);
        const location = new URL(answer.headers.location);
        expect(location.origin + location.pathname).toBe(CALLBACK);
        expect(location.searchParams.get('state')).toBe(link.state);
        return { code: location.searchParams.get('code')!, codeVerifier: link.codeVerifier };
    }

    describe('OAuth 2.0 authorization code with PKCE (unmodified twitter-api-v2)', () => {
        const scope = ['tweet.read', 'users.read', 'dm.read', 'dm.write', 'offline.access'];

        test('login, refresh with rotation, revoke', async () => {
            const appClient = xClient(sim, { clientId: DEFAULT_APP.clientId, clientSecret: DEFAULT_APP.clientSecret });
            const { code, codeVerifier } = await authorize(appClient, scope);
            const login = await appClient.loginWithOAuth2({ code, codeVerifier, redirectUri: CALLBACK });
            expect(login.expiresIn).toBe(7200);
            expect(login.scope).toEqual(scope);
            expect(login.refreshToken).toBeDefined();
            expect((await login.client.v2.me()).data.username).toBe(DEFAULT_BUSINESS_ACCOUNT.username);

            const refreshed = await appClient.refreshOAuth2Token(login.refreshToken!);
            expect(refreshed.refreshToken).not.toBe(login.refreshToken);
            expect((await refreshed.client.v2.me()).data.id).toBe(DEFAULT_BUSINESS_ACCOUNT.id);
            const reused = await rejection(appClient.refreshOAuth2Token(login.refreshToken!));
            expect(reused.code).toBe(400);
            expect(reused.data).toMatchObject({
                error: 'invalid_request',
                error_description: 'Value passed for the token was invalid.',
            });

            await appClient.revokeOAuth2Token(refreshed.accessToken, 'access_token');
            const revoked = await rejection(refreshed.client.v2.me());
            expect([revoked.code, revoked.data]).toEqual([401, UNAUTHORIZED_V2]);
        });

        test('no refresh token without offline.access', async () => {
            const appClient = xClient(sim, { clientId: DEFAULT_APP.clientId, clientSecret: DEFAULT_APP.clientSecret });
            const { code, codeVerifier } = await authorize(appClient, ['tweet.read', 'users.read']);
            const login = await appClient.loginWithOAuth2({ code, codeVerifier, redirectUri: CALLBACK });
            expect(login.refreshToken).toBeUndefined();
        });

        test('a replayed code, an expired code and a wrong verifier are refused as X refuses them', async () => {
            const appClient = xClient(sim, { clientId: DEFAULT_APP.clientId, clientSecret: DEFAULT_APP.clientSecret });
            const first = await authorize(appClient, scope);
            await appClient.loginWithOAuth2({ ...first, redirectUri: CALLBACK });
            const replayed = await rejection(appClient.loginWithOAuth2({ ...first, redirectUri: CALLBACK }));
            expect([replayed.code, replayed.data]).toMatchObject([400, INVALID_CODE]);

            const late = await authorize(appClient, scope);
            await clock.advance(30_001);
            const expired = await rejection(appClient.loginWithOAuth2({ ...late, redirectUri: CALLBACK }));
            expect([expired.code, expired.data]).toMatchObject([400, INVALID_CODE]);

            const third = await authorize(appClient, scope);
            const wrongVerifier = await rejection(
                appClient.loginWithOAuth2({ code: third.code, codeVerifier: 'x'.repeat(128), redirectUri: CALLBACK }),
            );
            expect([wrongVerifier.code, wrongVerifier.data]).toMatchObject([400, INVALID_CODE]);
        });

        test('a confidential client must authenticate with Basic credentials', async () => {
            const publicCall = xClient(sim, { clientId: DEFAULT_APP.clientId });
            const { code, codeVerifier } = await authorize(publicCall, scope);
            const refused = await rejection(publicCall.loginWithOAuth2({ code, codeVerifier, redirectUri: CALLBACK }));
            expect([refused.code, refused.data]).toMatchObject([
                401,
                { error: 'unauthorized_client', error_description: 'Missing valid authorization header' },
            ]);
        });

        test('the token endpoint also takes the documented form-encoded body; public clients name themselves', async () => {
            const publicApp = sim.createApp({ clientSecret: null, callbackUrls: [CALLBACK] });
            const client = xClient(sim, { clientId: publicApp.clientId });
            const { code, codeVerifier } = await authorize(client, ['users.read', 'tweet.read']);
            const form = new URLSearchParams({
                grant_type: 'authorization_code',
                code,
                code_verifier: codeVerifier,
                redirect_uri: CALLBACK,
                client_id: publicApp.clientId,
            });
            const answer = await rawRequest(sim, 'POST', 'https://api.x.com/2/oauth2/token', {
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: form.toString(),
            });
            expect(answer.status).toBe(200);
            expect(answer.json).toEqual({
                token_type: 'bearer',
                expires_in: 7200,
                access_token: expect.any(String),
                scope: 'users.read tweet.read',
            });
        });

        test('access tokens expire after two hours of simulated time', async () => {
            const client = oauth2Client(sim, DEFAULT_BUSINESS_ACCOUNT.id);
            await client.v2.me();
            await clock.advance(2 * 60 * 60 * 1000);
            const expired = await rejection(client.v2.me());
            expect([expired.code, expired.data]).toEqual([401, UNAUTHORIZED_V2]);
        });

        test('authorize validates the client, redirect URI, state and PKCE method, and reports a denial', async () => {
            const send = nodeSender(sim);
            const base = `https://x.com/i/oauth2/authorize?response_type=code&client_id=${DEFAULT_APP.clientId}&scope=users.read&code_challenge=abc&code_challenge_method=S256`;
            expect(
                (
                    await send({
                        method: 'GET',
                        url: `${base}&redirect_uri=https%3A%2F%2Fevil.example%2F&state=s`,
                        headers: {},
                    })
                ).statusCode,
            ).toBe(400);
            const longState = await send({
                method: 'GET',
                url: `${base}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=${'s'.repeat(501)}`,
                headers: {},
            });
            expect(new URL(longState.headers.location).searchParams.get('error')).toBe('invalid_request');
            const badMethod = await send({
                method: 'GET',
                url: `${base.replace('S256', 'md5')}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=s`,
                headers: {},
            });
            expect(new URL(badMethod.headers.location).searchParams.get('error')).toBe('invalid_request');

            sim.setConsent({ decision: 'deny' });
            const denied = await send({
                method: 'GET',
                url: `${base}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=st8`,
                headers: {},
            });
            const location = new URL(denied.headers.location);
            expect([location.searchParams.get('error'), location.searchParams.get('state')]).toEqual([
                'access_denied',
                'st8',
            ]);

            sim.setConsent({ decision: 'approve', interactive: true });
            const page = await send({
                method: 'GET',
                url: `${base}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=st8`,
                headers: {},
            });
            expect(page.statusCode).toBe(200);
            expect(String(page.content)).toContain('Authorize app');
        });
    });

    describe('OAuth 1.0a three-legged (unmodified twitter-api-v2)', () => {
        test('generateAuthLink → authorize → login', async () => {
            const consumer = xClient(sim, { appKey: DEFAULT_APP.consumerKey, appSecret: DEFAULT_APP.consumerSecret });
            const link = await consumer.generateAuthLink(CALLBACK, { linkMode: 'authorize' });
            expect(link.oauth_token).toEqual(expect.any(String));
            expect(link.oauth_callback_confirmed).toBe('true');
            const answer = await nodeSender(sim)({ method: 'GET', url: link.url, headers: {} });
            const callback = new URL(answer.headers.location);
            expect(callback.searchParams.get('oauth_token')).toBe(link.oauth_token);

            const temporary = xClient(sim, {
                appKey: DEFAULT_APP.consumerKey,
                appSecret: DEFAULT_APP.consumerSecret,
                accessToken: link.oauth_token,
                accessSecret: link.oauth_token_secret,
            });
            const login = await temporary.login(callback.searchParams.get('oauth_verifier')!);
            expect([login.userId, login.screenName]).toEqual([
                DEFAULT_BUSINESS_ACCOUNT.id,
                DEFAULT_BUSINESS_ACCOUNT.username,
            ]);
            expect((await login.client.v2.me()).data.id).toBe(DEFAULT_BUSINESS_ACCOUNT.id);
        });

        test('an unregistered callback is refused', async () => {
            const consumer = xClient(sim, { appKey: DEFAULT_APP.consumerKey, appSecret: DEFAULT_APP.consumerSecret });
            const refused = await rejection(consumer.generateAuthLink('https://elsewhere.example/cb'));
            expect(refused.code).toBe(403);
            expect(refused.hasErrorCode(415)).toBe(true);
        });

        test('the seeded business token works as pasted credentials', async () => {
            const client = xClient(sim, {
                appKey: DEFAULT_APP.consumerKey,
                appSecret: DEFAULT_APP.consumerSecret,
                accessToken: DEFAULT_BUSINESS_OAUTH1.accessToken,
                accessSecret: DEFAULT_BUSINESS_OAUTH1.accessSecret,
            });
            expect((await client.v2.me()).data.username).toBe(DEFAULT_BUSINESS_ACCOUNT.username);
        });
    });

    describe('refusals with X status and body', () => {
        const keys = {
            consumerKey: DEFAULT_APP.consumerKey,
            consumerSecret: DEFAULT_APP.consumerSecret,
            token: DEFAULT_BUSINESS_OAUTH1.accessToken,
            tokenSecret: DEFAULT_BUSINESS_OAUTH1.accessSecret,
        };
        const meUrl = 'https://api.x.com/2/users/me';

        test('a forged OAuth 1.0a signature', async () => {
            const authorization = buildOAuth1Header({
                method: 'GET',
                url: meUrl,
                keys,
                signatureOverride: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
            });
            const answer = await rawRequest(sim, 'GET', meUrl, { headers: { authorization } });
            expect([answer.status, answer.json]).toEqual([401, UNAUTHORIZED_V2]);
            const tokenUrl = 'https://api.x.com/oauth/request_token';
            const forgedV1 = buildOAuth1Header({
                method: 'POST',
                url: tokenUrl,
                keys: { consumerKey: keys.consumerKey, consumerSecret: 'wrong' },
            });
            const v1 = await rawRequest(sim, 'POST', tokenUrl, { headers: { authorization: forgedV1 } });
            expect([v1.status, v1.json]).toEqual([401, COULD_NOT_AUTHENTICATE]);
        });

        test('a reused nonce', async () => {
            const authorization = buildOAuth1Header({ method: 'GET', url: meUrl, keys, nonce: 'same-nonce-twice' });
            expect((await rawRequest(sim, 'GET', meUrl, { headers: { authorization } })).status).toBe(200);
            const replay = await rawRequest(sim, 'GET', meUrl, { headers: { authorization } });
            expect([replay.status, replay.json]).toEqual([401, UNAUTHORIZED_V2]);
        });

        test('a timestamp more than five minutes off', async () => {
            const skewed = Math.floor(Date.now() / 1000) - 6 * 60;
            const authorization = buildOAuth1Header({ method: 'GET', url: meUrl, keys, timestamp: skewed });
            const answer = await rawRequest(sim, 'GET', meUrl, { headers: { authorization } });
            expect([answer.status, answer.json]).toEqual([401, UNAUTHORIZED_V2]);
            const tokenUrl = 'https://api.x.com/oauth/request_token?oauth_callback=oob';
            const v1Header = buildOAuth1Header({
                method: 'POST',
                url: tokenUrl,
                keys: { consumerKey: keys.consumerKey, consumerSecret: keys.consumerSecret },
                timestamp: skewed,
            });
            const v1 = await rawRequest(sim, 'POST', tokenUrl, { headers: { authorization: v1Header } });
            expect([v1.status, v1.json]).toEqual([
                401,
                { errors: [{ code: 135, message: 'Timestamp out of bounds.' }] },
            ]);
        });

        test('a revoked token (the user removed the app)', async () => {
            const client = oauth1Client(sim, DEFAULT_BUSINESS_ACCOUNT.id);
            await client.v2.me();
            sim.revokeUserTokens(DEFAULT_BUSINESS_ACCOUNT.id);
            const revoked = await rejection(client.v2.me());
            expect([revoked.code, revoked.data]).toEqual([401, UNAUTHORIZED_V2]);
        });

        test('app-only auth on DM endpoints, a missing scope, and an app without DM permission', async () => {
            const appOnly = await rejection(appOnlyClient(sim).v2.listDmEvents());
            expect([appOnly.code, appOnly.data]).toEqual([
                403,
                {
                    title: 'Unsupported Authentication',
                    detail: 'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
                    type: 'https://api.twitter.com/2/problems/unsupported-authentication',
                    status: 403,
                },
            ]);
            const noDmScope = await rejection(
                oauth2Client(sim, DEFAULT_BUSINESS_ACCOUNT.id, ['tweet.read', 'users.read']).v2.listDmEvents(),
            );
            expect([noDmScope.code, noDmScope.data]).toEqual([
                403,
                { title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' },
            ]);

            const readOnlyApp = sim.createApp({ oauth1AccessLevel: 'read-write' });
            const link = sim.linkOAuth1(readOnlyApp.id, DEFAULT_BUSINESS_ACCOUNT.id);
            const noDmPermission = await rejection(
                xClient(sim, {
                    appKey: link.appKey,
                    appSecret: link.appSecret,
                    accessToken: link.accessToken,
                    accessSecret: link.accessSecret,
                }).v2.listDmEvents(),
            );
            expect(noDmPermission.code).toBe(403);
            expect(noDmPermission.hasErrorCode(93)).toBe(true);
        });

        test('app-only bearer tokens come from client_credentials', async () => {
            const consumer = xClient(sim, { appKey: DEFAULT_APP.consumerKey, appSecret: DEFAULT_APP.consumerSecret });
            const appClient = await consumer.appLogin();
            expect((await appClient.v2.user(DEFAULT_BUSINESS_ACCOUNT.id)).data.username).toBe(
                DEFAULT_BUSINESS_ACCOUNT.username,
            );
            expect((await appClient.v2.userByUsername(DEFAULT_BUSINESS_ACCOUNT.username)).data.id).toBe(
                DEFAULT_BUSINESS_ACCOUNT.id,
            );
            const missing = await appClient.v2.user('1234');
            expect(missing.errors?.[0]).toMatchObject({ title: 'Not Found Error', resource_type: 'user' });
        });
    });
});
