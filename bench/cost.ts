/**
 * Cost: what X bills per delivered inbound DM over a multi-day trace (bench/trace.ts), in polling mode (DM
 * event reads) and in each webhook mode (billable units), with agents' replies and the welcome DM going out
 * as in real use (they are in the account's /2/dm_events too, so polling reads them). Polling is measured
 * against the trace's floor (bench/floor.ts: the fewest reads any poller needs at the app's p95 latency)
 * and against the naive poller on the same X timeline.
 *
 * Time: the simulator's manual clock drives X, and Rocket.Chat's scheduler follows it (shared clock), so
 * days pass in minutes. The harness only does what people do: customers write on X, agents answer in
 * their rooms, an admin set the welcome DM; time passes and Rocket.Chat runs the app's jobs. It never
 * touches the app's stored state.
 */
import { TwitterApi } from 'twitter-api-v2';
import { SettingId } from '../src/settings/ids';
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
import { pollingFloor, PollingFloor, quantileOf } from './floor';
import type { Trace } from './trace';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const WELCOME_TEXT = 'Thanks for writing to us! An agent will answer here shortly.';

/** The trace starts at the UTC midnight after now: whole billing days, and X's clock never behind the app's. */
export function traceStart(): number {
    return Math.ceil(Date.now() / DAY) * DAY;
}

/** One DM in the business account's timeline at X (either direction), as the simulator recorded it. */
export interface TimelineDm {
    at: number;
    inbound: boolean;
    /** The customer's X user id (the other participant). */
    customer: string;
}

export interface ModeCost {
    mode: DeliveryModeName;
    dms: number;
    audit: ConversationAudit;
    /** What X bills for inbound: DM event reads plus dm.received deliveries. */
    billedUnits: number;
    dmEventReads: number;
    dmReceivedDeliveries: number;
    /** DMs the business sent (welcome DMs, agents' replies): billed as DM creates. */
    dmCreates: number;
    /** Of them: replies agents wrote, welcome DMs the app sent. */
    replies: number;
    usd: number;
    unitsPerDelivered: number;
    /** Polling only: reads billed if X's same-day de-duplication held (distinct events read per UTC day). */
    dedupedReads?: number;
    dedupedPerDelivered?: number;
    /** Polls (first pages) and further pages the app asked X for. */
    polls?: number;
    pages?: number;
    rateLimited?: number;
    /** Seconds from a DM being written on X to it being in Rocket.Chat (polling: wait for the next poll). */
    latencyP50s?: number;
    latencyP95s?: number;
    /** Polling only: the trace's floor at the app's p95 latency, and the app's reads ÷ the floor's. */
    floor?: PollingFloor;
    readsToFloor?: number;
    /** Polling only: the account's timeline at X (both directions), for the naive poller and the floor. */
    timeline?: TimelineDm[];
    wallSeconds: number;
}

function dedupedByDay(items: LedgerItem[]): number {
    return new Set(
        items
            .filter((i) => i.kind === 'dm_event_read')
            .map((i) => `${new Date(i.at).toISOString().slice(0, 10)}:${i.eventId}`),
    ).size;
}

/** Every DM between the business and the trace's customers, oldest first. */
function timelineOf(sim: XSim, business: string, customerIds: string[]): TimelineDm[] {
    const customers = new Set(customerIds);
    const inbound = customerIds.flatMap((c) =>
        sim.dmsSentBy(c, { to: business }).map((d) => ({ at: d.createdAt, inbound: true, customer: c })),
    );
    const outbound = sim
        .dmsSentBy(business)
        .filter((d) => customers.has(d.recipientId))
        .map((d) => ({ at: d.createdAt, inbound: false, customer: d.recipientId }));
    return [...inbound, ...outbound].sort((a, b) => a.at - b.at);
}

/**
 * Drives the trace through X with the app linked in `mode`: customers write, agents answer in the
 * customer's room once the DM they answer is there; returns what X billed per DM that reached Rocket.Chat.
 */
export async function measureModeCost(
    mode: DeliveryModeName,
    trace: Trace,
    zip: Buffer,
    log: (s: string) => void,
    inspect?: (rig: Rig) => void,
): Promise<ModeCost> {
    const wall = Date.now();
    const start = traceStart();
    const rig = await startRig({
        mode,
        zip,
        shareClock: true,
        startAt: start,
        sim: { crcIntervalMs: 0 },
        settings: { [SettingId.WelcomeMessage]: WELCOME_TEXT },
    });
    try {
        const customerIds: string[] = [];
        const customerId = (i: number) =>
            (customerIds[i] ??= rig.sim.createUser({ username: `tr${i}`, name: `Trace Customer ${i}` }).id);
        const runJobsUntil = (t: number) => runJobsUntilOnClock(rig.clock, [rig.host], t);
        const roomIds = new Map<string, string>();
        const roomOf = (customer: string) => {
            const known = roomIds.get(customer);
            if (known && rig.host.livechatRooms().some((r) => r.id === known && r.isOpen)) return known;
            const room = rig.host.livechatRooms().find((r) => r.isOpen && r.visitor?.username === `x-${customer}`);
            if (room) roomIds.set(customer, room.id);
            return room?.id;
        };
        const dmCreatedAt: number[] = [];
        /** The room, once the answered DM is in it (the visitor's message keeps X's timestamp). */
        const answerable = (reply: Trace['replies'][number]) => {
            const roomId = roomOf(customerId(reply.customer));
            if (!roomId || dmCreatedAt[reply.dm] === undefined) return undefined;
            const there = rig.host
                .messagesIn(roomId)
                .some((m) => new Date(m.createdAt ?? 0).getTime() === dmCreatedAt[reply.dm]);
            return there ? roomId : undefined;
        };
        let waiting: Trace['replies'] = [];
        let replies = 0;
        const answer = () => {
            waiting = waiting.filter((reply) => {
                const roomId = answerable(reply);
                if (!roomId) return true;
                rig.host.postAgentMessage(roomId, rig.agent, `reply ${++replies} to trace dm ${reply.dm + 1}`);
                return false;
            });
        };
        type Step = { at: number; dm: number; reply?: undefined } | { at: number; reply: Trace['replies'][number] };
        const steps: Step[] = [
            ...trace.dms.map((dm, i) => ({ at: dm.at, dm: i })),
            ...trace.replies.map((reply) => ({ at: reply.at, reply })),
        ].sort((a, b) => a.at - b.at);
        let sent = 0;
        for (const step of steps) {
            await runJobsUntil(start + step.at);
            if (step.reply) {
                waiting.push(step.reply);
                answer();
                continue;
            }
            const dm = trace.dms[step.dm];
            const { dm: view } = await rig.sim.sendDm({
                from: customerId(dm.customer),
                to: rig.business.id,
                text: `trace dm ${step.dm + 1}`,
            });
            dmCreatedAt[step.dm] = view.createdAt;
            if (waiting.length) answer();
            if (++sent % 1000 === 0)
                log(`  ${mode}: ${sent}/${trace.dms.length} DMs sent (trace hour ${Math.floor(dm.at / 3_600_000)})`);
        }
        // Let the last DMs be picked up (polling back-off may be long by then) and the last replies go out.
        for (let t = 5; t <= 30; t += 5) {
            await runJobsUntil(start + trace.durationMs + t * MINUTE);
            answer();
        }
        await rig.settleAll();

        const audit = auditInbound(rig.sim, rig.host.store, rig.business.id, customerIds.filter(Boolean));
        const ledger = rig.sim.ledger({ appId: DEFAULT_APP.id });
        const lookups = rig.sim.requests().filter((r) => r.endpoint === 'dm_events.lookup' && r.method === 'GET');
        const billedUnits = ledger.totals.dmEventReads + ledger.totals.dmReceivedDeliveries;
        const result: ModeCost = {
            mode,
            dms: trace.dms.length,
            audit,
            billedUnits,
            dmEventReads: ledger.totals.dmEventReads,
            dmReceivedDeliveries: ledger.totals.dmReceivedDeliveries,
            dmCreates: ledger.totals.dmCreates,
            replies,
            usd: ledger.totals.usd,
            unitsPerDelivered: billedUnits / Math.max(1, audit.delivered),
            wallSeconds: (Date.now() - wall) / 1000,
            ...latency(rig),
        };
        if (mode === 'polling') {
            result.dedupedReads = dedupedByDay(ledger.items);
            result.dedupedPerDelivered = result.dedupedReads / Math.max(1, audit.delivered);
            result.polls = lookups.filter((r) => !/pagination_token/.test(r.query)).length;
            result.pages = lookups.length;
            result.rateLimited = lookups.filter((r) => r.status === 429).length;
            const timeline = timelineOf(rig.sim, rig.business.id, customerIds.filter(Boolean));
            result.timeline = timeline;
            result.floor = pollingFloor(timeline, (result.latencyP95s ?? 0) * 1000, 0.95);
            result.readsToFloor = result.dmEventReads / Math.max(1, result.floor.reads);
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
    return { latencyP50s: quantileOf(delays, 0.5), latencyP95s: quantileOf(delays, 0.95) };
}

export interface NaiveCost {
    dms: number;
    delivered: number;
    /** Inbound DMs it never saw (more than a page arrived between two polls). */
    missed: number;
    dmEventReads: number;
    readsPerDelivered: number;
    dedupedReads: number;
    dedupedPerDelivered: number;
    polls: number;
    rateLimited: number;
    latencyP95s?: number;
}

/**
 * The naive strategy on the app's X timeline (the same DMs both ways at the same times, replayed into a
 * fresh simulator): GET /2/dm_events?max_results=100 every minute, keep what is new.
 */
export async function measureNaiveCost(timeline: TimelineDm[], durationMs: number): Promise<NaiveCost> {
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
        const business = DEFAULT_BUSINESS_ACCOUNT.id;
        const users = new Map<string, string>();
        const userFor = (customer: string) => {
            if (!users.has(customer))
                users.set(customer, sim.createUser({ username: `n${users.size}`, name: `Customer ${users.size}` }).id);
            return users.get(customer)!;
        };
        const seen = new Map<string, number>();
        const writtenAt = new Map<string, number>();
        let polls = 0;
        let rateLimited = 0;
        let next = 0;
        const end = Math.max(start + durationMs, (timeline.at(-1)?.at ?? start) + MINUTE) + 30 * MINUTE;
        for (let until = start + MINUTE; until <= end; until += MINUTE) {
            for (; next < timeline.length && timeline[next].at < until; next++) {
                const event = timeline[next];
                if (event.at > clock.now()) await clock.advance(event.at - clock.now());
                const customer = userFor(event.customer);
                const { dm } = await sim.sendDm(
                    event.inbound
                        ? { from: customer, to: business, text: `dm ${next}` }
                        : { from: business, to: customer, text: `reply ${next}` },
                );
                if (event.inbound) writtenAt.set(dm.id, dm.createdAt);
            }
            await clock.advance(until - clock.now());
            polls++;
            try {
                const page = await client.v2.get('dm_events', {
                    event_types: 'MessageCreate',
                    max_results: 100,
                    'dm_event.fields': 'id,created_at',
                    expansions: 'sender_id',
                });
                for (const event of (page.data ?? []) as { id: string; sender_id?: string }[])
                    if (event.sender_id !== business && !seen.has(event.id)) seen.set(event.id, clock.now());
            } catch (e) {
                if ((e as { code?: number }).code === 429) rateLimited++;
                else throw e;
            }
        }
        const ledger = sim.ledger({ appId: DEFAULT_APP.id });
        const reads = ledger.totals.dmEventReads;
        const deduped = dedupedByDay(ledger.items);
        const delays = [...seen].map(([id, at]) => (at - (writtenAt.get(id) ?? at)) / 1000);
        return {
            dms: writtenAt.size,
            delivered: seen.size,
            missed: writtenAt.size - seen.size,
            dmEventReads: reads,
            readsPerDelivered: reads / Math.max(1, seen.size),
            dedupedReads: deduped,
            dedupedPerDelivered: deduped / Math.max(1, seen.size),
            polls,
            rateLimited,
            latencyP95s: delays.length ? quantileOf(delays, 0.95) : undefined,
        };
    } finally {
        await sim.close();
    }
}
