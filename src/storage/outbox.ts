/**
 * The outbox: Direct Messages that could not be sent when they were written (X's rate limit, X down, a
 * timeout), kept until the outbox job delivers them.
 *
 * One record per DM (a long reply split in three is three items), so a reply half-sent before X refused
 * resumes at the right part. Every item carries three keys: the outbox index (the job reads everything in
 * one call), its conversation and its own id (updates match the exact key list, as Rocket.Chat requires).
 *
 * Order: items of one conversation are sent strictly by (Rocket.Chat message time, message id, part).
 * No double send: an item's state is written to `uncertain` BEFORE its X call, so whoever finds it later
 * (a retry, a run after a crash, a run after a timeout whose DM did arrive) first asks X whether it was
 * delivered. Only one drain runs at a time (in-process lock plus the persisted lease below).
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { XFailureKind } from '../x/client-types';
import { conversationId, conversationIdOf } from '../x/ids';
import { miscKey } from './associations';
import { renamedLegacyId, Stored } from './legacy';

export type OutboxOrigin = 'agent' | 'welcome' | 'finished' | 'agent-joined';

/** A file attached by an agent, read from Rocket.Chat's uploads when the item is sent. */
export interface OutboxFile {
    id: string;
    name: string;
    type: string;
    size: number;
}

export interface OutboxItem {
    type: 'outbox-item';
    /** Unique per DM: `m:<message id>:<part>` for agent replies, `<origin>:<room id>:…` for automatic messages. */
    id: string;
    accountId: string;
    customerId: string;
    roomId: string;
    /** Ordering key: the Rocket.Chat message time, its id, the part within it. */
    orderAt: number;
    orderId: string;
    part: number;
    text?: string;
    file?: OutboxFile;
    origin: OutboxOrigin;
    queuedAt: number;
    /**
     * `uncertain`: an X call for this item started and its outcome is unknown (timeout, 5xx, a crash
     * mid-send). X must be asked whether it arrived before it is sent again.
     */
    state: 'queued' | 'uncertain';
    /** When the last attempt started (X's copy of the DM, if any, is newer). */
    attemptAt?: number;
    /** Failed attempts that count towards giving up (rate-limit deferrals do not). */
    attempts: number;
    /** Not before this time (ms since epoch): X's rate-limit reset or the backoff. */
    notBefore: number;
    lastFailure?: XFailureKind | 'file-unreadable';
}

/** An outbox item as any version stored it (before the rename: `xUserId`). */
function fromStoredItem(stored: Stored<OutboxItem, 'customerId'>): OutboxItem {
    return renamedLegacyId(stored, 'customerId');
}

const OUTBOX_INDEX = miscKey('x-outbox');
export const outboxConversationKey = (accountId: string, customerId: string) =>
    miscKey(`x-outbox:${conversationId(accountId, customerId)}`);
const itemKey = (id: string) => miscKey(`x-outbox-item:${id}`);
/** One drain per account: each account's leases under their own index. */
const leaseIndex = (accountId: string) => miscKey(`x-outbox-lease-account:${accountId}`);
const leaseOwnerKey = (owner: string) => miscKey(`x-outbox-lease:${owner}`);

/** The exact key list an item is stored under (updates must repeat it in the same order). */
function keysOf(item: Pick<OutboxItem, 'accountId' | 'customerId' | 'id'>): RocketChatAssociationRecord[] {
    return [OUTBOX_INDEX, outboxConversationKey(item.accountId, item.customerId), itemKey(item.id)];
}

export class OutboxStore {
    /** Everything waiting, in every conversation: one read. */
    public async all(reader: IPersistenceRead): Promise<OutboxItem[]> {
        const records = (await reader.readByAssociation(OUTBOX_INDEX)) as unknown as Stored<OutboxItem, 'customerId'>[];
        return records.filter((r) => r?.type === 'outbox-item').map(fromStoredItem);
    }

    public async add(persistence: IPersistence, item: OutboxItem): Promise<void> {
        await persistence.createWithAssociations(item, keysOf(item));
    }

    /** Rewrites an item's state (attempt started, deferred, failed once more). */
    public async put(persistence: IPersistence, item: OutboxItem): Promise<void> {
        await persistence.updateByAssociations(keysOf(item), item, false);
    }

    public async remove(
        persistence: IPersistence,
        item: Pick<OutboxItem, 'accountId' | 'customerId' | 'id'>,
    ): Promise<void> {
        await persistence.removeByAssociations(keysOf(item));
    }

    /** Drops every item of a conversation (the customer cannot receive them); returns what was dropped. */
    public async removeConversation(
        persistence: IPersistence,
        accountId: string,
        customerId: string,
    ): Promise<OutboxItem[]> {
        const removed = await persistence.removeByAssociations([
            OUTBOX_INDEX,
            outboxConversationKey(accountId, customerId),
        ]);
        return ((removed ?? []) as unknown as Stored<OutboxItem, 'customerId'>[]).map(fromStoredItem);
    }

    /**
     * Takes the drain lease: every contender writes its own lease, then the oldest live one wins and the
     * others withdraw. Rocket.Chat's persistence has no compare-and-set, so this is what keeps two
     * instances (or a one-time wake job and the recurring sweep) from draining at once.
     */
    public async acquireLease(
        reader: IPersistenceRead,
        persistence: IPersistence,
        accountId: string,
        owner: string,
        now: number,
        ttlMs: number,
    ): Promise<boolean> {
        const mine: DrainLease = { type: 'outbox-lease', owner, at: now, expiresAt: now + ttlMs };
        const index = leaseIndex(accountId);
        await persistence.createWithAssociations(mine, [index, leaseOwnerKey(owner)]);
        const leases = ((await reader.readByAssociation(index)) as unknown as DrainLease[]).filter(
            (l) => l?.type === 'outbox-lease',
        );
        const expired = leases.filter((l) => l.expiresAt <= now && l.owner !== owner);
        await Promise.all(expired.map((l) => persistence.removeByAssociations([index, leaseOwnerKey(l.owner)])));
        const winner = leaseWinner(leases.filter((l) => l.expiresAt > now));
        if (winner?.owner === owner) return true;
        await this.releaseLease(persistence, accountId, owner);
        return false;
    }

    public async releaseLease(persistence: IPersistence, accountId: string, owner: string): Promise<void> {
        await persistence.removeByAssociations([leaseIndex(accountId), leaseOwnerKey(owner)]);
    }
}

export interface DrainLease {
    type: 'outbox-lease';
    owner: string;
    at: number;
    expiresAt: number;
}

/** The oldest lease wins; equal times are broken by owner id, the same way on every instance. */
export function leaseWinner(leases: DrainLease[]): DrainLease | undefined {
    return [...leases].sort((a, b) => a.at - b.at || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0))[0];
}

// ---- pure decisions (unit-tested) ------------------------------------------------------------

export function compareItems(a: OutboxItem, b: OutboxItem): number {
    return a.orderAt - b.orderAt || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0) || a.part - b.part;
}

export interface ConversationQueue {
    key: string;
    items: OutboxItem[];
}

/**
 * Items grouped per conversation, each in send order; conversations ordered by their oldest item. The
 * same item stored twice (a hook delivered twice) is kept once; the extra copies are returned to drop.
 */
export function groupByConversation(items: OutboxItem[]): { queues: ConversationQueue[]; duplicates: OutboxItem[] } {
    const seen = new Set<string>();
    const duplicates: OutboxItem[] = [];
    const byKey = new Map<string, OutboxItem[]>();
    for (const item of [...items].sort(compareItems)) {
        if (seen.has(item.id)) {
            duplicates.push(item);
            continue;
        }
        seen.add(item.id);
        const key = conversationIdOf(item);
        const list = byKey.get(key) ?? [];
        list.push(item);
        byKey.set(key, list);
    }
    const queues = [...byKey.entries()].map(([key, list]) => ({ key, items: list }));
    queues.sort((a, b) => compareItems(a.items[0], b.items[0]));
    return { queues, duplicates };
}

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 15 * 60_000;

/** Wait before retry number `attempts` (1-based) after X failed without saying when to come back. */
export function backoffMs(attempts: number): number {
    return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** About 4 hours of X failing for one item (30 s doubling to 15 min): then the agent is told it was not sent. */
export const GIVE_UP_AFTER_ATTEMPTS = 20;
