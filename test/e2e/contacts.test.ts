/**
 * The customer as a Rocket.Chat contact, and conversations an agent starts with `/twitter dm`, end to end:
 * the packaged app in the real runtime, the X simulator over HTTP, the host's Omnichannel contacts
 * (tools/host/bridges/contacts.ts, as Rocket.Chat 8.x keeps them).
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { HostContact } from '../../tools/host/bridges/contacts';
import { roomOf, visibleTexts } from './helpers/inbound';
import { appNotices, quiet, received, receivedTexts, reply, syncClock } from './helpers/outbound';
import { ephemeralSince, startWorld, World } from './helpers/world';

const contactOf = (world: World, room: ILivechatRoom): HostContact | undefined =>
    world.host.store.contacts.get((room as ILivechatRoom & { contactId?: string }).contactId ?? '');

const roomsOfVisitor = (world: World, name: string) =>
    world.host.livechatRooms().filter((r) => r.visitor?.name === name || r.displayName === name);

async function command(world: World, text: string, user = world.agent): Promise<string> {
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand(text, user);
    await quiet(world);
    return ephemeralSince(world, user, mark).join('\n');
}

async function dmFromCustomer(world: World, from: string, text: string): Promise<void> {
    await syncClock(world);
    await world.sim.sendDm({ from, to: world.business.id, text });
    await quiet(world);
}

describe('contacts and agent-started conversations', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa' });
        // What an admin defines under Omnichannel → Custom Fields (scope Visitor) for the contact to show them.
        const fields = world.host.store.livechatCustomFields;
        fields.set('xUserId', { scope: 'visitor', regexp: '^\\d{1,20}$' });
        fields.set('xUsername', { scope: 'visitor' });
        fields.set('xProfileUrl', { scope: 'visitor', regexp: '^https://x\\.com/' });
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('keeps one contact with the X identity across two rooms, and follows a renamed handle', async () => {
        const customer = world.customer('carla_c', 'Carla Contact');
        await dmFromCustomer(world, customer, 'Hello, first question');
        const first = roomOf(world, 'Carla Contact')!;
        const contact = contactOf(world, first)!;
        expect(contact).toBeDefined();
        expect(contact.name).toBe('Carla Contact');
        expect(contact.customFields).toEqual({
            xUserId: customer,
            xUsername: '@carla_c',
            xProfileUrl: 'https://x.com/carla_c',
        });
        expect(contact.channels.map((c) => c.name)).toEqual(['X (Twitter)']);

        // Renamed on X while the room is open: the next DM names the new handle, and the contact follows.
        world.sim.user(customer).username = 'carla_renamed';
        world.sim.user(customer).name = 'Carla Renamed';
        await dmFromCustomer(world, customer, 'I changed my handle');
        expect(visibleTexts(world, first.id)).toEqual(['Hello, first question', 'I changed my handle']);
        const renamed = world.host.store.contacts.get(contact._id)!;
        expect(renamed.name).toBe('Carla Renamed');
        expect(renamed.customFields).toMatchObject({
            xUserId: customer,
            xUsername: '@carla_renamed',
            xProfileUrl: 'https://x.com/carla_renamed',
        });
        const visitor = [...world.host.store.visitors.values()].find((v) => v.token === first.visitor.token)!;
        expect(visitor.name).toBe('Carla Renamed');
        expect(visitor.livechatData).toMatchObject({ xUsername: '@carla_renamed' });

        // The room closes; the customer writes again: a new room, the same contact.
        await world.host.closeRoom(first.id, world.agent);
        await quiet(world);
        await dmFromCustomer(world, customer, 'Back again');
        const second = roomOf(world, 'Carla Renamed')!;
        expect(second.id).not.toBe(first.id);
        expect(contactOf(world, second)?._id).toBe(contact._id);
        const contactsOfCustomer = [...world.host.store.contacts.values()].filter((c) =>
            c.channels.some((ch) => ch.visitor.visitorId === visitor.id),
        );
        expect(contactsOfCustomer).toHaveLength(1);
        expect(contactsOfCustomer[0].channels).toHaveLength(1);
        expect(visibleTexts(world, second.id)).toEqual(['Back again']);
    });

    it('/twitter dm opens a room served by the agent, sends the DM, and the answer lands in that room', async () => {
        const customer = world.customer('dora_dm', 'Dora DM');
        const answer = await command(world, '/twitter dm @dora_dm Hi Dora, about your order');
        expect(answer).toContain('Sent to @dora_dm');
        const room = roomOf(world, 'Dora DM')!;
        expect(room).toBeDefined();
        expect(answer).toContain(`${world.front.url}/live/${room.id}`);
        expect(room.servedBy?.id).toBe(world.agent.id);
        expect(room.department?.name).toBe('Support');
        expect(receivedTexts(world, customer)).toEqual(['Agent Smith: Hi Dora, about your order']);
        expect(appNotices(world, room.id)).toEqual([
            'Agent Smith started this conversation with `@dora_dm` on X: Hi Dora, about your order',
        ]);
        expect(contactOf(world, room)?.customFields).toMatchObject({ xUsername: '@dora_dm' });

        await dmFromCustomer(world, customer, 'Thanks, what about it?');
        expect(roomsOfVisitor(world, 'Dora DM')).toHaveLength(1);
        expect(visibleTexts(world, room.id)).toEqual([
            'Agent Smith started this conversation with `@dora_dm` on X: Hi Dora, about your order',
            'Thanks, what about it?',
        ]);
        await reply(world, room, 'It ships tomorrow');
        expect(receivedTexts(world, customer)).toEqual([
            'Agent Smith: Hi Dora, about your order',
            'Agent Smith: It ships tomorrow',
        ]);

        // A second /twitter dm points at the open room instead of opening another or sending.
        const again = await command(world, '/twitter dm dora_dm one more thing');
        expect(again).toContain('already an open conversation with @dora_dm');
        expect(again).toContain(`/live/${room.id}`);
        expect(received(world, customer)).toHaveLength(2);
        expect(roomsOfVisitor(world, 'Dora DM')).toHaveLength(1);
    });

    it('refuses a customer who does not accept DMs from the business: nothing sent, no room', async () => {
        const customer = world.customer('erin_closed', 'Erin Closed');
        world.sim.setAcceptsDmsFrom(customer, 'nobody');
        const answer = await command(world, '/twitter dm @erin_closed hello');
        expect(answer).toContain('@erin_closed does not accept Direct Messages');
        expect(received(world, customer)).toEqual([]);
        expect(roomsOfVisitor(world, 'Erin Closed')).toEqual([]);
    });

    it('refuses a customer listed in Blocked X users: nothing sent, no room', async () => {
        const customer = world.customer('hank_blocked', 'Hank Blocked');
        await world.host.setSetting('blocked_users', customer);
        try {
            const answer = await command(world, '/twitter dm @hank_blocked hello');
            expect(answer).toContain('@hank_blocked is blocked');
            expect(received(world, customer)).toEqual([]);
            expect(roomsOfVisitor(world, 'Hank Blocked')).toEqual([]);
        } finally {
            await world.host.setSetting('blocked_users', '');
        }
    });

    it('closes the room again, without a finished message, when X refuses the DM itself', async () => {
        await world.host.setSetting('finished_message', 'Conversation finished, thanks!');
        try {
            const customer = world.customer('fred_refuses', 'Fred Refuses');
            // X's lookup said yes, then the send is refused (the customer changed their settings meanwhile).
            world.sim.faults.set({
                api: {
                    status: 403,
                    body: { errors: [{ code: 349, message: 'You cannot send messages to this user.' }] },
                },
                match: { endpoint: 'dm.send' },
                times: 1,
            });
            const answer = await command(world, '/twitter dm @fred_refuses hello');
            expect(answer).toContain('X refused the message to @fred_refuses');
            expect(answer).toContain('closed');
            expect(received(world, customer)).toEqual([]);
            const rooms = roomsOfVisitor(world, 'Fred Refuses');
            expect(rooms).toHaveLength(1);
            expect(rooms[0].isOpen).toBe(false);
            // The customer's next DM opens a new conversation as usual.
            await dmFromCustomer(world, customer, 'I allow DMs now');
            expect(roomOf(world, 'Fred Refuses')).toBeDefined();
            expect(receivedTexts(world, customer)).toEqual([]);
        } finally {
            await world.host.setSetting('finished_message', '');
        }
    });

    it('checks its arguments and who runs it', async () => {
        expect(await command(world, '/twitter dm')).toContain('Usage: `/twitter dm @handle <message>`');
        expect(await command(world, '/twitter dm @not-a-handle! hi')).toContain('is not an X handle');
        expect(await command(world, '/twitter dm @averyveryverylonghandle hi')).toContain('is not an X handle');
        expect(await command(world, '/twitter dm @someone')).toContain('Write the message after the handle');
        expect(await command(world, '/twitter dm @nobody_here hi')).toContain('X has no user @nobody_here');
        expect(await command(world, `/twitter dm @${world.business.username} hi`)).toContain(
            'is the business account itself',
        );
        const long = 'x'.repeat(5001);
        expect(await command(world, `/twitter dm @someone ${long}`)).toContain('at most 5000');
        const visitorUser = world.host.createUser({ username: 'plain.user', name: 'Plain User', roles: ['user'] });
        expect(await command(world, '/twitter dm @someone hi', visitorUser)).toContain(
            'Only Omnichannel agents, managers and administrators',
        );
    });

    it('shows the cost and waits for --confirm when the daily cap is near; past it, only an administrator may send', async () => {
        const customer = world.customer('gina_cap', 'Gina Cap');
        await world.host.setSetting('daily_cap_usd', 0.001);
        try {
            // Past the cap an agent cannot send, --confirm or not; the answer shows today's bill.
            const refused = await command(world, '/twitter dm @gina_cap hello --confirm');
            expect(refused).toContain('Only an administrator can send past the cap');
            const today = Number(/bill \(\$([\d.]+)\)/.exec(refused)?.[1]);
            expect(today).toBeGreaterThan(0);
            // $0.025 (lookup + DM) past 80 % of the cap but within it: the agent is asked to confirm.
            await world.host.setSetting('daily_cap_usd', today + 0.03);
            const answer = await command(world, '/twitter dm @gina_cap hello');
            expect(answer).toContain('costs about $0.025');
            expect(answer).toContain('--confirm');
            expect(received(world, customer)).toEqual([]);
            expect(roomsOfVisitor(world, 'Gina Cap')).toEqual([]);
            // Shown before any X call: nothing looked up, nothing billed.
            expect(world.sim.ledger().items.filter((i) => i.eventId === customer)).toEqual([]);
            // A trailing space after --confirm is still the flag, not words of the message.
            expect(await command(world, '/twitter dm @gina_cap hello --confirm ')).toContain('Sent to @gina_cap');
            expect(receivedTexts(world, customer)).toEqual(['Agent Smith: hello']);
            expect(
                world.sim
                    .ledger()
                    .items.filter((i) => i.eventId === customer)
                    .map((i) => i.kind),
            ).toEqual(['user_read']);

            // An administrator who is also an agent may go past the cap with --confirm.
            const other = world.customer('hugo_cap', 'Hugo Cap');
            await world.host.setSetting('daily_cap_usd', 0.001);
            const made = world.host.createAgent('boss.admin', {
                name: 'Boss Admin',
                departments: [world.departmentId],
            });
            const online = world.host.store.users.get(made.id)!;
            const boss = { ...online, roles: [...online.roles, 'admin'] };
            world.host.store.users.set(boss.id, boss);
            expect(await command(world, '/twitter dm @hugo_cap hello', boss)).toContain('--confirm');
            expect(await command(world, '/twitter dm @hugo_cap hello --confirm', boss)).toContain('Sent to @hugo_cap');
            // The room is open now: repeating the command says so, without paying X's lookup again.
            expect(await command(world, '/twitter dm @hugo_cap hello again --confirm', boss)).toContain('already');
            expect(
                world.sim
                    .ledger()
                    .items.filter((i) => i.eventId === other)
                    .map((i) => i.kind),
            ).toEqual(['user_read']);
            expect(receivedTexts(world, other)).toHaveLength(1);
        } finally {
            await world.host.setSetting('daily_cap_usd', 0);
        }
    });

    // Last: the app then remembers for 10 minutes that the fields are missing (no failing call per new room).
    it('works without the custom fields defined: the contact then carries the name only', async () => {
        const fields = new Map(world.host.store.livechatCustomFields);
        world.host.store.livechatCustomFields.clear();
        try {
            const customer = world.customer('nofields_c', 'No Fields');
            await dmFromCustomer(world, customer, 'hi');
            const room = roomOf(world, 'No Fields')!;
            expect(visibleTexts(world, room.id)).toEqual(['hi']);
            expect(contactOf(world, room)?.name).toBe('No Fields');
            expect(contactOf(world, room)?.customFields).toEqual({});
        } finally {
            for (const [id, field] of fields) world.host.store.livechatCustomFields.set(id, field);
        }
    });
});
