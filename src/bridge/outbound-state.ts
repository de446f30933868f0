/**
 * What one app instance (one Deno process) keeps in memory for the outbound side, so the steady-state
 * reply needs no lookup:
 *
 * - lanes: everything that sends to one X conversation (agent replies, automatic messages, the outbox
 *   drain) runs one at a time, in the order it started. Rocket.Chat fires IPostMessageSent without
 *   waiting, so two quick replies would otherwise race to X.
 * - which conversations have items in the outbox: kept current by this process's own enqueues and
 *   drains, and re-read from persistence when older than a couple of seconds (what other instances
 *   queued). A reply to a conversation with waiting items queues behind them instead of overtaking.
 */
import { KeyedQueue } from '../lib/keyed-queue';

export class QueuedConversations {
    /**
     * Per waiting conversation, the stamp of its newest item (from one counter, so a stamp is never reused:
     * a conversation forgotten and queued again cannot look unchanged to a drain that looked before). Kept
     * only while the conversation waits: a long-running process sees every customer it ever served.
     */
    private readonly versions = new Map<string, number>();
    private stamps = 0;
    private readonly queued = new Set<string>();
    /** When the conversation's first waiting item is due, as far as this process knows. */
    public readonly nextDue = new Map<string, number>();
    /** The ordering time of the newest item this process queued per conversation (new items go behind it). */
    public readonly lastOrder = new Map<string, number>();
    private loading?: Promise<void>;
    private loadedAt = -Infinity;

    /**
     * Brings the view in line with persistence when it is older than `maxAgeMs` (one read, shared by the
     * callers that arrive meanwhile): another instance may have queued items since. A conversation this
     * process queued for after the read started is kept whatever the read says.
     */
    public async refresh(load: () => Promise<string[]>, now: number, maxAgeMs: number): Promise<void> {
        if (now - this.loadedAt < maxAgeMs) return;
        this.loading ??= (async () => {
            const versions = this.versionSnapshot();
            try {
                const present = new Set(await load());
                for (const key of present) this.queued.add(key);
                for (const key of [...this.queued]) {
                    if (!present.has(key) && this.version(key) === (versions.get(key) ?? 0)) this.forget(key);
                }
                this.loadedAt = now;
            } finally {
                this.loading = undefined;
            }
        })();
        await this.loading;
    }

    public has(key: string): boolean {
        return this.queued.has(key);
    }

    /** Persistence shows items for `key` (seen by a drain): known as waiting, without counting as a new item. */
    public note(key: string): void {
        this.queued.add(key);
    }

    /** An item was queued for `key`. */
    public add(key: string): void {
        this.queued.add(key);
        this.versions.set(key, ++this.stamps);
    }

    public version(key: string): number {
        return this.versions.get(key) ?? 0;
    }

    /** The drain emptied `key`: forgotten only if nothing was queued for it since the drain looked. */
    public clearIfUnchanged(key: string, versionSeen: number): boolean {
        if (this.version(key) !== versionSeen) return false;
        this.forget(key);
        return true;
    }

    private forget(key: string): void {
        this.queued.delete(key);
        this.versions.delete(key);
        this.nextDue.delete(key);
        this.lastOrder.delete(key);
    }

    /** Every key's version now: a drain compares against it before forgetting a conversation. */
    public versionSnapshot(): Map<string, number> {
        return new Map(this.versions);
    }

    public keys(): string[] {
        return [...this.queued];
    }
}

/** Rooms closed while an event about them may still be in flight (their late agent messages are not sent). */
export class RecentlyClosed {
    private readonly rooms = new Map<string, number>();

    constructor(private readonly capacity = 1000) {}

    public add(roomId: string, at: number): void {
        this.rooms.delete(roomId);
        this.rooms.set(roomId, at);
        while (this.rooms.size > this.capacity) this.rooms.delete(this.rooms.keys().next().value as string);
    }

    public has(roomId: string): boolean {
        return this.rooms.has(roomId);
    }
}

/** One set per app process. */
export const outboundState = {
    lanes: new KeyedQueue(),
    queued: new QueuedConversations(),
    closedRooms: new RecentlyClosed(),
    /** Rooms `/twitter forget --close` is closing: their close sends no finished message (it would leave a record). */
    forgottenRooms: new RecentlyClosed(100),
    /** Wake-up jobs this process already asked for (second precision) and for which accounts, so a burst schedules one. */
    wakes: new Map<number, Set<string>>(),
};
