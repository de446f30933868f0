/**
 * Footprint: install + enable time against a hello-world app (fresh Rocket.Chat each time, rounds
 * alternating), and the app's Deno process memory (VmRSS) as webhook events accumulate, next to the floor
 * app's under the same load.
 */
import * as fs from 'fs';
import { TestHost } from '../tools/host/host';
import { webhookSecret } from '../test/e2e/helpers/app-host';
import { aaaMessageBody, callAppEndpoint, signedHeaders, startRig } from '../test/faults/helpers/rig';

export interface InstallTimes {
    rounds: number;
    appMs: number;
    helloMs: number;
    ratio: number;
    ratios: number[];
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

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

export interface MemoryCurve {
    /** events processed → VmRSS in MiB */
    app: { events: number; rssMiB: number }[];
    floor: { events: number; rssMiB: number }[];
    appRatio: number;
    floorRatio: number;
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

/** Sends `total` events to the app and to the floor, reading each Deno process's VmRSS at the checkpoints. */
export async function measureMemory(
    zips: { app: Buffer; floor: Buffer },
    total: number,
    checkpoints: number[],
    customers: number,
    log: (s: string) => void,
): Promise<MemoryCurve> {
    const rig = await startRig({ mode: 'aaa', zip: zips.app, referenceApps: [zips.floor] });
    try {
        const [floorId] = rig.referenceAppIds;
        const host = rig.host;
        const profiles = Array.from({ length: customers }, (_, i) => ({
            id: rig.customer(`mem${i}`, `Memory ${i}`),
            name: `Memory ${i}`,
            username: `mem${i}`,
        }));
        const floorSecret = 'floor-signing-secret';
        await callAppEndpoint(host, floorId, 'setup', {
            method: 'post',
            content: { secret: floorSecret, department: rig.departmentId, customers: profiles.map((p) => p.id) },
        });
        const secretPath = webhookSecret(host);
        let seq = 0n;
        const id = () => String(1_960_000_000_000_000_000n + ++seq);
        const curve: MemoryCurve = { app: [], floor: [], appRatio: NaN, floorRatio: NaN };
        const run = async (target: 'app' | 'floor') => {
            const points = target === 'app' ? curve.app : curve.floor;
            const pid = denoPid(host, target === 'app' ? host.appId : floorId);
            for (let i = 1; i <= total; i++) {
                const body = aaaMessageBody(
                    rig.business.id,
                    profiles[i % customers],
                    id(),
                    `${target} memory ${i}`,
                    Date.now(),
                );
                const r =
                    target === 'app'
                        ? await callAppEndpoint(host, host.appId, 'webhook/:secret', {
                              method: 'post',
                              params: { secret: secretPath },
                              headers: signedHeaders(rig.consumerSecret, body),
                              content: body,
                          })
                        : await callAppEndpoint(host, floorId, 'event', {
                              method: 'post',
                              headers: signedHeaders(floorSecret, body),
                              content: body,
                          });
                if (r.status !== 200) throw new Error(`${target} answered ${r.status}`);
                if (checkpoints.includes(i)) {
                    points.push({ events: i, rssMiB: rssMiB(pid) });
                    log(`  memory: ${target} after ${i} events: ${points[points.length - 1].rssMiB} MiB`);
                }
            }
        };
        await run('app');
        await run('floor');
        const ratio = (points: MemoryCurve['app']) => points[points.length - 1].rssMiB / points[0].rssMiB;
        curve.appRatio = ratio(curve.app);
        curve.floorRatio = ratio(curve.floor);
        return curve;
    } finally {
        await rig.stop();
    }
}
