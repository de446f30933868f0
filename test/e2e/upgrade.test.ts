/**
 * Upgrade in place: an app installed from the build before the `xUserId` rename (test/fixtures/upgrade)
 * links the account, opens conversations and holds agent replies in its outbox while X answers 429; then
 * the admin updates it to the current package. Everything those records stood for must carry on: the
 * queued replies leave exactly once to the right customer, the customer's next DM lands in the same room,
 * and a new reply goes out. Each of these fails if a record kind's read of the old names is removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { appNotices, openConversation, passTime, quiet, receivedTexts, reply, syncClock } from './helpers/outbound';
import { packagedZip } from './helpers/app-host';
import { startWorld, World } from './helpers/world';

const OLD_BUILD = path.join(__dirname, '..', 'fixtures', 'upgrade', 'twitter_0.1.0-244d540.zip');
const FIFTEEN_MINUTES = 15 * 60_000;

describe('upgrading in place from the build before the rename', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'aaa', auth: 'tokens', shareClock: true, zip: fs.readFileSync(OLD_BUILD) });
        // One DM per window: the first reply leaves, the next ones wait in the outbox for X's reset.
        world.sim.setRateLimit('dm.send', { perUser: { limit: 1, windowMs: FIFTEEN_MINUTES } });
    });

    afterAll(async () => {
        await world?.stop();
    });

    const stored = (type: string) =>
        [...world.host.store.persistence.values()].flatMap((records) =>
            [...records.values()].map((r) => r.data).filter((d) => d.type === type),
        );

    const storedUnder = (key: string) =>
        [...world.host.store.persistence.values()].flatMap((records) =>
            [...records.values()].filter((r) => r.associations.some((a) => a.id === key)).map((r) => r.data),
        );

    it('queued replies leave once after the update, the next DM finds the same room, new replies go out', async () => {
        const alice = await openConversation(world, 'alice_up', 'Alice Upgrade');
        const bob = await openConversation(world, 'bob_up', 'Bob Upgrade');
        await reply(world, alice.room, 'sent before the upgrade');
        await reply(world, alice.room, 'queued for Alice 1');
        await reply(world, alice.room, 'queued for Alice 2');
        await reply(world, bob.room, 'queued for Bob');
        expect(receivedTexts(world, alice.customer)).toEqual(['Agent Smith: sent before the upgrade']);
        expect(receivedTexts(world, bob.customer)).toEqual([]);
        expect(appNotices(world, alice.room.id).some((n) => n.includes("X's sending limit"))).toBe(true);
        // The fixture really is the old build: its records carry the old name.
        expect(stored('outbox-item')).toHaveLength(3);
        for (const item of [...stored('outbox-item'), ...stored('conversation')]) {
            expect(item).toHaveProperty('xUserId');
            expect(item).not.toHaveProperty('customerId');
        }

        await world.host.update(packagedZip());
        expect(await world.host.isEnabled()).toBe(true);

        world.sim.setRateLimit('dm.send', { perUser: { limit: 10_000, windowMs: FIFTEEN_MINUTES } });
        await passTime(world, FIFTEEN_MINUTES + 1000);
        expect(receivedTexts(world, alice.customer)).toEqual([
            'Agent Smith: sent before the upgrade',
            'Agent Smith: queued for Alice 1',
            'Agent Smith: queued for Alice 2',
        ]);
        expect(receivedTexts(world, bob.customer)).toEqual(['Agent Smith: queued for Bob']);
        expect(stored('outbox-item')).toEqual([]);

        // The customer writes again: the same open room, no second one.
        await syncClock(world);
        const news = await world.sim.sendDm({ from: alice.customer, to: world.business.id, text: 'Any news?' });
        await quiet(world);
        const aliceRooms = world.host.livechatRooms().filter((r) => r.visitor?.name === 'Alice Upgrade');
        expect(aliceRooms.map((r) => [r.id, r.isOpen])).toEqual([[alice.room.id, true]]);
        expect(world.host.messagesIn(alice.room.id).map((m) => m.text)).toContain('Any news?');
        // Recorded as posted under Alice's conversation key (so a redelivery is recognized), not a key without her.
        const posted = storedUnder(`x-conv:${world.business.id}:${alice.customer}`).filter((d) => d.type === 'posted');
        expect(posted.map((d) => d.eventId)).toContain(news.dm.id);

        await reply(world, alice.room, 'after the upgrade');
        await reply(world, bob.room, 'after the upgrade, Bob');
        expect(receivedTexts(world, alice.customer).slice(3)).toEqual(['Agent Smith: after the upgrade']);
        expect(receivedTexts(world, bob.customer)).toEqual([
            'Agent Smith: queued for Bob',
            'Agent Smith: after the upgrade, Bob',
        ]);

        // Nothing is sent twice later on.
        await passTime(world, FIFTEEN_MINUTES + 1000);
        expect(receivedTexts(world, alice.customer)).toHaveLength(4);
        expect(receivedTexts(world, bob.customer)).toHaveLength(2);
    });
});
