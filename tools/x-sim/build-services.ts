import { OAuth1Verifier } from './auth/oauth1-verifier';
import { isManualClock, ManualClock, type SimClock } from './core/clock';
import { InFlight } from './core/in-flight';
import { SeededRandom } from './core/random';
import { CrcChecker } from './delivery/crc';
import type { CrcKeyKind } from './delivery/crc-key';
import { DeliveryDispatcher, type SignatureHeaderMode } from './delivery/dispatcher';
import { httpWebhookCall, type WebhookHttpCall } from './delivery/outbound-http';
import { TimedWebhookCall, timedWebhookCall } from './delivery/timed-call';
import { ActivityFanOut } from './delivery/fan-out';
import { WebhookService } from './delivery/webhook-service';
import { DmService } from './dm/dm-service';
import { PostService } from './posts/post-service';
import { MediaService } from './media/media-service';
import { Faults } from './ops/faults';
import { Ledger } from './ops/ledger';
import { RateLimiter } from './ops/rate-limits';
import { RequestLog } from './ops/request-log';
import type { ConsentSettings, SimServices } from './services';
import { SimStore } from './state/store';

export interface XSimOptions<C extends SimClock = ManualClock> {
    /** Seed for ids, tokens and fault probabilities (default 1). */
    seed?: number;
    /** Simulated time; a ManualClock (starting 2026-01-15T12:00Z) by default. */
    clock?: C;
    /** Listen port on 127.0.0.1 (0 = any free port). */
    port?: number;
    /** Seed the default app, business account and its OAuth 1.0a token (default true). */
    seedDefaults?: boolean;
    /** How many seeded business accounts (1: @AcmeSupport only; default 2: @AcmeSupport and @AcmeSales). */
    businessAccounts?: 1 | 2;
    /** Accept http:// and ports on loopback webhook URLs (default true). */
    lenientWebhookUrls?: boolean;
    /** Simulated ms X waits for a webhook answer (default 10 000). */
    deliveryTimeoutMs?: number;
    /**
     * Real ms cap on any webhook call, so a hung receiver can't stall a run (default 2 000 with a
     * ManualClock, where simulated timeouts come from `advance`; 10 000 with real time).
     */
    deliveryRealTimeoutMs?: number;
    /** Delays before each retry after a failed delivery (default X's 3 s, 27 s, 242 s). */
    retryDelaysMs?: number[];
    /** Automatic CRC re-check period (default 1 h; 0 disables). */
    crcIntervalMs?: number;
    /** Which secret CRC challenges are keyed with (default the consumer secret; see delivery/crc-key.ts). */
    crcKey?: CrcKeyKind;
    /** How long GIF/video processing takes after finalize, in simulated ms (default 5 000). */
    mediaProcessingMs?: number;
    /** OAuth 2.0 access-token lifetime (default 2 h). */
    accessTokenTtlMs?: number;
    /** OAuth 2.0 authorization-code lifetime (default 30 s). */
    authorizationCodeTtlMs?: number;
    /** Clock OAuth 1.0a timestamps are checked against (default real time, which signers use). */
    oauth1WallClock?: () => number;
    /** Maps registered webhook URLs to the URL actually called (default identity). */
    rewriteWebhookUrl?: (url: string) => string;
    /** Replaces real HTTP for deliveries and CRC checks (e.g. a test host without a server). */
    webhookHttpCall?: WebhookHttpCall;
    /** Real ms a manual-clock `advance` waits per instant for the HTTP work it started (default 250). */
    quiesceRealMs?: number;
    /** Who authorizes at the OAuth pages and how (default: the business account approves at once). */
    consent?: Partial<ConsentSettings>;
    /** Signature headers on deliveries (default `auto`: the OAuth 2.0 header alone for apps with a client secret, the legacy one otherwise). */
    signatureHeaders?: SignatureHeaderMode;
}

export const X_RETRY_SCHEDULE_MS = [3_000, 27_000, 242_000];

/** X Activity API `dm.received` deliveries are the billed ones (ops/ledger.ts). */
const POST_EVENT_TYPES = ['post.mention.create', 'post.create'];
const isPostEvent = (delivery: { kind: string; eventType: string }) =>
    delivery.kind === 'xaa' && POST_EVENT_TYPES.includes(delivery.eventType);
const isBilledDelivery = (delivery: { kind: string; eventType: string }) =>
    (delivery.kind === 'xaa' && delivery.eventType === 'dm.received') || isPostEvent(delivery);

/** Wires the simulator's services together from the options. */
export function buildServices(options: XSimOptions<SimClock>, defaultConsentUser: string): SimServices {
    const clock = options.clock ?? new ManualClock();
    const defaultRealTimeoutMs = isManualClock(clock) ? 2_000 : 10_000;
    const random = new SeededRandom(options.seed ?? 1);
    const store = new SimStore(clock, random);
    const faults = new Faults(random);
    const ledger = new Ledger();
    const inFlight = new InFlight();
    const timedCall = timedWebhookCall(
        clock,
        {
            simulatedMs: options.deliveryTimeoutMs ?? 10_000,
            realMs: options.deliveryRealTimeoutMs ?? defaultRealTimeoutMs,
        },
        options.webhookHttpCall ?? httpWebhookCall,
        options.rewriteWebhookUrl ?? ((url: string) => url),
    );
    // The "X cannot reach the webhook" fault: X's side of a refused connection (ops/faults.ts).
    const call: TimedWebhookCall = (request) =>
        faults.webhookUnreachable
            ? Promise.resolve({
                  kind: 'connection-error',
                  message: `connect ECONNREFUSED ${new URL(request.url).host}`,
              })
            : timedCall(request);
    const dispatcher = new DeliveryDispatcher(clock, faults, inFlight, {
        call,
        retryDelaysMs: options.retryDelaysMs ?? X_RETRY_SCHEDULE_MS,
        webhookIsLive: (webhookId) => store.webhooks.get(webhookId)?.valid === true,
        withheld: (request) =>
            isBilledDelivery(request) && ledger.isDepleted(request.webhook.appId)
                ? 'credits depleted (billed event)'
                : undefined,
        onDelivered: (record) => {
            if (isBilledDelivery(record)) {
                const kind = isPostEvent(record) ? 'post_event_delivery' : 'dm_received_delivery';
                for (const eventId of record.eventIds)
                    ledger.chargeDeliveryOnce(record.appId, eventId, clock.now(), kind);
            }
        },
    });
    if (options.signatureHeaders) dispatcher.signatureHeaders = options.signatureHeaders;
    const fanOut = new ActivityFanOut(store, dispatcher);
    const crc = new CrcChecker(clock, random, call);
    const webhooks = new WebhookService(store, clock, crc, dispatcher, inFlight, {
        lenientWebhookUrls: options.lenientWebhookUrls ?? true,
        crcIntervalMs: options.crcIntervalMs ?? 60 * 60 * 1000,
        crcKey: options.crcKey ?? 'consumer-secret',
    });
    return {
        store,
        clock,
        random,
        lifetimes: {
            accessTokenMs: options.accessTokenTtlMs ?? 2 * 60 * 60 * 1000,
            authorizationCodeMs: options.authorizationCodeTtlMs ?? 30_000,
        },
        consent: { userId: defaultConsentUser, decision: 'approve', interactive: false, ...options.consent },
        ledger,
        rateLimiter: new RateLimiter(clock),
        requestLog: new RequestLog(),
        faults,
        oauth1Verifier: new OAuth1Verifier(options.oauth1WallClock ?? Date.now),
        inFlight,
        dispatcher,
        fanOut,
        crc,
        webhooks,
        dms: new DmService(store, fanOut),
        posts: new PostService(store, dispatcher),
        media: new MediaService(store, options.mediaProcessingMs ?? 5_000),
    };
}
