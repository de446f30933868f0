/**
 * Inbound DMs through the Account Activity API webhook under everything X and a Rocket.Chat cluster do:
 * duplicated and reordered deliveries in every serialization X uses, two instances sharing one store with
 * deliveries alternating, instances restarted (and one crashed) while deliveries are in flight, and
 * Rocket.Chat refusing to create rooms (no agent online). Per conversation: lost 0, duplicated 0,
 * out-of-order 0.
 */
import { PENDING_JOB_ID } from '../../src/jobs/ids';
import { auditInbound, auditOutbound, formatAudit, faultsOf, NO_FAULTS } from './helpers/audit';
import { dmText, driveDms, letRetriesRun, newCustomers, photo, seededRandom } from './helpers/drive';
import { runJobsUntil } from './helpers/polling';
import { catchUpWithRealTime, guardRuntimeStdin, Rig, startRig } from './helpers/rig';
import { FULL, SCALE, SEED, timeoutFor } from './helpers/scale';
import { auditSecrets, formatScan } from './helpers/secrets';
import { record } from './helpers/summary';

const TOTAL = Math.round(SCALE.inboundEvents * 0.6);
const UNAVAILABLE = 'Nobody is online right now; we will answer soon.';
const share = (p: number) => Math.max(20, Math.round(TOTAL * p));

/** Rooms and stored records of one customer (a failure's context). */
function describeConversation(rig: Rig, customerId: string): string {
    const rooms = rig.host
        .livechatRooms()
        .filter((r) => r.visitor?.username === `x-${customerId}`)
        .map((r) => `${r.id} ${r.isOpen ? 'open' : 'closed'}`);
    const records = [...rig.host.store.appPersistence(rig.host.appId).values()].filter((r) =>
        r.associations.some((a) => a.id.includes(customerId)),
    );
    const types = records.reduce<Record<string, number>>(
        (acc, r) => (
            (acc[String((r.data as { type?: string }).type)] =
                (acc[String((r.data as { type?: string }).type)] ?? 0) + 1),
            acc
        ),
        {},
    );
    const jobs = [...rig.host.store.jobs.values()].map(
        (j) =>
            `${j.processorId.split('_')[0]}@${Math.round((j.nextRunAt - rig.clock.now()) / 1000)}s${j.lockedBy ? ` locked by ${j.lockedBy}` : ''}`,
    );
    const runs = rig.hosts.flatMap((h) =>
        h
            .jobRuns()
            .filter((r) => r.error)
            .map((r) => `${r.processorId.split('_')[0]} on ${r.host}: ${r.error}`),
    );
    return `rooms [${rooms.join(', ')}], records ${JSON.stringify(types)}; jobs [${jobs.join(', ')}]; failed runs [${runs.slice(-5).join(' | ')}]`;
}

describe(`inbound under faults, AAA webhook (${SCALE.label}: ${TOTAL} DMs)`, () => {
    let rig: Rig;
    const random = seededRandom(SEED);
    const allCustomers: string[] = [];

    beforeAll(async () => {
        // X's real-time cap on an unanswered delivery: above the app's 3 s wait for a room another delivery opens.
        rig = await startRig({
            mode: 'aaa',
            shareClock: true,
            sim: { deliveryRealTimeoutMs: 5_000 },
            settings: { unavailable_message: UNAVAILABLE },
        });
    }, 120_000);

    afterAll(async () => {
        await rig?.stop();
    });

    afterEach(async () => {
        rig.sim.faults.clear();
        for (const host of rig.hosts) expect(await host.isEnabled()).toBe(true);
    });

    const check = (scenario: string, customers: string[]) => {
        const audit = auditInbound(rig.sim, rig.host.store, rig.business.id, customers);
        audit.examples = audit.examples.map((e) => {
            const id = /^lost: \d+ (\d+)/.exec(e)?.[1];
            return id ? `${e} — app answered X: ${(rig.answersByEvent.get(id) ?? ['nothing']).join(' | ')}` : e;
        });
        const firstLost = /^lost: (\d+)/.exec(audit.examples[0] ?? '')?.[1];
        if (firstLost) audit.examples.push(`customer ${firstLost}: ${describeConversation(rig, firstLost)}`);
        record(__filename, scenario, 'inbound', { audit });
        expect(faultsOf(audit)).toEqual(NO_FAULTS);
        expect(audit.delivered).toBe(audit.expected);
    };

    it(
        'duplicated and reordered deliveries, in every serialization X uses',
        async () => {
            const n = share(0.35);
            const customers = newCustomers(rig, 'dup', Math.max(5, Math.round(n / 12)));
            allCustomers.push(...customers);
            rig.sim.faults.set({ delivery: { duplicate: 1 }, probability: 0.25 });
            rig.sim.faults.set({ delivery: { duplicate: 3 }, probability: 0.05 });
            rig.sim.faults.set({ delivery: { reorder: true }, probability: 0.3 });
            rig.sim.faults.set({ serialization: 'escapedSlashes', probability: 0.2 });
            rig.sim.faults.set({ serialization: 'unicodeEscaped', probability: 0.2 });
            rig.sim.faults.set({ serialization: 'both', probability: 0.2 });
            await driveDms(rig, customers, n, random);
            rig.sim.faults.clear();
            await rig.settleAll();
            const copies = rig.sim.deliveries().filter((d) => d.copyOf).length;
            expect(copies).toBeGreaterThan(n * 0.2);
            check('AAA: duplicated + reordered deliveries, 4 serializations', customers);
        },
        timeoutFor(share(0.35), 30),
    );

    it(
        'two instances sharing one store, deliveries alternating between them (and duplicated)',
        async () => {
            const n = share(0.25);
            const customers = newCustomers(rig, 'two', Math.max(5, Math.round(n / 12)));
            allCustomers.push(...customers);
            const second = await rig.addInstance();
            rig.sim.faults.set({ delivery: { duplicate: 1 }, probability: 0.3 });
            rig.sim.faults.set({ delivery: { reorder: true }, probability: 0.2 });
            await driveDms(rig, customers, n, random);
            rig.sim.faults.clear();
            await rig.settleAll();
            expect(
                second.calls.calls.filter((c) => c.bridge === 'LivechatBridge' && c.method === 'createMessage').length,
            ).toBeGreaterThan(n * 0.2);
            check('AAA: two instances, one store, deliveries alternating', customers);
        },
        timeoutFor(share(0.25), 30),
    );

    it(
        `instances restarted while deliveries are in flight${FULL ? ', and one crashed (Deno process killed)' : ''}`,
        async () => {
            const n = share(0.2);
            const customers = newCustomers(rig, 'rst', Math.max(6, Math.round(n / 10)));
            allCustomers.push(...customers);
            const batches = FULL ? 12 : 3;
            const batch = Math.ceil(n / batches);
            let restarts = 0;
            let crashes = 0;
            // Photos make a delivery slow at a known point: the app has claimed the event and is downloading
            // the file from X when the instance goes away.
            rig.sim.faults.set({ api: { delayMs: 400 }, match: { endpoint: 'dm_media.download' } });
            for (let done = 0; done < n; done += batch) {
                const size = Math.min(batch, n - done);
                // Deliveries wait a second of X's time, then all start at once while an instance restarts.
                const hold = rig.sim.faults.set({ delivery: { delayMs: 1_000 } });
                for (let i = 0; i < size; i++) {
                    await rig.clock.advance(10);
                    const from = customers[Math.floor(random() * customers.length)];
                    const media = i % 2 === 0 ? photo(done + i) : undefined;
                    await rig.sim.sendDm(
                        { from, to: rig.business.id, text: dmText(done + i, from), media },
                        { awaitDelivery: false },
                    );
                }
                rig.sim.faults.clear(hold);
                const which = restarts % rig.hosts.length;
                // X sends one delivery at a time: route them to the instance about to restart, so the one in
                // flight is there (the other instance takes over while it restarts).
                rig.front.setHosts([rig.hosts[which]]);
                const released = rig.clock.advance(1_000);
                await new Promise((r) => setTimeout(r, 150));
                if (FULL && crashes === 0 && restarts === 2) {
                    // A crash: the engine then waits out its runtime timeout for the calls it had in flight.
                    guardRuntimeStdin(rig.hosts[which]);
                    const deno = (
                        rig.hosts[which].app().getRuntimeController() as unknown as { deno?: { pid?: number } }
                    ).deno;
                    if (deno?.pid) process.kill(deno.pid, 'SIGKILL');
                    crashes++;
                }
                await rig.restartInstance(which);
                restarts++;
                await released;
                await letRetriesRun(rig);
                await catchUpWithRealTime(rig);
            }
            rig.sim.faults.clear();
            await letRetriesRun(rig);
            const retried = rig.sim.deliveries().filter((d) => d.attempts.length > 1).length;
            record(__filename, 'restarts', 'inbound', {
                counts: { restarts, crashes, 'deliveries X had to retry': retried },
            });
            expect(retried).toBeGreaterThan(0);
            check(`AAA: instances restarted mid-flight${crashes ? ` (${crashes} crash)` : ''}`, customers);
        },
        timeoutFor(share(0.2), 100) + (FULL ? 12 : 3) * 15_000 + 60_000,
    );

    it(
        'Rocket.Chat refusing to create rooms (no agent online): messages wait, then land in order',
        async () => {
            const n = share(0.2);
            const returning = allCustomers.slice(0, 10);
            const fresh = newCustomers(rig, 'off', Math.max(5, Math.round(n / 8)));
            allCustomers.push(...fresh);
            rig.host.setAgentOnline(rig.agent.id, false);
            await driveDms(rig, [...fresh, ...returning], n, random);
            await rig.settleAll();
            const refusals = rig.hosts.reduce(
                (sum, h) =>
                    sum +
                    h.calls.calls.filter((c) => c.bridge === 'LivechatBridge' && c.method === 'createRoom').length,
                0,
            );
            expect(rig.sim.dmsSentBy(rig.business.id).some((d) => d.text.includes('Nobody is online'))).toBe(true);
            rig.host.setAgentOnline(rig.agent.id, true);
            await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + 3 * 60_000);
            await rig.host.runJobNow(PENDING_JOB_ID);
            await rig.settleAll();
            record(__filename, 'no-agent', 'inbound', { counts: { 'room creations attempted': refusals } });
            check('AAA: room creation refused (no agent online), then accepted', [...fresh, ...returning]);
        },
        timeoutFor(share(0.2), 30),
    );

    it('all scenarios together: every DM exactly once, in order, and no secret in anything the app said', () => {
        const audit = auditInbound(rig.sim, rig.host.store, rig.business.id, allCustomers);
        record(__filename, 'AAA total', 'inbound', { audit });
        expect(faultsOf(audit)).toEqual(NO_FAULTS);
        // Nobody answered these customers: the only DMs they may have received are the unavailable notices.
        const outbound = auditOutbound(
            rig.sim,
            rig.business.id,
            new Map(allCustomers.map((c) => [c, []])),
            (text) => text,
            (text) => text === UNAVAILABLE,
        );
        expect(faultsOf(outbound)).toEqual(NO_FAULTS);
        expect(outbound.conversations).toBeGreaterThan(0);
        const scan = auditSecrets(__filename, 'secrets (AAA inbound)', rig);
        expect(formatScan(scan)).toContain('→ 0 hits');
        expect(formatAudit('total', audit)).toContain('lost 0');
    });
});
