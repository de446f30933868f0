/**
 * A public thread with one customer (issue 19): its room, the claims on each of its posts, which posts are in
 * the room as which messages, and the replies the app posted there. Every record carries the thread's key, so
 * one read returns them all, as a DM conversation's do (conversations.ts); claims are create-only records
 * and the first written wins (claims.ts). Seen markers carry the day's key: housekeeping forgets them with
 * the DM markers after SEEN_RETENTION_DAYS.
 */
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { utcDay } from '../lib/time';
import { miscKey } from './associations';
import { seenDayKey, seenKey } from './conversation-keys';
import { BillableKind, ledgerDayKey } from './ledger';
import { KeyedRecord, roomKey } from './records';

export interface ThreadRecord {
    type: 'public-thread';
    accountId: string;
    customerId: string;
    /** X's conversation id: the thread's root post. */
    threadId: string;
    roomId: string;
    visitorId: string;
    visitorToken: string;
    visitorUsername: string;
    visitorName: string;
    customerHandle?: string;
    openedAt: number;
}

interface PostMarker {
    type: 'public-seen';
    /** The post id (named as the ledger names billed events: one delivery X bills counts once). */
    eventId: string;
    at: number;
    claim: string;
    /** The customer's post's time at X: replies answer the latest one. */
    createdAt: number;
    kind?: BillableKind;
    units?: number;
    /** The business account billed (per-account cost); markers of single-account versions name none. */
    accountId?: string;
}

interface PostedPost {
    type: 'public-posted';
    postId: string;
    at: number;
    createdAt: number;
    roomId: string;
    messageIds: string[];
    /** A customer's post, or the business's reply typed in X's app (mirrored; never answered). */
    author: 'customer' | 'business';
    /** Its thread: an Account Activity reply does not name its root, the post it answers does. */
    threadId: string;
}

interface OpeningClaim {
    type: 'public-opening';
    at: number;
    claim: string;
}

/** A reply the app posted (its echo is dropped); the same record is the ledger entry of X's charge. */
interface OwnReply {
    type: 'public-reply';
    postId: string;
    threadId: string;
    at: number;
    kind: BillableKind;
    units: number;
    /** The business account billed (per-account cost); replies of single-account versions name none. */
    accountId?: string;
}

export interface ThreadState {
    thread?: ThreadRecord;
    /** Claims on each post, in write order. */
    claims: Map<string, { at: number; claim: string }[]>;
    posted: Map<string, PostedPost>;
    openingClaims: OpeningClaim[];
    /** The customer's newest post id in the thread that is in the room (X's time order). */
    latestPostId?: string;
}

const threadKey = (accountId: string, customerId: string, threadId: string) =>
    miscKey(`x-pub:${accountId}:${customerId}:${threadId}`);
const threadType = miscKey('x-public-thread');
const claimKey = (claim: string) => miscKey(`x-pub-claim:${claim}`);
const openingKey = miscKey('x-pub-opening');
const ownReplyKey = (accountId: string, postId: string) => miscKey(`x-pub-reply:${accountId}:${postId}`);

type Stored = ThreadRecord | PostMarker | PostedPost | OpeningClaim;

/** One read: the room, the claims, what is posted. */
export async function loadThread(
    reader: IPersistenceRead,
    accountId: string,
    customerId: string,
    threadId: string,
): Promise<ThreadState> {
    const records = (await reader.readByAssociation(threadKey(accountId, customerId, threadId))) as unknown as Stored[];
    const state: ThreadState = { claims: new Map(), posted: new Map(), openingClaims: [] };
    let latestAt = -1;
    for (const record of records) {
        if (record.type === 'public-thread') state.thread = record;
        else if (record.type === 'public-opening') state.openingClaims.push(record);
        else if (record.type === 'public-seen')
            state.claims.set(record.eventId, [
                ...(state.claims.get(record.eventId) ?? []),
                { at: record.at, claim: record.claim },
            ]);
        else if (record.type === 'public-posted') {
            state.posted.set(record.postId, record);
            if (record.author === 'customer' && record.createdAt > latestAt)
                [latestAt, state.latestPostId] = [record.createdAt, record.postId];
        }
    }
    return state;
}

export async function threadByRoom(reader: IPersistenceRead, roomId: string): Promise<ThreadRecord | undefined> {
    const [record] = (await reader.readByAssociations([roomKey(roomId), threadType])) as unknown as ThreadRecord[];
    return record?.type === 'public-thread' ? record : undefined;
}

/** Claims a post (with `billed`, the same record is the ledger entry of X's delivery charge). */
export async function claimPost(
    persistence: IPersistence,
    ref: { accountId: string; customerId: string; threadId: string },
    post: { postId: string; createdAt: number },
    claim: string,
    at: number,
    billed?: BillableKind,
): Promise<void> {
    const marker: PostMarker = {
        type: 'public-seen',
        eventId: post.postId,
        at,
        claim,
        createdAt: post.createdAt,
        ...(billed ? { kind: billed, units: 1, accountId: ref.accountId } : {}),
    };
    const keys = [
        threadKey(ref.accountId, ref.customerId, ref.threadId),
        seenKey(post.postId),
        seenDayKey(utcDay(at)),
        claimKey(claim),
    ];
    await persistence.createWithAssociations(marker, billed ? [...keys, ledgerDayKey(utcDay(at))] : keys);
}

/** A losing claim goes again, so redeliveries leave no record. */
export async function dropPostClaim(persistence: IPersistence, claim: string): Promise<void> {
    await persistence.removeByAssociation(claimKey(claim));
}

export async function markPostPosted(
    persistence: IPersistence,
    ref: { accountId: string; customerId: string; threadId: string },
    record: Omit<PostedPost, 'type'>,
): Promise<void> {
    await persistence.createWithAssociations({ type: 'public-posted', ...record } satisfies PostedPost, [
        threadKey(ref.accountId, ref.customerId, ref.threadId),
        seenKey(record.postId),
        seenDayKey(utcDay(record.at)),
    ]);
}

export async function claimThreadOpening(
    persistence: IPersistence,
    ref: { accountId: string; customerId: string; threadId: string },
    claim: string,
    at: number,
): Promise<void> {
    await persistence.createWithAssociations({ type: 'public-opening', at, claim } satisfies OpeningClaim, [
        threadKey(ref.accountId, ref.customerId, ref.threadId),
        openingKey,
    ]);
}

export async function clearThreadOpening(
    persistence: IPersistence,
    ref: { accountId: string; customerId: string; threadId: string },
): Promise<void> {
    await persistence.removeByAssociations([threadKey(ref.accountId, ref.customerId, ref.threadId), openingKey]);
}

export async function openThread(persistence: IPersistence, record: ThreadRecord): Promise<void> {
    await persistence.createWithAssociations(record, [
        threadKey(record.accountId, record.customerId, record.threadId),
        roomKey(record.roomId),
        threadType,
    ]);
}

/** Forgets the room (closed, or moved to DM): the thread's next mention opens a new one. */
export async function closeThreadRoom(persistence: IPersistence, roomId: string): Promise<boolean> {
    return ((await persistence.removeByAssociations([roomKey(roomId), threadType])) ?? []).length > 0;
}

/** A reply the app posted: its echo is recognized by id; the record is also the ledger entry. */
export async function recordOwnReply(
    persistence: IPersistence,
    ref: { accountId: string; threadId: string },
    postId: string,
    at: number,
    kind: BillableKind,
): Promise<void> {
    const record: OwnReply = {
        type: 'public-reply',
        postId,
        threadId: ref.threadId,
        at,
        kind,
        units: 1,
        accountId: ref.accountId,
    };
    await persistence.createWithAssociations(record, [
        ownReplyKey(ref.accountId, postId),
        seenDayKey(utcDay(at)),
        ledgerDayKey(utcDay(at)),
    ]);
}

/** The thread of a post the app has seen or posted, if any (one read of each key). */
export async function knownThreadOf(
    reader: IPersistenceRead,
    accountId: string,
    postId: string,
): Promise<string | undefined> {
    const [seen, own] = await Promise.all([
        reader.readByAssociation(seenKey(postId)) as unknown as Promise<Partial<PostedPost>[]>,
        reader.readByAssociation(ownReplyKey(accountId, postId)) as unknown as Promise<Partial<OwnReply>[]>,
    ]);
    return [...(seen ?? []), ...(own ?? [])].find((r) => typeof r?.threadId === 'string')?.threadId;
}

export async function isOwnReply(reader: IPersistenceRead, accountId: string, postId: string): Promise<boolean> {
    return ((await reader.readByAssociation(ownReplyKey(accountId, postId))) ?? []).length > 0;
}

/** Where the mentions timeline poll stopped, per business account (X's `newest_id`, the next `since_id`). */
export interface MentionsCursor {
    sinceId?: string;
    at: number;
}

export const mentionsCursorRecord = (accountId: string) =>
    KeyedRecord.named<MentionsCursor>(`x-mentions-poll:${accountId}`);

/** A customer's post that found no room (no agent online): posted by the pending job once a room opens. */
export interface PendingPost {
    type: 'public-pending';
    postId: string;
    at: number;
    /** The InboundPost as delivered (plain JSON). */
    post: Record<string, unknown>;
}

const pendingKey = miscKey('x-pub-pending');
const pendingPostKey = (postId: string) => miscKey(`x-pub-pending:${postId}`);

/** Kept with the day's seen markers: a mention older than the dedupe horizon is not posted any more. */
export async function addPendingPost(
    persistence: IPersistence,
    postId: string,
    post: object,
    at: number,
): Promise<void> {
    const record: PendingPost = { type: 'public-pending', postId, at, post: JSON.parse(JSON.stringify(post)) };
    await persistence.createWithAssociations(record, [pendingKey, pendingPostKey(postId), seenDayKey(utcDay(at))]);
}

/**
 * The account's waiting mentions. The list is shared by every linked account and the pending job runs once
 * per account: taking another account's would remove it and then skip it as not this account's (lost).
 */
export async function pendingPostsOf(reader: IPersistenceRead, accountId: string): Promise<PendingPost[]> {
    return ((await reader.readByAssociation(pendingKey)) as unknown as PendingPost[]).filter(
        (r) => r?.type === 'public-pending' && r.post?.accountId === accountId,
    );
}

export async function removePendingPost(persistence: IPersistence, postId: string): Promise<void> {
    await persistence.removeByAssociation(pendingPostKey(postId));
}
