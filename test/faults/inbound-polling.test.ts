/**
 * Inbound DMs in polling mode while X misbehaves: 5xx answers, X's own rate limit (15 reads / 15 min)
 * hit during bursts, connections dropped before X sees the read or after it answered, reads that hang until
 * the app's timeout (full run), and an instance restart. Bursts make the poller page back to its cursor.
 */
import { auditInbound, faultsOf } from './helpers/audit';
import { dmText, newCustomers, seededRandom } from './helpers/drive';
import { runJobsUntil } from './helpers/polling';
import { Rig, startRig } from './helpers/rig';
import { FULL, SCALE, SEED, timeoutFor } from './helpers/scale';
import { auditSecrets, formatScan } from './helpers/secrets';
import { record } from './helpers/summary';
import { randomFaults, startXProxy, XProxy } from './helpers/x-proxy';

const N = Math.max(80, Math.round(SCALE.inboundEvents * 0.2));
const MINUTE = 60_000;

describe(`inbound under faults, polling (${SCALE.label}: ${N} DMs)`, () => {
    let rig: Rig;
    let proxy: XProxy;
    const random = seededRandom(SEED + 10);

    beforeAll(async () => {
        rig = await startRig({ mode: 'polling', shareClock: true });
        proxy = await startXProxy(rig.sim);
        rig.routeXThrough(proxy.url);
    }, 120_000);

    afterAll(async () => {
        await rig?.stop();
        await proxy?.close();
    });

    it(
        'every DM posted exactly once and in order despite 5xx, 429, dropped and hanging reads',
        async () => {
            const customers = newCustomers(rig, 'pol', Math.max(6, Math.round(N / 15)));
            const isRead = (r: { path: string }) => r.path.startsWith('/2/dm_events');
            proxy.policy = randomFaults(SEED + 11, [
                { p: 0.06, fault: 'drop-before', when: isRead },
                { p: 0.06, fault: 'drop-after', when: isRead },
                { p: 0.02, fault: 'hang', when: isRead, max: SCALE.hangs },
            ]);
            rig.sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm_events.lookup' }, probability: 0.06 });
            // X counts reads per account, across every client of it: another integration on the business
            // account takes part of the 15 per 15 minutes the app paces itself to, so X's 429 still comes.
            rig.sim.setRateLimit('dm_events.lookup', { perUser: { limit: 8, windowMs: 15 * MINUTE } });
            let sent = 0;
            let burstDms = 0;
            let restarted = false;
            while (sent < N) {
                // Mostly a few DMs a minute; now and then a burst that outruns one page.
                const burst = random() < 0.08;
                const count = Math.min(N - sent, burst ? 20 + Math.floor(random() * 40) : Math.floor(random() * 4));
                if (burst) burstDms += count;
                const minuteStart = rig.clock.now();
                for (let i = 0; i < count; i++) {
                    await rig.clock.advance(Math.floor(MINUTE / (count + 1)));
                    const from = customers[Math.floor(random() * customers.length)];
                    await rig.sim.sendDm({ from, to: rig.business.id, text: dmText(sent++, from) });
                }
                await runJobsUntil(rig.clock, rig.hosts, minuteStart + MINUTE);
                if (!restarted && sent > N / 2) {
                    await rig.restartInstance(0);
                    restarted = true;
                }
            }
            // Faults go on for a while after the last DM, then the poller gets time to catch up (back-off, resets).
            await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + 30 * MINUTE);
            proxy.policy = () => undefined;
            rig.sim.faults.clear();
            await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + 45 * MINUTE);
            await rig.settleAll();

            const reads = rig.sim.requests().filter((r) => r.endpoint === 'dm_events.lookup');
            record(__filename, 'polling X faults', 'inbound', {
                counts: {
                    reads: reads.length,
                    '5xx': reads.filter((r) => r.status >= 500).length,
                    '429': reads.filter((r) => r.status === 429).length,
                    'dropped before X': proxy.counts['drop-before'],
                    'answers lost': proxy.counts['drop-after'],
                    hung: proxy.counts.hang,
                    'reads through the flaky network': proxy.counts.forwarded + proxy.counts['drop-after'],
                    restarts: 1,
                },
            });
            const audit = auditInbound(rig.sim, rig.host.store, rig.business.id, customers);
            record(
                __filename,
                `polling: X 5xx / 429 / dropped${FULL ? ' / hanging' : ''} reads, bursts, a restart`,
                'inbound',
                { audit },
            );
            expect(reads.some((r) => r.status === 429)).toBe(true);
            // Known limit (README, polling): a walk that one run cannot finish (a burst beyond its pages, X failing
            // mid-walk) posts the newer DMs it read before the next run reaches the older ones. Rocket.Chat still
            // shows the room in the order written (outOfOrder 0, asserted); late arrivals are reported in the
            // results row (MISSED while above 0) and stay within the size of the bursts.
            const { arrivedLate, examples, ...rest } = faultsOf(audit);
            expect({ ...rest, examples: examples.filter((e) => !e.startsWith('arrived late')) }).toEqual({
                lost: 0,
                duplicated: 0,
                outOfOrder: 0,
                unexpected: 0,
                examples: [],
            });
            expect(arrivedLate).toBeLessThanOrEqual(burstDms);
            expect(await rig.host.isEnabled()).toBe(true);
        },
        timeoutFor(N, 60) + SCALE.hangs * 25_000,
    );

    it('says no secret in anything it logged, posted or sent', () => {
        const scan = auditSecrets(__filename, 'secrets (polling inbound)', rig);
        expect(formatScan(scan)).toContain('→ 0 hits');
    });
});
