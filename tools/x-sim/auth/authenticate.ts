import type { SimRequest } from '../http/request';
import type { SimStore } from '../state/store';
import type { DeveloperApp, OAuth1AccessToken, OAuth2AccessToken, XUser } from '../state/types';
import type { OAuth1Failure, OAuth1Verifier } from './oauth1-verifier';

export type AuthContext =
    | { kind: 'oauth1-user'; app: DeveloperApp; user: XUser; token: OAuth1AccessToken }
    | { kind: 'oauth2-user'; app: DeveloperApp; user: XUser; token: OAuth2AccessToken }
    | { kind: 'app-bearer'; app: DeveloperApp };

export type AuthKind = AuthContext['kind'];

export type AuthOutcome =
    | { status: 'none' }
    | { status: 'ok'; context: AuthContext }
    /** Credentials were sent but rejected; `failure` says why (timestamp matters for the v1 body). */
    | { status: 'rejected'; failure: OAuth1Failure | 'unknown-bearer' | 'expired' | 'revoked' | 'unsupported-scheme' };

/**
 * The user an API request's token names, without verifying anything (no signature check, no OAuth 1.0a nonce
 * spent): for fault matching, which happens before authentication. Undefined for app-only or unknown tokens.
 */
export function tokenUserId(request: SimRequest, store: SimStore): string | undefined {
    const header = String(request.headers.authorization ?? '');
    const oauth1Token = /^OAuth\s/i.test(header) ? /oauth_token="([^"]*)"/.exec(header)?.[1] : undefined;
    if (oauth1Token !== undefined) return store.oauth1AccessTokens.get(decodeURIComponent(oauth1Token))?.userId;
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    return bearer ? store.oauth2AccessTokens.get(bearer)?.userId : undefined;
}

/** Resolves the Authorization header of an API request to the app (and user) it speaks for. */
export function authenticate(request: SimRequest, store: SimStore, verifier: OAuth1Verifier): AuthOutcome {
    const header = String(request.headers.authorization ?? '');
    if (!header) return { status: 'none' };

    if (/^OAuth\s/i.test(header)) {
        const result = verifier.verify(request, {
            consumerSecret: (key) => store.appByConsumerKey(key)?.consumerSecret,
            tokenSecret: (token) => {
                const access = store.oauth1AccessTokens.get(token);
                return access && !access.revoked ? access.secret : undefined;
            },
        });
        if (!result.ok) return { status: 'rejected', failure: result.failure };
        const app = store.appByConsumerKey(result.consumerKey);
        const access = result.token ? store.oauth1AccessTokens.get(result.token) : undefined;
        // A consumer-key-only signature is not a user context; no /2 endpoint here accepts it.
        if (!app || !access || access.appId !== app.id) return { status: 'rejected', failure: 'unknown-token' };
        return {
            status: 'ok',
            context: { kind: 'oauth1-user', app, user: store.requireUser(access.userId), token: access },
        };
    }

    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (bearer) {
        const appId = store.appBearerTokens.get(bearer);
        if (appId) return { status: 'ok', context: { kind: 'app-bearer', app: store.requireApp(appId) } };
        const access = store.oauth2AccessTokens.get(bearer);
        if (!access) return { status: 'rejected', failure: 'unknown-bearer' };
        if (access.revoked) return { status: 'rejected', failure: 'revoked' };
        if (access.expiresAt <= store.clock.now()) return { status: 'rejected', failure: 'expired' };
        return {
            status: 'ok',
            context: {
                kind: 'oauth2-user',
                app: store.requireApp(access.appId),
                user: store.requireUser(access.userId),
                token: access,
            },
        };
    }
    return { status: 'rejected', failure: 'unsupported-scheme' };
}
