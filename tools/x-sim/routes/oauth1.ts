import type { OAuth1Verification } from '../auth/oauth1-verifier';
import { queryParam, type XHostname } from '../http/request';
import { formResponse, htmlResponse, redirectResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { couldNotAuthenticateV1, timestampOutOfBoundsV1, v1Error } from '../http/x-errors';
import type { SimServices } from '../services';
import type { OAuth1AccessToken, OAuth1RequestToken } from '../state/types';
import { consentPage, oauthErrorPage } from './consent-page';

/** OAuth 1.0a three-legged flow: request_token → authorize → access_token. */

const AUTHORIZE_HOSTS: readonly XHostname[] = ['api.x.com', 'api.twitter.com', 'x.com', 'twitter.com'];

function verifyWithRequestTokens(context: RouteContext): OAuth1Verification {
    const { store, oauth1Verifier } = context.services;
    return oauth1Verifier.verify(context.request, {
        consumerSecret: (key) => store.appByConsumerKey(key)?.consumerSecret,
        tokenSecret: (token) => store.oauth1RequestTokens.get(token)?.secret,
    });
}

function rejection(verification: Extract<OAuth1Verification, { ok: false }>): SimResponse {
    return verification.failure === 'timestamp' ? timestampOutOfBoundsV1() : couldNotAuthenticateV1();
}

/** A parameter sent in the OAuth header, the form body or the query string. */
function oauthParameter(
    context: RouteContext,
    verification: Extract<OAuth1Verification, { ok: true }>,
    name: string,
): string | undefined {
    return (
        verification.oauthParams.get(name) ??
        context.request.form?.find(([k]) => k === name)?.[1] ??
        queryParam(context.request, name)
    );
}

/** Finds or creates the (non-expiring) access token for an app/user pair. */
export function accessTokenFor(services: SimServices, appId: string, userId: string): OAuth1AccessToken {
    for (const token of services.store.oauth1AccessTokens.values()) {
        if (token.appId === appId && token.userId === userId && !token.revoked) return token;
    }
    const token: OAuth1AccessToken = {
        token: `${userId}-${services.store.token(40)}`,
        secret: services.store.token(45),
        appId,
        userId,
        revoked: false,
    };
    services.store.oauth1AccessTokens.set(token.token, token);
    return token;
}

function authorizeAnswer(
    requestToken: OAuth1RequestToken,
    context: RouteContext,
    userId: string,
    decision: 'approve' | 'deny',
): SimResponse {
    if (decision === 'deny') {
        if (requestToken.callback === 'oob') return htmlResponse(200, oauthErrorPage('You denied the app access.'));
        const url = new URL(requestToken.callback);
        url.searchParams.set('denied', requestToken.token);
        return redirectResponse(url.toString());
    }
    requestToken.userId = context.services.store.requireUser(userId).id;
    requestToken.verifier = context.services.store.token(32);
    context.describeCaller({ authType: 'none', appId: requestToken.appId, userId });
    if (requestToken.callback === 'oob') {
        return htmlResponse(
            200,
            `<!doctype html><html><body><p>Enter this PIN: <code id="oauth_pin">${requestToken.verifier}</code></p></body></html>`,
        );
    }
    const url = new URL(requestToken.callback);
    url.searchParams.set('oauth_token', requestToken.token);
    url.searchParams.set('oauth_verifier', requestToken.verifier);
    return redirectResponse(url.toString());
}

function authorizeRoute(path: string): Route[] {
    const findToken = (context: RouteContext, token: string | undefined) =>
        token ? context.services.store.oauth1RequestTokens.get(token) : undefined;
    return [
        {
            method: 'GET',
            hosts: AUTHORIZE_HOSTS,
            path,
            endpoint: 'oauth1.authorize',
            handle(context) {
                const requestToken = findToken(context, queryParam(context.request, 'oauth_token'));
                if (!requestToken || requestToken.exchanged)
                    return htmlResponse(400, oauthErrorPage('This page is no longer valid.'));
                const { consent, store } = context.services;
                if (consent.interactive || queryParam(context.request, 'interactive') === '1') {
                    const app = store.requireApp(requestToken.appId);
                    return htmlResponse(
                        200,
                        consentPage(
                            app.name,
                            path,
                            { oauth_token: requestToken.token },
                            [...store.users.values()],
                            consent.userId,
                            ['Read, write and Direct Messages'],
                        ),
                    );
                }
                return authorizeAnswer(requestToken, context, consent.userId, consent.decision);
            },
        },
        {
            method: 'POST',
            hosts: AUTHORIZE_HOSTS,
            path,
            endpoint: 'oauth1.authorize',
            handle(context) {
                const field = (name: string) => context.request.form?.find(([k]) => k === name)?.[1];
                const requestToken = findToken(context, field('oauth_token'));
                if (!requestToken || requestToken.exchanged)
                    return htmlResponse(400, oauthErrorPage('This page is no longer valid.'));
                return authorizeAnswer(
                    requestToken,
                    context,
                    field('user_id') ?? context.services.consent.userId,
                    field('decision') === 'deny' ? 'deny' : 'approve',
                );
            },
        },
    ];
}

export const oauth1Routes: Route[] = [
    {
        method: 'POST',
        path: '/oauth/request_token',
        endpoint: 'oauth1.request_token',
        handle(context) {
            const verification = verifyWithRequestTokens(context);
            if (!verification.ok) return rejection(verification);
            const app = context.services.store.appByConsumerKey(verification.consumerKey);
            if (!app) return couldNotAuthenticateV1();
            context.describeCaller({ authType: 'oauth1-request', appId: app.id });
            const callback = oauthParameter(context, verification, 'oauth_callback') ?? '';
            if (callback !== 'oob' && !app.callbackUrls.includes(callback)) {
                return v1Error(
                    403,
                    415,
                    'Callback URL not approved for this client application. Approved callback URLs can be adjusted in your application settings',
                );
            }
            const { store } = context.services;
            const requestToken: OAuth1RequestToken = {
                token: store.token(27),
                secret: store.token(32),
                appId: app.id,
                callback,
                createdAt: store.clock.now(),
                exchanged: false,
            };
            store.oauth1RequestTokens.set(requestToken.token, requestToken);
            return formResponse(200, {
                oauth_token: requestToken.token,
                oauth_token_secret: requestToken.secret,
                oauth_callback_confirmed: 'true',
            });
        },
    },
    ...authorizeRoute('/oauth/authorize'),
    ...authorizeRoute('/oauth/authenticate'),
    {
        method: 'POST',
        path: '/oauth/access_token',
        endpoint: 'oauth1.access_token',
        handle(context) {
            const verification = verifyWithRequestTokens(context);
            if (!verification.ok) return rejection(verification);
            const { store } = context.services;
            const requestToken = verification.token ? store.oauth1RequestTokens.get(verification.token) : undefined;
            const verifier = oauthParameter(context, verification, 'oauth_verifier');
            if (
                !requestToken ||
                requestToken.exchanged ||
                !requestToken.userId ||
                !verifier ||
                verifier !== requestToken.verifier
            ) {
                return v1Error(401, 89, 'Invalid or expired token.');
            }
            requestToken.exchanged = true;
            const access = accessTokenFor(context.services, requestToken.appId, requestToken.userId);
            const user = store.requireUser(requestToken.userId);
            context.describeCaller({ authType: 'oauth1-request', appId: requestToken.appId, userId: user.id });
            return formResponse(200, {
                oauth_token: access.token,
                oauth_token_secret: access.secret,
                user_id: user.id,
                screen_name: user.username,
            });
        },
    },
];
