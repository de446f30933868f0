/**
 * Throughput against a floor, in one Rocket.Chat (test host) and one run: webhook events per second the
 * app processes ÷ the same for the floor app (bench/floor-app), which does only the unavoidable work of an
 * exactly-once bridge. Both get the same AAA `message_create` bodies for the same customers (open rooms),
 * signed with their secret, through the engine's API manager as Rocket.Chat's router calls it, and each
 * call waits for the post-event listeners it triggered (host.settle), like the e2e tests. Rounds alternate
 * which side goes first; the median ratio is reported. Also: the CRC answer time ÷ a trivial endpoint's,
 * in batches of at most the app's CRC burst with a full refill before each (the app answers at most
 * CRC_BURST challenges in a row per instance, src/endpoints/crc.ts).
 */
import * as crypto from 'crypto';
import { CRC_BURST, CRC_REFILL_MS } from '../src/endpoints/crc';
import type { TestHost } from '../tools/host/host';
import { webhookSecret } from '../test/e2e/helpers/app-host';
import { aaaMessageBody, callAppEndpoint, Rig, signedHeaders, startRig } from '../test/faults/helpers/rig';

export interface ThroughputRun {
    concurrency: number;
    events: number;
    appEventsPerSecond: number;
    floorEventsPerSecond: number;
    ratio: number;
    /** Per round, app ÷ floor. */
    ratios: number[];
}

export interface ThroughputResult {
    sequential: ThroughputRun;
    concurrent: ThroughputRun;
    crc: { calls: number; crcMs: number; trivialMs: number; ratio: number; ratios: number[] };
    /** Bridge calls per event during the runs, app and floor. */
    appCallsPerEvent: number;
    floorCallsPerEvent: number;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Side {
    name: 'app' | 'floor';
    send(customer: number, eventId: string, text: string): Promise<number>;
}

let eventSeq = 0n;
const nextEventId = () => String(1_950_000_000_000_000_000n + ++eventSeq);

async function timed(side: Side, events: number, concurrency: number, customers: number): Promise<number> {
    let next = 0;
    const started = process.hrtime.bigint();
    const worker = async (w: number) => {
        for (;;) {
            const i = next++;
            if (i >= events) return;
            // Concurrent workers take different customers, as X's deliveries for different conversations would.
            const status = await side.send(
                (i * concurrency + w) % customers,
                nextEventId(),
                `${side.name} throughput ${i}`,
            );
            if (status !== 200) throw new Error(`${side.name} answered ${status}`);
        }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return events / seconds;
}

async function compare(
    sides: [Side, Side],
    events: number,
    concurrency: number,
    rounds: number,
    customers: number,
    log: (s: string) => void,
): Promise<ThroughputRun> {
    const app: number[] = [];
    const floor: number[] = [];
    for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? sides : ([sides[1], sides[0]] as [Side, Side]);
        for (const side of order)
            (side.name === 'app' ? app : floor).push(await timed(side, events, concurrency, customers));
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
    crcCalls: number;
}

interface Stage {
    rig: Rig;
    app: Side;
    floor: Side;
    helloId: string;
    secretPath: string;
    customers: number;
}

/** A Rocket.Chat with the app and the reference apps, the same customers' conversations open on both sides. */
async function stage(zips: { app: Buffer; floor: Buffer; hello: Buffer }, customers: number): Promise<Stage> {
    const rig = await startRig({ mode: 'aaa', zip: zips.app, referenceApps: [zips.floor, zips.hello] });
    const [floorId, helloId] = rig.referenceAppIds;
    const host = rig.host;
    const profiles = Array.from({ length: customers }, (_, i) => {
        const username = `tp${i}`;
        return { id: rig.customer(username, `Throughput ${i}`), name: `Throughput ${i}`, username };
    });
    const floorSecret = 'floor-signing-secret';
    const setup = await callAppEndpoint(host, floorId, 'setup', {
        method: 'post',
        content: { secret: floorSecret, department: rig.departmentId, customers: profiles.map((p) => p.id) },
    });
    if (setup.status !== 200) throw new Error(`Floor setup failed: ${JSON.stringify(setup.content)}`);
    const secretPath = webhookSecret(host);
    const app: Side = {
        name: 'app',
        send: async (c, eventId, text) => {
            const body = aaaMessageBody(rig.business.id, profiles[c], eventId, text, Date.now());
            const r = await callAppEndpoint(host, host.appId, 'webhook/:secret', {
                method: 'post',
                params: { secret: secretPath },
                headers: signedHeaders(rig.consumerSecret, body),
                content: body,
            });
            return r.status;
        },
    };
    const floor: Side = {
        name: 'floor',
        send: async (c, eventId, text) => {
            const body = aaaMessageBody(rig.business.id, profiles[c], eventId, text, Date.now());
            return (
                await callAppEndpoint(host, floorId, 'event', {
                    method: 'post',
                    headers: signedHeaders(floorSecret, body),
                    content: body,
                })
            ).status;
        },
    };
    // Open every conversation in the app (first messages), and warm both sides up.
    for (let c = 0; c < customers; c++) await app.send(c, nextEventId(), 'opening message');
    await timed(app, 100, 1, customers);
    await timed(floor, 100, 1, customers);
    return { rig, app, floor, helloId, secretPath, customers };
}

/**
 * Each phase (sequential, concurrent) gets a fresh Rocket.Chat: the test host's store answers persistence
 * reads by scanning every record (MongoDB uses an index), so a store grown by earlier phases would bill both
 * sides — the app's three-key records more than the floor's one-key ones — for a cost Rocket.Chat does not have.
 */
export async function measureThroughput(
    zips: { app: Buffer; floor: Buffer; hello: Buffer },
    options: ThroughputOptions,
    log: (s: string) => void,
): Promise<ThroughputResult> {
    let s = await stage(zips, options.customers);
    try {
        const callsPerEvent = async (side: Side) => {
            const mark = s.rig.host.calls.mark();
            await timed(side, 50, 1, s.customers);
            return s.rig.host.calls.since(mark).length / 50;
        };
        const appCallsPerEvent = await callsPerEvent(s.app);
        const floorCallsPerEvent = await callsPerEvent(s.floor);
        log(`  throughput: sequential, ${options.rounds} rounds × ${options.eventsPerRound} events per side`);
        const sequential = await compare([s.app, s.floor], options.eventsPerRound, 1, options.rounds, s.customers, log);
        await s.rig.stop();
        s = await stage(zips, options.customers);
        log(`  throughput: concurrency ${options.concurrency}`);
        const concurrent = await compare(
            [s.app, s.floor],
            options.eventsPerRound,
            options.concurrency,
            options.rounds,
            s.customers,
            log,
        );
        log('  CRC vs trivial endpoint');
        const crc = await crcRatio(s.rig, s.rig.host, s.helloId, s.secretPath, options.crcCalls, options.rounds);
        return { sequential, concurrent, crc, appCallsPerEvent, floorCallsPerEvent };
    } finally {
        await s.rig.stop();
    }
}

async function crcRatio(
    _rig: Rig,
    host: TestHost,
    helloId: string,
    secretPath: string,
    requestedCalls: number,
    rounds: number,
): Promise<ThroughputResult['crc']> {
    const calls = Math.min(requestedCalls, CRC_BURST);
    // X's form: the base64 of a UUID.
    const token = () => Buffer.from(crypto.randomUUID()).toString('base64');
    let refilled = Promise.resolve();
    const crc = async (i: number) => {
        if (i === 0) {
            await refilled;
            refilled = new Promise((resolve) => setTimeout(resolve, CRC_BURST * CRC_REFILL_MS));
        }
        const r = await callAppEndpoint(host, host.appId, 'webhook/:secret', {
            method: 'get',
            params: { secret: secretPath },
            query: { crc_token: token(), nonce: String(i) },
        });
        if (r.status !== 200) throw new Error(`CRC answered ${r.status}`);
    };
    const trivial = async () => {
        const r = await callAppEndpoint(host, helloId, 'hello', { method: 'get' });
        if (r.status !== 200) throw new Error(`hello answered ${r.status}`);
    };
    const time = async (fn: (i: number) => Promise<void>) => {
        await fn(0);
        const started = process.hrtime.bigint();
        for (let i = 1; i < calls; i++) await fn(i);
        return Number(process.hrtime.bigint() - started) / 1e6 / (calls - 1);
    };
    await time(crc);
    await time(trivial);
    const crcMs: number[] = [];
    const trivialMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
        if (r % 2 === 0) {
            crcMs.push(await time(crc));
            trivialMs.push(await time(trivial));
        } else {
            trivialMs.push(await time(trivial));
            crcMs.push(await time(crc));
        }
    }
    const ratios = crcMs.map((c, i) => c / trivialMs[i]);
    return { calls: calls * rounds, crcMs: median(crcMs), trivialMs: median(trivialMs), ratio: median(ratios), ratios };
}
