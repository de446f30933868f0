/**
 * What the admin side keeps, one record each: status figures, the webhook challenge key, the setup room
 * and the delivery last applied.
 */
import type { ChallengeKeySetting } from '../settings/ids';
import type { XFailureKind } from '../x/client-types';
import { KeyedRecord, PerAccountRecord } from './records';

/**
 * When a webhook event for the account last arrived. Updated at most once a minute by the webhook endpoint (a
 * write per delivery would cost a round trip each).
 */
export const lastEventRecords = new PerAccountRecord<{ at: number }>('x-last-event');

/**
 * X's view of the webhook as status last saw it. Persisted, not per instance: Rocket.Chat runs each command on
 * whichever instance took the request, so a per-instance cache would let every instance ask X, and X's
 * webhook reads are limited per app (450 per 15 minutes, shared with registration and the health check).
 * Reading it costs nothing extra: it is read with the other figures, in parallel.
 */
export interface WebhookCheck {
    at: number;
    webhookId: string;
    state: 'valid' | 'invalid' | 'missing' | 'unknown';
    /** Already masked. */
    url?: string;
    failure?: XFailureKind;
}

export const webhookCheckRecord = KeyedRecord.named<WebhookCheck>('x-status-webhook-check');

/** Which secret answers X's webhook challenge (admin/challenge-key.ts). */
export type ChallengeKey = Exclude<ChallengeKeySetting, 'auto'>;

interface ChallengeKeyState {
    key: ChallengeKey;
    /** When X last accepted an answer made with it (absent while it is being tried). */
    confirmedAt?: number;
}

export const challengeKeyRecord = KeyedRecord.named<ChallengeKeyState>('x-challenge-key');

/** The private room where the app talks to admins (admin/setup-room.ts). */
export const setupRoomRecord = KeyedRecord.named<{ roomId: string }>('x-setup-room');

/** The delivery settings last registered at X, so unchanged settings cause no calls (admin/apply-settings.ts). */
export const appliedRecord = KeyedRecord.named<{ fingerprint: string }>('x-applied-delivery');
