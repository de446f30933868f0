import { STATUS_CODES } from 'node:http';
import { jsonResponse, problemResponse, type SimResponse } from './response';

/**
 * X's error bodies. Generic HTTP problems (401, 403 Forbidden, 429, 5xx) use `type: about:blank`
 * exactly as X sends them; typed problems use the `https://api.x.com/2/problems/...` types from the
 * OpenAPI spec, except unsupported-authentication, which X still sends under api.twitter.com.
 */

const PROBLEM_BASE = 'https://api.x.com/2/problems/';

/** `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}` and friends. */
export function genericProblem(status: number, detail?: string): SimResponse {
    const title = STATUS_CODES[status] ?? 'Error';
    return problemResponse(status, { title, type: 'about:blank', status, detail: detail ?? title });
}

export const unauthorizedV2 = (): SimResponse => genericProblem(401);
export const forbiddenV2 = (detail?: string): SimResponse => genericProblem(403, detail);
export const tooManyRequests = (): SimResponse =>
    problemResponse(429, { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 });

/** 402 when the app's prepaid credits are used up, exactly as captured in 2026 (research/x-api.md §12). */
export const creditsDepleted = (): SimResponse =>
    problemResponse(402, { title: 'Payment Required', type: `${PROBLEM_BASE}credits-depleted` });

export type AuthTypeLabel = 'OAuth 1.0a User Context' | 'OAuth 2.0 User Context' | 'OAuth 2.0 Application-Only';

export function unsupportedAuthentication(used: AuthTypeLabel, supported: AuthTypeLabel[]): SimResponse {
    return problemResponse(403, {
        title: 'Unsupported Authentication',
        // X's message has two spaces after "endpoint.".
        detail: `Authenticating with ${used} is forbidden for this endpoint.  Supported authentication types are [${supported.join(', ')}].`,
        type: 'https://api.twitter.com/2/problems/unsupported-authentication',
        status: 403,
    });
}

/** 400 with X's invalid-request problem; `message` lands in `errors[0].message`. */
export function invalidRequest(message: string, parameter?: string, value?: string): SimResponse {
    const error: Record<string, unknown> = { message };
    if (parameter) error.parameters = { [parameter]: [value ?? ''] };
    return problemResponse(400, {
        errors: [error],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: `${PROBLEM_BASE}invalid-request`,
    });
}

/** X reports missing resources on lookups as a 200 with an `errors` entry. */
export function resourceNotFound(resourceType: string, parameter: string, id: string, detail: string): SimResponse {
    return jsonResponse(200, {
        errors: [
            {
                value: id,
                detail,
                title: 'Not Found Error',
                resource_type: resourceType,
                parameter,
                resource_id: id,
                type: `${PROBLEM_BASE}resource-not-found`,
            },
        ],
    });
}

/** 404 problem for mutations on unknown resources (webhooks, subscriptions). */
export function notFoundProblem(resourceType: string, id: string, detail: string): SimResponse {
    return problemResponse(404, {
        title: 'Not Found Error',
        detail,
        type: `${PROBLEM_BASE}resource-not-found`,
        resource_type: resourceType,
        resource_id: id,
        value: id,
    });
}

/** v1.1-style error list, used on /oauth/*, /1.1/* and ton.twitter.com. */
export function v1Error(status: number, code: number, message: string): SimResponse {
    return jsonResponse(status, { errors: [{ code, message }] });
}

export const couldNotAuthenticateV1 = (): SimResponse => v1Error(401, 32, 'Could not authenticate you.');
export const timestampOutOfBoundsV1 = (): SimResponse => v1Error(401, 135, 'Timestamp out of bounds.');
export const noDmPermission = (): SimResponse =>
    v1Error(403, 93, 'This application is not allowed to access or delete your direct messages.');

/** OAuth 2.0 token-endpoint errors: `{"error":"invalid_request","error_description":"..."}`. */
export function oauth2Error(status: number, error: string, description: string): SimResponse {
    return jsonResponse(status, { error, error_description: description });
}
