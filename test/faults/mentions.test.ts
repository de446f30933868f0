/**
 * Public mentions (issue 19) under the faults the DM scenarios meet: duplicated and reordered X Activity API
 * deliveries, spread over two Rocket.Chat instances sharing one store. Per customer thread: every mention
 * posted once, none lost, in the order written, in one public room.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { letRetriesRun, newCustomers, seededRandom } from './helpers/drive';
import { catchUpWithRealTime, Rig, startRig } from './helpers/rig';
import { SCALE, SEED, timeoutFor } from './helpers/scale';
import { record } from './helpers/summary';

const N = Math.max(30, Math.round(SCALE.inboundEvents * 0.1));

describe(`public mentions under faults, X Activity API (${SCALE.label}: ${N} mentions)`, () => {
    let rig: Rig;
    let second: Awaited<ReturnType<Rig['addInstance']>>;
    const random = seededRandom(SEED + 19);

    beforeAll(async () => {
        rig = await startRig({ mode: 'xaa', shareClock: true, settings: { public_mentions: 'on' } });
        second = await rig.addInstance();
    }, 120_000);

    afterAll(async () => {
        await rig?.stop();
    });

    it(
        'every mention posted exactly once and in order, in one public room per thread, over two instances',
        async () => {
            const customers = newCustomers(rig, 'pub', Math.max(3, Math.round(N / 10)));
            const handle = `@${rig.business.username}`;
            const roots = new Map<string, string>();
            const written = new Map<string, string[]>(customers.map((c) => [c, []]));
            rig.sim.faults.set({ delivery: { duplicate: 1 }, probability: 0.25 });
            rig.sim.faults.set({ delivery: { duplicate: 3 }, probability: 0.05 });
            rig.sim.faults.set({ delivery: { reorder: true }, probability: 0.3 });
            for (let i = 0; i < N; i++) {
                await rig.clock.advance(Math.max(1000, Date.now() - rig.clock.now()));
                const from = customers[Math.floor(random() * customers.length)];
                const text = `${handle} mention ${i} from ${from}`;
                const root = roots.get(from);
                const { post } = await rig.sim.customerMentions(
                    from,
                    rig.business.id,
                    text,
                    root ? { inReplyTo: root } : {},
                );
                if (!root) roots.set(from, post.id);
                written.get(from)!.push(`mention ${i} from`);
            }
            rig.sim.faults.clear();
            await letRetriesRun(rig);
            await catchUpWithRealTime(rig);
            await rig.settleAll();

            let lost = 0;
            let duplicated = 0;
            let outOfOrder = 0;
            let extraRooms = 0;
            let shownTotal = 0;
            for (const customer of customers) {
                const rooms = rig.host
                    .livechatRooms()
                    .filter((r) => (r.visitor?.token ?? '').startsWith(`x1t.${rig.business.id}.${customer}.`));
                extraRooms += Math.max(0, rooms.length - 1);
                const shown = rooms
                    .flatMap((r) => rig.host.messagesIn(r.id))
                    .filter(
                        (m: IMessage) => !(m as IMessage & { t?: string }).t && m.sender?.id !== rig.host.appUser().id,
                    )
                    .sort((a, b) => +new Date(a.createdAt!) - +new Date(b.createdAt!))
                    .map((m) => /mention \d+ from/.exec((m.text ?? '').split('\n').pop() ?? '')?.[0])
                    .filter((t): t is string => !!t);
                const expected = written.get(customer)!;
                shownTotal += new Set(shown).size;
                lost += expected.filter((t) => !shown.includes(t)).length;
                duplicated += shown.length - new Set(shown).size;
                const order = shown.filter((t, i) => shown.indexOf(t) === i);
                if (order.join('|') !== expected.filter((t) => order.includes(t)).join('|')) outOfOrder++;
            }
            record(__filename, 'public mentions: duplicates and reorders, two instances', 'inbound', {
                counts: {
                    mentions: N,
                    lost,
                    duplicated,
                    'threads out of order': outOfOrder,
                    'extra rooms': extraRooms,
                },
            });
            expect({ lost, duplicated, outOfOrder, extraRooms }).toEqual({
                lost: 0,
                duplicated: 0,
                outOfOrder: 0,
                extraRooms: 0,
            });
            expect(shownTotal).toBe(N);
            // Both instances posted mentions: the deliveries really were shared.
            expect(
                second.calls.calls.filter((c) => c.bridge === 'LivechatBridge' && c.method === 'createMessage').length,
            ).toBeGreaterThan(0);
            expect(await rig.host.isEnabled()).toBe(true);
        },
        timeoutFor(N, 40),
    );
});
