/**
 * Public mentions as conversations (issue 19), end to end: the packaged app in the real runtime, the X
 * simulator over HTTP delivering `post.mention.create` (X Activity API) and taking replies on POST /2/tweets.
 * With *Public mentions* off (the default) nothing is subscribed, read or billed.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { ECHO_WAIT_MS } from '../../src/bridge/public-inbound';
import { PENDING_JOB_ID, POLLER_JOB_ID, SETTINGS_JOB_ID } from '../../src/jobs/ids';
import { POST_MAX_WEIGHTED_LENGTH, postWeightedLength } from '../../src/x/post-length';
import { roomOf, visibleTexts } from './helpers/inbound';
import { appNotices, quiet, receivedTexts, reply, syncClock } from './helpers/outbound';
import { ephemeralSince, linkSecondAccount, startWorld, World } from './helpers/world';

interface SimInternals {
    services: {
        store: {
            activitySubscriptions: Map<string, { eventType?: string; event_type?: string }>;
            users: Map<string, { username: string }>;
        };
    };
}

const subscribedTypes = (world: World) =>
    [...(world.sim as unknown as SimInternals).services.store.activitySubscriptions.values()].map(
        (s) => s.eventType ?? s.event_type,
    );

async function mention(world: World, customer: string, text: string, options = {}) {
    await syncClock(world);
    await world.sim.clock.advance(1000);
    const created = await world.sim.customerMentions(customer, world.business.id, text, options);
    await quiet(world);
    return created.post;
}

async function command(world: World, text: string, room: ILivechatRoom, user = world.agent): Promise<string> {
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand(text, user, room);
    await quiet(world);
    return ephemeralSince(world, user, mark).join('\n');
}

/** The business's public replies, oldest first, without the @handle X puts first. */
const repliesOf = (world: World) =>
    world.sim.postsBy(world.business.id).map((p) => ({ ...p, text: p.text.replace(/^(@\w+ )+/, '') }));

const publicRooms = (world: World) =>
    world.host.livechatRooms().filter((r) => (r.visitor?.token ?? '').startsWith('x1t.'));

describe('public mentions: on', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', settings: { public_mentions: 'on' } });
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        world.sim.faults.clear();
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('subscribes post.mention.create only because the setting is on', () => {
        expect(subscribedTypes(world)).toContain('post.mention.create');
    });

    it("opens a public room for a customer's mention, and the agent's answer is a reply in the thread", async () => {
        const customer = world.customer('pia_public', 'Pia Public');
        const post = await mention(world, customer, 'my parcel never arrived, help!');
        const room = roomOf(world, 'Pia Public')!;
        expect(room).toBeDefined();
        expect(room.visitor.token.startsWith('x1t.')).toBe(true);
        expect((room.source as { label?: string; sidebarIcon?: string }).label).toBe('X (Twitter) · public');
        expect((room.source as { sidebarIcon?: string }).sidebarIcon).toBe('x-public-sidebar.svg');
        expect(room.department?.name).toBe('Support');
        const [opened] = appNotices(world, room.id);
        expect(opened).toContain('Public conversation on X');
        expect(opened).toContain(`https://x.com/pia_public/status/${post.conversationId}`);
        expect(visibleTexts(world, room.id)).toEqual([
            opened,
            `@${world.business.username} my parcel never arrived, help!`,
        ]);

        await reply(world, room, "Sorry about that, we're checking");
        const [answer] = repliesOf(world);
        expect(answer.text).toBe("Agent Smith: Sorry about that, we're checking");
        expect(answer.inReplyToPostId).toBe(post.id);
        expect(answer.conversationId).toBe(post.conversationId);
        // Not a DM: the customer received nothing privately.
        expect(receivedTexts(world, customer)).toEqual([]);

        // The customer answers in the thread: the same room, and the next answer replies to that post.
        const next = await mention(world, customer, 'Thanks! Order 1234', { inReplyTo: answer.id });
        expect(publicRooms(world).filter((r) => r.isOpen && r.visitor?.name === 'Pia Public')).toHaveLength(1);
        // Its context line says what it answers; Rocket.Chat orders by time (X's, for the customer's posts).
        expect(visibleTexts(world, room.id)).toContain(
            `_In reply to @${world.business.username}: Agent Smith: Sorry about that, we're checking_\n` +
                `@${world.business.username} Thanks! Order 1234`,
        );
        await reply(world, room, 'Found it, it ships today');
        const second = repliesOf(world)[1];
        expect(second.inReplyToPostId).toBe(next.id);
        expect(second.conversationId).toBe(post.conversationId);
    });

    it("mirrors a reply the business types in X's own app, and drops the echo of the app's own reply", async () => {
        const customer = world.customer('mira_mirror', 'Mira Mirror');
        const post = await mention(world, customer, 'is the shop open on Sunday?');
        const room = roomOf(world, 'Mira Mirror')!;
        await reply(world, room, 'Yes, 10 to 4');
        // The app's reply came back as the account's own post (post.create): nothing new in the room.
        expect(appNotices(world, room.id).filter((t) => t.includes('Sent from the X app'))).toEqual([]);
        await syncClock(world);
        await world.sim.postFromApp(world.business.id, `@mira_mirror And closed on holidays`, { inReplyTo: post.id });
        // An unrecognized post of the business waits two seconds for the app's own record before it is mirrored.
        await new Promise((resolve) => setTimeout(resolve, ECHO_WAIT_MS + 500));
        await quiet(world);
        expect(appNotices(world, room.id).filter((t) => t.includes('Sent from the X app'))).toEqual([
            expect.stringContaining('And closed on holidays'),
        ]);
        expect(visibleTexts(world, room.id).filter((t) => t === 'Yes, 10 to 4')).toHaveLength(1);
    });

    it('tells the agent that an edit or deletion here does not change the public reply on X', async () => {
        const customer = world.customer('eddie_edit', 'Eddie Edit');
        await mention(world, customer, 'when do you open?');
        const room = roomOf(world, 'Eddie Edit')!;
        const message = await reply(world, room, 'At 9');
        const listeners = world.host.manager.getListenerManager() as unknown as Record<
            string,
            (data: unknown) => Promise<void>
        >;
        let mark = world.host.store.ephemeral.length;
        await listeners.executePostMessageUpdated({
            ...message,
            text: 'At 10',
            editedAt: new Date(),
            editor: world.agent,
        });
        await quiet(world);
        expect(ephemeralSince(world, world.agent, mark)).toEqual([
            expect.stringContaining('Your public reply on X is not edited'),
        ]);
        mark = world.host.store.ephemeral.length;
        await listeners.executePostMessageDelete({ message, user: world.agent });
        await quiet(world);
        expect(ephemeralSince(world, world.agent, mark)).toEqual([
            expect.stringContaining('does not remove your public reply on X'),
        ]);
        expect(repliesOf(world).filter((p) => p.text.includes('At 10'))).toEqual([]);
    });

    it('splits a long answer into a thread of replies, each within 280 characters as X counts them', async () => {
        const customer = world.customer('lena_long', 'Lena Long');
        const post = await mention(world, customer, 'explain your return policy please');
        const room = roomOf(world, 'Lena Long')!;
        const before = repliesOf(world).length;
        const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ') + ' 😀😀😀';
        await reply(world, room, long);
        const parts = repliesOf(world).slice(before);
        expect(parts.length).toBeGreaterThan(1);
        expect(parts[0].inReplyToPostId).toBe(post.id);
        for (let i = 1; i < parts.length; i++) expect(parts[i].inReplyToPostId).toBe(parts[i - 1].id);
        for (const part of parts) expect(postWeightedLength(part.text)).toBeLessThanOrEqual(POST_MAX_WEIGHTED_LENGTH);
        expect(parts.map((p) => p.text).join(' ')).toBe(`Agent Smith: ${long}`);
    });

    it('refuses a long answer with a notice when the admin chose so, and posts nothing', async () => {
        await world.host.setSetting('public_long_replies', 'refuse');
        try {
            const customer = world.customer('rita_refuse', 'Rita Refuse');
            await mention(world, customer, 'question about sizes');
            const room = roomOf(world, 'Rita Refuse')!;
            const before = repliesOf(world).length;
            const mark = world.host.store.ephemeral.length;
            await reply(world, room, 'x'.repeat(300));
            expect(repliesOf(world).length).toBe(before);
            expect(ephemeralSince(world, world.agent, mark).join('\n')).toContain('over the 280 of a public reply');
        } finally {
            await world.host.setSetting('public_long_replies', 'thread');
        }
    });

    it('posts each mention exactly once and in the order written, despite duplicated and reordered deliveries', async () => {
        const customer = world.customer('dora_dup', 'Dora Dup');
        const first = await mention(world, customer, 'mention 1');
        world.sim.faults.set({ delivery: { duplicate: 2 } });
        world.sim.faults.set({ delivery: { reorder: true }, probability: 0.5 });
        for (let i = 2; i <= 6; i++)
            await mention(world, customer, `@${world.business.username} mention ${i}`, { inReplyTo: first.id });
        world.sim.faults.clear();
        await quiet(world);
        const rooms = publicRooms(world).filter((r) => r.visitor?.name === 'Dora Dup');
        expect(rooms).toHaveLength(1);
        const texts = visibleTexts(world, rooms[0].id).filter((t) => t.includes('mention '));
        // Each after its one line of context (the post it answers): the post itself is the last line.
        expect(texts.map((t) => /mention (\d)$/.exec(t)![1])).toEqual(['1', '2', '3', '4', '5', '6']);
        // X billed each mention once: the app's ledger says the same.
        expect(world.sim.ledger().totals.postEventDeliveries).toBeGreaterThanOrEqual(6);
    });

    it('Move to DM: the author gets a DM, the conversation continues in a DM room, the public room says so and closes', async () => {
        const customer = world.customer('milo_move', 'Milo Move');
        await mention(world, customer, 'I need to share my address');
        const room = roomOf(world, 'Milo Move')!;
        const answer = await command(world, '/twitter move-to-dm Hi Milo, send us your address here', room);
        expect(answer).toContain('Sent to @milo_move');
        expect(receivedTexts(world, customer)).toEqual(['Agent Smith: Hi Milo, send us your address here']);
        const publicRoom = world.host.livechatRooms().find((r) => r.id === room.id)!;
        expect(publicRoom.isOpen).toBe(false);
        expect(appNotices(world, room.id).join('\n')).toContain(
            'moved this conversation to a private DM with @milo_move',
        );
        const dmRoom = world.host
            .livechatRooms()
            .find((r) => r.isOpen && r.visitor?.name === 'Milo Move' && r.visitor.token.startsWith('x1.'))!;
        expect(dmRoom).toBeDefined();
        expect(dmRoom.servedBy?.id).toBe(world.agent.id);

        await syncClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: '1 Main Street' });
        await quiet(world);
        expect(visibleTexts(world, dmRoom.id)).toContain('1 Main Street');
        // Nothing went public.
        expect(repliesOf(world).filter((p) => p.text.includes('Milo'))).toEqual([]);
    });

    it('posts nothing an agent meant for colleagues: a thread reply, a quote, @here or an @colleague', async () => {
        const customer = world.customer('cole_colleague', 'Cole Colleague');
        const post = await mention(world, customer, 'where is my order?');
        const room = roomOf(world, 'Cole Colleague')!;
        const before = repliesOf(world).length;
        const tries: [string, Record<string, unknown>, string][] = [
            ['Checking with the warehouse', { threadId: 'parent-msg' }, 'inside a Rocket.Chat thread'],
            [
                '[ ](https://chat.acme.internal/live/ROOMID?msg=abc123)\nSure, it left today',
                { attachments: [{ text: 'where is my order?', message_link: 'https://chat.acme.internal/x?msg=a' }] },
                'Quotes are not posted on X',
            ],
            ['@here who knows this order?', {}, 'mentions a Rocket.Chat user'],
            ['@maria can you check?', {}, 'mentions a Rocket.Chat user'],
        ];
        for (const [text, extra, notice] of tries) {
            const mark = world.host.store.ephemeral.length;
            world.host.postAgentMessage(room.id, world.agent, text, extra);
            await quiet(world);
            expect(ephemeralSince(world, world.agent, mark).join('\n')).toContain(notice);
        }
        expect(repliesOf(world).length).toBe(before);
        // The customer's own handle is who the answer is for: that one is posted.
        await reply(world, room, '@cole_colleague it left today');
        const [answer] = repliesOf(world).slice(before);
        expect(answer.text).toBe('Agent Smith: @cole_colleague it left today');
        expect(answer.inReplyToPostId).toBe(post.id);
    });

    it('Move to DM: only to the same X user (a handle can change owner), and only by whoever serves the room', async () => {
        const customer = world.customer('rex_renamed', 'Rex Renamed');
        await mention(world, customer, 'please DM me');
        const room = roomOf(world, 'Rex Renamed')!;

        const colleague = world.host.createUser({ username: 'other.agent', roles: ['user', 'livechat-agent'] });
        expect(await command(world, '/twitter move-to-dm hi', room, colleague)).toContain(
            'Only the agent serving this room',
        );

        // Rex renames on X and a stranger takes the freed handle.
        (world.sim as unknown as SimInternals).services.store.users.get(customer)!.username = 'rex_new_name';
        const stranger = world.customer('rex_renamed', 'Not Rex');
        expect(await command(world, '/twitter move-to-dm Hi, your address please', room)).toContain(
            'no longer this customer',
        );
        expect(receivedTexts(world, stranger)).toEqual([]);
        expect(receivedTexts(world, customer)).toEqual([]);
        expect(world.host.livechatRooms().find((r) => r.id === room.id)!.isOpen).toBe(true);
    });

    it('Move to DM outside a public room, or for someone who takes no DMs, sends nothing', async () => {
        const customer = world.customer('nina_nodm', 'Nina NoDM');
        world.sim.setAcceptsDmsFrom(customer, 'nobody');
        await mention(world, customer, 'hello there');
        const room = roomOf(world, 'Nina NoDM')!;
        expect(await command(world, '/twitter move-to-dm', room)).toContain('nina_nodm');
        expect(receivedTexts(world, customer)).toEqual([]);
        expect(world.host.livechatRooms().find((r) => r.id === room.id)!.isOpen).toBe(true);

        const general = world.host.createChannel('general-move', [world.agent]);
        expect(await command(world, '/twitter move-to-dm hi', general as unknown as ILivechatRoom)).toContain(
            'works in the open room of a public mention',
        );
    });

    it('with no agent online: keeps the mentions (nothing public is said) and posts them in order when an agent is back', async () => {
        world.host.setAgentOnline(world.agent.id, false);
        try {
            const customer = world.customer('olaf_offline', 'Olaf Offline');
            const first = await mention(world, customer, 'first while nobody is there');
            await mention(world, customer, `@${world.business.username} second`, { inReplyTo: first.id });
            expect(roomOf(world, 'Olaf Offline')).toBeUndefined();
            expect(repliesOf(world).filter((p) => p.inReplyToPostId === first.id)).toEqual([]);
            world.host.setAgentOnline(world.agent.id, true);
            await world.host.runJobNow(PENDING_JOB_ID);
            await quiet(world);
            const room = roomOf(world, 'Olaf Offline')!;
            expect(visibleTexts(world, room.id).filter((t) => !t.includes('Public conversation'))).toEqual([
                `@${world.business.username} first while nobody is there`,
                `_In reply to @olaf_offline: first while nobody is there_\n@${world.business.username} second`,
            ]);
            await world.host.runJobNow(PENDING_JOB_ID);
            await quiet(world);
            expect(visibleTexts(world, room.id)).toHaveLength(3);
        } finally {
            world.host.setAgentOnline(world.agent.id, true);
        }
    });

    it("ignores the business's own posts and plain reposts (the default), and opens rooms for quotes", async () => {
        const customer = world.customer('quinn_quote', 'Quinn Quote');
        const own = await world.sim.postFromApp(world.business.id, 'Our new collection is out!');
        await quiet(world);
        const roomsBefore = publicRooms(world).length;
        await mention(world, customer, '', { retweet: own.post.id });
        expect(publicRooms(world).length).toBe(roomsBefore);
        await mention(world, customer, 'love it, any discounts?', { quote: own.post.id });
        const room = roomOf(world, 'Quinn Quote')!;
        expect(room).toBeDefined();
        const texts = visibleTexts(world, room.id);
        expect(texts.some((t) => t.includes('Quoting @') && t.includes('Our new collection is out!'))).toBe(true);
    });
});

describe('public mentions with two linked accounts (issue 17)', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', shareClock: true, settings: { public_mentions: 'on' } });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it("a post by the other linked account is never a customer's conversation", async () => {
        const { account: sales } = await linkSecondAccount(world);
        const roomsBefore = publicRooms(world).length;
        await mention(world, sales.id, 'our Sales team can help with bulk orders');
        expect(publicRooms(world).length).toBe(roomsBefore);
        // A customer's mention still opens a room: the account listens.
        await mention(world, world.customer('carl_customer', 'Carl Customer'), 'hello?');
        expect(publicRooms(world).length).toBe(roomsBefore + 1);
    });
});

describe('public mentions: off (the default)', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa' });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('subscribes nothing, opens nothing and is billed nothing for a mention', async () => {
        expect(subscribedTypes(world)).not.toContain('post.mention.create');
        const customer = world.customer('olga_off', 'Olga Off');
        await mention(world, customer, 'anyone there?');
        expect(roomOf(world, 'Olga Off')).toBeUndefined();
        expect(publicRooms(world)).toEqual([]);
        const totals = world.sim.ledger().totals;
        expect(totals.postEventDeliveries).toBe(0);
        expect(totals.postReads).toBe(0);
        expect(totals.contentCreates).toBe(0);
    });

    it('subscribes when the admin turns it on, and unsubscribes (billing stops) when it is turned off again', async () => {
        await world.host.setSetting('public_mentions', 'on');
        await world.host.runJobNow(SETTINGS_JOB_ID);
        expect(subscribedTypes(world)).toEqual(expect.arrayContaining(['post.mention.create', 'post.create']));
        await world.host.setSetting('public_mentions', 'off');
        await world.host.runJobNow(SETTINGS_JOB_ID);
        expect(subscribedTypes(world)).not.toContain('post.mention.create');
        expect(subscribedTypes(world)).not.toContain('post.create');
        expect(subscribedTypes(world)).toContain('dm.received');
    });
});

describe('public mentions by polling the mentions timeline', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'polling', settings: { public_mentions: 'on' } });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('starts from where the timeline is, then reads only newer mentions with since_id', async () => {
        const customer = world.customer('paula_poll', 'Paula Poll');
        await mention(world, customer, 'written before the first poll');
        await world.host.runJobNow(POLLER_JOB_ID);
        await quiet(world);
        expect(publicRooms(world)).toEqual([]);
        await mention(world, customer, 'written after it');
        await world.host.runJobNow(POLLER_JOB_ID);
        await quiet(world);
        const room = roomOf(world, 'Paula Poll')!;
        expect(visibleTexts(world, room.id).filter((t) => t.includes('written'))).toEqual([
            `@${world.business.username} written after it`,
        ]);
        const reads = world.sim.requests().filter((r) => r.path.endsWith('/mentions'));
        expect(reads.at(-1)!.query).toContain('since_id=');
        // A poll that finds nothing new posts nothing and bills nothing more.
        const billed = world.sim.ledger().totals.postReads;
        await world.host.runJobNow(POLLER_JOB_ID);
        await quiet(world);
        expect(world.sim.ledger().totals.postReads).toBe(billed);
    });
});

describe('public mentions by Account Activity API', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'aaa' });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('drops tweet_create_events while off; with it on, a mention opens a room, the echo is dropped, an X-app reply mirrored', async () => {
        const customer = world.customer('ada_aaa', 'Ada AAA');
        await mention(world, customer, 'hello while off');
        expect(publicRooms(world)).toEqual([]);

        await world.host.setSetting('public_mentions', 'on');
        await world.host.runJobNow(SETTINGS_JOB_ID);
        const post = await mention(world, customer, 'hello while on');
        const room = roomOf(world, 'Ada AAA')!;
        expect(room.visitor.token.startsWith('x1t.')).toBe(true);
        await reply(world, room, 'Hi Ada');
        const [answer] = repliesOf(world);
        expect(answer.inReplyToPostId).toBe(post.id);
        // The customer answers our reply: v1.1 names no thread root, the app finds it from the post it answers.
        await mention(world, customer, `@${world.business.username} thanks`, { inReplyTo: answer.id });
        expect(publicRooms(world).filter((r) => r.isOpen)).toHaveLength(1);
        await syncClock(world);
        await world.sim.postFromApp(world.business.id, '@ada_aaa typed in the X app', { inReplyTo: post.id });
        await new Promise((resolve) => setTimeout(resolve, ECHO_WAIT_MS + 500));
        await quiet(world);
        const texts = visibleTexts(world, room.id);
        expect(texts.filter((t) => t.includes('Sent from the X app'))).toEqual([
            expect.stringContaining('typed in the X app'),
        ]);
        expect(texts.filter((t) => t.includes('Hi Ada'))).toEqual(['Hi Ada']);
        // v1.1 names the post answered but not its text: the context line says whom it answers, nothing more.
        expect(texts.filter((t) => t.includes('thanks'))).toEqual([
            `_In reply to @${world.business.username}_\n@${world.business.username} thanks`,
        ]);
    });
});
