import { basicCredentials } from '../auth/client-credentials';
import { issueTokens, verifierMatches } from '../auth/oauth2-grants';
import { bodyFields } from '../http/request';
import { jsonResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { oauth2Error, v1Error } from '../http/x-errors';
import type { DeveloperApp } from '../state/types';

/**
 * OAuth 2.0 token endpoints: `POST /2/oauth2/token` (authorization_code, refresh_token),
 * `POST /2/oauth2/revoke`, and the app-only `POST /oauth2/token` (client_credentials).
 * Bodies may be form-encoded (as documented) or JSON (as twitter-api-v2 sends them).
 */

const INVALID_CODE = () => oauth2Error(400, 'invalid_request', 'Value passed for the authorization code was invalid.');
const INVALID_TOKEN = () => oauth2Error(400, 'invalid_request', 'Value passed for the token was invalid.');
const MISSING_CLIENT_AUTH = () => oauth2Error(401, 'unauthorized_client', 'Missing valid authorization header');

/**
 * Confidential clients must authenticate with Basic client_id:client_secret; public clients
 * name themselves with `client_id` in the body.
 */
function authenticateClient(context: RouteContext, fields: Record<string, string>): DeveloperApp | SimResponse {
    const { store } = context.services;
    const basic = basicCredentials(context.request);
    if (basic) {
        const app = store.appByClientId(basic.id);
        if (!app || app.clientSecret === null || app.clientSecret !== basic.secret) return MISSING_CLIENT_AUTH();
        return app;
    }
    const app = store.appByClientId(fields.client_id ?? '');
    if (!app) return oauth2Error(400, 'invalid_request', 'Missing required parameter [client_id].');
    if (app.clientSecret !== null) return MISSING_CLIENT_AUTH();
    return app;
}

function exchangeCode(context: RouteContext, app: DeveloperApp, fields: Record<string, string>): SimResponse {
    const { store, lifetimes } = context.services;
    const code = store.oauth2Codes.get(fields.code ?? '');
    if (!code || code.appId !== app.id) return INVALID_CODE();
    // A presented code is spent even when the exchange fails, so it can never be replayed.
    const alreadyUsed = code.used;
    code.used = true;
    if (alreadyUsed || store.clock.now() - code.issuedAt > lifetimes.authorizationCodeMs) return INVALID_CODE();
    if (fields.redirect_uri !== code.redirectUri || !verifierMatches(code, fields.code_verifier ?? ''))
        return INVALID_CODE();
    context.describeCaller({ authType: 'basic', appId: app.id, userId: code.userId });
    return jsonResponse(200, issueTokens(context.services, app, code.userId, code.scopes));
}

function refresh(context: RouteContext, app: DeveloperApp, fields: Record<string, string>): SimResponse {
    const { store } = context.services;
    const current = store.oauth2RefreshTokens.get(fields.refresh_token ?? '');
    if (!current || current.revoked || current.appId !== app.id) return INVALID_TOKEN();
    // Rotation: the presented refresh token stops working once a new one is issued.
    current.revoked = true;
    context.describeCaller({ authType: 'basic', appId: app.id, userId: current.userId });
    return jsonResponse(200, issueTokens(context.services, app, current.userId, current.scopes));
}

export const oauth2TokenRoutes: Route[] = [
    {
        method: 'POST',
        path: '/2/oauth2/token',
        endpoint: 'oauth2.token',
        handle(context) {
            const fields = bodyFields(context.request);
            const app = authenticateClient(context, fields);
            if (!('id' in app)) return app;
            context.describeCaller({ authType: 'basic', appId: app.id });
            if (fields.grant_type === 'authorization_code') return exchangeCode(context, app, fields);
            if (fields.grant_type === 'refresh_token') return refresh(context, app, fields);
            return oauth2Error(400, 'invalid_request', 'Missing required parameter [grant_type].');
        },
    },
    {
        method: 'POST',
        path: '/2/oauth2/revoke',
        endpoint: 'oauth2.revoke',
        handle(context) {
            const fields = bodyFields(context.request);
            const app = authenticateClient(context, fields);
            if (!('id' in app)) return app;
            context.describeCaller({ authType: 'basic', appId: app.id });
            const { store } = context.services;
            const token = fields.token ?? '';
            for (const record of [store.oauth2AccessTokens.get(token), store.oauth2RefreshTokens.get(token)]) {
                if (record && record.appId === app.id) record.revoked = true;
            }
            // RFC 7009: unknown tokens are "revoked" too.
            return jsonResponse(200, { revoked: true });
        },
    },
    {
        method: 'POST',
        path: '/oauth2/token',
        endpoint: 'oauth2.app-token',
        handle(context) {
            const { store } = context.services;
            const basic = basicCredentials(context.request);
            const app = basic ? store.appByConsumerKey(basic.id) : undefined;
            if (!basic || !app || app.consumerSecret !== basic.secret)
                return v1Error(403, 99, 'Unable to verify your credentials');
            if (bodyFields(context.request).grant_type !== 'client_credentials')
                return v1Error(403, 99, 'Unable to verify your credentials');
            context.describeCaller({ authType: 'basic', appId: app.id });
            // X hands out the same app-only token until it is invalidated.
            const bearer = [...store.appBearerTokens].find(([, appId]) => appId === app.id)?.[0];
            return jsonResponse(200, { token_type: 'bearer', access_token: bearer });
        },
    },
];
