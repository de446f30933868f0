/**
 * The test host refuses what Rocket.Chat 8.x refuses, with Rocket.Chat's setting defaults: each rule here
 * is a claim about Rocket.Chat's server code, cited where the host implements it.
 */
import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import { StartupType } from '@rocket.chat/apps-engine/definition/scheduler';
import type { BridgeContext } from '../../../tools/host/bridges/context';
import { HostLivechatBridge } from '../../../tools/host/bridges/livechat';
import { HostPersistenceBridge } from '../../../tools/host/bridges/persistence';
import { HostRoomBridge } from '../../../tools/host/bridges/rooms';
import { HostSchedulerBridge, LOCK_LIFETIME_MS } from '../../../tools/host/bridges/scheduler';
import { checkCustomFields, checkUserMessage } from '../../../tools/host/bridges/send-message';
import { ManualClock } from '../../../tools/host/clock';
import { startHttpFront } from '../../../tools/host/http-front';
import type { TestHost } from '../../../tools/host/host';
import { HostStore } from '../../../tools/host/store';

const APP = 'app-1';
const MINUTE = 60_000;

function contextOn(store: HostStore, hostId = 'h1'): BridgeContext {
    const app = { getName: () => 'Twitter', getNameSlug: () => 'twitter' };
    const manager = {
        getOneById: () => app,
        getListenerManager: () => ({ executeListener: async () => undefined, isEventBlocked: () => true }),
    };
    return { store, hostId, manager: () => manager as never, httpHostMap: new Map() };
}

const newStore = () => new HostStore({ clock: new ManualClock() });
const clockOf = (store: HostStore) => store.clock as ManualClock;

describe('sendMessage rules (apps/meteor/app/lib/server/functions/sendMessage.ts, methods/sendMessage.ts)', () => {
    it('refuses message custom fields while they are off (the default), and validates them against the schema when on', () => {
        const store = newStore();
        expect(() => checkCustomFields(store, { customFields: { xEventId: '1' } })).toThrow(
            'Custom fields not enabled',
        );
        expect(() => checkCustomFields(store, {})).not.toThrow();
        store.serverSettings.set('Message_CustomFields_Enabled', true);
        // The default schema requires `priority` and allows nothing else.
        expect(() => checkCustomFields(store, { customFields: { xEventId: '1' } })).toThrow('Invalid custom fields');
        expect(() => checkCustomFields(store, { customFields: { priority: 'low' } })).not.toThrow();
        store.serverSettings.set(
            'Message_CustomFields',
            JSON.stringify({ properties: { xEventId: { type: 'string' } } }),
        );
        expect(() => checkCustomFields(store, { customFields: { xEventId: '1' } })).not.toThrow();
        expect(() => checkCustomFields(store, { customFields: { xEventId: 1 } })).toThrow('Invalid custom fields');
    });

    it("an app user's message: a timestamp over 60 s off is refused, 10 to 60 s off replaced by now, over 5,000 characters refused", () => {
        const store = newStore();
        const now = store.now().getTime();
        expect(() => checkUserMessage(store, { createdAt: new Date(now - 5 * MINUTE), text: 'late' })).toThrow(
            'error-message-ts-out-of-sync',
        );
        expect(() => checkUserMessage(store, { createdAt: new Date(now + 61_000), text: 'early' })).toThrow(
            'error-message-ts-out-of-sync',
        );
        expect(checkUserMessage(store, { createdAt: new Date(now - 30_000), text: 'a bit late' }).getTime()).toBe(now);
        expect(checkUserMessage(store, { createdAt: new Date(now - 5_000), text: 'close' }).getTime()).toBe(
            now - 5_000,
        );
        expect(checkUserMessage(store, { text: 'x'.repeat(5_000) }).getTime()).toBe(now);
        expect(() => checkUserMessage(store, { text: 'x'.repeat(5_001) })).toThrow('error-message-size-exceeded');
        store.serverSettings.set('Message_MaxAllowedSize', 100);
        expect(() => checkUserMessage(store, { text: 'x'.repeat(101) })).toThrow('error-message-size-exceeded');
    });
});

describe('Omnichannel (apps/meteor/app/apps/server/bridges/livechat.ts, livechat/server/lib)', () => {
    type Bridge = {
        createMessage(m: object, appId: string): Promise<string>;
        createRoom(v: IVisitor, a: object, appId: string, p: object): Promise<ILivechatRoom>;
        isOnline(d?: string): boolean;
    };
    function setUp(options: { online?: boolean } = {}) {
        const store = newStore();
        const bridge = new HostLivechatBridge(contextOn(store)) as unknown as Bridge;
        const agent = {
            id: 'agent1',
            username: 'agent',
            roles: ['livechat-agent'],
            isEnabled: true,
            status: options.online === false ? 'offline' : 'online',
            statusLivechat: 'available',
        };
        store.users.set(agent.id, agent as never);
        const hidden = {
            id: 'd-hidden',
            name: 'Hidden',
            enabled: true,
            showOnRegistration: false,
            agentIds: ['agent1'],
        };
        const empty = { id: 'd-empty', name: 'Empty', enabled: true, showOnRegistration: true, agentIds: [] };
        const sales = { id: 'd-sales', name: 'Sales', enabled: true, showOnRegistration: true, agentIds: ['agent1'] };
        for (const d of [hidden, empty, sales]) store.departments.set(d.id, d as never);
        const visitor = { id: 'v1', token: 'tok', username: 'x-1', name: 'Ann' } as IVisitor;
        store.visitors.set(visitor.id!, visitor);
        return { store, bridge, visitor };
    }
    const source = { source: { type: 'app', label: 'X (Twitter)' } };

    it('without a department, a room goes to the first enabled department shown on registration with an agent online', async () => {
        const { bridge, visitor } = setUp();
        const room = await bridge.createRoom(visitor, {}, APP, source);
        expect(room.department?.id).toBe('d-sales');
        expect(room.servedBy?.id).toBe('agent1');
    });

    it('no agent online: no-agent-online, unless the server accepts chats with no agents — then isOnline always says yes and the room waits unassigned', async () => {
        const { store, bridge, visitor } = setUp({ online: false });
        expect(bridge.isOnline()).toBe(false);
        await expect(bridge.createRoom({ ...visitor, department: 'd-sales' }, {}, APP, source)).rejects.toThrow(
            'no-agent-online',
        );
        store.acceptChatsWithNoAgents = true;
        expect(bridge.isOnline('d-sales')).toBe(true);
        const room = await bridge.createRoom({ ...visitor, department: 'd-sales' }, {}, APP, source);
        expect(room.servedBy).toBeUndefined();
        expect(room.department?.id).toBe('d-sales');
    });

    it('a visitor message into a closed room opens a new room (source without label, no department asked) and lands there; a deleted room fails', async () => {
        const { store, bridge, visitor } = setUp();
        const room = await bridge.createRoom({ ...visitor, department: 'd-sales' }, {}, APP, source);
        store.rooms.set(room.id, { ...store.rooms.get(room.id), isOpen: false } as ILivechatRoom);
        const id = await bridge.createMessage(
            { room: { id: room.id }, visitor, token: visitor.token, text: 'hello' },
            APP,
        );
        const posted = store.messages.get(id)!;
        expect(posted.room.id).not.toBe(room.id);
        const stray = store.rooms.get(posted.room.id) as ILivechatRoom & { source?: { label?: string; id?: string } };
        expect(stray.isOpen).toBe(true);
        expect(stray.source).toMatchObject({ type: 'app', id: APP });
        expect(stray.source?.label).toBeUndefined();
        store.rooms.delete(stray.id);
        await expect(
            bridge.createMessage({ room: { id: stray.id }, visitor, token: visitor.token, text: 'again' }, APP),
        ).rejects.toThrow('Invalid room provided on the message.');
    });

    it("the new room for a closed one takes the department of the visitor the app passes, not the stored visitor's", async () => {
        const { store, bridge, visitor } = setUp();
        // Registered in a department that getRequiredDepartment would never pick (not shown on registration).
        store.visitors.set(visitor.id!, { ...visitor, department: 'd-hidden' });
        const room = await bridge.createRoom({ ...visitor, department: 'd-hidden' }, {}, APP, source);
        expect(room.department?.id).toBe('d-hidden');
        store.rooms.set(room.id, { ...store.rooms.get(room.id), isOpen: false } as ILivechatRoom);
        const id = await bridge.createMessage(
            { room: { id: room.id }, visitor, token: visitor.token, text: 'hello' },
            APP,
        );
        expect((store.rooms.get(store.messages.get(id)!.room.id) as ILivechatRoom).department?.id).toBe('d-sales');
    });
});

describe('rooms.getMessages (apps/meteor/app/apps/server/bridges/rooms.ts)', () => {
    it('honours limit, skip and sort, and leaves out system messages', async () => {
        const store = newStore();
        store.rooms.set('r1', { id: 'r1', type: RoomType.LIVE_CHAT } as never);
        const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n));
        const add = (id: string, n: number, extra: Partial<IMessage> & { t?: string } = {}) =>
            store.messages.set(id, {
                id,
                room: { id: 'r1' },
                sender: { id: 'u', username: 'u' },
                text: id,
                createdAt: at(n),
                ...extra,
            } as IMessage);
        add('m3', 3);
        add('m1', 1);
        add('started', 0, { t: 'livechat-started' } as never);
        add('m2', 2);
        const bridge = new HostRoomBridge(contextOn(store)) as unknown as {
            getMessages(r: string, o: object): Promise<{ id: string; roomId: string; sender: { _id: string } }[]>;
        };
        expect((await bridge.getMessages('r1', { limit: 100 })).map((m) => m.id)).toEqual(['m3', 'm1', 'm2']);
        expect((await bridge.getMessages('r1', { limit: 2, sort: { createdAt: 'desc' } })).map((m) => m.id)).toEqual([
            'm3',
            'm2',
        ]);
        expect(
            (await bridge.getMessages('r1', { limit: 2, skip: 1, sort: { createdAt: 'asc' } })).map((m) => m.id),
        ).toEqual(['m2', 'm3']);
        const [raw] = await bridge.getMessages('r1', { limit: 1 });
        expect(raw).toMatchObject({ roomId: 'r1', sender: { _id: 'u' } });
    });
});

describe('persistence removeByAssociations (apps/meteor/app/apps/server/bridges/persistence.ts)', () => {
    it('is a find then a delete: two instances removing at once both get the record', async () => {
        const store = newStore();
        type P = {
            createWithAssociations(d: object, a: object[], app: string): Promise<string>;
            removeByAssociations(a: object[], app: string): Promise<object[] | undefined>;
        };
        const one = new HostPersistenceBridge(contextOn(store, 'h1')) as unknown as P;
        const two = new HostPersistenceBridge(contextOn(store, 'h2')) as unknown as P;
        const key = [{ model: 'misc', id: 'candidate' }];
        await one.createWithAssociations({ n: 1 }, key, APP);
        const [a, b] = await Promise.all([one.removeByAssociations(key, APP), two.removeByAssociations(key, APP)]);
        expect(a).toEqual([{ n: 1 }]);
        expect(b).toEqual([{ n: 1 }]);
        expect(await one.removeByAssociations(key, APP)).toBeUndefined();
    });
});

describe('the scheduler (apps/meteor/app/apps/server/bridges/scheduler.ts over packages/agenda)', () => {
    type S = {
        registerProcessors(p: object[], appId: string): Promise<void | string[]>;
        scheduleOnce(j: object, appId: string): Promise<string | void>;
        scheduleRecurring(j: object, appId: string): Promise<string | void>;
        runDueJobs(): Promise<{ processorId: string; host: string; error?: string }[]>;
        stop(): void;
    };
    const schedulerOn = (store: HostStore, hostId = 'h1') =>
        new HostSchedulerBridge(contextOn(store, hostId)) as unknown as S;
    const jobNamed = (store: HostStore, name: string) => [...store.jobs.values()].find((j) => j.processorId === name)!;

    it('a recurring startup job keeps its next run when registered again; with skipImmediate every registration pushes it a whole interval forward', async () => {
        const store = newStore();
        const processor = async () => undefined;
        const register = (skipImmediate: boolean) =>
            schedulerOn(store).registerProcessors(
                [
                    {
                        id: 'kept',
                        processor,
                        startupSetting: { type: StartupType.RECURRING, interval: '24 hours', skipImmediate: false },
                    },
                    {
                        id: 'pushed',
                        processor,
                        startupSetting: { type: StartupType.RECURRING, interval: '24 hours', skipImmediate },
                    },
                ],
                APP,
            );
        await register(true);
        const start = store.clock.now();
        expect(jobNamed(store, 'kept').nextRunAt).toBe(start);
        expect(jobNamed(store, 'pushed').nextRunAt).toBe(start + 24 * 60 * MINUTE);
        clockOf(store).advance(20 * 60 * MINUTE);
        await register(true);
        expect(jobNamed(store, 'kept').nextRunAt).toBe(start);
        expect(jobNamed(store, 'pushed').nextRunAt).toBe(start + 44 * 60 * MINUTE);
    });

    it('runs different jobs in parallel on one instance, one job of a name at a time, and the same name on several instances', async () => {
        const store = newStore();
        const running = new Set<string>();
        let most = 0;
        const slow = (name: string) => async () => {
            running.add(name);
            most = Math.max(most, running.size);
            await new Promise((resolve) => setTimeout(resolve, 30));
            running.delete(name);
        };
        let sameNameAtOnce = 0;
        let sameNameMost = 0;
        const counted = async () => {
            sameNameMost = Math.max(sameNameMost, ++sameNameAtOnce);
            await new Promise((resolve) => setTimeout(resolve, 30));
            sameNameAtOnce--;
        };
        const one = schedulerOn(store, 'h1');
        const two = schedulerOn(store, 'h2');
        for (const s of [one, two])
            await s.registerProcessors(
                [
                    { id: 'a', processor: slow('a') },
                    { id: 'b', processor: slow('b') },
                    { id: 'same', processor: counted },
                ],
                APP,
            );
        await one.scheduleOnce({ id: 'a', when: 'now' }, APP);
        await one.scheduleOnce({ id: 'b', when: 'now' }, APP);
        expect((await one.runDueJobs()).map((r) => r.processorId).sort()).toEqual(['a', 'b']);
        expect(most).toBe(2);
        for (let i = 0; i < 2; i++) await one.scheduleOnce({ id: 'same', when: 'now' }, APP);
        await one.runDueJobs();
        expect(sameNameMost).toBe(1);
        for (let i = 0; i < 2; i++) await one.scheduleOnce({ id: 'same', when: 'now' }, APP);
        const runs = await Promise.all([one.runDueJobs(), two.runDueJobs()]);
        expect(runs.map((r) => r.length)).toEqual([1, 1]);
        expect(sameNameMost).toBe(2);
    });

    it('a job whose instance crashed mid-run stays locked for 10 minutes; a failed one-time job never runs again', async () => {
        const store = newStore();
        let release!: () => void;
        const crashing = schedulerOn(store, 'h1');
        const other = schedulerOn(store, 'h2');
        const hang = () => new Promise<void>((resolve) => (release = resolve));
        await crashing.registerProcessors([{ id: 'sweep', processor: hang }], APP);
        await other.registerProcessors(
            [
                { id: 'sweep', processor: async () => undefined },
                {
                    id: 'fails',
                    processor: async () => {
                        throw new Error('boom');
                    },
                },
            ],
            APP,
        );
        await crashing.scheduleRecurring({ id: 'sweep', interval: '1 minute' }, APP);
        const running = crashing.runDueJobs();
        await new Promise((resolve) => setImmediate(resolve));
        crashing.stop();
        release();
        await running;
        clockOf(store).advance(2 * MINUTE);
        expect(await other.runDueJobs()).toEqual([]);
        clockOf(store).advance(LOCK_LIFETIME_MS);
        expect((await other.runDueJobs()).map((r) => r.host)).toEqual(['h2']);

        await other.scheduleOnce({ id: 'fails', when: 'now' }, APP);
        expect((await other.runDueJobs()).find((r) => r.processorId === 'fails')?.error).toBe('boom');
        clockOf(store).advance(60 * MINUTE);
        expect((await other.runDueJobs()).some((r) => r.processorId === 'fails')).toBe(false);
        expect(jobNamed(store, 'fails').failCount).toBe(1);
    });

    it('scheduling errors are logged and swallowed: the app gets no id and no exception', async () => {
        const store = newStore();
        const scheduler = schedulerOn(store);
        await expect(scheduler.scheduleOnce({ id: 'x', when: 'next blue moon' }, APP)).resolves.toBeUndefined();
        await expect(scheduler.scheduleRecurring({ id: 'y', interval: '0 seconds' }, APP)).resolves.toBeUndefined();
        expect(store.appLogs).toHaveLength(2);
        expect(store.jobs.size).toBe(0);
    });
});

describe('the apps REST router (apps/meteor/app/apps/server/bridges/router.ts: body-parser defaults)', () => {
    it('parses application/json objects and arrays up to 100 KB; refuses bare values (400) and larger bodies (413); leaves +json unparsed', async () => {
        const seen: unknown[] = [];
        const host = {
            appId: APP,
            findRoute: () => ({}),
            callEndpoint: async (_path: string, call: { content?: unknown }) => {
                seen.push(call.content);
                return { status: 200, content: { ok: true } };
            },
        } as unknown as TestHost;
        const front = await startHttpFront(host);
        try {
            const post = (body: string, type = 'application/json') =>
                fetch(`${front.url}/api/apps/public/${APP}/webhook`, {
                    method: 'POST',
                    body,
                    headers: { 'content-type': type },
                });
            expect((await post('{"a":1}')).status).toBe(200);
            expect((await post(' [1]')).status).toBe(200);
            expect((await post('"just a string"')).status).toBe(400);
            expect((await post('42')).status).toBe(400);
            expect((await post(JSON.stringify({ pad: 'x'.repeat(100 * 1024) }))).status).toBe(413);
            expect((await post('{"a":2}', 'application/merge-patch+json')).status).toBe(200);
            expect(seen).toEqual([{ a: 1 }, [1], {}]);
        } finally {
            await front.close();
        }
    });
});
