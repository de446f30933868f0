/**
 * The linked business account, its OAuth 2.0 tokens and what was registered at X for it. Kept as
 * separate records so a token refresh never races with a change of delivery registration.
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { I18nKey } from '../i18n/translate';
import { ActiveDeliveryMode, AuthMethod, WebhookDeliveryMode } from '../settings/ids';
import type { OAuth2Tokens } from '../x/credentials';
import { renamedLegacyId, Stored } from './legacy';
import { KeyedRecord } from './records';

export interface LinkedAccount {
    accountId: string;
    username: string;
    name: string;
    authMethod: AuthMethod;
    linkedAt: number;
    /** Rocket.Chat user id of the admin who linked it. */
    linkedBy: string;
    /** X app ids seen on echoes of DMs this app sent: later echoes are recognized even when they outrun our own record of the send. */
    ownSourceAppIds?: string[];
    /** When X told us access was revoked (user_event.revoke) or a call came back with an invalid token. */
    revokedAt?: number;
    /** When a later check found the token working again (the mark was lifted): a new break alerts anew. */
    restoredAt?: number;
}

/**
 * Automatic delivery's decision (admin/auto-delivery.ts), kept with the registration it led to. Several
 * instances share it: a change is claimed under its switch number first, so one decides and announces.
 */
export interface AutomaticDelivery {
    /** Changes of the active mode so far (0 = the first decision); the next one is claimed as `switches + 1`. */
    switches: number;
    /** The webhook mode tried (the best these settings allow); absent when none can be. */
    webhookMode?: WebhookDeliveryMode;
    /** The webhook address tried, its secret segment masked (for the texts). */
    url?: string;
    /** Why polling is active (i18n key), with X's words when it gave some. */
    reason?: I18nKey;
    detail?: string;
    /** Webhook attempts failed in a row, and when the next is due (absent: only a change of settings helps). */
    attempts: number;
    nextTryAt?: number;
    /**
     * Set when the webhook took over: polling goes on until the webhook has delivered an event after this
     * time, so DMs X sent while it was checking the webhook are not lost.
     */
    pollUntilEventAfter?: number;
}

/** What is registered at X for the current delivery mode. */
export interface DeliveryRegistration {
    mode: ActiveDeliveryMode;
    /** Only with the Automatic setting. */
    automatic?: AutomaticDelivery;
    webhookId?: string;
    webhookUrl?: string;
    activitySubscriptionIds?: string[];
    accountActivitySubscribed?: boolean;
    registeredAt: number;
    /** Last time the webhook was known valid (CRC passed) and the last time an event arrived. */
    lastValidAt?: number;
    lastEventAt?: number;
}

export const accountRecord = KeyedRecord.named<LinkedAccount>('x-account');

/** The linked account as any version stored it (before the rename: `xUserId`). */
function fromStoredAccount(stored: Stored<LinkedAccount, 'accountId'>): LinkedAccount {
    return renamedLegacyId(stored, 'accountId');
}
export const deliveryRecord = KeyedRecord.named<DeliveryRegistration>('x-delivery');
export const tokensRecord = KeyedRecord.named<OAuth2Tokens>('x-oauth2-tokens');

export async function readAccount(reader: IPersistenceRead): Promise<LinkedAccount | undefined> {
    const stored = (await accountRecord.read(reader)) as Stored<LinkedAccount, 'accountId'> | undefined;
    return stored && fromStoredAccount(stored);
}

export async function forgetAccount(persistence: IPersistence): Promise<void> {
    await Promise.all([
        accountRecord.remove(persistence),
        deliveryRecord.remove(persistence),
        tokensRecord.remove(persistence),
    ]);
}
