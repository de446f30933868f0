/**
 * Footprint: install + enable time against a hello-world app (fresh Rocket.Chat each time, rounds
 * alternating), and the app's Deno process memory (VmRSS) over a long run with many conversations, next to
 * the floor app's under the same inbound load. The memory verdict is the slope after warm-up (every
 * conversation open, caches full): a least-squares line through the samples, in percent of the memory at
 * the end of warm-up per 10,000 events.
 */
import * as fs from 'fs';
import { TestHost } from '../tools/host/host';
import { webhookSecret } from '../test/e2e/helpers/app-host';
import { callAppEndpoint, startRig } from '../test/faults/helpers/rig';
import { benchCustomers, Delivery, deliveryFactory, floorDelivery } from './lib/deliveries';
import { linearFit, median } from './lib/stats';

export interface InstallTimes {
    rounds: number;
    appMs: number;
    helloMs: number;
    ratio: number;
    ratios: number[];
}

async function timeInstall(zip: Buffer): Promise<number> {
    const host = await TestHost.start({ runtimeTimeoutMs: 30_000 });
    try {
        const admin = host.createUser({ username: 'admin', name: 'Ada Admin', roles: ['admin', 'user'] });
        const started = process.hrtime.bigint();
        await host.install(zip, admin);
        await host.settle();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (!(await host.isEnabled())) throw new Error('The app did not enable');
        return ms;
    } finally {
        await host.stop();
    }
}

export async function measureInstallTimes(appZip: Buffer, helloZip: Buffer, rounds: number): Promise<InstallTimes> {
    await timeInstall(helloZip); // warm the Deno module cache and the engine
    await timeInstall(appZip);
    const app: number[] = [];
    const hello: number[] = [];
    for (let r = 0; r < rounds; r++) {
        if (r % 2 === 0) {
            app.push(await timeInstall(appZip));
            hello.push(await timeInstall(helloZip));
        } else {
            hello.push(await timeInstall(helloZip));
            app.push(await timeInstall(appZip));
        }
    }
    const ratios = app.map((a, i) => a / hello[i]);
    return { rounds, appMs: median(app), helloMs: median(hello), ratio: median(ratios), ratios };
}

export interface MemoryOptions {
    customers: number;
    events: number;
    /** Events before the slope is measured: every conversation opened and served a few times. */
    warmUpEvents: number;
    sampleEvery: number;
    /** One agent reply per this many inbound events (the app only: the floor has no outbound side). */
    replyEvery: number;
    concurrency: number;
}

export interface MemorySeries {
    /** events processed → VmRSS in MiB */
    points: { events: number; rssMiB: number }[];
    /** Least-squares slope after warm-up, MiB per 10,000 events, and in percent of the memory at warm-up's end. */
    slopeMiBPer10k: number;
    slopePercentPer10k: number;
    /** Memory at the end of warm-up and at the end (fitted line), MiB. */
    warmMiB: number;
    endMiB: number;
    seconds: number;
}

export interface MemoryCurve {
    options: MemoryOptions;
    app: MemorySeries;
    floor: MemorySeries;
    /** Agent replies the app sent to X during its run. */
    replies: number;
}

function rssMiB(pid: number | undefined): number {
    if (!pid) return NaN;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
    return Math.round((kb / 1024) * 10) / 10;
}

const denoPid = (host: TestHost, appId: string) =>
    (host.manager.getOneById(appId)?.getRuntimeController() as unknown as { deno?: { pid?: number } } | undefined)?.deno
        ?.pid;

/** The slope after warm-up of a series of samples. */
export function memorySlope(
    points: { events: number; rssMiB: number }[],
    warmUpEvents: number,
): Pick<MemorySeries, 'slopeMiBPer10k' | 'slopePercentPer10k' | 'warmMiB' | 'endMiB'> {
    const after = points.filter((p) => p.events >= warmUpEvents).map((p) => ({ x: p.events, y: p.rssMiB }));
    const { slope, intercept } = linearFit(after);
    const warmMiB = intercept + slope * warmUpEvents;
    const endMiB = intercept + slope * (after[after.length - 1]?.x ?? warmUpEvents);
    return { slopeMiBPer10k: slope * 10_000, slopePercentPer10k: ((slope * 10_000) / warmMiB) * 100, warmMiB, endMiB };
}

/**
 * `events` realistic deliveries from `customers` customers to the app and then to the floor (round robin
 * over the customers, `concurrency` at a time), the app's rooms also getting an agent reply every
 * `replyEvery` events; each Deno process's VmRSS is sampled every `sampleEvery` events.
 */
export async function measureMemory(
    zips: { app: Buffer; floor: Buffer },
    options: MemoryOptions,
    log: (text: string) => void,
): Promise<MemoryCurve> {
    const rig = await startRig({ mode: 'aaa', zip: zips.app, referenceApps: [zips.floor] });
    try {
        const [floorId] = rig.referenceAppIds;
        const host = rig.host;
        // Replies must not meet the simulator's DM rate limit: X's real limit is per 15 minutes, far above this.
        rig.sim.setRateLimit('dm.send', {
            perUser: { limit: 10_000_000, windowMs: 15 * 60_000 },
            userDay: 10_000_000,
            appDay: 10_000_000,
        });
        const customers = benchCustomers(options.customers, 'mem', 11);
        for (const c of customers) rig.sim.createUser({ id: c.id, username: c.username, name: c.name });
        const floorSecret = 'floor-signing-secret';
        await callAppEndpoint(host, floorId, 'setup', {
            method: 'post',
            content: { secret: floorSecret, department: rig.departmentId, customers: customers.map((c) => c.id) },
        });
        const secretPath = webhookSecret(host);
        let seq = 0n;
        const id = () => String(1_960_000_000_000_000_000n + ++seq);
        let replies = 0;
        const roomOf = new Map<string, string>();
        const reply = async (customerId: string) => {
            let roomId = roomOf.get(customerId);
            if (!roomId) {
                roomId = host.livechatRooms().find((r) => r.isOpen && r.visitor?.username === `x-${customerId}`)?.id;
                if (!roomId) return;
                roomOf.set(customerId, roomId);
            }
            host.postAgentMessage(
                roomId,
                rig.agent,
                `Thanks, we are on it (reply ${++replies}) — https://help.example.com/a/b`,
            );
            await host.settle();
        };
        const run = async (target: 'app' | 'floor'): Promise<MemorySeries> => {
            const factory = deliveryFactory(rig.business, target === 'app' ? 21 : 22);
            const points: MemorySeries['points'] = [];
            const pid = denoPid(host, target === 'app' ? host.appId : floorId);
            const send = async (d: Delivery) => {
                if (target === 'app')
                    return callAppEndpoint(host, host.appId, 'webhook/:secret', {
                        method: 'post',
                        params: { secret: secretPath },
                        headers: d.headers,
                        content: d.content,
                    });
                const f = floorDelivery(d, floorSecret);
                return callAppEndpoint(host, floorId, 'event', {
                    method: 'post',
                    headers: f.headers,
                    content: f.content,
                });
            };
            const started = Date.now();
            let next = 0;
            let done = 0;
            const worker = async () => {
                for (;;) {
                    const i = next++;
                    if (i >= options.events) return;
                    const customer = customers[i % customers.length];
                    const r = await send(factory.next(customer, id(), Date.now()));
                    if (r.status !== 200)
                        throw new Error(`${target} answered ${r.status}: ${JSON.stringify(r.content)}`);
                    if (target === 'app' && i % options.replyEvery === options.replyEvery - 1) await reply(customer.id);
                    if (++done % options.sampleEvery === 0) {
                        points.push({ events: done, rssMiB: rssMiB(pid) });
                        if (done % (options.sampleEvery * 5) === 0)
                            log(`  memory: ${target} after ${done} events: ${points[points.length - 1].rssMiB} MiB`);
                    }
                }
            };
            await Promise.all(Array.from({ length: options.concurrency }, worker));
            await rig.settleAll();
            return {
                points,
                ...memorySlope(points, options.warmUpEvents),
                seconds: Math.round((Date.now() - started) / 1000),
            };
        };
        const app = await run('app');
        const floor = await run('floor');
        return { options, app, floor, replies };
    } finally {
        await rig.stop();
    }
}
