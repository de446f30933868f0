/**
 * Cost: what X bills per delivered inbound DM over the 24-hour trace, in polling mode (DM event reads)
 * and in each webhook mode (billable units), plus the naive poller on the same trace.
 *
 * Time: the simulator's manual clock drives X, and Rocket.Chat's scheduler follows it (shared clock), so a
 * day passes in minutes. The app's own Date.now() is real time, though, so the one time-based decision the
 * poller makes on its own clock — "do not poll before notBefore" — is translated onto the scheduler's
 * clock (test/faults/helpers/polling.ts). Nothing else is touched; X's answers, the stop rule and the page
 * sizes are the app's own.
 */
import { TwitterApi } from 'twitter-api-v2';
import { createTransportPlugin } from '../src/x/transport';
import { ManualClock } from '../tools/x-sim/core/clock';
import { DEFAULT_APP, DEFAULT_BUSINESS_ACCOUNT, DEFAULT_BUSINESS_OAUTH1 } from '../tools/x-sim/defaults';
import { nodeSender } from '../tools/x-sim/node-sender';
import { startXSim, XSim } from '../tools/x-sim/sim';
import type { LedgerItem } from '../tools/x-sim/ops/ledger';
import type { DeliveryModeName } from '../test/e2e/helpers/world';
import { auditInbound, ConversationAudit } from '../test/faults/helpers/audit';
import { runJobsUntil as runJobsUntilOnClock } from '../test/faults/helpers/polling';
import { Rig, startRig } from '../test/faults/helpers/rig';
import type { Trace } from './trace';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The trace starts at the UTC midnight after now: one billing day, and X's clock never behind the app's. */
export function traceStart(): number {
    return Math.ceil(Date.now() / DAY) * DAY;
}

export interface ModeCost {
    mode: DeliveryModeName;
    dms: number;
    audit: ConversationAudit;
    /** What X bills (the simulator's ledger for the app). */
    billedUnits: number;
    dmEventReads: number;
    dmReceivedDeliveries: number;
    usd: number;
    unitsPerDelivered: number;
    /** Polling only: reads billed if X's same-day de-duplication held (distinct events read per UTC day). */
    dedupedReads?: number;
    dedupedPerDelivered?: number;
    polls?: number;
    /** Polls that read at least one event: each re-reads at least the newest known event (X has no since_id). */
    pollsWithReads?: number;
    rateLimited?: number;
    pagesPerPoll?: number;
    /** Seconds from a DM being written on X to it being in Rocket.Chat (polling: wait for the next poll). */
    latencyP50s?: number;
    latencyP95s?: number;
    wallSeconds: number;
}

function dedupedByDay(items: LedgerItem[]): number {
    return new Set(
        items
            .filter((i) => i.kind === 'dm_event_read')
            .map((i) => `${new Date(i.at).toISOString().slice(0, 10)}:${i.eventId}`),
    ).size;
}

/** Drives the trace through X with the app linked in `mode`; returns what X billed per DM that reached Rocket.Chat. */
export async function measureModeCost(
    mode: DeliveryModeName,
    trace: Trace,
    zip: Buffer,
    log: (s: string) => void,
    inspect?: (rig: Rig) => void,
): Promise<ModeCost> {
    const wall = Date.now();
    const start = traceStart();
    const rig = await startRig({ mode, zip, shareClock: true, startAt: start, sim: { crcIntervalMs: 0 } });
    try {
        const customerIds: string[] = [];
        const customerId = (i: number) =>
            (customerIds[i] ??= rig.sim.createUser({ username: `tr${i}`, name: `Trace Customer ${i}` }).id);
        let polls = 0;
        const runJobsUntil = async (t: number) => {
            polls += await runJobsUntilOnClock(rig.clock, [rig.host], t);
        };
        let sent = 0;
        for (const dm of trace.dms) {
            await runJobsUntil(start + dm.at);
            await rig.sim.sendDm({ from: customerId(dm.customer), to: rig.business.id, text: `trace dm ${sent + 1}` });
            if (++sent % 500 === 0)
                log(`  ${mode}: ${sent}/${trace.dms.length} DMs sent (trace hour ${Math.floor(dm.at / 3_600_000)})`);
        }
        // Let the last DMs of the day be picked up (polling back-off may be long by then).
        await runJobsUntil(start + trace.durationMs + 30 * MINUTE);
        await rig.settleAll();

        const audit = auditInbound(rig.sim, rig.host.store, rig.business.id, customerIds.filter(Boolean));
        const ledger = rig.sim.ledger({ appId: DEFAULT_APP.id });
        const dmLookups = rig.sim.requests().filter((r) => r.endpoint === 'dm_events.lookup' && r.method === 'GET');
        const billedUnits = ledger.totals.dmEventReads + ledger.totals.dmReceivedDeliveries + ledger.totals.dmCreates;
        const result: ModeCost = {
            mode,
            dms: trace.dms.length,
            audit,
            billedUnits,
            dmEventReads: ledger.totals.dmEventReads,
            dmReceivedDeliveries: ledger.totals.dmReceivedDeliveries,
            usd: ledger.totals.usd,
            unitsPerDelivered: billedUnits / Math.max(1, audit.delivered),
            wallSeconds: (Date.now() - wall) / 1000,
            ...latency(rig),
        };
        if (mode === 'polling') {
            result.dedupedReads = dedupedByDay(ledger.items);
            result.dedupedPerDelivered = result.dedupedReads / Math.max(1, audit.delivered);
            result.polls = polls;
            result.pollsWithReads = new Set(
                dmLookups
                    .filter((r) => r.status === 200 && r.billableUnits > 0 && !/pagination_token/.test(r.query))
                    .map((r) => r.seq),
            ).size;
            result.rateLimited = dmLookups.filter((r) => r.status === 429).length;
            result.pagesPerPoll = dmLookups.length / Math.max(1, polls);
        }
        inspect?.(rig);
        return result;
    } finally {
        await rig.stop();
    }
}

/** From X's timestamp to the moment Rocket.Chat stored the message (the shared clock); visitor messages keep X's timestamp. */
function latency(rig: Rig): { latencyP50s?: number; latencyP95s?: number } {
    const delays: number[] = [];
    for (const m of rig.host.store.messages.values()) {
        const raw = m as { token?: string; t?: string; createdAt?: Date; updatedAt?: Date };
        if (!raw.token || raw.t || !raw.createdAt || !raw.updatedAt) continue;
        delays.push((new Date(raw.updatedAt).getTime() - new Date(raw.createdAt).getTime()) / 1000);
    }
    if (delays.length === 0) return {};
    delays.sort((a, b) => a - b);
    return {
        latencyP50s: delays[Math.floor(delays.length * 0.5)],
        latencyP95s: delays[Math.floor(delays.length * 0.95)],
    };
}

export interface NaiveCost {
    dms: number;
    delivered: number;
    dmEventReads: number;
    readsPerDelivered: number;
    dedupedReads: number;
    dedupedPerDelivered: number;
    polls: number;
    rateLimited: number;
}

/** The naive strategy on the same trace: GET /2/dm_events?max_results=100 every minute, keep what is new. */
export async function measureNaiveCost(trace: Trace): Promise<NaiveCost> {
    const start = traceStart();
    const clock = new ManualClock(start);
    const sim: XSim = await startXSim({ clock, crcIntervalMs: 0 });
    try {
        const client = new TwitterApi(
            {
                appKey: DEFAULT_APP.consumerKey,
                appSecret: DEFAULT_APP.consumerSecret,
                accessToken: DEFAULT_BUSINESS_OAUTH1.accessToken,
                accessSecret: DEFAULT_BUSINESS_OAUTH1.accessSecret,
            },
            { plugins: [createTransportPlugin(nodeSender(sim))] },
        );
        const customers: string[] = [];
        const seen = new Set<string>();
        let polls = 0;
        let rateLimited = 0;
        let next = 0;
        for (let minute = 1; minute <= trace.durationMs / MINUTE + 30; minute++) {
            const until = start + minute * MINUTE;
            for (; next < trace.dms.length && start + trace.dms[next].at < until; next++) {
                const dm = trace.dms[next];
                await clock.advance(start + dm.at - clock.now());
                const from = (customers[dm.customer] ??= sim.createUser({
                    username: `tr${dm.customer}`,
                    name: `Trace Customer ${dm.customer}`,
                }).id);
                await sim.sendDm({ from, to: DEFAULT_BUSINESS_ACCOUNT.id, text: `trace dm ${next + 1}` });
            }
            await clock.advance(until - clock.now());
            polls++;
            try {
                const page = await client.v2.get('dm_events', { event_types: 'MessageCreate', max_results: 100 });
                for (const event of (page.data ?? []) as { id: string; sender_id?: string }[])
                    if (event.sender_id !== DEFAULT_BUSINESS_ACCOUNT.id) seen.add(event.id);
            } catch (e) {
                if ((e as { code?: number }).code === 429) rateLimited++;
                else throw e;
            }
        }
        const ledger = sim.ledger({ appId: DEFAULT_APP.id });
        const reads = ledger.totals.dmEventReads;
        const deduped = dedupedByDay(ledger.items);
        return {
            dms: trace.dms.length,
            delivered: seen.size,
            dmEventReads: reads,
            readsPerDelivered: reads / Math.max(1, seen.size),
            dedupedReads: deduped,
            dedupedPerDelivered: deduped / Math.max(1, seen.size),
            polls,
            rateLimited,
        };
    } finally {
        await sim.close();
    }
}
