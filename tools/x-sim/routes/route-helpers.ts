import { decodeBase32Hex, encodeBase32Hex } from '../core/base32hex';
import { queryParam, type SimRequest } from '../http/request';
import type { RouteContext } from '../http/router';
import type { SimResponse } from '../http/response';
import { invalidRequest } from '../http/x-errors';
import type { DeveloperApp, Webhook, XUser } from '../state/types';

/** Comma-separated list parameters (`user.fields`, `expansions`, ...). */
export function listParam(request: SimRequest, name: string): string[] {
    return (queryParam(request, name) ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

export function isSnowflake(value: string): boolean {
    return /^[0-9]{1,19}$/.test(value);
}

/** The app and user behind a user-context call (routes only reach here after the auth policy passed). */
export function callerUser(context: RouteContext): { app: DeveloperApp; user: XUser } {
    const auth = context.auth;
    if (!auth || auth.kind === 'app-bearer')
        throw new Error(`x-sim: route ${context.request.path} reached without a user context`);
    return { app: auth.app, user: auth.user };
}

/** The app behind any authenticated call. */
export function callerApp(context: RouteContext): DeveloperApp {
    if (!context.auth) throw new Error(`x-sim: route ${context.request.path} reached without credentials`);
    return context.auth.app;
}

/** A webhook of the calling app, or X's `WebhookIdInvalid` answer. */
export function appWebhook(context: RouteContext, webhookId: unknown): Webhook | SimResponse {
    const webhook = typeof webhookId === 'string' ? context.services.store.webhooks.get(webhookId) : undefined;
    if (!webhook || webhook.appId !== callerApp(context).id) {
        return invalidRequest(
            `WebhookIdInvalid: webhook ${String(webhookId)} was not found for this app`,
            'webhook_id',
            String(webhookId),
        );
    }
    return webhook;
}

export function isWebhook(value: Webhook | SimResponse): value is Webhook {
    return 'appId' in value;
}

/**
 * The opaque `pagination_token` of a timeline (its kind's prefix and the last id of the page, base32hex):
 * the id to read below, none without a token, or X's 400 for a token it did not issue.
 */
export function pageBefore(request: SimRequest, prefix: string): bigint | undefined | SimResponse {
    const token = queryParam(request, 'pagination_token');
    if (token === undefined) return undefined;
    const cursor = decodeBase32Hex(token);
    if (!cursor?.startsWith(prefix))
        return invalidRequest(
            `The \`pagination_token\` query parameter value [${token}] is not valid`,
            'pagination_token',
            token,
        );
    return BigInt(cursor.slice(prefix.length));
}

/** The token that reads on below `lastId`. */
export function nextPageToken(prefix: string, lastId: string): string {
    return encodeBase32Hex(prefix + lastId);
}
