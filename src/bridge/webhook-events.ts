/**
 * X's webhook deliveries (XAA and AAA envelopes). A delivery is accepted when a signature header
 * (legacy or OAuth 2.0) matches one of the serializations X may have used for the body Rocket.Chat
 * parsed; otherwise its DMs may be confirmed one by one with X, within caps (confirm-unverifiable.ts).
 * Events older than the dedupe horizon are dropped, so a replay can never pass for a new DM, and a
 * replay of a recent one is a duplicate that leaves no record. Events are processed before answering,
 * so a crash mid-way leaves X retrying rather than a message lost.
 *
 * One webhook serves every linked account (one X app): each event names the account it is for (AAA
 * `for_user_id`, XAA `filter.user_id`), and is handled in that account's context. Events for an account not
 * linked here are dropped, counted and logged (throttled: anyone who can sign can send them).
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { buildBridgeContext } from './build-context';
import type { BridgeContext } from './context';
import { processInbound } from './inbound';
import { processPosts } from './public-inbound';
import { DEDUPE_HORIZON_MS } from '../storage/retention';
import { ThrottledLog } from '../lib/throttle';
import { MINUTE } from '../lib/time';
import { readSettings } from '../settings/reader';
import { DeliveryMode } from '../settings/ids';
import { webhookModeOf } from '../settings/delivery-modes';
import { markLinkBroken } from '../admin/link-broken';
import { normalizeWebhookBody } from '../x/events/envelopes';
import type { ControlSignal, InboundEvent } from '../x/event-types';
import { LEGACY_SIGNATURE_HEADER, OAUTH2_SIGNATURE_HEADER, verifyDeliverySignature } from '../x/webhook-signature';
import { SIGNED_BODY_LIMITS } from '../x/webhook-serializations';
import { confirmationAllowed, confirmWithX } from './confirm-unverifiable';
import { jsonError, jsonOk } from '../lib/api-responses';
import { lastEventRecords } from '../storage/admin-state';

export interface WebhookAccessors {
    read: IRead;
    modify: IModify;
    persistence: IPersistence;
    http: IHttp;
    logger: ILogger;
}

/** Refused and dropped deliveries are logged at most once a minute per instance: anyone can send them. */
const refusalLog = new ThrottledLog(MINUTE);
const staleLog = new ThrottledLog(MINUTE);
/** Signed deliveries while no account is linked: a replayed one can be sent any number of times. */
const ignoredLog = new ThrottledLog(MINUTE);
const unknownAccountLog = new ThrottledLog(MINUTE);

export async function handleWebhookDelivery(
    headers: Record<string, string>,
    body: unknown,
    a: WebhookAccessors,
): Promise<IApiResponse> {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length === 0) {
        return jsonError(400, 'invalid_body', 'The body must be a JSON object (X sends application/json).');
    }
    const settings = await readSettings(a.read);
    const signature = verifyDeliverySignature(
        [
            { name: LEGACY_SIGNATURE_HEADER, value: headers[LEGACY_SIGNATURE_HEADER], secret: settings.apiKeySecret },
            {
                name: OAUTH2_SIGNATURE_HEADER,
                value: headers[OAUTH2_SIGNATURE_HEADER],
                secret: settings.oauth2ClientSecret,
            },
        ],
        body,
    );
    const refuse = (status: number, error: string, message: string) => {
        refusalLog.warn(a.logger, Date.now(), `Webhook delivery refused (${status} ${error}): ${message}`);
        return jsonError(status, error, message);
    };
    if (!signature.ok) {
        switch (signature.reason) {
            case 'too-large':
                return refuse(
                    413,
                    'body_too_large',
                    `The body is over ${SIGNED_BODY_LIMITS.verifiedBytes / 1024} KB; X's deliveries are far smaller.`,
                );
            case 'missing':
                return refuse(
                    401,
                    'missing_signature',
                    `The ${LEGACY_SIGNATURE_HEADER} or ${OAUTH2_SIGNATURE_HEADER} header is required.`,
                );
            case 'malformed':
                return refuse(
                    401,
                    'invalid_signature',
                    'The delivery signature is not of the form sha256=<base64 digest>.',
                );
            case 'no-secret':
                return refuse(
                    400,
                    'signature_key_not_set',
                    'The app settings "API Key Secret" (for x-twitter-webhooks-signature) or "OAuth 2.0 Client Secret" (for x-twitter-webhooks-signature-oauth2) are empty, so the delivery cannot be verified.',
                );
            case 'mismatch': {
                const notAllowed = confirmationAllowed({ settings });
                if (notAllowed === undefined) break;
                return refuse(
                    401,
                    'invalid_signature',
                    `The delivery signature does not match (not confirmed with X: ${notAllowed}).`,
                );
            }
        }
    }

    const normalized = normalizeWebhookBody(body);
    const horizon = Date.now() - DEDUPE_HORIZON_MS;
    const isFresh = (createdAt: number) => createdAt >= horizon;
    if (!signature.ok && !normalized.events.some((e) => e.kind === 'message' && isFresh(e.createdAt))) {
        return refuse(
            401,
            'invalid_signature',
            'The delivery signature does not match, and it holds no recent message X could confirm.',
        );
    }
    // The accounts this delivery is for: its events' (in order of appearance), or its revocation's.
    const control = normalized.control;
    const accountIds = [...new Set([...normalized.events, ...(normalized.posts ?? [])].map((e) => e.accountId))];
    if (accountIds.length === 0 && control?.kind === 'revoke') accountIds.push(control.userId);
    const contexts: BridgeContext[] = [];
    let unknown = 0;
    for (const accountId of accountIds.length ? accountIds : [undefined]) {
        const built = await buildBridgeContext(a.read, a.modify, a.persistence, a.http, a.logger, accountId);
        if (built.ok) contexts.push(built.ctx);
        else if (built.reason === 'unknown-account')
            unknown += normalized.events.filter((e) => e.accountId === accountId).length;
        else {
            // Nothing could confirm it, and nothing tells a stranger more than that.
            if (!signature.ok)
                return refuse(
                    401,
                    'invalid_signature',
                    `The delivery signature does not match (not confirmed with X: ${built.reason}).`,
                );
            // Nothing to deliver to: answering 200 stops X retrying something no retry can fix.
            ignoredLog.warn(a.logger, Date.now(), `Webhook delivery ignored: ${built.reason}`);
            return jsonOk({ accepted: 0, ignored: built.reason });
        }
    }
    if (unknown > 0)
        unknownAccountLog.warn(
            a.logger,
            Date.now(),
            `Dropped ${unknown} webhook event(s) for an X account that is not linked here.`,
        );
    if (contexts.length === 0) {
        if (!signature.ok)
            return refuse(401, 'invalid_signature', 'The delivery signature does not match (not confirmed with X).');
        return jsonOk({ accepted: 0, ignored: 'unknown-account', unknownAccount: unknown });
    }

    const perAccount: { ctx: BridgeContext; events: InboundEvent[] }[] = contexts.map((ctx) => ({
        ctx,
        events: normalized.events.filter((e) => e.accountId === ctx.account.accountId),
    }));
    if (!signature.ok) {
        let confirmed = 0;
        let refused: string | undefined;
        for (const part of perAccount) {
            if (part.events.length === 0) continue;
            const result = await confirmWithX(part.ctx, part.events, isFresh);
            if ('refused' in result) refused ??= result.refused;
            confirmed += result.confirmed.length;
            part.events = result.confirmed;
        }
        if (confirmed === 0) {
            const why = refused ? ` (confirmation with X: ${refused})` : ' and X does not confirm its messages';
            return refuse(401, 'invalid_signature', `The delivery signature does not match${why}.`);
        }
        a.logger.info(
            `Accepted ${confirmed} of ${normalized.events.length} events of an unverifiable delivery after confirming them with X.`,
        );
    }

    const events = perAccount.flatMap((p) => p.events);
    const fresh = events.filter((e) => isFresh(e.createdAt));
    const stale = events.length - fresh.length;
    const now = Date.now();
    if (stale > 0)
        staleLog.warn(
            a.logger,
            now,
            `Dropped ${stale} webhook event(s) older than ${Math.round(DEDUPE_HORIZON_MS / 3_600_000)} hours: X never sends those again, so they are replays.`,
        );
    // Only a signed delivery controls the link: a confirmed one carries DMs, never a revocation.
    if (signature.ok) for (const { ctx } of perAccount) await applyControl(ctx, control, isFresh);
    for (const item of normalized.ignored)
        a.logger.debug(`Webhook item ignored: ${item.reason}${item.detail ? ` (${item.detail})` : ''}`);
    // Public posts only from a signed delivery (X confirms DMs, not posts); with Public mentions off, none at all.
    const posts = signature.ok ? (normalized.posts ?? []).filter((p) => isFresh(p.createdAt)) : [];
    const postOutcomes: string[] = [];
    for (const { ctx } of perAccount) {
        const mine = posts.filter((p) => p.accountId === ctx.account.accountId);
        if (mine.length === 0) continue;
        postOutcomes.push(
            ...(await processPosts(ctx, mine, {
                billed:
                    webhookModeOf(ctx.settings, ctx.now()) === DeliveryMode.ActivityApi ? 'post_mention' : undefined,
            })),
        );
    }
    const unknownPart = unknown > 0 ? { unknownAccount: unknown } : {};
    if (fresh.length === 0 && events.length > 0) return jsonOk({ accepted: 0, stale, ...unknownPart });

    const outcomes: string[] = [];
    for (const { ctx, events: mine } of perAccount) {
        const accountFresh = mine.filter((e) => isFresh(e.createdAt));
        if (accountFresh.length === 0 && mine.length > 0) continue;
        // X prices dm.received deliveries for the X Activity API; Account Activity API deliveries are not itemized.
        const report = await processInbound(ctx, accountFresh, {
            billReceived: webhookModeOf(ctx.settings, ctx.now()) === DeliveryMode.ActivityApi,
        });
        outcomes.push(...report.outcomes.map((o) => o.outcome));
        await noteEventReceived(ctx);
    }
    return jsonOk({
        accepted: fresh.length,
        outcomes: countOutcomes(outcomes),
        ...(postOutcomes.length ? { posts: countOutcomes(postOutcomes) } : {}),
        ...(stale > 0 ? { stale } : {}),
        ...unknownPart,
    });
}

/** X's clock and Rocket.Chat's may differ by this much when comparing a revocation with the link time. */
const CLOCK_TOLERANCE_MS = 10 * MINUTE;

/**
 * A revocation of the linked account marks it revoked, unless it is dated before the current link (a
 * replay of an old one after the admin linked again) or beyond the dedupe horizon.
 */
async function applyControl(
    ctx: BridgeContext,
    control: ControlSignal | undefined,
    isFresh: (at: number) => boolean,
): Promise<void> {
    if (control?.kind !== 'revoke' || control.userId !== ctx.account.accountId) return;
    if (control.at !== undefined && (!isFresh(control.at) || control.at < ctx.account.linkedAt - CLOCK_TOLERANCE_MS)) {
        staleLog.warn(
            ctx.logger,
            ctx.now(),
            `Ignored a revocation dated ${new Date(control.at).toISOString()}, before the current link or too old: a replay.`,
        );
        return;
    }
    await markLinkBroken(ctx, ctx.now(), ctx.account.accountId);
    ctx.logger.warn("X reports that the business account revoked this app's access.");
}

/** Per account: when this instance last noted an event (bounded by the linked accounts). */
const lastEventNotedAt = new Map<string, number>();
const EVENT_NOTE_INTERVAL_MS = 60_000;

/**
 * The account's next event is noted whatever the interval: Automatic delivery just handed over to the
 * webhook and the poller stops once one is noted (other instances note theirs within the interval).
 */
export function noteNextEvent(accountId: string): void {
    lastEventNotedAt.delete(accountId);
}

/** Keeps "last event received" for /twitter status and the health check, written at most once a minute. */
async function noteEventReceived(ctx: BridgeContext): Promise<void> {
    const accountId = ctx.account.accountId;
    if (ctx.now() - (lastEventNotedAt.get(accountId) ?? 0) < EVENT_NOTE_INTERVAL_MS) return;
    lastEventNotedAt.set(accountId, ctx.now());
    await lastEventRecords.of(accountId).write(ctx.persistence, { at: ctx.now() });
}

function countOutcomes(outcomes: string[]): Record<string, number> {
    return outcomes.reduce<Record<string, number>>((acc, o) => ((acc[o] = (acc[o] ?? 0) + 1), acc), {});
}
