import type { SimResponse } from '../http/response';
import {
    couldNotAuthenticateV1,
    forbiddenV2,
    noDmPermission,
    timestampOutOfBoundsV1,
    unauthorizedV2,
    unsupportedAuthentication,
    type AuthTypeLabel,
} from '../http/x-errors';
import type { AuthContext, AuthKind, AuthOutcome } from './authenticate';

/** Which credentials an endpoint accepts, as X documents per endpoint. */
export interface AuthRequirement {
    accept: AuthKind[];
    /** OAuth 2.0 scopes the user token must hold. */
    scopes?: string[];
    /** OAuth 1.0a apps need the "Read, Write and Direct Messages" permission. */
    dmAccess?: boolean;
    /** v1-style error bodies (ton.twitter.com) instead of v2 problems. */
    errorStyle?: 'v2' | 'v1';
}

const AUTH_LABELS: Record<AuthKind, AuthTypeLabel> = {
    'oauth1-user': 'OAuth 1.0a User Context',
    'oauth2-user': 'OAuth 2.0 User Context',
    'app-bearer': 'OAuth 2.0 Application-Only',
};

export type AuthDecision = { ok: true; context: AuthContext } | { ok: false; response: SimResponse };

export function enforceAuth(outcome: AuthOutcome, requirement: AuthRequirement): AuthDecision {
    const v1 = requirement.errorStyle === 'v1';
    if (outcome.status !== 'ok') {
        if (v1 && outcome.status === 'rejected' && outcome.failure === 'timestamp')
            return { ok: false, response: timestampOutOfBoundsV1() };
        return { ok: false, response: v1 ? couldNotAuthenticateV1() : unauthorizedV2() };
    }
    const { context } = outcome;
    if (!requirement.accept.includes(context.kind)) {
        if (v1) return { ok: false, response: couldNotAuthenticateV1() };
        const supported = requirement.accept.map((kind) => AUTH_LABELS[kind]);
        return { ok: false, response: unsupportedAuthentication(AUTH_LABELS[context.kind], supported) };
    }
    if (context.kind === 'oauth2-user' && requirement.scopes) {
        const granted = new Set(context.token.scopes);
        if (!requirement.scopes.every((scope) => granted.has(scope))) return { ok: false, response: forbiddenV2() };
    }
    if (context.kind === 'oauth1-user' && requirement.dmAccess && context.app.oauth1AccessLevel !== 'read-write-dm') {
        return { ok: false, response: noDmPermission() };
    }
    return { ok: true, context };
}

/** The requirement sets the DM and media endpoints share. */
export const DM_READ: AuthRequirement = {
    accept: ['oauth1-user', 'oauth2-user'],
    scopes: ['dm.read', 'tweet.read', 'users.read'],
    dmAccess: true,
};
export const DM_WRITE: AuthRequirement = {
    accept: ['oauth1-user', 'oauth2-user'],
    scopes: ['dm.write', 'dm.read', 'tweet.read', 'users.read'],
    dmAccess: true,
};
export const MEDIA_WRITE: AuthRequirement = { accept: ['oauth1-user', 'oauth2-user'], scopes: ['media.write'] };
export const APP_ONLY: AuthRequirement = { accept: ['app-bearer'] };
export const USER_LOOKUP: AuthRequirement = {
    accept: ['oauth1-user', 'oauth2-user', 'app-bearer'],
    scopes: ['tweet.read', 'users.read'],
};
export const USER_SELF: AuthRequirement = {
    accept: ['oauth1-user', 'oauth2-user'],
    scopes: ['tweet.read', 'users.read'],
};
