/**
 * The registry of linked business accounts. Each account is one record under `x-account:<accountId>`, also
 * filed under the index `x-accounts` (one read lists them all); its OAuth 2.0 tokens, what was registered at X
 * for it and the jobs' state are separate records keyed by the account (a token refresh never races with a
 * change of delivery registration). Versions before several accounts kept one account under unsuffixed keys:
 * `migrateLegacyAccount` makes it a registry of one, and until it ran the old records are read as fallback.
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { I18nKey } from '../i18n/translate';
import { ActiveDeliveryMode, AuthMethod, WebhookDeliveryMode } from '../settings/ids';
import type { OAuth2Tokens } from '../x/credentials';
import { renamedLegacyId, Stored } from './legacy';
import { miscKey } from './associations';
import {
    healthRecords,
    legacyRecoveryClaimKey,
    pollStateRecords,
    recoveryClaimKeyOf,
    recoveryRecords,
} from './job-state';
import { lastEventRecords } from './admin-state';
import { mentionsCursorRecord } from './public-threads';
import { KeyedRecord, PerAccountRecord } from './records';

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
    /**
     * The Omnichannel department its conversations open in (name or id, as the admin gave it); absent or
     * empty: the *Default department* setting.
     */
    department?: string;
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

export const deliveryRecords = new PerAccountRecord<DeliveryRegistration>('x-delivery');
export const tokensRecords = new PerAccountRecord<OAuth2Tokens>('x-oauth2-tokens');

/** Every record kind kept per account, besides the account itself (removing an account removes them all). */
const PER_ACCOUNT_KINDS: PerAccountRecord<object>[] = [
    deliveryRecords,
    tokensRecords,
    pollStateRecords,
    healthRecords,
    recoveryRecords,
    lastEventRecords,
];

const accountsIndexKey = miscKey('x-accounts');
const accountKey = (accountId: string) => miscKey(`x-account:${accountId}`);
/** The single account of versions before the registry. */
const legacyAccountRecord = KeyedRecord.named<Stored<LinkedAccount, 'accountId'>>('x-account');

/** The linked account as any version stored it (before the rename: `xUserId`). */
function fromStoredAccount(stored: Stored<LinkedAccount, 'accountId'>): LinkedAccount {
    return renamedLegacyId(stored, 'accountId');
}

async function readLegacyAccount(reader: IPersistenceRead): Promise<LinkedAccount | undefined> {
    const stored = await legacyAccountRecord.read(reader);
    return stored && fromStoredAccount(stored);
}

/** Every linked account (one read); an install not upgraded yet lists its single account. */
export async function listAccounts(reader: IPersistenceRead): Promise<LinkedAccount[]> {
    const stored = (await reader.readByAssociation(accountsIndexKey)) as unknown as Stored<
        LinkedAccount,
        'accountId'
    >[];
    if (stored.length > 0) return stored.map(fromStoredAccount).sort((a, b) => a.linkedAt - b.linkedAt);
    const legacy = await readLegacyAccount(reader);
    return legacy ? [legacy] : [];
}

export async function readAccount(reader: IPersistenceRead, accountId: string): Promise<LinkedAccount | undefined> {
    const [stored] = (await reader.readByAssociation(accountKey(accountId))) as unknown as Stored<
        LinkedAccount,
        'accountId'
    >[];
    if (stored) return fromStoredAccount(stored);
    const legacy = await readLegacyAccount(reader);
    return legacy?.accountId === accountId ? legacy : undefined;
}

/** X handles are case-insensitive; the admin may type the leading @ or not. */
export async function findAccountByUsername(
    reader: IPersistenceRead,
    handle: string,
): Promise<LinkedAccount | undefined> {
    const wanted = handle.trim().replace(/^@/, '').toLowerCase();
    if (!wanted) return undefined;
    return (await listAccounts(reader)).find((a) => a.username.toLowerCase() === wanted);
}

export async function writeAccount(persistence: IPersistence, account: LinkedAccount): Promise<void> {
    await persistence.updateByAssociations([accountKey(account.accountId), accountsIndexKey], account, true);
}

/** Removes the account and every record kept for it; other accounts' records are untouched. */
export async function removeAccount(persistence: IPersistence, accountId: string): Promise<void> {
    await Promise.all([
        persistence.removeByAssociation(accountKey(accountId)),
        persistence.removeByAssociation(recoveryClaimKeyOf(accountId)),
        mentionsCursorRecord(accountId).remove(persistence),
        ...PER_ACCOUNT_KINDS.map((kind) => kind.of(accountId).remove(persistence)),
    ]);
}

/**
 * The account's record of `kind`. Until the upgrade moved them, the records of the single account of an
 * earlier version are under the unsuffixed key: read as fallback for that account only (never for another
 * account linked since, which must not see its tokens).
 */
export async function readForAccount<T extends object>(
    reader: IPersistenceRead,
    kind: PerAccountRecord<T>,
    accountId: string,
): Promise<T | undefined> {
    const record = await kind.of(accountId).read(reader);
    if (record) return record;
    const [legacyAccount, legacy] = await Promise.all([legacyAccountRecord.read(reader), kind.legacy.read(reader)]);
    return legacy && legacyAccount && fromStoredAccount(legacyAccount).accountId === accountId ? legacy : undefined;
}

/**
 * Upgrade from a single-account version: its account becomes a registry of one, nothing lost. Each old
 * record is copied under the account's key unless one is there already (a newer write wins), the account
 * is written last, then the old records go. Idempotent: two instances doing it at once copy the same
 * records and agree. Returns the migrated account, if there was one.
 */
export async function migrateLegacyAccount(
    reader: IPersistenceRead,
    persistence: IPersistence,
): Promise<LinkedAccount | undefined> {
    const legacy = await readLegacyAccount(reader);
    if (!legacy) return undefined;
    const id = legacy.accountId;
    for (const kind of PER_ACCOUNT_KINDS) {
        const [old, current] = await Promise.all([kind.legacy.read(reader), kind.of(id).read(reader)]);
        if (old && !current) await kind.of(id).write(persistence, old);
    }
    const [registered] = await reader.readByAssociation(accountKey(id));
    if (!registered) await writeAccount(persistence, legacy);
    await Promise.all([
        ...PER_ACCOUNT_KINDS.map((kind) => kind.legacy.remove(persistence)),
        persistence.removeByAssociation(legacyRecoveryClaimKey),
    ]);
    await legacyAccountRecord.remove(persistence);
    return legacy;
}
