/**
 * The test host's persistence must not invent failures Rocket.Chat cannot have: MongoDB ids are unique
 * across every instance and restart sharing the database. (A per-host id counter once let a restarted
 * host overwrite the claim an earlier one had written, which looked like the app posting a DM twice.)
 */
import { HostPersistenceBridge } from '../../../tools/host/bridges/persistence';
import type { BridgeContext } from '../../../tools/host/bridges/context';
import { ManualClock } from '../../../tools/host/clock';
import { HostStore } from '../../../tools/host/store';

const APP = 'app-1';

function bridgeOn(store: HostStore, hostId: string) {
    const ctx = {
        store,
        hostId,
        manager: () => {
            throw new Error('not needed');
        },
        httpHostMap: new Map(),
    } as BridgeContext;
    const bridge = new HostPersistenceBridge(ctx) as unknown as {
        createWithAssociations(
            data: object,
            associations: { model: string; id: string }[],
            appId: string,
        ): Promise<string>;
        readByAssociations(associations: { model: string; id: string }[], appId: string): Promise<object[]>;
    };
    return bridge;
}

describe('test host persistence ids', () => {
    it('a restarted host (same host id, same second) never overwrites what the previous instance wrote', async () => {
        const store = new HostStore({ clock: new ManualClock(Date.UTC(2026, 10, 21)) });
        const key = [{ model: 'misc', id: 'conversation' }];
        const before = bridgeOn(store, 'h1');
        for (let i = 0; i < 5; i++) await before.createWithAssociations({ n: `first-${i}` }, key, APP);
        const restarted = bridgeOn(store, 'h1');
        const second = bridgeOn(store, 'h-second');
        for (let i = 0; i < 5; i++) await restarted.createWithAssociations({ n: `restarted-${i}` }, key, APP);
        for (let i = 0; i < 5; i++) await second.createWithAssociations({ n: `second-${i}` }, key, APP);
        const stored = (await restarted.readByAssociations(key, APP)) as { n: string }[];
        expect(stored.map((r) => r.n)).toEqual([
            ...[0, 1, 2, 3, 4].map((i) => `first-${i}`),
            ...[0, 1, 2, 3, 4].map((i) => `restarted-${i}`),
            ...[0, 1, 2, 3, 4].map((i) => `second-${i}`),
        ]);
    });
});
