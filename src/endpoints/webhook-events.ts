/**
 * X's webhook deliveries (XAA and AAA envelopes). A delivery is accepted when its signature matches one of
 * the serializations X may have used for the body Rocket.Chat parsed; otherwise its DMs may be confirmed
 * one by one with X (setting, default on) — a forged or replayed delivery never creates a message.
 * Events are processed before answering, so a crash mid-way leaves X retrying rather than a message lost.
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { buildBridgeContext } from '../bridge/build-context';
import type { BridgeContext } from '../bridge/context';
import { processInbound } from '../bridge/inbound';
import { readSettings } from '../settings/reader';
import { DeliveryMode } from '../settings/ids';
import { accountRecord } from '../storage/account';
import { normalizeDmEventsPage, normalizeWebhookBody } from '../x/events';
import type { InboundEvent, InboundMessage } from '../x/event-types';
import { verifyWebhookSignature } from '../x/webhook-crypto';
import { jsonError, jsonOk } from './responses';
import { lastEventRecord } from '../admin/status';

export const SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

export interface WebhookAccessors {
    read: IRead;
    modify: IModify;
    persistence: IPersistence;
    http: IHttp;
    logger: ILogger;
}

export async function handleWebhookDelivery(headers: Record<string, string>, body: unknown, a: WebhookAccessors): Promise<IApiResponse> {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length === 0) {
        return jsonError(400, 'invalid_body', 'The body must be a JSON object (X sends application/json).');
    }
    const settings = await readSettings(a.read);
    if (!settings.apiKeySecret) {
        return jsonError(400, 'api_key_secret_not_set', 'The app setting "API Key Secret" is empty, so deliveries cannot be verified.');
    }
    const signatureHeader = headers[SIGNATURE_HEADER];
    if (!signatureHeader) return jsonError(401, 'missing_signature', `The ${SIGNATURE_HEADER} header is required.`);
    const signature = verifyWebhookSignature(settings.apiKeySecret, signatureHeader, body);

    const built = await buildBridgeContext(a.read, a.modify, a.persistence, a.http, a.logger);
    if (!built.ok) {
        // Nothing to deliver to: answering 200 stops X retrying something no retry can fix.
        a.logger.warn(`Webhook delivery ignored: ${built.reason}`);
        return jsonOk({ accepted: 0, ignored: built.reason });
    }
    const ctx = built.ctx;
    const normalized = normalizeWebhookBody(body);
    let events = normalized.events;

    if (!signature.ok) {
        if (signature.reason === 'malformed' || !settings.confirmUnverifiedEvents) {
            return jsonError(401, 'invalid_signature', 'The delivery signature does not match.');
        }
        const confirmed = await confirmWithX(ctx, events);
        if (confirmed.length === 0) return jsonError(401, 'invalid_signature', 'The delivery signature does not match and X does not confirm its messages.');
        ctx.logger.info(`Accepted ${confirmed.length} of ${events.length} events of an unverifiable delivery after confirming them with X.`);
        events = confirmed;
    }

    if (normalized.control?.kind === 'revoke' && normalized.control.userId === ctx.account.xUserId) {
        await accountRecord.write(ctx.persistence, { ...ctx.account, revokedAt: ctx.now() });
        ctx.logger.warn('X reports that the business account revoked this app\'s access.');
    }
    for (const item of normalized.ignored) ctx.logger.debug(`Webhook item ignored: ${item.reason}${item.detail ? ` (${item.detail})` : ''}`);

    // X prices dm.received deliveries for the X Activity API; Account Activity API deliveries are not itemized.
    const report = await processInbound(ctx, events, { billReceived: ctx.settings.deliveryMode === DeliveryMode.ActivityApi });
    await noteEventReceived(ctx);
    return jsonOk({ accepted: events.length, outcomes: countOutcomes(report.outcomes.map((o) => o.outcome)) });
}

/**
 * Keeps only the messages X itself returns with the same sender and text. Typing and read events cannot
 * be looked up, so an unverifiable delivery loses them (they are transient anyway).
 */
async function confirmWithX(ctx: BridgeContext, events: InboundEvent[]): Promise<InboundEvent[]> {
    const messages = events.filter((e): e is InboundMessage => e.kind === 'message');
    const confirmed: InboundEvent[] = [];
    const client = await ctx.x();
    for (const message of messages) {
        try {
            const page = await client.getDmEvent(message.eventId);
            const [found] = normalizeDmEventsPage({ ...(page as object), data: [(page as { data?: unknown }).data].filter(Boolean) }, ctx.account.xUserId).events;
            if (found?.kind === 'message' && found.senderId === message.senderId && found.text === message.text) confirmed.push(found);
        } catch (e) {
            ctx.logger.warn(`Could not confirm DM ${message.eventId} with X: ${(e as Error).message}`);
        }
    }
    return confirmed;
}

let lastEventNotedAt = 0;
const EVENT_NOTE_INTERVAL_MS = 60_000;

/** Keeps "last event received" for /twitter status and the health check, written at most once a minute. */
async function noteEventReceived(ctx: BridgeContext): Promise<void> {
    if (ctx.now() - lastEventNotedAt < EVENT_NOTE_INTERVAL_MS) return;
    lastEventNotedAt = ctx.now();
    await lastEventRecord.write(ctx.persistence, { at: ctx.now() });
}

function countOutcomes(outcomes: string[]): Record<string, number> {
    return outcomes.reduce<Record<string, number>>((acc, o) => ((acc[o] = (acc[o] ?? 0) + 1), acc), {});
}
