import { createHash } from 'node:crypto';
import type { SimServices } from '../services';
import type { DeveloperApp, OAuth2AuthorizationCode, OAuth2RefreshToken } from '../state/types';

/** Scopes X's OAuth 2.0 authorization server knows. */
export const KNOWN_SCOPES = new Set([
    'tweet.read',
    'tweet.write',
    'tweet.moderate.write',
    'users.email',
    'users.read',
    'follows.read',
    'follows.write',
    'offline.access',
    'space.read',
    'mute.read',
    'mute.write',
    'like.read',
    'like.write',
    'list.read',
    'list.write',
    'block.read',
    'block.write',
    'bookmark.read',
    'bookmark.write',
    'dm.read',
    'dm.write',
    'media.write',
]);

export interface TokenResponse {
    token_type: 'bearer';
    expires_in: number;
    access_token: string;
    scope: string;
    refresh_token?: string;
}

/** PKCE: S256 compares base64url(SHA-256(verifier)); plain compares the strings. */
export function verifierMatches(code: OAuth2AuthorizationCode, verifier: string): boolean {
    if (code.codeChallengeMethod === 'plain') return verifier === code.codeChallenge;
    const digest = createHash('sha256')
        .update(verifier)
        .digest('base64')
        .replace(/=+$/, '')
        .replace(/\+/g, '-')
        .replace(/\//g, '_');
    return digest === code.codeChallenge;
}

/** Issues an access token (2 h) and, with `offline.access`, a refresh token. */
export function issueTokens(services: SimServices, app: DeveloperApp, userId: string, scopes: string[]): TokenResponse {
    const { store, lifetimes } = services;
    const accessToken = store.token(64);
    store.oauth2AccessTokens.set(accessToken, {
        token: accessToken,
        appId: app.id,
        userId,
        scopes,
        expiresAt: store.clock.now() + lifetimes.accessTokenMs,
        revoked: false,
    });
    const response: TokenResponse = {
        token_type: 'bearer',
        expires_in: Math.round(lifetimes.accessTokenMs / 1000),
        access_token: accessToken,
        scope: scopes.join(' '),
    };
    if (scopes.includes('offline.access')) {
        const refresh: OAuth2RefreshToken = { token: store.token(64), appId: app.id, userId, scopes, revoked: false };
        store.oauth2RefreshTokens.set(refresh.token, refresh);
        response.refresh_token = refresh.token;
    }
    return response;
}

/** Creates the short-lived authorization code handed to the redirect URI. */
export function issueAuthorizationCode(
    services: SimServices,
    grant: Omit<OAuth2AuthorizationCode, 'code' | 'issuedAt' | 'used'>,
): OAuth2AuthorizationCode {
    const code: OAuth2AuthorizationCode = {
        ...grant,
        code: services.store.token(48),
        issuedAt: services.clock.now(),
        used: false,
    };
    services.store.oauth2Codes.set(code.code, code);
    return code;
}
