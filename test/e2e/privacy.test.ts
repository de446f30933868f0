/**
 * Blocked customers, retention and erasure, end to end: X simulator → webhook over HTTP → the packaged app in
 * the real Apps-Engine runtime → the test host, whose app persistence the tests read directly (not through
 * the app).
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { HOUSEKEEPING_JOB_ID, SETTINGS_JOB_ID } from '../../src/jobs/ids';
import { DAY } from '../../src/lib/time';
import type { PersistedRecord } from '../../tools/host/store';
import { roomOf, syncSimClock, visibleTexts } from './helpers/inbound';
import { quiet, reply } from './helpers/outbound';
import { ephemeralSince, setupRoom, startWorld, World } from './helpers/world';

const PNG_1PX = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273a8b0000000049454e44ae426082',
    'hex',
);
const WELCOME = 'Thanks for writing! An agent will answer here.';
const FINISHED = 'This conversation is closed. Write again any time.';
const UNAVAILABLE = 'Nobody is here right now; we will answer soon.';

const records = (world: World): PersistedRecord[] => [...world.host.store.appPersistence(world.host.appId).values()];
/** Every record that names this customer anywhere: in its data or in one of its keys. */
const recordsNaming = (world: World, customerId: string) =>
    records(world).filter((r) => JSON.stringify(r).includes(customerId));

async function command(world: World, text: string, user = world.admin): Promise<string> {
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand(text, user);
    await quiet(world);
    return ephemeralSince(world, user, mark).join('\n');
}

async function dm(world: World, from: string, text: string, media?: { bytes: Buffer; contentType: string }) {
    await syncSimClock(world);
    await world.sim.sendDm({
        from,
        to: world.business.id,
        text,
        ...(media ? { media: { type: 'photo' as const, ...media } } : {}),
    });
    await quiet(world);
}

async function block(world: World, entries: string): Promise<void> {
    await world.host.setSetting('blocked_users', entries);
    await world.host.runJobNow(SETTINGS_JOB_ID);
    await quiet(world);
}

const statusOf = (world: World) => command(world, '/twitter status');
const blockedCount = (status: string) => Number(/blocked customers dropped this month: (\d+)/.exec(status)?.[1]);
const costLine = (status: string) => status.split('\n').find((l) => l.includes('X cost'));

describe('blocked customers, retention and erasure', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({
            mode: 'xaa',
            settings: { welcome_message: WELCOME, finished_message: FINISHED, unavailable_message: UNAVAILABLE },
        });
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        expect(await world.host.isEnabled()).toBe(true);
    });

    describe('blocked customers', () => {
        it('drops the DMs of customers listed by id or @handle: no visitor, no room, no DM, no download; counted once each', async () => {
            const byHandle = world.customer('Spam_Bot', 'Spam Bot');
            const byId = world.customer('troll_99', 'Troll');
            const lookups = () => world.sim.requests().filter((r) => r.path.startsWith('/2/users/by/username/'));
            const before = blockedCount(await statusOf(world));
            await block(world, `@spam_bot\n${byId}, not a handle!`);
            // The handle is resolved at X once, when the settings are saved, and billed as a User read.
            expect(lookups().map((r) => r.path)).toEqual(['/2/users/by/username/spam_bot']);
            expect(records(world).find((r) => r.data.type === 'ledger' && r.data.kind === 'user_read')).toBeDefined();
            const review = world.host
                .messagesIn(setupRoom(world)!.id)
                .map((m) => m.text ?? '')
                .join('\n');
            expect(review).toContain('neither X ids nor @handles');
            expect(review).toContain('handle!');

            const requestsBefore = world.sim.requests().length;
            const visitorsBefore = world.host.store.visitors.size;
            const roomsBefore = world.host.livechatRooms().length;
            await dm(world, byHandle, 'buy followers', { bytes: PNG_1PX, contentType: 'image/png' });
            await dm(world, byId, 'you again');
            await dm(world, byId, 'and again');

            expect(world.host.store.visitors.size).toBe(visitorsBefore);
            expect(world.host.livechatRooms()).toHaveLength(roomsBefore);
            expect(world.sim.dmsSentBy(world.business.id, { to: byHandle })).toEqual([]);
            expect(world.sim.dmsSentBy(world.business.id, { to: byId })).toEqual([]);
            // Not one call to X for them: no handle lookup on the hot path, no media download, no welcome DM.
            expect(world.sim.requests().slice(requestsBefore)).toEqual([]);
            expect(blockedCount(await statusOf(world))).toBe(before + 3);

            // Each dropped DM is one record naming its event (redeliveries find it and count nothing).
            expect(records(world).filter((r) => r.data.type === 'blocked')).toHaveLength(3);
        });

        it("refuses an agent's reply to a customer blocked after their room opened, telling the agent why", async () => {
            const customer = world.customer('turned_rude', 'Turned Rude');
            await dm(world, customer, 'hello');
            const room = roomOf(world, 'Turned Rude')!;
            expect(room).toBeDefined();
            await block(world, customer);
            const sentBefore = world.sim.dmsSentBy(world.business.id, { to: customer }).length;
            const mark = world.host.store.ephemeral.length;
            await reply(world, room, 'Sure, how can I help?');
            expect(world.sim.dmsSentBy(world.business.id, { to: customer })).toHaveLength(sentBefore);
            expect(ephemeralSince(world, world.agent, mark).join('\n')).toContain('this customer is blocked');
            // Their next DM is dropped too, not posted in the room that is still open.
            await dm(world, customer, 'hello??');
            expect(visibleTexts(world, room.id)).toEqual(['hello', 'Sure, how can I help?']);
            await block(world, '');
        });

        it('drops the DMs of a customer whose contact an agent blocked in Rocket.Chat', async () => {
            const customer = world.customer('contact_blocked', 'Contact Blocked');
            await dm(world, customer, 'first');
            const room = roomOf(world, 'Contact Blocked')!;
            const before = blockedCount(await statusOf(world));
            await world.host.blockContact(room.visitor.id!, world.agent);
            expect((world.host.store.rooms.get(room.id) as ILivechatRoom).isOpen).toBe(false);
            const rooms = world.host.livechatRooms().length;
            await dm(world, customer, 'let me in');
            expect(world.host.livechatRooms()).toHaveLength(rooms);
            expect(blockedCount(await statusOf(world))).toBe(before + 1);
            expect(records(world).some((r) => r.data.type === 'pending' && JSON.stringify(r).includes(customer))).toBe(
                false,
            );
        });
    });

    describe('retention', () => {
        const age = (record: PersistedRecord, field: string, days: number) => {
            record.data = { ...record.data, [field]: Date.now() - days * DAY };
        };
        /** Today's sweep already ran at start: forget its claim, as on the next day. */
        const nextDay = () => {
            for (const r of records(world))
                if (r.associations.some((a) => a.id.startsWith('x-incident:housekeeping:')))
                    world.host.store.appPersistence(world.host.appId).delete(r.id);
        };

        it('removes the records older than the retention, touches nothing younger, and sweeps once a day', async () => {
            // A conversation whose room was closed while no instance listened, and one whose room is open.
            const closedWhileAway = world.customer('closed_away', 'Closed Away');
            const stillOpen = world.customer('still_open', 'Still Open');
            await dm(world, closedWhileAway, 'hi');
            await dm(world, stillOpen, 'hi');
            // Messages that wait for a room (nobody online), with the unavailable notice of each customer.
            world.host.setAgentOnline(world.agent.id, false);
            const [oldOne, young, later] = ['retention_old', 'retention_young', 'retention_later'].map((u) =>
                world.customer(u, u),
            );
            for (const customer of [oldOne, young, later]) await dm(world, customer, `waiting ${customer}`);
            // The retry job (due every minute) must not send new notices while the test ages the old ones.
            await world.host.setSetting('unavailable_message', '');
            await world.host.runJobNow(SETTINGS_JOB_ID);

            const pendingOf = (c: string) =>
                records(world).filter(
                    (r) => r.data.type === 'pending' && (r.data.event as { senderId?: string })?.senderId === c,
                );
            const noticeOf = (c: string) =>
                records(world).filter((r) => r.data.type === 'unavailable-notice' && r.data.customerId === c);
            const conversationOf = (c: string) =>
                records(world).filter((r) => r.data.type === 'conversation' && r.data.customerId === c);
            const seenOf = (c: string) =>
                records(world).filter((r) => r.data.type === 'seen' && JSON.stringify(r).includes(c));
            expect(pendingOf(oldOne)).toHaveLength(1);
            expect(noticeOf(oldOne)).toHaveLength(1);
            // Retention 30 days (the default): 31 days old goes, 29 days old stays.
            for (const r of [...pendingOf(oldOne), ...noticeOf(oldOne)]) age(r, 'at', 31);
            for (const r of [...pendingOf(young), ...noticeOf(young)]) age(r, 'at', 29);
            for (const c of [closedWhileAway, stillOpen]) age(conversationOf(c)[0], 'openedAt', 40);
            const awayRoom = roomOf(world, 'Closed Away')!;
            world.host.store.rooms.set(awayRoom.id, { ...awayRoom, isOpen: false } as ILivechatRoom);
            const seenBefore = seenOf(oldOne).length;
            expect(seenBefore).toBeGreaterThan(0);

            nextDay();
            await world.host.runJobNow(HOUSEKEEPING_JOB_ID);
            expect(pendingOf(oldOne)).toEqual([]);
            expect(noticeOf(oldOne)).toEqual([]);
            expect(conversationOf(closedWhileAway)).toEqual([]);
            expect(pendingOf(young)).toHaveLength(1);
            expect(noticeOf(young)).toHaveLength(1);
            expect(pendingOf(later)).toHaveLength(1);
            expect(conversationOf(stillOpen)).toHaveLength(1);
            // Dedupe markers live by their own horizon (7 days), which the setting cannot undercut: untouched.
            expect(seenOf(oldOne)).toHaveLength(seenBefore);

            // Once a day across instances: a second run the same day (this or another instance) sweeps nothing.
            for (const r of pendingOf(later)) age(r, 'at', 31);
            await world.host.runJobNow(HOUSEKEEPING_JOB_ID);
            expect(pendingOf(later)).toHaveLength(1);
            nextDay();
            await world.host.runJobNow(HOUSEKEEPING_JOB_ID);
            expect(pendingOf(later)).toEqual([]);
            world.host.setAgentOnline(world.agent.id, true);
        });
    });

    describe('/twitter forget', () => {
        it('removes every record of one customer and closes their room without a closing DM; the bill stays whole', async () => {
            const customer = world.customer('forget_me', 'Forget Me');
            const other = world.customer('keep_me', 'Keep Me');
            await dm(world, customer, 'please delete my data', { bytes: PNG_1PX, contentType: 'image/png' });
            await dm(world, other, 'hello');
            const room = roomOf(world, 'Forget Me')!;
            await reply(world, room, 'Noted.');
            expect(recordsNaming(world, customer).length).toBeGreaterThan(3);
            const othersBefore = recordsNaming(world, other).length;
            const costBefore = costLine(await statusOf(world));
            const dmsBefore = world.sim.dmsSentBy(world.business.id, { to: customer }).length;

            const answer = await command(world, '/twitter forget @Forget_Me --close');
            expect(answer).toContain(`Forgotten: @forget_me (${customer})`);
            expect(answer).toContain('Their open room was closed');
            expect(answer).toContain('retention policy and its GDPR tools');
            expect(recordsNaming(world, customer)).toEqual([]);
            expect(recordsNaming(world, other)).toHaveLength(othersBefore);
            expect((world.host.store.rooms.get(room.id) as ILivechatRoom).isOpen).toBe(false);
            expect(world.sim.dmsSentBy(world.business.id, { to: customer }).map((d) => d.text)).toHaveLength(dmsBefore);
            expect(world.sim.dmsSentBy(world.business.id, { to: customer }).map((d) => d.text)).not.toContain(FINISHED);
            // What their DMs cost stays in the month's figures (plus the handle's User read).
            const costAfter = costLine(await statusOf(world))!;
            expect(costAfter.replace(/\$[\d.]+/g, '')).toBe(costBefore!.replace(/\$[\d.]+/g, ''));
        });

        it('refuses non-admins and anything but one id or handle, and says when X knows no such user', async () => {
            const customer = world.customer('not_forgotten', 'Not Forgotten');
            await dm(world, customer, 'hi');
            const before = recordsNaming(world, customer).length;
            expect(await command(world, `/twitter forget ${customer}`, world.agent)).toContain(
                'Only Rocket.Chat administrators',
            );
            for (const args of ['', '@a b', '@bad-name', `${customer};rm`, '--close', `${customer} --close --close`])
                expect(await command(world, `/twitter forget ${args}`)).toContain('Usage: `/twitter forget');
            expect(await command(world, '/twitter forget @nobody_here_x')).toContain('X has no user @nobody_here_x');
            expect(await command(world, `/twitter forget ${world.business.id}`)).toContain('linked business account');
            expect(recordsNaming(world, customer)).toHaveLength(before);
            // By id it works without asking X; an open room must be closed with it, or it would go on sending.
            const lookups = world.sim.requests().length;
            expect(await command(world, `/twitter forget ${customer}`)).toContain('still has an open room');
            expect(recordsNaming(world, customer)).toHaveLength(before);
            expect(await command(world, `/twitter forget ${customer} --close`)).toContain(`Forgotten: ${customer}`);
            expect(world.sim.requests().length).toBe(lookups);
            expect(recordsNaming(world, customer)).toEqual([]);
            expect(roomOf(world, 'Not Forgotten')).toBeUndefined();
        });
    });
});
