import { issueAuthorizationCode, KNOWN_SCOPES } from '../auth/oauth2-grants';
import { queryParam, type SimRequest, type XHostname } from '../http/request';
import { htmlResponse, redirectResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import type { DeveloperApp } from '../state/types';
import { consentPage, oauthErrorPage } from './consent-page';

/** `GET https://x.com/i/oauth2/authorize`: X's OAuth 2.0 authorization page (auto-approving by default). */

const AUTHORIZE_HOSTS: readonly XHostname[] = ['x.com', 'twitter.com', 'api.x.com', 'api.twitter.com'];
const MAX_STATE_LENGTH = 500;

interface AuthorizeRequest {
    app: DeveloperApp;
    redirectUri: string;
    state: string;
    scopes: string[];
    codeChallenge: string;
    codeChallengeMethod: 'S256' | 'plain';
}

type Parsed = { ok: true; value: AuthorizeRequest } | { ok: false; response: SimResponse };

function withQuery(base: string, params: Record<string, string>): string {
    const url = new URL(base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
}

function parseAuthorize(fields: (name: string) => string | undefined, context: RouteContext): Parsed {
    const app = context.services.store.appByClientId(fields('client_id') ?? '');
    if (!app) return { ok: false, response: htmlResponse(400, oauthErrorPage('Unknown client_id.')) };
    const redirectUri = fields('redirect_uri') ?? '';
    // An unregistered redirect URI is never redirected to.
    if (!app.callbackUrls.includes(redirectUri))
        return {
            ok: false,
            response: htmlResponse(400, oauthErrorPage('redirect_uri does not match a registered callback URL.')),
        };
    const state = fields('state') ?? '';
    const fail = (error: string, description: string): Parsed => ({
        ok: false,
        response: redirectResponse(
            withQuery(redirectUri, {
                error,
                error_description: description,
                ...(state && state.length <= MAX_STATE_LENGTH ? { state } : {}),
            }),
        ),
    });
    if (fields('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    if (!state || state.length > MAX_STATE_LENGTH)
        return fail('invalid_request', `state is required and at most ${MAX_STATE_LENGTH} characters`);
    const scopes = (fields('scope') ?? '').split(/[\s+]+/).filter(Boolean);
    if (scopes.length === 0) return fail('invalid_request', 'scope is required');
    if (scopes.some((scope) => !KNOWN_SCOPES.has(scope))) return fail('invalid_scope', 'Unknown scope requested');
    const codeChallenge = fields('code_challenge') ?? '';
    const method = (fields('code_challenge_method') ?? '').toLowerCase();
    if (!codeChallenge) return fail('invalid_request', 'code_challenge is required');
    // twitter-api-v2 sends "s256" in lower case; X accepts it.
    if (method !== 's256' && method !== 'plain')
        return fail('invalid_request', 'code_challenge_method must be S256 or plain');
    return {
        ok: true,
        value: {
            app,
            redirectUri,
            state,
            scopes,
            codeChallenge,
            codeChallengeMethod: method === 's256' ? 'S256' : 'plain',
        },
    };
}

function decide(
    context: RouteContext,
    request: AuthorizeRequest,
    userId: string,
    decision: 'approve' | 'deny',
): SimResponse {
    if (decision === 'deny')
        return redirectResponse(withQuery(request.redirectUri, { error: 'access_denied', state: request.state }));
    context.services.store.requireUser(userId);
    const code = issueAuthorizationCode(context.services, {
        appId: request.app.id,
        userId,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: request.codeChallengeMethod,
    });
    context.describeCaller({ authType: 'none', appId: request.app.id, userId });
    return redirectResponse(withQuery(request.redirectUri, { state: request.state, code: code.code }));
}

function formField(request: SimRequest, name: string): string | undefined {
    return request.form?.find(([k]) => k === name)?.[1];
}

export const oauth2AuthorizeRoutes: Route[] = [
    {
        method: 'GET',
        hosts: AUTHORIZE_HOSTS,
        path: '/i/oauth2/authorize',
        endpoint: 'oauth2.authorize',
        handle(context) {
            const parsed = parseAuthorize((name) => queryParam(context.request, name), context);
            if (!parsed.ok) return parsed.response;
            const { consent, store } = context.services;
            if (consent.interactive || queryParam(context.request, 'interactive') === '1') {
                const hidden = Object.fromEntries(context.request.queryPairs.filter(([k]) => k !== 'interactive'));
                return htmlResponse(
                    200,
                    consentPage(
                        parsed.value.app.name,
                        '/i/oauth2/authorize',
                        hidden,
                        [...store.users.values()],
                        consent.userId,
                        parsed.value.scopes,
                    ),
                );
            }
            return decide(context, parsed.value, consent.userId, consent.decision);
        },
    },
    {
        // The interactive consent page posts its answer here.
        method: 'POST',
        hosts: AUTHORIZE_HOSTS,
        path: '/i/oauth2/authorize',
        endpoint: 'oauth2.authorize',
        handle(context) {
            const parsed = parseAuthorize((name) => formField(context.request, name), context);
            if (!parsed.ok) return parsed.response;
            const userId = formField(context.request, 'user_id') ?? context.services.consent.userId;
            return decide(
                context,
                parsed.value,
                userId,
                formField(context.request, 'decision') === 'deny' ? 'deny' : 'approve',
            );
        },
    },
];
