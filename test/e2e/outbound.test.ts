/**
 * Agent replies → X Direct Messages, end to end: the packaged app in the real Apps-Engine runtime, the
 * X simulator behind Rocket.Chat's HTTP bridge, one clock for both (rate-limit resets without waiting).
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import {
    appNotices,
    ephemeralTo,
    GIF,
    MP4,
    openConversation,
    passTime,
    PDF,
    PNG,
    quiet,
    received,
    receivedTexts,
    reply,
    syncClock,
    whileProcessing,
} from './helpers/outbound';
import { QUEUED_VIEW_MAX_AGE_MS } from '../../src/bridge/outbound';
import { excessRefreshes, splitCalls } from './helpers/round-trips';
import { startInstance, startWorld, World } from './helpers/world';

const FIFTEEN_MINUTES = 15 * 60_000;
const GENEROUS = { perUser: { limit: 10_000, windowMs: FIFTEEN_MINUTES } };

describe('agent replies reach the customer on X', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'aaa', auth: 'tokens', shareClock: true, sim: { mediaProcessingMs: 1000 } });
        // Most tests are about content, not X's 15 / 15 min window: that one gets its own test.
        world.sim.setRateLimit('dm.send', GENEROUS);
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        world.sim.faults.clear();
        expect(await world.host.isEnabled()).toBe(true);
    });

    it.each([
        ['name', 'Agent Smith: Hello, how can I help?'],
        ['username', 'agent.smith: Hello, how can I help?'],
        ['none', 'Hello, how can I help?'],
    ])('sends a text reply with the agent shown by %s, markdown rendered to plain text', async (display, expected) => {
        await world.host.setSetting('agent_display', display);
        const { customer, room } = await openConversation(world, `shown_${display}`, `Display ${display}`);
        await reply(world, room, 'Hello, *how* can I help?');
        expect(receivedTexts(world, customer)).toEqual([expected]);
        await world.host.setSetting('agent_display', 'name');
    });

    it('costs one host call and one X call per text reply back to back, and the outbox view re-read after 2 s', async () => {
        const { customer, room } = await openConversation(world, 'bench', 'Bench Customer');
        await reply(world, room, 'warm-up');
        // X's echo of our send would be processed by the inbound side: hold deliveries while measuring.
        world.sim.faults.set({ delivery: { delayMs: 60 * 60_000 } });
        // Burst: replies back to back. Each is one X send and its sent marker; the caches re-read as often
        // as the real time taken allows (at most once per age), whatever the machine's speed.
        const replies = 5;
        let started = Date.now();
        let mark = world.host.calls.mark();
        for (let i = 1; i <= replies; i++) await reply(world, room, `measured reply ${i}`);
        let calls = splitCalls(world.host.calls.since(mark));
        expect(calls.own).toEqual(
            Array(replies).fill(['HttpBridge.call', 'PersistenceBridge.createWithAssociations(seen)']).flat(),
        );
        expect(excessRefreshes(calls.refreshes, Date.now() - started)).toEqual([]);
        // Spaced: once the outbox view is older than its age, the reply re-reads it before sending (what
        // other instances queued is never overtaken): 2 host calls + 1 X call.
        await new Promise((resolve) => setTimeout(resolve, QUEUED_VIEW_MAX_AGE_MS + 100));
        started = Date.now();
        mark = world.host.calls.mark();
        await reply(world, room, 'spaced reply');
        calls = splitCalls(world.host.calls.since(mark), ['PersistenceBridge.readByAssociations(x-outbox)']);
        expect(calls.own).toEqual([
            'PersistenceBridge.readByAssociations(x-outbox)',
            'HttpBridge.call',
            'PersistenceBridge.createWithAssociations(seen)',
        ]);
        expect(excessRefreshes(calls.refreshes, Date.now() - started)).toEqual([]);
        expect(receivedTexts(world, customer).slice(-replies - 1)).toEqual([
            ...Array.from({ length: replies }, (_, i) => `Agent Smith: measured reply ${i + 1}`),
            'Agent Smith: spaced reply',
        ]);
        world.sim.faults.clear();
        await quiet(world);
    });

    it('splits a 25,000-character reply at word boundaries into 3 ordered DMs, the agent named once', async () => {
        const { customer, room } = await openConversation(world, 'long', 'Long Reader');
        const words = Array.from({ length: 2500 }, (_, i) => `word${String(i).padStart(4, '0')}`);
        const text = words
            .join(' ')
            .slice(0, 25_000)
            .replace(/\s\S*$/, '');
        await reply(world, room, text);
        const dms = receivedTexts(world, customer);
        expect(dms).toHaveLength(3);
        expect(dms.every((d) => d.length <= 10_000)).toBe(true);
        expect(dms[0].startsWith('Agent Smith: word0000')).toBe(true);
        expect(dms.slice(1).some((d) => d.includes('Agent Smith'))).toBe(false);
        expect(dms.join(' ')).toBe(`Agent Smith: ${text}`);
    });

    it.each([
        ['an image', 'photo.png', 'image/png', PNG, 'photo'],
        ['a GIF', 'funny.gif', 'image/gif', GIF, 'animated_gif'],
        ['a video', 'how-to.mp4', 'video/mp4', MP4, 'video'],
    ])('sends %s as a DM with media, the caption in the same DM', async (_label, name, type, bytes, kind) => {
        const { customer, room } = await openConversation(world, `m_${kind.slice(0, 8)}`, `Media ${kind}`);
        world.host.uploadAsUser(room.id, world.agent, { name, type, buffer: bytes }, 'Here it is');
        await whileProcessing(world, () => received(world, customer).length > 0);
        const dms = received(world, customer);
        expect(dms).toHaveLength(1);
        expect(dms[0].media).toMatchObject({ type: kind, contentType: type });
        expect(Buffer.compare(dms[0].media!.bytes, bytes)).toBe(0);
        expect(receivedTexts(world, customer)).toEqual(['Agent Smith: Here it is']);
    });

    it('refuses a file type X cannot carry: the agent is told which rule, the customer gets nothing', async () => {
        const { customer, room } = await openConversation(world, 'pdf', 'Pdf Customer');
        const since = world.host.store.ephemeral.length;
        world.host.uploadAsUser(
            room.id,
            world.agent,
            { name: 'invoice.pdf', type: 'application/pdf', buffer: PDF },
            'Your invoice',
        );
        await quiet(world);
        expect(received(world, customer)).toHaveLength(0);
        const [notice] = ephemeralTo(world, world.agent, since);
        expect(notice).toContain('invoice.pdf was not sent');
        expect(notice).toContain('application/pdf');
    });

    it('refuses a file larger than the Maximum file size setting, and one larger than X allows', async () => {
        const { customer, room } = await openConversation(world, 'big', 'Big Files');
        await world.host.setSetting('file_max_size_mb', 1);
        let since = world.host.store.ephemeral.length;
        const twoMb = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
        world.host.uploadAsUser(room.id, world.agent, { name: 'big.png', type: 'image/png', buffer: twoMb }, 'large');
        await quiet(world);
        expect(ephemeralTo(world, world.agent, since).join('\n')).toMatch(
            /big\.png was not sent.*2\.0 MB.*Maximum file size \(1\.0 MB\)/,
        );

        await world.host.setSetting('file_max_size_mb', 15);
        since = world.host.store.ephemeral.length;
        const sixMb = Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024)]);
        world.host.uploadAsUser(room.id, world.agent, { name: 'huge.png', type: 'image/png', buffer: sixMb }, 'huge');
        await quiet(world);
        expect(ephemeralTo(world, world.agent, since).join('\n')).toMatch(
            /huge\.png was not sent.*6\.0 MB.*X accepts.*\(5\.0 MB\)/,
        );
        expect(received(world, customer)).toHaveLength(0);
    });

    it("delivers a burst of 40 replies against X's 15 / 15 min limit: all, in order, after the resets, none twice", async () => {
        const { customer, room } = await openConversation(world, 'burst', 'Burst Customer');
        world.sim.setRateLimit('dm.send', { perUser: { limit: 15, windowMs: FIFTEEN_MINUTES } });
        try {
            const texts = Array.from({ length: 40 }, (_, i) => `reply ${String(i + 1).padStart(2, '0')}`);
            for (const text of texts) world.host.postAgentMessage(room.id, world.agent, text);
            await quiet(world);
            expect(received(world, customer)).toHaveLength(15);
            expect(appNotices(world, room.id).some((n) => n.includes("X's sending limit"))).toBe(true);

            await passTime(world, FIFTEEN_MINUTES + 1000);
            expect(received(world, customer)).toHaveLength(30);
            await passTime(world, FIFTEEN_MINUTES + 1000);
            expect(receivedTexts(world, customer)).toEqual(texts.map((t) => `Agent Smith: ${t}`));

            // Nothing is left to send, and nothing is sent again later.
            await passTime(world, FIFTEEN_MINUTES + 1000);
            expect(received(world, customer)).toHaveLength(40);
        } finally {
            world.sim.setRateLimit('dm.send', GENEROUS);
        }
    });

    it('shows a notice in the room when the customer does not accept DMs (403), with what to do', async () => {
        const { customer, room } = await openConversation(world, 'blocker', 'Blocking Customer');
        world.sim.block(customer, world.business.id);
        await reply(world, room, 'Are you still there?');
        expect(received(world, customer)).toHaveLength(0);
        const notices = appNotices(world, room.id);
        expect(notices.join('\n')).toContain('does not accept Direct Messages from this account');
        expect(notices.join('\n')).toContain('contact them another way');
    });

    it('tells the agent that edits and deletions cannot follow on X', async () => {
        const { room } = await openConversation(world, 'editor', 'Edit Customer');
        const message = await reply(world, room, 'Your order ships Monday');
        // Rocket.Chat fires these after an agent edits or deletes; the engine's own methods are awaited here.
        const listeners = world.host.manager.getListenerManager() as unknown as Record<
            string,
            (data: unknown) => Promise<void>
        >;
        let since = world.host.store.ephemeral.length;
        await listeners.executePostMessageUpdated({
            ...message,
            text: 'Your order ships Tuesday',
            editedAt: new Date(),
            editor: world.agent,
        } as IMessage);
        await quiet(world);
        expect(ephemeralTo(world, world.agent, since)).toEqual([
            expect.stringContaining('X cannot edit Direct Messages'),
        ]);
        since = world.host.store.ephemeral.length;
        await listeners.executePostMessageDelete({ message, user: world.agent });
        await quiet(world);
        expect(ephemeralTo(world, world.agent, since)).toEqual([expect.stringContaining('does not remove it on X')]);
    });
});

describe('conversation lifecycle', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({
            mode: 'aaa',
            auth: 'tokens',
            shareClock: true,
            settings: {
                welcome_message: 'Welcome to *Acme* support!',
                finished_message: 'Thanks for contacting us. Bye!',
            },
        });
        world.sim.setRateLimit('dm.send', GENEROUS);
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        world.sim.faults.clear();
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('greets a new conversation, then tells the customer an agent joined (setting on), in that order', async () => {
        await world.host.setSetting('agent_joined_notice', true);
        try {
            const { customer } = await openConversation(world, 'joined', 'Joined Customer');
            expect(receivedTexts(world, customer)).toEqual([
                'Welcome to Acme support!',
                'Agent Smith joined the conversation.',
            ]);
        } finally {
            await world.host.setSetting('agent_joined_notice', false);
        }
    });

    it('keeps working across a transfer: the new agent is announced (setting on), replies under their name, the room stays', async () => {
        const { customer, room } = await openConversation(world, 'moved', 'Moved Customer');
        const jones = world.host.createAgent('agent.jones', { name: 'Agent Jones', departments: [world.departmentId] });
        await world.host.setSetting('agent_joined_notice', true);
        try {
            await world.host.transferRoom(room.id, jones);
            await quiet(world);
            await reply(world, room, 'I am taking over', jones);
        } finally {
            await world.host.setSetting('agent_joined_notice', false);
        }
        expect(receivedTexts(world, customer)).toEqual([
            'Welcome to Acme support!',
            'Agent Jones joined the conversation.',
            'Agent Jones: I am taking over',
        ]);
        await syncClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'thanks Jones' });
        await quiet(world);
        const rooms = world.host.livechatRooms().filter((r) => r.visitor?.name === 'Moved Customer');
        expect(rooms.map((r) => r.id)).toEqual([room.id]);
        expect(world.host.messagesIn(room.id).some((m) => m.text === 'thanks Jones')).toBe(true);
    });

    it('on close: sends the finished message, forgets the room (the next DM opens a new one), and never sends a late message', async () => {
        const { customer, room } = await openConversation(world, 'closer', 'Closing Customer');
        await reply(world, room, 'Glad I could help');
        await world.host.closeRoom(room.id, world.agent);
        await quiet(world);
        expect(receivedTexts(world, customer)).toEqual([
            'Welcome to Acme support!',
            'Agent Smith: Glad I could help',
            'Thanks for contacting us. Bye!',
        ]);

        // An agent message whose event was still in flight when the room closed.
        await (
            world.host.manager.getListenerManager() as unknown as Record<string, (data: unknown) => Promise<void>>
        ).executePostMessageSent({
            id: 'late-message',
            room,
            sender: world.agent,
            text: 'one more thing',
            createdAt: new Date(),
        });
        await quiet(world);
        expect(received(world, customer)).toHaveLength(3);

        await syncClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'Hello again' });
        await quiet(world);
        const rooms = world.host.livechatRooms().filter((r) => r.visitor?.name === 'Closing Customer');
        expect(rooms).toHaveLength(2);
        expect(rooms.find((r) => r.isOpen)!.id).not.toBe(room.id);
        expect(receivedTexts(world, customer).at(-1)).toBe('Welcome to Acme support!');
    });

    it('keeps replies waiting through a Rocket.Chat restart and delivers them, once, after it', async () => {
        const { customer, room } = await openConversation(world, 'restart', 'Restart Customer');
        world.sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm.send' } });
        world.host.postAgentMessage(room.id, world.agent, 'first, while X is down');
        world.host.postAgentMessage(room.id, world.agent, 'second, while X is down');
        await quiet(world);
        expect(receivedTexts(world, customer)).toEqual(['Welcome to Acme support!']);
        expect(appNotices(world, room.id).some((n) => n.includes('will be delivered in order'))).toBe(true);

        world.host = await world.host.restart();
        world.front.setHosts([world.host]);
        world.sim.faults.clear();
        const lookupsBefore = world.sim
            .requests()
            .filter((r) => r.method === 'GET' && r.path === '/2/dm_events').length;
        await passTime(world, 60_000);
        expect(receivedTexts(world, customer)).toEqual([
            'Welcome to Acme support!',
            'Agent Smith: first, while X is down',
            'Agent Smith: second, while X is down',
        ]);
        // The first reply's 503 left it uncertain: X was asked whether it had arrived before it was sent again.
        expect(
            world.sim.requests().filter((r) => r.method === 'GET' && r.path === '/2/dm_events').length - lookupsBefore,
        ).toBe(1);
        await passTime(world, 10 * 60_000);
        expect(received(world, customer)).toHaveLength(3);
    });

    it('a reply handled by another Rocket.Chat instance waits behind what the first one queued', async () => {
        const second = await startInstance(world, 'h-outbound-second');
        try {
            const { customer, room } = await openConversation(world, 'two_instances', 'Two Instances Customer');
            second.postAgentMessage(room.id, world.agent, 'hello from instance two');
            await second.settle();
            world.sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm.send' } });
            world.host.postAgentMessage(room.id, world.agent, 'first, queued on instance one');
            await quiet(world);
            world.sim.faults.clear();
            // X is back; a moment later the agent's next reply is handled by the other instance.
            await new Promise((resolve) => setTimeout(resolve, QUEUED_VIEW_MAX_AGE_MS + 100));
            second.postAgentMessage(room.id, world.agent, 'second, on instance two');
            await second.settle();
            expect(receivedTexts(world, customer)).toEqual([
                'Welcome to Acme support!',
                'Agent Smith: hello from instance two',
            ]);
            await passTime(world, 60_000);
            await second.settle();
            expect(receivedTexts(world, customer)).toEqual([
                'Welcome to Acme support!',
                'Agent Smith: hello from instance two',
                'Agent Smith: first, queued on instance one',
                'Agent Smith: second, on instance two',
            ]);
        } finally {
            await second.stop();
        }
    });
});
