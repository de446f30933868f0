/**
 * Gap recovery with two linked accounts on one webhook (issue 17): X replays a webhook, not an account
 * (`POST /2/webhooks/replay` is app-only), so the start-up run asks X once for the earliest gap of both.
 */
import { RECOVERY_JOB_ID } from '../../src/jobs/ids';
import { linkSecondAccount, startWorld, World } from './helpers/world';

/** Models downtime in the shared database: every account's last event, replay coverage and registration `ago` back. */
function lastHeardFromX(world: World, ago: (accountId: string) => number): void {
    for (const record of world.host.store.appPersistence(world.host.appId).values()) {
        const [key] = record.associations
            .map((a) => a.id)
            .filter((id) => /^x-(last-event|recovery|delivery):\d+$/.test(id));
        if (!key) continue;
        const [kind, accountId] = key.split(':');
        const at = Date.now() - ago(accountId);
        if (kind === 'x-last-event') record.data.at = at;
        if (kind === 'x-recovery') record.data = { coveredUntil: at };
        if (kind === 'x-delivery') record.data.registeredAt = at;
    }
}

describe('gap recovery with two accounts on one webhook', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', shareClock: true });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('asks X for one replay, from the earlier of the two gaps', async () => {
        const second = await linkSecondAccount(world);
        // The second account was heard from two hours ago, the first one hour ago.
        lastHeardFromX(world, (accountId) => (accountId === second.account.id ? 2 : 1) * 60 * 60_000);
        const replays = () => world.sim.requests().filter((r) => r.path === '/2/webhooks/replay');
        const before = replays().length;
        world.host = await world.host.restart();
        world.front.setHosts([world.host]);
        await world.host.runJobNow(RECOVERY_JOB_ID);
        const asked = replays().slice(before);
        expect(asked.map((r) => r.status)).toEqual([200]);
        // The request starts before the earlier gap (the second account's), margin included.
        const fromDate = String((asked[0].requestBody as { from_date?: string }).from_date); // yyyymmddhhmm, UTC
        const from = Date.UTC(
            +fromDate.slice(0, 4),
            +fromDate.slice(4, 6) - 1,
            +fromDate.slice(6, 8),
            +fromDate.slice(8, 10),
            +fromDate.slice(10, 12),
        );
        expect(from).toBeLessThanOrEqual(Date.now() - 2 * 60 * 60_000);
        // Run again: both accounts find the webhook covered up to what X replays; nothing more is asked.
        await world.host.runJobNow(RECOVERY_JOB_ID);
        expect(replays().length).toBe(before + 1);
    }, 60_000);
});
