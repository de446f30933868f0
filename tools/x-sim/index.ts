/** Public surface of the X API simulator (see README.md). */
export { startXSim, XSim } from './sim';
export type { DmMediaInput, DmView, DriverDm, OAuth1Link, SentDm, WaitOption, WebhookView } from './sim';
export type { XSimOptions } from './build-services';
export { X_RETRY_SCHEDULE_MS } from './build-services';
export { ManualClock, SystemClock, type SimClock } from './core/clock';
export {
    DEFAULT_APP,
    DEFAULT_BUSINESS_ACCOUNT,
    DEFAULT_BUSINESS_OAUTH1,
    DEFAULT_SEED,
    SECOND_BUSINESS_ACCOUNT,
} from './defaults';
export type { DeliveryRecord, DeliveryAttempt, DeliveryState, SignatureHeaderMode } from './delivery/dispatcher';
export { LEGACY_SIGNATURE_HEADER, OAUTH2_SIGNATURE_HEADER } from './delivery/dispatcher';
export type { CrcCheck, CrcVerdict } from './delivery/crc';
export { crcResponseToken, sha256Signature } from './delivery/webhook-crypto';
export { serializeDelivery } from './delivery/serialize';
export type { FaultSpec, SerializationStyle, ApiFaultEffect, DeliveryFaultEffect } from './ops/faults';
export type { LedgerItem, LedgerTotals, LedgerView } from './ops/ledger';
export { UNIT_PRICE_USD } from './ops/ledger';
export type { RateLimitPolicy, Quota } from './ops/rate-limits';
export { DEFAULT_RATE_LIMITS } from './ops/rate-limits';
export type { RequestLogEntry } from './ops/request-log';
export type { AppCredentials, NewAppInput, NewUserInput } from './state/accounts';
export type { XUser } from './state/types';
export type { CreatedPostView, PostMediaInput, PostOptions, PostView } from './posts/post-driver';
export { buildOAuth1Header, percentEncode, signatureBaseString, hmacSha1Signature } from './auth/oauth1-signature';
export { nodeSender } from './node-sender';
export { formatReplayDate } from './core/time-format';
export type { WebhookHttpCall, OutboundRequest, OutboundResponse } from './delivery/outbound-http';
