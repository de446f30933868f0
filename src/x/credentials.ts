/**
 * Which credentials each X call uses, and keeping them fresh. OAuth 2.0 access tokens last two hours and
 * refresh tokens rotate on every use, so a refresh first re-reads persistence (another Rocket.Chat
 * instance may have refreshed already) and writes the new pair before anything uses it.
 */
import { TwitterApi } from 'twitter-api-v2';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';
import { AuthMethod } from '../settings/ids';
import type { AppSettings } from '../settings/reader';
import { XFailure } from './client-types';
import { toXFailure } from './errors';
import { oauth2AppClient } from './oauth2-app';

export type UserAuth =
    | { kind: 'oauth1'; appKey: string; appSecret: string; accessToken: string; accessSecret: string }
    | { kind: 'oauth2'; accessToken: string };

export interface CredentialSource {
    readonly method: AuthMethod;
    user(): Promise<UserAuth>;
    /** After X answered 401: a refreshed credential to retry once with, or undefined when none can exist. */
    refreshAfterRejection(): Promise<UserAuth | undefined>;
    appBearer(): Promise<string>;
}

/** Refresh this long before X's expiry, so a request never leaves with a token about to die. */
const REFRESH_MARGIN_MS = 2 * 60_000;

/** `tweet.write`: public replies to mentions (POST /2/tweets; issue 19). A link made before needs authorizing again. */
export const OAUTH2_SCOPES = [
    'dm.read',
    'dm.write',
    'tweet.read',
    'tweet.write',
    'users.read',
    'offline.access',
    'media.write',
];

export interface OAuth2Tokens {
    accessToken: string;
    refreshToken?: string;
    /** ms since epoch */
    expiresAt: number;
    scope: string[];
    updatedAt: number;
}

/**
 * Where one linked account's tokens are kept (persistence: storage/accounts.ts), the truth every instance
 * reads; without `write` (no persistence at hand) a token is never refreshed.
 */
interface TokenStore {
    read(): Promise<OAuth2Tokens | undefined>;
    write?: (tokens: OAuth2Tokens) => Promise<void>;
}

export interface CredentialDeps {
    settings: AppSettings;
    /** Whose tokens: the in-memory copy is kept per account. */
    accountId: string;
    tokens: TokenStore;
    plugins: ITwitterApiClientPlugin[];
    now(): number;
}

/** Tokens are cached per instance and per account; persistence stays the truth. */
const cachedTokens = new Map<string, OAuth2Tokens>();
const bearerCache = new Map<string, string>();

/** One account's tokens (unlinked, linked anew), or every credential (the app's keys changed). */
export function forgetCachedCredentials(accountId?: string): void {
    if (accountId !== undefined) {
        cachedTokens.delete(accountId);
        return;
    }
    cachedTokens.clear();
    bearerCache.clear();
}

export function rememberTokens(accountId: string, tokens: OAuth2Tokens): void {
    cachedTokens.set(accountId, tokens);
}

/**
 * A token that is not stored (yet): an OAuth 2.0 link waiting for the admin's confirmation asks X whose
 * account it is with this token alone. Never refreshed; no app-only calls.
 */
export function unstoredTokenSource(accessToken: string): CredentialSource {
    return {
        method: AuthMethod.OAuth2,
        user: async () => ({ kind: 'oauth2', accessToken }),
        refreshAfterRejection: async () => undefined,
        appBearer: async () => {
            throw new XFailure('invalid-request', 0, undefined, 'This client makes no app-only calls');
        },
    };
}

export function credentialSource(deps: CredentialDeps): CredentialSource {
    const { settings } = deps;
    const appBearer = async (): Promise<string> => {
        if (settings.bearerToken) return settings.bearerToken;
        if (!settings.apiKey || !settings.apiKeySecret)
            throw new XFailure('invalid-request', 0, undefined, 'API Key and API Key Secret are required for webhooks');
        const cacheKey = `${settings.apiKey}:${settings.apiKeySecret.length}`;
        const cached = bearerCache.get(cacheKey);
        if (cached) return cached;
        try {
            const app = await new TwitterApi(
                { appKey: settings.apiKey, appSecret: settings.apiKeySecret },
                { plugins: deps.plugins },
            ).appLogin();
            const tokens = app.getActiveTokens();
            if (tokens.type !== 'oauth2')
                throw new XFailure('invalid-request', 0, undefined, 'X did not return an app-only token');
            const bearer = tokens.bearerToken;
            bearerCache.set(cacheKey, bearer);
            return bearer;
        } catch (e) {
            throw toXFailure(e, deps.now());
        }
    };

    if (settings.authMethod === AuthMethod.Tokens) {
        const user = async (): Promise<UserAuth> => {
            if (!settings.apiKey || !settings.apiKeySecret || !settings.accessToken || !settings.accessTokenSecret) {
                throw new XFailure(
                    'token-invalid',
                    0,
                    undefined,
                    'API Key, API Key Secret, Access Token and Access Token Secret are required',
                );
            }
            return {
                kind: 'oauth1',
                appKey: settings.apiKey,
                appSecret: settings.apiKeySecret,
                accessToken: settings.accessToken,
                accessSecret: settings.accessTokenSecret,
            };
        };
        // Pasted OAuth 1.0a tokens do not expire: a 401 means they are wrong or revoked.
        return { method: AuthMethod.Tokens, user, refreshAfterRejection: async () => undefined, appBearer };
    }

    const keep = (tokens: OAuth2Tokens) => (cachedTokens.set(deps.accountId, tokens), tokens);
    const refresh = async (rejected?: string): Promise<OAuth2Tokens> => {
        const stored = await deps.tokens.read();
        if (!stored) throw new XFailure('token-invalid', 0, undefined, 'The X account is not linked');
        const fresh = stored.accessToken !== rejected && stored.expiresAt - REFRESH_MARGIN_MS > deps.now();
        if (fresh) return keep(stored);
        if (!stored.refreshToken)
            throw new XFailure(
                'token-invalid',
                0,
                undefined,
                'The access token expired and no refresh token was granted (offline.access)',
            );
        if (!settings.oauth2ClientId)
            throw new XFailure('token-invalid', 0, undefined, 'OAuth 2.0 Client ID is not set');
        const store = deps.tokens.write;
        if (!store)
            throw new XFailure('token-invalid', 0, undefined, 'The token must be refreshed where it can be stored');
        try {
            const client = oauth2AppClient(settings, deps.plugins);
            const result = await client.refreshOAuth2Token(stored.refreshToken);
            const tokens: OAuth2Tokens = {
                accessToken: result.accessToken,
                refreshToken: result.refreshToken ?? stored.refreshToken,
                expiresAt: deps.now() + result.expiresIn * 1000,
                scope: result.scope ?? stored.scope,
                updatedAt: deps.now(),
            };
            await store(tokens);
            return keep(tokens);
        } catch (e) {
            const failure = toXFailure(e, deps.now());
            // A refresh token another instance already rotated: its new pair is in persistence now.
            const again = await deps.tokens.read();
            if (again && again.refreshToken !== stored.refreshToken && again.expiresAt - REFRESH_MARGIN_MS > deps.now())
                return keep(again);
            throw failure.kind === 'invalid-request'
                ? new XFailure('token-invalid', failure.status, undefined, failure.detail)
                : failure;
        }
    };

    return {
        method: AuthMethod.OAuth2,
        async user() {
            const cached = cachedTokens.get(deps.accountId);
            const tokens = cached && cached.expiresAt - REFRESH_MARGIN_MS > deps.now() ? cached : await refresh();
            return { kind: 'oauth2', accessToken: tokens.accessToken };
        },
        async refreshAfterRejection() {
            const rejected = cachedTokens.get(deps.accountId)?.accessToken;
            cachedTokens.delete(deps.accountId);
            const tokens = await refresh(rejected);
            return tokens.accessToken === rejected ? undefined : { kind: 'oauth2', accessToken: tokens.accessToken };
        },
        appBearer,
    };
}
