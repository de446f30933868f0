/**
 * Throughput against a floor, in one Rocket.Chat (test host) and one run: webhook events per second the
 * app processes ÷ the same for the floor app (bench/floor-app), which does only the unavoidable work of an
 * exactly-once bridge. Both get the same realistic deliveries (bench/lib/deliveries.ts: X's byte styles and
 * signature headers, URLs, non-ASCII, escapes, ten-digit ids in `users`) for the same customers (open
 * rooms), through the engine's API manager as Rocket.Chat's router calls it, and each call waits for the
 * post-event listeners it triggered (host.settle), like the e2e tests. The app verifies what Rocket.Chat
 * parsed by trying X's candidate serializations; the floor models a receiver given X's raw bytes (one HMAC).
 * Rounds alternate which side goes first; the median ratio decides, the spread (min–max) is reported.
 *
 * Also the CRC answer time ÷ a trivial endpoint's (the hello-world app's). The app answers at most CRC_BURST
 * challenges in a row per instance (src/endpoints/crc.ts), so each round runs on a fresh Rocket.Chat
 * instance over the same store — its own Deno processes, a whole allowance — instead of waiting a minute for
 * the limit to refill: the product's limit is untouched and the bench is minutes shorter.
 */
import * as crypto from 'crypto';
import { CRC_BURST } from '../src/endpoints/crc';
import { planCandidates } from '../src/x/webhook-serializations';
import { LEGACY_SIGNATURE_HEADER, OAUTH2_SIGNATURE_HEADER, verifyDeliverySignature } from '../src/x/webhook-signature';
import { DEFAULT_APP } from '../tools/x-sim/defaults';
import type { TestHost } from '../tools/host/host';
import { webhookSecret } from '../test/e2e/helpers/app-host';
import { asCurrentEngine, callAppEndpoint, guardRuntimeStdin, Rig, startRig } from '../test/faults/helpers/rig';
import {
    BenchCustomer,
    benchCustomers,
    Delivery,
    deliveryFactory,
    DeliveryFactory,
    floorDelivery,
} from './lib/deliveries';
import { median } from './lib/stats';

export interface ThroughputRun {
    concurrency: number;
    events: number;
    appEventsPerSecond: number;
    floorEventsPerSecond: number;
    /** Median of the rounds' ratios (the verdict). */
    ratio: number;
    /** Per round, app ÷ floor. */
    ratios: number[];
}

export interface ThroughputResult {
    sequential: ThroughputRun;
    concurrent: ThroughputRun;
    crc: { calls: number; crcMs: number; trivialMs: number; ratio: number; ratios: number[]; callsPerRound: number };
    /** Bridge calls per event during the runs, app and floor. */
    appCallsPerEvent: number;
    floorCallsPerEvent: number;
    /** What the deliveries were like. */
    bodies: {
        customers: number;
        meanBytes: number;
        /** Candidate serializations the verifier builds per body, on average and at most. */
        meanCandidates: number;
        maxCandidates: number;
        styles: Record<string, number>;
        signatureHeaders: Record<string, number>;
        /** The verifier alone on these bodies, in this (Node) process: milliseconds per body, median of 3 passes. */
        verifyMs: number;
    };
}

interface Side {
    name: 'app' | 'floor';
    send(delivery: Delivery): Promise<number>;
}

let eventSeq = 0n;
const nextEventId = () => String(1_950_000_000_000_000_000n + ++eventSeq);

/** Deliveries for `events` DMs, concurrent workers' customers interleaved as X's deliveries for different conversations would be. */
function batch(factory: DeliveryFactory, customers: BenchCustomer[], events: number): Delivery[] {
    return Array.from({ length: events }, (_, i) =>
        factory.next(customers[i % customers.length], nextEventId(), Date.now()),
    );
}

async function timed(side: Side, deliveries: Delivery[], concurrency: number): Promise<number> {
    let next = 0;
    const started = process.hrtime.bigint();
    const worker = async () => {
        for (;;) {
            const i = next++;
            if (i >= deliveries.length) return;
            const status = await side.send(deliveries[i]);
            if (status !== 200) throw new Error(`${side.name} answered ${status}`);
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return deliveries.length / seconds;
}

async function compare(
    s: Stage,
    events: number,
    concurrency: number,
    rounds: number,
    log: (text: string) => void,
): Promise<ThroughputRun> {
    const app: number[] = [];
    const floor: number[] = [];
    for (let r = 0; r < rounds; r++) {
        // The same bodies (and event ids) for both sides, built before the clock starts.
        const deliveries = batch(s.factory, s.customers, events);
        for (const side of r % 2 === 0 ? [s.app, s.floor] : [s.floor, s.app])
            (side.name === 'app' ? app : floor).push(await timed(side, deliveries, concurrency));
        log(`    round ${r + 1}: app ${app[r].toFixed(0)} events/s, floor ${floor[r].toFixed(0)} events/s`);
    }
    const ratios = app.map((a, i) => a / floor[i]);
    return {
        concurrency,
        events: events * rounds,
        appEventsPerSecond: median(app),
        floorEventsPerSecond: median(floor),
        ratio: median(ratios),
        ratios,
    };
}

export interface ThroughputOptions {
    eventsPerRound: number;
    rounds: number;
    concurrency: number;
    customers: number;
    crcRounds: number;
}

interface Stage {
    rig: Rig;
    app: Side;
    floor: Side;
    floorId: string;
    helloId: string;
    customers: BenchCustomer[];
    factory: DeliveryFactory;
}

/** A Rocket.Chat with the app and the reference apps, the same customers' conversations open on both sides. */
async function stage(
    zips: { app: Buffer; floor: Buffer; hello: Buffer },
    customerCount: number,
    seed: number,
): Promise<Stage> {
    const rig = await startRig({ mode: 'aaa', zip: zips.app, referenceApps: [zips.floor, zips.hello] });
    const [floorId, helloId] = rig.referenceAppIds;
    const host = rig.host;
    const customers = benchCustomers(customerCount, 'tp');
    for (const c of customers) rig.sim.createUser({ id: c.id, username: c.username, name: c.name });
    const floorSecret = 'floor-signing-secret';
    const setup = await callAppEndpoint(host, floorId, 'setup', {
        method: 'post',
        content: { secret: floorSecret, department: rig.departmentId, customers: customers.map((c) => c.id) },
    });
    if (setup.status !== 200) throw new Error(`Floor setup failed: ${JSON.stringify(setup.content)}`);
    const secretPath = webhookSecret(host);
    const app: Side = {
        name: 'app',
        send: async (d) =>
            (
                await callAppEndpoint(host, host.appId, 'webhook/:secret', {
                    method: 'post',
                    params: { secret: secretPath },
                    headers: d.headers,
                    content: d.content,
                })
            ).status,
    };
    const floor: Side = {
        name: 'floor',
        send: async (d) => {
            const f = floorDelivery(d, floorSecret);
            return (
                await callAppEndpoint(host, floorId, 'event', {
                    method: 'post',
                    headers: f.headers,
                    content: f.content,
                })
            ).status;
        },
    };
    const factory = deliveryFactory(rig.business, seed);
    // Open every conversation in the app (first messages), and warm both sides up.
    await timed(app, batch(factory, customers, customers.length), 1);
    const warm = batch(factory, customers, 100);
    await timed(app, warm, 1);
    await timed(floor, warm, 1);
    return { rig, app, floor, floorId, helloId, customers, factory };
}

/** How the verifier sees a sample of the bodies: sizes, candidates, styles and header forms. */
function describeBodies(s: Stage): ThroughputResult['bodies'] {
    const sample = batch(deliveryFactory(s.rig.business, 99), s.customers, 600);
    const candidates = sample.map((d) => {
        const plan = planCandidates(d.content);
        return plan === 'too-large' ? 0 : [...plan].length;
    });
    const tally = (values: string[]) =>
        values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
    const verifyPass = () => {
        const started = process.hrtime.bigint();
        for (const d of sample) {
            const check = verifyDeliverySignature(
                [
                    {
                        name: LEGACY_SIGNATURE_HEADER,
                        value: d.headers[LEGACY_SIGNATURE_HEADER],
                        secret: DEFAULT_APP.consumerSecret,
                    },
                    {
                        name: OAUTH2_SIGNATURE_HEADER,
                        value: d.headers[OAUTH2_SIGNATURE_HEADER],
                        secret: DEFAULT_APP.clientSecret,
                    },
                ],
                d.content,
            );
            if (!check.ok) throw new Error(`A benchmark body does not verify (${check.reason}, ${d.style})`);
        }
        return Number(process.hrtime.bigint() - started) / 1e6 / sample.length;
    };
    const verifyMs = median([verifyPass(), verifyPass(), verifyPass()]);
    return {
        verifyMs,
        customers: s.customers.length,
        meanBytes: Math.round(sample.reduce((sum, d) => sum + d.bytes, 0) / sample.length),
        meanCandidates: candidates.reduce((a, b) => a + b, 0) / candidates.length,
        maxCandidates: Math.max(...candidates),
        styles: tally(sample.map((d) => d.style)),
        signatureHeaders: tally(sample.map((d) => d.signedWith)),
    };
}

/**
 * Each phase (sequential, concurrent) gets a fresh Rocket.Chat: the test host's store answers persistence
 * reads by scanning every record (MongoDB uses an index), so a store grown by earlier phases would bill both
 * sides — the app's three-key records more than the floor's one-key ones — for a cost Rocket.Chat does not have.
 */
export async function measureThroughput(
    zips: { app: Buffer; floor: Buffer; hello: Buffer },
    options: ThroughputOptions,
    log: (text: string) => void,
): Promise<ThroughputResult> {
    let s = await stage(zips, options.customers, 1);
    try {
        const bodies = describeBodies(s);
        log(
            `  bodies: ${bodies.meanBytes} bytes and ${bodies.meanCandidates.toFixed(1)} candidate serializations on average`,
        );
        const callsPerEvent = async (side: Side) => {
            const deliveries = batch(s.factory, s.customers, 50);
            const mark = s.rig.host.calls.mark();
            await timed(side, deliveries, 1);
            return s.rig.host.calls.since(mark).length / deliveries.length;
        };
        const appCallsPerEvent = await callsPerEvent(s.app);
        const floorCallsPerEvent = await callsPerEvent(s.floor);
        log(`  throughput: sequential, ${options.rounds} rounds × ${options.eventsPerRound} events per side`);
        const sequential = await compare(s, options.eventsPerRound, 1, options.rounds, log);
        await s.rig.stop();
        s = await stage(zips, options.customers, 2);
        log(`  throughput: concurrency ${options.concurrency}`);
        const concurrent = await compare(s, options.eventsPerRound, options.concurrency, options.rounds, log);
        log(`  CRC vs trivial endpoint, ${options.crcRounds} rounds on fresh instances`);
        const crc = await crcRatio(s.rig, s.helloId, options.crcRounds, log);
        return { sequential, concurrent, crc, appCallsPerEvent, floorCallsPerEvent, bodies };
    } finally {
        await s.rig.stop();
    }
}

/** Of each round's CRC allowance, the calls that warm the fresh process up rather than being timed. */
const CRC_WARM_UP = 4;

/**
 * One round per fresh instance: CRC_WARM_UP calls to each endpoint, then CRC_BURST − CRC_WARM_UP calls to
 * each, alternating one by one (so load from the shared machine falls on both alike); the round's ratio is
 * the CRC's median call time ÷ the trivial endpoint's (a median, so one call stalled by the machine does
 * not decide the round).
 */
async function crcRatio(
    rig: Rig,
    helloId: string,
    rounds: number,
    log: (text: string) => void,
): Promise<ThroughputResult['crc']> {
    const appId = rig.host.appId;
    const secretPath = webhookSecret(rig.host);
    // X's form: the base64 of a UUID.
    const token = () => Buffer.from(crypto.randomUUID()).toString('base64');
    const crc = async (host: TestHost) => {
        const r = await callAppEndpoint(host, appId, 'webhook/:secret', {
            method: 'get',
            params: { secret: secretPath },
            query: { crc_token: token(), nonce: String(Date.now()) },
        });
        if (r.status !== 200) throw new Error(`CRC answered ${r.status}`);
    };
    const trivial = async (host: TestHost) => {
        const r = await callAppEndpoint(host, helloId, 'hello', { method: 'get' });
        if (r.status !== 200) throw new Error(`hello answered ${r.status}`);
    };
    const time = async (fn: (host: TestHost) => Promise<void>, host: TestHost) => {
        const started = process.hrtime.bigint();
        await fn(host);
        return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const measured = CRC_BURST - CRC_WARM_UP;
    const crcMs: number[] = [];
    const trivialMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
        const instance = await rig.addInstance();
        try {
            await instance.settle();
            for (let i = 0; i < CRC_WARM_UP; i++) {
                await crc(instance);
                await trivial(instance);
            }
            const crcCalls: number[] = [];
            const trivialCalls: number[] = [];
            for (let i = 0; i < measured; i++) {
                if ((i + r) % 2 === 0) {
                    crcCalls.push(await time(crc, instance));
                    trivialCalls.push(await time(trivial, instance));
                } else {
                    trivialCalls.push(await time(trivial, instance));
                    crcCalls.push(await time(crc, instance));
                }
            }
            crcMs.push(median(crcCalls));
            trivialMs.push(median(trivialCalls));
            log(`    round ${r + 1}: CRC ${crcMs[r].toFixed(2)} ms, trivial ${trivialMs[r].toFixed(2)} ms`);
        } finally {
            rig.hosts.splice(rig.hosts.indexOf(instance), 1);
            rig.front.setHosts(rig.hosts);
            guardRuntimeStdin(instance);
            asCurrentEngine(instance);
            await instance.stop();
            asCurrentEngine(rig.host);
        }
    }
    const ratios = crcMs.map((c, i) => c / trivialMs[i]);
    return {
        calls: measured * rounds,
        callsPerRound: measured,
        crcMs: median(crcMs),
        trivialMs: median(trivialMs),
        ratio: median(ratios),
        ratios,
    };
}
