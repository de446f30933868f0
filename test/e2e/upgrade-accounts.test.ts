/**
 * Upgrade in place to several accounts (issue 17): the 0.1.0 build (test/fixtures/upgrade) linked one account
 * with OAuth 2.0, opened conversations and queued replies behind X's 429; the admin updates it to the current
 * package. The single account becomes a registry of one (nothing lost: the queued replies leave once, from it,
 * and the next DM finds the same room); then a second account is linked as an admin adds one, routed to its
 * department, and each account's conversations stay on their account.
 */
import * as fs from 'fs';
import * as path from 'path';
import { openConversation, passTime, quiet, receivedTexts, reply, syncClock } from './helpers/outbound';
import { packagedZip } from './helpers/app-host';
import { accountOfRoom, linkedAccounts, linkSecondAccount, startWorld, World } from './helpers/world';

const OLD_BUILD = path.join(__dirname, '..', 'fixtures', 'upgrade', 'twitter_0.1.0-244d540.zip');
const FIFTEEN_MINUTES = 15 * 60_000;

describe('upgrading a single-account install to the registry of accounts', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', shareClock: true, zip: fs.readFileSync(OLD_BUILD) });
        world.sim.setRateLimit('dm.send', { perUser: { limit: 1, windowMs: FIFTEEN_MINUTES } });
    });

    afterAll(async () => {
        await world?.stop();
    });

    const stored = (type: string) =>
        [...world.host.store.persistence.values()].flatMap((records) =>
            [...records.values()].map((r) => r.data).filter((d) => d.type === type),
        );

    it('the account becomes a registry of one, its queued replies leave once from it, and a second account links', async () => {
        const [support, sales] = world.sim.businesses;
        const alice = await openConversation(world, 'alice_reg', 'Alice Registry');
        await reply(world, alice.room, 'sent before the upgrade');
        await reply(world, alice.room, 'queued 1');
        await reply(world, alice.room, 'queued 2');
        expect(receivedTexts(world, alice.customer)).toEqual(['Agent Smith: sent before the upgrade']);
        expect(stored('outbox-item')).toHaveLength(2);
        // The old build knows no registry.
        expect(linkedAccounts(world)).toEqual([]);

        await world.host.update(packagedZip());
        expect(await world.host.isEnabled()).toBe(true);
        world.sim.setRateLimit('dm.send', { perUser: { limit: 10_000, windowMs: FIFTEEN_MINUTES } });
        await passTime(world, FIFTEEN_MINUTES + 1000);

        expect(linkedAccounts(world)).toEqual([
            { accountId: support.id, username: support.username, department: undefined },
        ]);
        expect(receivedTexts(world, alice.customer)).toEqual([
            'Agent Smith: sent before the upgrade',
            'Agent Smith: queued 1',
            'Agent Smith: queued 2',
        ]);
        expect(stored('outbox-item')).toEqual([]);
        expect(world.sim.dmsSentBy(sales.id)).toEqual([]);

        // A second account, linked as an admin adds one and routed to its department.
        const second = await linkSecondAccount(world);
        expect(linkedAccounts(world).map((a) => [a.username, a.department])).toEqual([
            [support.username, undefined],
            [sales.username, 'Sales'],
        ]);

        // Alice writes to both: her old room for @AcmeSupport, a new one in Sales for @AcmeSales.
        await syncClock(world);
        await world.sim.sendDm({ from: alice.customer, to: support.id, text: 'Any news?' });
        await world.sim.sendDm({ from: alice.customer, to: sales.id, text: 'And gift cards?' });
        await quiet(world);
        const rooms = world.host.livechatRooms().filter((r) => r.isOpen && r.visitor?.name === 'Alice Registry');
        expect(rooms).toHaveLength(2);
        const salesRoom = rooms.find((r) => r.id !== alice.room.id)!;
        expect(accountOfRoom(world, alice.room.id)).toBe(support.id);
        expect(accountOfRoom(world, salesRoom.id)).toBe(sales.id);
        expect(salesRoom.department?.name).toBe('Sales');
        expect(world.host.messagesIn(alice.room.id).map((m) => m.text)).toContain('Any news?');
        expect(world.host.messagesIn(alice.room.id).map((m) => m.text)).not.toContain('And gift cards?');

        await reply(world, alice.room, 'after the upgrade');
        await reply(world, salesRoom, 'from $10', second.agent);
        expect(receivedTexts(world, alice.customer).slice(3)).toEqual(['Agent Smith: after the upgrade']);
        expect(world.sim.dmsSentBy(sales.id, { to: alice.customer }).map((d) => d.text)).toContain(
            'Agent Jones: from $10',
        );
        expect(world.sim.dmsSentBy(support.id).some((d) => d.text.includes('from $10'))).toBe(false);
    });
});
