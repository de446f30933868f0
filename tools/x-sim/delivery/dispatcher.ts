import type { SimClock } from '../core/clock';
import type { InFlight } from '../core/in-flight';
import type { Faults, SerializationStyle } from '../ops/faults';
import type { Webhook } from '../state/types';
import { serializeDelivery } from './serialize';
import type { TimedWebhookCall } from './timed-call';
import { sha256Signature } from './webhook-crypto';

export const LEGACY_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';
export const OAUTH2_SIGNATURE_HEADER = 'x-twitter-webhooks-signature-oauth2';

/**
 * Which signature headers deliveries carry. X signs with the API key (consumer) secret in
 * `x-twitter-webhooks-signature` and, for apps that use OAuth 2.0, with the OAuth 2.0 client secret in
 * `x-twitter-webhooks-signature-oauth2` (x-api.md §12: receivers written since 2026-10 against
 * docs.x.com's webhooks introduction and quickstart check the OAuth 2.0 one first and fall back to the
 * legacy one; they describe the key as "the client secret when the app has one, the consumer secret
 * otherwise", and some check the OAuth 2.0 header alone). No source shows X sending both, so `auto`,
 * the default, is the strict reading: the OAuth 2.0 header alone for an app with a client secret (a
 * receiver that knows only the legacy header refuses everything), the legacy one otherwise. `both` is
 * the lenient case. An app without a client secret can only ever get the legacy header.
 */
export type SignatureHeaderMode = 'auto' | 'legacy' | 'oauth2' | 'both';

export type DeliveryKind = 'xaa' | 'aaa' | 'replay_job_status';

export type AttemptOutcome = 'ok' | 'http-error' | 'timeout' | 'connection-error';

export interface DeliveryAttempt {
    at: number;
    /**
     * X's own order of events, over all deliveries (several happen at one simulated instant): when the attempt
     * started, and when its answer (or failure) came back.
     */
    seq: number;
    answeredSeq: number;
    outcome: AttemptOutcome;
    status?: number;
}

export type DeliveryState =
    'scheduled' | 'held' | 'in-flight' | 'retry-scheduled' | 'delivered' | 'dropped' | 'skipped';

export interface DeliveryRecord {
    id: string;
    webhookId: string;
    appId: string;
    url: string;
    kind: DeliveryKind;
    /** `dm.received`, `dm.sent`, `message_create`, `direct_message_indicate_typing`, ... */
    eventType: string;
    /** DM event ids carried (empty for typing / read / status events). */
    eventIds: string[];
    /** Envelope user: XAA `filter.user_id` / AAA `for_user_id`. */
    forUserId?: string;
    createdAt: number;
    /** Exact bytes sent (as UTF-8), their legacy signature header (when sent) and every signature header sent. */
    body: string;
    signature?: string;
    signatureHeaders: Record<string, string>;
    serialization: SerializationStyle;
    state: DeliveryState;
    attempts: DeliveryAttempt[];
    /** HTTP status of the latest attempt that got an answer. */
    statusCode?: number;
    nextAttemptAt?: number;
    /** Id of the delivery this one copies (injected duplicate or replay). */
    copyOf?: string;
    replayJobId?: string;
    /** Why it was skipped (e.g. the webhook was invalid). */
    reason?: string;
}

export interface DeliveryRequest {
    webhook: Webhook;
    consumerSecret: string;
    /** The app's OAuth 2.0 client secret (null for a public client or an app without OAuth 2.0). */
    clientSecret?: string | null;
    kind: DeliveryKind;
    eventType: string;
    eventIds: string[];
    forUserId?: string;
    payload: unknown;
    replayJobId?: string;
    copyOf?: string;
    /** When set, skips fault injection (replays resend what was recorded). */
    exactBody?: string;
}

export interface DispatcherOptions {
    call: TimedWebhookCall;
    /** Delays after each failed attempt; X's schedule is 3 s, 27 s, 242 s, then the event is lost. */
    retryDelaysMs: number[];
    /** Called once per successful delivery (billing). */
    onDelivered: (record: DeliveryRecord) => void;
    /** Whether the webhook still exists and is valid at attempt time. */
    webhookIsLive: (webhookId: string) => boolean;
    /** Why X would not send this delivery at all (e.g. a billed event while credits are depleted). */
    withheld?: (request: DeliveryRequest) => string | undefined;
}

/**
 * Signs and POSTs webhook deliveries over real HTTP, retrying non-200 answers and timeouts on
 * X's schedule driven by the simulated clock, and applying delivery faults (duplicates,
 * reordering, delays, serialization styles).
 */
export class DeliveryDispatcher {
    private readonly records: DeliveryRecord[] = [];
    private readonly heldForReorder: DeliveryRecord[] = [];
    private nextId = 1;
    private attemptSeq = 0;
    /** Changed with `XSim.setSignatureHeaders`. */
    signatureHeaders: SignatureHeaderMode = 'auto';

    constructor(
        private readonly clock: SimClock,
        private readonly faults: Faults,
        private readonly inFlight: InFlight,
        private readonly options: DispatcherOptions,
    ) {}

    /** Queues one delivery (plus any injected duplicates) and starts sending it. */
    deliver(request: DeliveryRequest): DeliveryRecord[] {
        const plan = request.exactBody
            ? {}
            : this.faults.takeDeliveryFaults({ eventType: request.eventType, webhookId: request.webhook.id });
        const serialization = plan.serialization ?? 'compact';
        const body = request.exactBody ?? serializeDelivery(request.payload, serialization, plan.keyOrderSeed);
        const original = this.createRecord(request, body, serialization);
        const skipped = !request.webhook.valid
            ? 'webhook is invalid (failed CRC)'
            : request.exactBody
              ? undefined
              : this.options.withheld?.(request);
        if (skipped) {
            original.state = 'skipped';
            original.reason = skipped;
            return [original];
        }
        const copies = Array.from({ length: plan.duplicate ?? 0 }, () =>
            this.createRecord({ ...request, copyOf: original.id }, body, serialization),
        );
        for (const record of [original, ...copies]) {
            if (plan.delayMs !== undefined) {
                record.state = 'scheduled';
                record.nextAttemptAt = this.clock.now() + plan.delayMs;
                this.clock.setTimer(plan.delayMs, () => this.send(record, false));
            } else {
                this.send(record, plan.reorder === true && record === original);
            }
        }
        return [original, ...copies];
    }

    list(): DeliveryRecord[] {
        return this.records.map((record) => ({
            ...record,
            attempts: [...record.attempts],
            eventIds: [...record.eventIds],
            signatureHeaders: { ...record.signatureHeaders },
        }));
    }

    /** Original records (not duplicates) whose event falls in the window [fromMs, toMs), for replay. */
    recordsForReplay(webhookId: string, fromMs: number, toMs: number): DeliveryRecord[] {
        return this.records.filter(
            (r) =>
                r.webhookId === webhookId &&
                !r.copyOf &&
                r.kind !== 'replay_job_status' &&
                r.createdAt >= fromMs &&
                r.createdAt < toMs,
        );
    }

    /** Sends a copy of an earlier delivery's exact bytes (replay) and waits for its first attempt. */
    async resend(original: DeliveryRecord, webhook: Webhook, replayJobId: string): Promise<DeliveryRecord> {
        const copy: DeliveryRecord = {
            ...original,
            id: `delivery-${this.nextId++}`,
            url: webhook.url,
            createdAt: this.clock.now(),
            state: 'in-flight',
            attempts: [],
            statusCode: undefined,
            nextAttemptAt: undefined,
            copyOf: original.id,
            replayJobId,
            reason: undefined,
        };
        this.records.push(copy);
        await this.startAttempt(copy);
        return copy;
    }

    /** Releases deliveries held for reordering (nothing else came to overtake them). */
    releaseHeld(): void {
        for (const record of this.heldForReorder.splice(0)) this.startAttempt(record);
    }

    private createRecord(request: DeliveryRequest, body: string, serialization: SerializationStyle): DeliveryRecord {
        const signatureHeaders = this.sign(request, Buffer.from(body, 'utf8'));
        const record: DeliveryRecord = {
            id: `delivery-${this.nextId++}`,
            webhookId: request.webhook.id,
            appId: request.webhook.appId,
            url: request.webhook.url,
            kind: request.kind,
            eventType: request.eventType,
            eventIds: request.eventIds,
            forUserId: request.forUserId,
            createdAt: this.clock.now(),
            body,
            signature: signatureHeaders[LEGACY_SIGNATURE_HEADER],
            signatureHeaders,
            serialization,
            state: 'in-flight',
            attempts: [],
            copyOf: request.copyOf,
            replayJobId: request.replayJobId,
        };
        this.records.push(record);
        return record;
    }

    /** The signature headers X sends for these bytes under the current mode. */
    private sign(request: DeliveryRequest, bytes: Buffer): Record<string, string> {
        const clientSecret = request.clientSecret ?? undefined;
        const mode = this.signatureHeaders === 'auto' ? (clientSecret ? 'oauth2' : 'legacy') : this.signatureHeaders;
        const legacy = mode === 'legacy' || mode === 'both' || !clientSecret;
        return {
            ...(legacy ? { [LEGACY_SIGNATURE_HEADER]: sha256Signature(request.consumerSecret, bytes) } : {}),
            ...(clientSecret && mode !== 'legacy'
                ? { [OAUTH2_SIGNATURE_HEADER]: sha256Signature(clientSecret, bytes) }
                : {}),
        };
    }

    private send(record: DeliveryRecord, hold: boolean): void {
        if (hold) {
            record.state = 'held';
            this.heldForReorder.push(record);
            return;
        }
        const attempt = this.startAttempt(record);
        const overtaken = this.heldForReorder.splice(0);
        if (overtaken.length > 0) void attempt.finally(() => overtaken.forEach((held) => this.startAttempt(held)));
    }

    private startAttempt(record: DeliveryRecord): Promise<void> {
        return this.inFlight.track(this.attempt(record));
    }

    private async attempt(record: DeliveryRecord): Promise<void> {
        if (!this.options.webhookIsLive(record.webhookId)) {
            record.state = 'dropped';
            record.reason = 'webhook deleted or invalid';
            return;
        }
        record.state = 'in-flight';
        record.nextAttemptAt = undefined;
        const startedAt = this.clock.now();
        const seq = ++this.attemptSeq;
        const outcome = await this.options.call({
            method: 'POST',
            url: record.url,
            headers: { 'content-type': 'application/json; charset=utf-8', ...record.signatureHeaders },
            body: record.body,
        });
        const answeredSeq = ++this.attemptSeq;
        const attempt: DeliveryAttempt =
            outcome.kind === 'response'
                ? {
                      at: startedAt,
                      seq,
                      answeredSeq,
                      outcome: outcome.status === 200 ? 'ok' : 'http-error',
                      status: outcome.status,
                  }
                : { at: startedAt, seq, answeredSeq, outcome: outcome.kind };
        record.attempts.push(attempt);
        if (attempt.status !== undefined) record.statusCode = attempt.status;
        if (attempt.outcome === 'ok') {
            record.state = 'delivered';
            this.options.onDelivered(record);
            return;
        }
        const retryIndex = record.attempts.length - 1;
        const delay = this.options.retryDelaysMs[retryIndex];
        if (delay === undefined) {
            record.state = 'dropped';
            record.reason = 'retries exhausted';
            return;
        }
        record.state = 'retry-scheduled';
        record.nextAttemptAt = this.clock.now() + delay;
        this.clock.setTimer(delay, () => void this.startAttempt(record));
    }
}
