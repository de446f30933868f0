/**
 * Several linked X accounts (issue 17), on the packaged app in the real runtime against the simulator: two
 * business accounts of one X developer app (@AcmeSupport, @AcmeSales) linked with OAuth 2.0, one webhook,
 * each account routed to its department. The simulator checks every send's token: a DM leaves from the
 * token's user, so a reply sent with the wrong account's credentials would show under that account.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { appNotices, passTime, quiet, reply, syncClock } from './helpers/outbound';
import {
    accountOfRoom,
    linkedAccounts,
    linkSecondAccount,
    SECOND_DEPARTMENT,
    startWorld,
    World,
} from './helpers/world';

const FIFTEEN_MINUTES = 15 * 60_000;

/** Links @AcmeSales as an admin adds an account, routed to Sales (`/twitter department`). */
async function linkSales(world: World) {
    const second = await linkSecondAccount(world);
    return { sales: second.account, agent: second.agent };
}

const openRoomsOf = (world: World, name: string) =>
    world.host.livechatRooms().filter((r) => r.isOpen && r.visitor?.name === name);

const textsIn = (world: World, room: ILivechatRoom) => world.host.messagesIn(room.id).map((m) => m.text ?? '');

async function twoRooms(world: World, username: string, name: string) {
    const [support, sales] = world.sim.businesses;
    const customer = world.customer(username, name);
    await syncClock(world);
    await world.sim.sendDm({ from: customer, to: support.id, text: `${name} to support` });
    await world.sim.sendDm({ from: customer, to: sales.id, text: `${name} to sales` });
    await quiet(world);
    const rooms = openRoomsOf(world, name);
    const supportRoom = rooms.find((r) => accountOfRoom(world, r.id) === support.id);
    const salesRoom = rooms.find((r) => accountOfRoom(world, r.id) === sales.id);
    if (rooms.length !== 2 || !supportRoom || !salesRoom)
        throw new Error(`${name}: expected a room per account, found ${rooms.length}`);
    return { customer, supportRoom, salesRoom };
}

const registryRecord = (world: World, accountId: string) =>
    [...world.host.store.appPersistence(world.host.appId).values()].find((r) =>
        r.associations.some((a) => a.id === `x-account:${accountId}`),
    )?.data;

const sentTexts = (world: World, accountId: string, to: string) =>
    world.sim.dmsSentBy(accountId, { to }).map((d) => d.text);

describe('two linked accounts', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', shareClock: true });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('each routed to its department: a customer writing to both gets two rooms, each reply leaves from its account', async () => {
        const [support, sales] = world.sim.businesses;
        const { agent: salesAgent } = await linkSales(world);
        expect(linkedAccounts(world).map((a) => [a.username, a.department])).toEqual([
            [support.username, undefined],
            [sales.username, SECOND_DEPARTMENT.name],
        ]);
        // One X app, one webhook for both accounts.
        expect(world.sim.webhooks()).toHaveLength(1);

        const { customer, supportRoom, salesRoom } = await twoRooms(world, 'carol_two', 'Carol Two');
        expect(supportRoom.department?.name).toBe('Support');
        expect(salesRoom.department?.name).toBe(SECOND_DEPARTMENT.name);
        expect(textsIn(world, supportRoom)).toContain('Carol Two to support');
        expect(textsIn(world, supportRoom)).not.toContain('Carol Two to sales');
        expect(textsIn(world, salesRoom)).toContain('Carol Two to sales');

        await reply(world, supportRoom, 'support answers');
        await reply(world, salesRoom, 'sales answers', salesAgent);
        expect(sentTexts(world, support.id, customer)).toEqual(['Agent Smith: support answers']);
        expect(sentTexts(world, sales.id, customer)).toEqual(['Agent Jones: sales answers']);
    });

    it('unlinking one account stops only its deliveries; the webhook stays for the other', async () => {
        const [support, sales] = world.sim.businesses;
        const mark = world.host.store.ephemeral.length;
        await world.host.runCommand(`/twitter unauthorize @${sales.username.toLowerCase()}`, world.admin);
        await quiet(world);
        expect(world.host.store.ephemeral.slice(mark).map((e) => e.text ?? '')).toEqual([
            expect.stringContaining(`@${sales.username}`),
        ]);
        expect(linkedAccounts(world).map((a) => a.username)).toEqual([support.username]);
        expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);

        const customer = world.customer('dave_after', 'Dave After');
        await syncClock(world);
        const deliveriesBefore = world.sim.deliveries().length;
        await world.sim.sendDm({ from: customer, to: sales.id, text: 'anyone at sales?' });
        await quiet(world);
        // X no longer delivers the unlinked account's DMs at all (its subscriptions are gone).
        expect(world.sim.deliveries().length).toBe(deliveriesBefore);
        expect(openRoomsOf(world, 'Dave After')).toEqual([]);
        await world.sim.sendDm({ from: customer, to: support.id, text: 'anyone at support?' });
        await quiet(world);
        const rooms = openRoomsOf(world, 'Dave After');
        expect(rooms).toHaveLength(1);
        expect(textsIn(world, rooms[0])).toEqual(expect.arrayContaining(['anyone at support?']));
        expect(textsIn(world, rooms[0])).not.toContain('anyone at sales?');
    });
});

describe("one account's trouble does not delay the other", () => {
    let world: World;

    beforeEach(async () => {
        world = await startWorld({ mode: 'xaa', shareClock: true });
    });

    afterEach(async () => {
        await world?.stop();
    });

    it("one account's 429: its replies wait, the other account's leave at once", async () => {
        const [support, sales] = world.sim.businesses;
        const { agent: salesAgent } = await linkSales(world);
        const { customer, supportRoom, salesRoom } = await twoRooms(world, 'erin_limit', 'Erin Limit');
        // X's window: one DM per 15 minutes per user (and app); @AcmeSupport spends its one, then more wait.
        world.sim.setRateLimit('dm.send', { perUser: { limit: 1, windowMs: FIFTEEN_MINUTES } });
        await reply(world, supportRoom, 'support 1');
        await reply(world, supportRoom, 'support 2');
        await reply(world, supportRoom, 'support 3');
        expect(sentTexts(world, support.id, customer)).toEqual(['Agent Smith: support 1']);
        expect(appNotices(world, supportRoom.id).some((n) => n.includes("X's sending limit"))).toBe(true);

        await reply(world, salesRoom, 'sales 1', salesAgent);
        expect(sentTexts(world, sales.id, customer)).toEqual(['Agent Jones: sales 1']);
        expect(appNotices(world, salesRoom.id)).toEqual([]);

        // At X's reset the waiting replies leave, in order, from their own account.
        world.sim.setRateLimit('dm.send', { perUser: { limit: 100, windowMs: FIFTEEN_MINUTES } });
        await passTime(world, FIFTEEN_MINUTES + 1000);
        expect(sentTexts(world, support.id, customer)).toEqual([
            'Agent Smith: support 1',
            'Agent Smith: support 2',
            'Agent Smith: support 3',
        ]);
        expect(sentTexts(world, sales.id, customer)).toEqual(['Agent Jones: sales 1']);
    });

    it("one account's revoked token: its link is marked broken, the other account's replies and DMs go on", async () => {
        const [support, sales] = world.sim.businesses;
        const { agent: salesAgent } = await linkSales(world);
        const { customer, supportRoom, salesRoom } = await twoRooms(world, 'frank_revoked', 'Frank Revoked');
        world.sim.revokeUserTokens(support.id);
        await reply(world, supportRoom, 'support after the revocation');
        expect(sentTexts(world, support.id, customer)).toEqual([]);
        expect(registryRecord(world, support.id)).toHaveProperty('revokedAt');
        expect(registryRecord(world, sales.id)).not.toHaveProperty('revokedAt');

        await reply(world, salesRoom, 'sales still here', salesAgent);
        expect(sentTexts(world, sales.id, customer)).toEqual(['Agent Jones: sales still here']);
        await syncClock(world);
        await world.sim.sendDm({ from: customer, to: sales.id, text: 'thanks, sales' });
        await quiet(world);
        expect(textsIn(world, salesRoom)).toContain('thanks, sales');
    });

    it("the X app's daily send budget is shared: an account past its share waits while the other has not used its own", async () => {
        const [support, sales] = world.sim.businesses;
        const { agent: salesAgent } = await linkSales(world);
        const { customer, supportRoom, salesRoom } = await twoRooms(world, 'gina_budget', 'Gina Budget');
        // 4 DMs a day for the app (x-app-limit-24hour-*): 2 for each account.
        world.sim.setRateLimit('dm.send', { perUser: { limit: 100, windowMs: FIFTEEN_MINUTES }, appDay: 4 });
        for (const text of ['s1', 's2', 's3']) await reply(world, supportRoom, text);
        expect(sentTexts(world, support.id, customer)).toEqual(['Agent Smith: s1', 'Agent Smith: s2']);
        for (const text of ['a1', 'a2']) await reply(world, salesRoom, text, salesAgent);
        expect(sentTexts(world, sales.id, customer)).toEqual(['Agent Jones: a1', 'Agent Jones: a2']);
        // The app's budget is spent: X refused nothing, nobody sent beyond it.
        expect(world.sim.requests().filter((r) => r.status === 429)).toEqual([]);
        expect(sentTexts(world, support.id, customer)).toHaveLength(2);
    });
});
