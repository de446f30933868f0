import { APP_ONLY } from '../auth/policy';
import { isoTimestamp, parseReplayDate } from '../core/time-format';
import type { WebhookFailure } from '../delivery/webhook-service';
import { jsonObject } from '../http/request';
import { jsonResponse, type SimResponse } from '../http/response';
import type { Route } from '../http/router';
import { invalidRequest } from '../http/x-errors';
import type { Webhook } from '../state/types';
import { appWebhook, callerApp, isWebhook } from './route-helpers';

/** v2 webhook management (app-only bearer token) and replay jobs. */

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
const REPLAY_FROM_MIN_AGE_MS = 31 * MINUTE_MS;
const REPLAY_TO_MIN_AGE_MS = 10 * MINUTE_MS;

/**
 * X's replay window rules (docs: x-api/account-activity/quickstart.mdx, "Replay"; research/x-api.md §12):
 * minute precision, `from_date` inclusive and `to_date` exclusive; both within the last 24 hours;
 * `from_date` no more recent than 31 minutes before now and `to_date` at least 10 minutes before now.
 * The spec calls `to_date` inclusive for /2/webhooks/replay: the stricter exclusive reading is applied,
 * so a receiver never relies on getting the last minute.
 */
export function replayWindowProblem(
    from: number,
    to: number,
    now: number,
): { parameter: 'from_date' | 'to_date'; message: string } | undefined {
    if (from < now - DAY_MS - MINUTE_MS)
        return { parameter: 'from_date', message: 'from_date is older than 24 hours from the current time' };
    if (from > now) return { parameter: 'from_date', message: 'from_date is in the future' };
    if (to > now) return { parameter: 'to_date', message: 'to_date is in the future' };
    if (from > to) return { parameter: 'from_date', message: 'from_date is more recent than to_date' };
    if (from > now - REPLAY_FROM_MIN_AGE_MS)
        return { parameter: 'from_date', message: 'from_date must be at least 31 minutes before the current time' };
    if (to > now - REPLAY_TO_MIN_AGE_MS)
        return { parameter: 'to_date', message: 'to_date must be at least 10 minutes before the current time' };
    return undefined;
}

export function webhookView(webhook: Webhook): Record<string, unknown> {
    return { id: webhook.id, url: webhook.url, valid: webhook.valid, created_at: isoTimestamp(webhook.createdAt) };
}

function failure(result: WebhookFailure): SimResponse {
    return invalidRequest(`${result.reason}: ${result.message}`);
}

export const webhookRoutes: Route[] = [
    {
        method: 'POST',
        path: '/2/webhooks',
        endpoint: 'webhooks',
        operationId: 'createWebhooks',
        auth: APP_ONLY,
        async handle(context) {
            const url = jsonObject(context.request)?.url;
            if (typeof url !== 'string' || url.length === 0) return invalidRequest('url is required', 'url');
            const result = await context.services.webhooks.register(callerApp(context), url);
            return 'reason' in result ? failure(result) : jsonResponse(200, { data: webhookView(result) });
        },
    },
    {
        method: 'GET',
        path: '/2/webhooks',
        endpoint: 'webhooks',
        operationId: 'getWebhooks',
        auth: APP_ONLY,
        handle(context) {
            const webhooks = context.services.store.webhooksOfApp(callerApp(context).id).map(webhookView);
            return jsonResponse(200, { data: webhooks, meta: { result_count: webhooks.length } });
        },
    },
    {
        method: 'PUT',
        path: '/2/webhooks/:webhook_id',
        endpoint: 'webhooks',
        operationId: 'validateWebhooks',
        auth: APP_ONLY,
        async handle(context) {
            const webhook = appWebhook(context, context.params.webhook_id);
            if (!isWebhook(webhook)) return webhook;
            const result = await context.services.webhooks.revalidate(webhook);
            return result ? failure(result) : jsonResponse(200, { data: { valid: true } });
        },
    },
    {
        method: 'DELETE',
        path: '/2/webhooks/:webhook_id',
        endpoint: 'webhooks',
        operationId: 'deleteWebhooks',
        auth: APP_ONLY,
        handle(context) {
            const webhook = appWebhook(context, context.params.webhook_id);
            if (!isWebhook(webhook)) return webhook;
            context.services.webhooks.delete(webhook);
            return jsonResponse(200, { data: { deleted: true } });
        },
    },
    {
        method: 'POST',
        path: '/2/webhooks/replay',
        endpoint: 'webhooks.replay',
        operationId: 'createWebhookReplayJob',
        auth: APP_ONLY,
        handle(context) {
            const body = jsonObject(context.request) ?? {};
            const webhook = appWebhook(context, body.webhook_id);
            if (!isWebhook(webhook)) return webhook;
            const from = parseReplayDate(body.from_date);
            const to = parseReplayDate(body.to_date);
            if (from === undefined)
                return invalidRequest('from_date must be in yyyymmddhhmm format', 'from_date', String(body.from_date));
            if (to === undefined)
                return invalidRequest('to_date must be in yyyymmddhhmm format', 'to_date', String(body.to_date));
            const problem = replayWindowProblem(from, to, context.services.clock.now());
            if (problem)
                return invalidRequest(
                    `QueryParamInvalid: ${problem.message}`,
                    problem.parameter,
                    String(body[problem.parameter]),
                );
            const job = context.services.webhooks.replay(webhook, from, to);
            return jsonResponse(200, { data: { job_id: job.jobId, created_at: isoTimestamp(job.createdAt) } });
        },
    },
];
