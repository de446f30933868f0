/**
 * The X client inside the real runtime: an expired OAuth 2.0 token is refreshed transparently (and the
 * rotated refresh token stored), and a 429 makes the poller wait for X's reset instead of hammering it.
 */
import { POLLER_JOB_ID } from '../../src/jobs/ids';
import { formatScan, scanSystem } from '../faults/helpers/secrets';
import { deliverFromCustomer, roomOf, syncSimClock } from './helpers/inbound';
import { startWorld, World } from './helpers/world';

const HOUR = 3_600_000;

function storedRecord(world: World, name: string): Record<string, unknown> | undefined {
    return [...world.host.store.appPersistence(world.host.appId).values()].find((r) =>
        r.associations.some((a) => a.id === name || a.id.startsWith(`${name}:`)),
    )?.data;
}

describe('OAuth 2.0 token lifecycle', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', settings: { welcome_message: 'Hello from Acme!' } });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it("refreshes an expired access token on X's 401, retries once, and stores the rotated refresh token", async () => {
        const before = storedRecord(world, 'x-oauth2-tokens')!;
        await world.sim.clock.advance(3 * HOUR);
        await syncSimClock(world);
        const customer = world.customer('afterexpiry', 'After Expiry');
        await deliverFromCustomer(world, 'xaa', {
            from: customer,
            to: world.business.id,
            text: 'hi after a long time',
        });
        expect(roomOf(world, 'After Expiry')).toBeDefined();
        expect(world.sim.dmsSentBy(world.business.id, { to: customer }).map((d) => d.text)).toEqual([
            'Hello from Acme!',
        ]);
        const tokenCalls = world.sim.requests().filter((r) => r.path === '/2/oauth2/token');
        expect(tokenCalls.at(-1)?.status).toBe(200);
        const after = storedRecord(world, 'x-oauth2-tokens')!;
        expect(after.refreshToken).not.toEqual(before.refreshToken);
        expect(after.accessToken).not.toEqual(before.accessToken);
        // Neither the rotated-away tokens nor the new ones anywhere but where they must be.
        const scan = scanSystem(world);
        expect(scan.secretKinds).toEqual(expect.arrayContaining(['OAuth 2.0 refresh token', 'visitor token']));
        expect(formatScan(scan)).toContain('→ 0 hits');
    });
});

describe('polling through a burst', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'polling' });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('delivers a burst larger than one run can read: the next run continues where it stopped, nothing skipped, nothing twice', async () => {
        const customers = Array.from({ length: 10 }, (_, i) => world.customer(`burst${i}`, `Burst ${i}`));
        await syncSimClock(world);
        for (let i = 0; i < 150; i++) {
            await world.sim.clock.advance(100);
            await world.sim.sendDm({ from: customers[i % 10], to: world.business.id, text: `burst message ${i}` });
        }
        for (let run = 0; run < 4; run++) await world.host.runJobNow(POLLER_JOB_ID);
        await world.host.settle();
        const posted = world.host
            .livechatRooms()
            .flatMap((room) => world.host.messagesIn(room.id))
            .map((m) => m.text ?? '')
            .filter((t) => t.startsWith('burst message'));
        expect(posted).toHaveLength(150);
        expect(new Set(posted).size).toBe(150);
    });
});

describe('rate limits while polling', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'polling' });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it("after a 429 waits for X's reset instead of calling again", async () => {
        world.sim.setRateLimit('dm_events.lookup', { perUser: { limit: 1, windowMs: 15 * 60_000 } });
        const customer = world.customer('limited', 'Limited');
        await deliverFromCustomer(world, 'polling', { from: customer, to: world.business.id, text: 'first' });
        await deliverFromCustomer(world, 'polling', { from: customer, to: world.business.id, text: 'second' });
        const lookups = () => world.sim.requests().filter((r) => r.path === '/2/dm_events');
        expect(lookups().at(-1)?.status).toBe(429);
        const state = storedRecord(world, 'x-poll-state')!;
        expect(state.lastError).toBe('rate-limited');
        // X's reset is about 15 minutes away: the poller skips that many of its 60-second runs.
        expect(Number(state.skipRuns)).toBeGreaterThanOrEqual(10);
        const count = lookups().length;
        await world.host.runJobNow(POLLER_JOB_ID);
        expect(lookups()).toHaveLength(count);
    });
});
