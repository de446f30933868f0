import type { OAuth1Verifier } from './auth/oauth1-verifier';
import type { SimClock } from './core/clock';
import type { InFlight } from './core/in-flight';
import type { SeededRandom } from './core/random';
import type { CrcChecker } from './delivery/crc';
import type { DeliveryDispatcher } from './delivery/dispatcher';
import type { ActivityFanOut } from './delivery/fan-out';
import type { WebhookService } from './delivery/webhook-service';
import type { DmService } from './dm/dm-service';
import type { MediaService } from './media/media-service';
import type { PostService } from './posts/post-service';
import type { Faults } from './ops/faults';
import type { Ledger } from './ops/ledger';
import type { RateLimiter } from './ops/rate-limits';
import type { RequestLog } from './ops/request-log';
import type { SimStore } from './state/store';

/** Who "is signed in at x.com" when an authorization page is opened, and what they answer. */
export interface ConsentSettings {
    userId: string;
    decision: 'approve' | 'deny';
    /** Serve an HTML consent page instead of redirecting at once (for the sandbox). */
    interactive: boolean;
}

export interface TokenLifetimes {
    /** OAuth 2.0 access tokens: 2 hours. */
    accessTokenMs: number;
    /** OAuth 2.0 authorization codes: 30 seconds. */
    authorizationCodeMs: number;
}

/** Everything a route handler or the driver may use: state, generators and domain services. */
export interface SimServices {
    store: SimStore;
    clock: SimClock;
    random: SeededRandom;
    lifetimes: TokenLifetimes;
    consent: ConsentSettings;
    ledger: Ledger;
    rateLimiter: RateLimiter;
    requestLog: RequestLog;
    faults: Faults;
    oauth1Verifier: OAuth1Verifier;
    inFlight: InFlight;
    dispatcher: DeliveryDispatcher;
    fanOut: ActivityFanOut;
    crc: CrcChecker;
    webhooks: WebhookService;
    dms: DmService;
    media: MediaService;
    posts: PostService;
}
