/**
 * A BridgeContext over in-memory fakes: persistence with Rocket.Chat's semantics (reads match with $all,
 * updates match the key list exactly, no update by id), a scheduler that records jobs, a room that records
 * notices, and an X client whose answers a test scripts.
 */
import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { BridgeContext } from '../../../src/bridge/context';
import { normalizeSettings } from '../../../src/settings/reader';
import { ConversationStore } from '../../../src/storage/conversations';
import { SentDm, XClient, XFailure } from '../../../src/x/client-types';

type Key = { model: string; id: string };
const plain = (a: RocketChatAssociationRecord): Key => ({ model: a.getModel(), id: a.getID() });
const same = (a: Key, b: Key) => a.model === b.model && a.id === b.id;

export class FakePersistence {
    public readonly records: { data: Record<string, unknown>; keys: Key[] }[] = [];
    public calls: string[] = [];

    public reader() {
        return {
            readByAssociation: async (a: RocketChatAssociationRecord) => this.read([a]),
            readByAssociations: async (as: RocketChatAssociationRecord[]) => this.read(as),
        };
    }

    private async read(as: RocketChatAssociationRecord[]) {
        this.calls.push('read');
        const wanted = as.map(plain);
        return this.records
            .filter((r) => wanted.every((w) => r.keys.some((k) => same(k, w))))
            .map((r) => structuredClone(r.data));
    }

    public readonly accessor = {
        createWithAssociations: async (data: object, as: RocketChatAssociationRecord[]) => {
            this.calls.push('create');
            this.records.push({ data: structuredClone(data) as Record<string, unknown>, keys: as.map(plain) });
            return String(this.records.length);
        },
        createWithAssociation: async (data: object, a: RocketChatAssociationRecord) =>
            this.accessor.createWithAssociations(data, [a]),
        updateByAssociations: async (as: RocketChatAssociationRecord[], data: object, upsert = false) => {
            this.calls.push('update');
            const wanted = as.map(plain);
            const found = this.records.find(
                (r) => r.keys.length === wanted.length && wanted.every((w, i) => same(r.keys[i], w)),
            );
            if (found) found.data = structuredClone(data) as Record<string, unknown>;
            else if (upsert)
                this.records.push({ data: structuredClone(data) as Record<string, unknown>, keys: wanted });
            return '';
        },
        updateByAssociation: async (a: RocketChatAssociationRecord, data: object, upsert = false) =>
            this.accessor.updateByAssociations([a], data, upsert),
        removeByAssociations: async (as: RocketChatAssociationRecord[]) => {
            this.calls.push('remove');
            const wanted = as.map(plain);
            const removed = this.records.filter((r) => wanted.every((w) => r.keys.some((k) => same(k, w))));
            for (const r of removed) this.records.splice(this.records.indexOf(r), 1);
            return removed.map((r) => r.data);
        },
        removeByAssociation: async (a: RocketChatAssociationRecord) => this.accessor.removeByAssociations([a]),
        update: async () => {
            throw new Error('Not implemented.');
        },
    };

    public ofType(type: string): Record<string, unknown>[] {
        return this.records.filter((r) => r.data.type === type).map((r) => r.data);
    }
}

/** What the fake X does with the next send: accept, refuse, or accept and lose the answer. */
export type SendStep = 'ok' | XFailure | { acceptedButLost: XFailure };

export class FakeX implements Partial<XClient> {
    public readonly delivered: { id: string; to: string; text?: string; mediaId?: string; at: number }[] = [];
    public readonly steps: SendStep[] = [];
    public sendCalls = 0;
    public lookups = 0;
    public lookupFailure?: XFailure;
    private nextId = 1000;

    constructor(
        private readonly accountId: string,
        private readonly now: () => number,
        /** A call to X takes time: the clock moves a little on every send. */
        private readonly elapse: () => void = () => undefined,
    ) {}

    public async sendDm(to: string, text: string | undefined, mediaId?: string): Promise<SentDm> {
        this.sendCalls++;
        this.elapse();
        const step = this.steps.shift() ?? 'ok';
        if (step instanceof XFailure) throw step;
        const id = String(this.nextId++);
        this.delivered.push({ id, to, text, mediaId, at: this.now() });
        if (step !== 'ok') throw step.acceptedButLost;
        return { dmEventId: id, dmConversationId: `${this.accountId}-${to}` };
    }

    public async uploadDmMedia(): Promise<string> {
        return `media-${this.nextId++}`;
    }

    /** GET /2/dm_events: the account's newest DM events first, in v2 shape. */
    public async listDmEvents(options: { maxResults: number; paginationToken?: string }) {
        this.lookups++;
        if (this.lookupFailure) throw this.lookupFailure;
        const offset = Number(options.paginationToken ?? 0);
        const all = [...this.delivered].reverse();
        const nextToken = offset + options.maxResults < all.length ? String(offset + options.maxResults) : undefined;
        const data = all.slice(offset, offset + options.maxResults).map((d) => ({
            id: d.id,
            event_type: 'MessageCreate',
            text: d.text ?? '',
            sender_id: this.accountId,
            dm_conversation_id: [this.accountId, d.to].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).join('-'),
            created_at: new Date(d.at).toISOString(),
        }));
        return {
            body: { data, meta: { result_count: data.length, next_token: nextToken } },
            eventCount: data.length,
            nextToken,
        };
    }

    public texts(to?: string): (string | undefined)[] {
        return this.delivered.filter((d) => !to || d.to === to).map((d) => d.text);
    }
}

export interface FakeWorld {
    ctx: BridgeContext;
    x: FakeX;
    store: FakePersistence;
    notices: { roomId: string; text: string }[];
    wakes: { when: Date; data: Record<string, unknown> }[];
    clock: { now: number };
}

export const ACCOUNT = '1600000000000000001';

export function fakeWorld(settings: Record<string, unknown> = {}): FakeWorld {
    const clock = { now: Date.UTC(2026, 10, 21, 12) };
    const store = new FakePersistence();
    const x = new FakeX(
        ACCOUNT,
        () => clock.now,
        () => (clock.now += 5),
    );
    const notices: FakeWorld['notices'] = [];
    const wakes: FakeWorld['wakes'] = [];
    const builder = () => {
        const message: { room?: { id: string }; text?: string } = {};
        const b = {
            setRoom: (room: { id: string }) => ((message.room = room), b),
            setSender: () => b,
            setGroupable: () => b,
            setText: (text: string) => ((message.text = text), b),
            message,
        };
        return b;
    };
    const ctx = {
        read: {
            getPersistenceReader: () => store.reader(),
            getUploadReader: () => ({ getBufferById: async () => Buffer.from('file') }),
            getEnvironmentReader: () => ({ getServerSettings: () => ({ getValueById: async () => 'en' }) }),
            getUserReader: () => ({ getAppUser: async () => ({ id: 'app-user', type: 'app' }) }),
        },
        modify: {
            getCreator: () => ({
                startMessage: builder,
                finish: async (b: ReturnType<typeof builder>) => {
                    notices.push({ roomId: b.message.room!.id, text: b.message.text ?? '' });
                    return 'msg';
                },
            }),
            getScheduler: () => ({
                scheduleOnce: async (job: { when: Date; data: Record<string, unknown> }) => {
                    wakes.push(job);
                    return 'job';
                },
            }),
        },
        persistence: store.accessor,
        http: {},
        settings: normalizeSettings(settings),
        account: {
            accountId: ACCOUNT,
            username: 'acme',
            name: 'Acme',
            authMethod: 'tokens',
            linkedAt: 0,
            linkedBy: 'admin',
        },
        secrets: { webhookPath: 'w', visitorTokenKey: 'k' },
        conversations: new ConversationStore(),
        x: async () => x as unknown as XClient,
        now: () => clock.now,
        logger: { debug() {}, info() {}, warn() {}, error() {}, log() {}, success() {} },
    } as unknown as BridgeContext;
    return { ctx, x, store, notices, wakes, clock };
}
