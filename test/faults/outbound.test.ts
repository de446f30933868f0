/**
 * Agent replies → X DMs under faults: X's own sending limit (15 / 15 min, 1,440 a day) outrun by busy
 * agents, injected 5xx and 429 answers, connections dropped before X sees the send or after X created the
 * DM (the app cannot know it went out), sends hanging until the app's timeout (full run), two Rocket.Chat
 * instances taking the replies alternately, and instances restarted while replies wait. Per conversation:
 * lost 0, duplicated 0, out-of-order 0 on the customer's side.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { auditOutbound, faultsOf, NO_FAULTS } from './helpers/audit';
import { seededRandom } from './helpers/drive';
import { runJobsUntil } from './helpers/polling';
import { catchUpWithRealTime, Rig, startRig } from './helpers/rig';
import { FULL, SCALE, SEED, timeoutFor } from './helpers/scale';
import { auditSecrets, formatScan } from './helpers/secrets';
import { record } from './helpers/summary';
import { randomFaults, startXProxy, XProxy } from './helpers/x-proxy';

const R = SCALE.replies;
const MINUTE = 60_000;

describe(`agent replies under faults (${SCALE.label}: ${R} replies)`, () => {
    let rig: Rig;
    let proxy: XProxy;
    const random = seededRandom(SEED + 20);

    beforeAll(async () => {
        rig = await startRig({ mode: 'aaa', shareClock: true });
        proxy = await startXProxy(rig.sim);
        await rig.addInstance();
        rig.routeXThrough(proxy.url);
    }, 120_000);

    afterAll(async () => {
        await rig?.stop();
        await proxy?.close();
    });

    it(
        'every reply reaches its customer exactly once and in order',
        async () => {
            const conversations = Math.max(8, Math.round(R / 25));
            const customers: { id: string; room: ILivechatRoom }[] = [];
            for (let i = 0; i < conversations; i++) {
                const name = `Reply Customer ${i}`;
                const id = rig.customer(`rep${i}`, name);
                await catchUpWithRealTime(rig);
                await rig.sim.sendDm({ from: id, to: rig.business.id, text: 'I need help' });
                await rig.settleAll();
                const room = rig.host.livechatRooms().find((r) => r.isOpen && r.visitor?.name === name);
                if (!room) throw new Error(`no room for ${name}`);
                customers.push({ id, room });
            }

            const isSend = (r: { method: string; path: string }) => r.method === 'POST' && /\/messages$/.test(r.path);
            proxy.policy = randomFaults(SEED + 21, [
                { p: 0.03, fault: 'drop-before', when: isSend },
                { p: 0.04, fault: 'drop-after', when: isSend },
                { p: 0.01, fault: 'hang', when: isSend, max: SCALE.hangs },
            ]);
            rig.sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm.send' }, probability: 0.05 });
            rig.sim.faults.set({ api: { status: 429 }, match: { endpoint: 'dm.send' }, probability: 0.02 });

            const replies = new Map<string, string[]>(customers.map((c) => [c.id, []]));
            const restartEvery = Math.ceil(R / (FULL ? 8 : 2));
            let posted = 0;
            let restarts = 0;
            while (posted < R) {
                // Busy agents: 0–4 replies a minute across the conversations, faster than X's 1 a minute.
                const count = Math.min(R - posted, Math.floor(random() * 5));
                for (let i = 0; i < count; i++) {
                    const which = Math.floor(random() * customers.length);
                    const c = customers[which];
                    const text = `reply ${posted} to ${c.id.slice(-4)}: ${posted % 3 === 0 ? 'café ✓' : 'ok'}`;
                    replies.get(c.id)!.push(text);
                    // Agents are spread over the instances: Rocket.Chat fires the event where the message was
                    // saved, the instance holding the agent's session. Replies fired a second apart to one
                    // customer from two instances at once are ordered only up to the queued view's age (README).
                    rig.hosts[which % rig.hosts.length].postAgentMessage(c.room.id, rig.agent, text);
                    posted++;
                    await rig.clock.advance(1_000);
                    if (posted % restartEvery === 0) await rig.restartInstance(restarts++ % rig.hosts.length);
                }
                await Promise.all(rig.hosts.map((h) => h.settle()));
                await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + MINUTE);
            }
            // Faults stop; the outbox drains at X's pace (the day's budget may have to reset).
            proxy.policy = () => undefined;
            rig.sim.faults.clear();
            const expected = [...replies.values()].reduce((n, list) => n + list.length, 0);
            const render = (text: string) => `Agent Smith: ${text}`;
            for (let waited = 0; waited < 3 * 24 * 60; waited += 15) {
                await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + 15 * MINUTE);
                await Promise.all(rig.hosts.map((h) => h.settle()));
                if (auditOutbound(rig.sim, rig.business.id, replies, render).delivered >= expected) break;
            }
            await rig.settleAll();

            const sends = rig.sim.requests().filter((r) => r.endpoint === 'dm.send');
            record(__filename, 'outbound faults', 'outbound', {
                counts: {
                    'send attempts reaching X': sends.length,
                    '429': sends.filter((r) => r.status === 429).length,
                    '5xx': sends.filter((r) => r.status >= 500).length,
                    'dropped before X': proxy.counts['drop-before'],
                    'sent but answer lost': proxy.counts['drop-after'],
                    hung: proxy.counts.hang,
                    restarts,
                    'simulated hours': Math.round((rig.clock.now() - sends[0].at) / 3_600_000),
                },
            });
            const audit = auditOutbound(rig.sim, rig.business.id, replies, render);
            record(
                __filename,
                `replies: X 429 / 5xx / dropped${FULL ? ' / hanging' : ''} sends, 2 instances, restarts`,
                'outbound',
                { audit },
            );
            expect(sends.some((r) => r.status === 429)).toBe(true);
            expect(faultsOf(audit)).toEqual(NO_FAULTS);
            for (const host of rig.hosts) expect(await host.isEnabled()).toBe(true);
        },
        timeoutFor(R, 200) + SCALE.hangs * 25_000,
    );

    it(
        "replies to one customer handled by both instances (the agent's session moving between them): exactly once, in order",
        async () => {
            const n = Math.max(30, Math.round(R / 4));
            const customers: { id: string; room: ILivechatRoom }[] = [];
            for (let i = 0; i < 3; i++) {
                const name = `Moving Agent Customer ${i}`;
                const id = rig.customer(`mov${i}`, name);
                await catchUpWithRealTime(rig);
                await rig.sim.sendDm({ from: id, to: rig.business.id, text: 'hello?' });
                await rig.settleAll();
                const room = rig.host.livechatRooms().find((r) => r.isOpen && r.visitor?.name === name);
                if (!room) throw new Error(`no room for ${name}`);
                customers.push({ id, room });
            }
            const isSend = (r: { method: string; path: string }) => r.method === 'POST' && /\/messages$/.test(r.path);
            proxy.policy = randomFaults(SEED + 22, [
                { p: 0.03, fault: 'drop-before', when: isSend },
                { p: 0.04, fault: 'drop-after', when: isSend },
            ]);
            rig.sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm.send' }, probability: 0.05 });
            rig.sim.faults.set({ api: { status: 429 }, match: { endpoint: 'dm.send' }, probability: 0.02 });
            const replies = new Map<string, string[]>(customers.map((c) => [c.id, []]));
            const byInstance = new Map<string, Set<number>>(customers.map((c) => [c.id, new Set()]));
            let instance = 0;
            let switches = 0;
            for (let posted = 0; posted < n;) {
                const count = Math.min(n - posted, 1 + Math.floor(random() * 4));
                for (let i = 0; i < count; i++) {
                    if (posted > 0 && posted % 4 === 0) {
                        // The agent's session moves to the other instance (a reconnect takes longer than the
                        // 2 s the queued view may be old: README, Outbox).
                        instance = 1 - instance;
                        switches++;
                        await new Promise((r) => setTimeout(r, 2_100));
                    }
                    const c = customers[Math.floor(random() * customers.length)];
                    const text = `moving reply ${posted} to ${c.id.slice(-4)}`;
                    replies.get(c.id)!.push(text);
                    byInstance.get(c.id)!.add(instance);
                    rig.hosts[instance].postAgentMessage(c.room.id, rig.agent, text);
                    posted++;
                    await rig.clock.advance(1_000);
                }
                await Promise.all(rig.hosts.map((h) => h.settle()));
                await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + MINUTE);
            }
            proxy.policy = () => undefined;
            rig.sim.faults.clear();
            const render = (text: string) => `Agent Smith: ${text}`;
            for (let waited = 0; waited < 3 * 24 * 60; waited += 15) {
                await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + 15 * MINUTE);
                await Promise.all(rig.hosts.map((h) => h.settle()));
                if (auditOutbound(rig.sim, rig.business.id, replies, render).delivered >= n) break;
            }
            await rig.settleAll();
            const audit = auditOutbound(rig.sim, rig.business.id, replies, render);
            record(__filename, 'replies to one customer from two instances, X 429 / 5xx / dropped sends', 'outbound', {
                audit,
                counts: { 'instance switches': switches },
            });
            for (const used of byInstance.values()) expect(used.size).toBe(2);
            expect(faultsOf(audit)).toEqual(NO_FAULTS);
        },
        timeoutFor(Math.max(30, Math.round(R / 4)), 1_000),
    );

    it('says no secret in anything it logged, posted, sent or answered', () => {
        const scan = auditSecrets(__filename, 'secrets (outbound)', rig);
        expect(formatScan(scan)).toContain('→ 0 hits');
    });
});
