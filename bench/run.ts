/**
 * `npm run bench`: cost, host round trips, throughput and footprint of the packaged app in the real
 * Apps-Engine runtime against the X simulator, as ratios measured within one run. Prints a table and
 * writes bench/results.json (a full run) or bench/results.local.json (--quick or --only runs).
 *
 *   npm run bench                      # everything, full size (several minutes)
 *   npm run bench -- --quick           # smaller trace and counts, same code paths
 *   npm run bench -- --only=cost,footprint
 *   BENCH_SKIP_PACKAGE=1 npm run bench # reuse dist/ instead of rebuilding the app
 *   BENCH_MEMORY_EVENTS=50000 npm run bench -- --only=footprint   # a longer memory run
 *   npm run bench:merge -- a.json b.json  # sections of separate --only runs (--out=) into results.json
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../tools/host/paths';
import { buildBenchApps, bundleComposition } from './lib/apps';
import { measureModeCost, measureNaiveCost, ModeCost, NaiveCost } from './cost';
import { measureInstallTimes, measureMemory, InstallTimes, MemoryCurve } from './footprint';
import { measureRoundTrips, RoundTripResults } from './roundtrips';
import { measureThroughput, ThroughputResult } from './throughput';
import { generateTrace, hourlyCounts } from './trace';
import { renderTable, Row, rowsFor } from './table';

const SECTIONS = ['cost', 'roundtrips', 'throughput', 'footprint'] as const;
type Section = (typeof SECTIONS)[number];

/** Every section names the run that measured it, so sections of separate runs can share one results file. */
interface SectionRun {
    commit: string;
    generatedAt: string;
}

export interface BenchResults {
    generatedAt: string;
    commit: string;
    quick: boolean;
    machine: {
        cpus: number;
        cpuModel: string;
        memoryGiB: number;
        node: string;
        platform: string;
        /** The 1, 5 and 15-minute load averages when the run started: ratios are fairer on a quiet machine. */
        loadAverage: number[];
    };
    trace?: {
        days: number;
        dms: number;
        replies: number;
        customers: number;
        dmsPerHour: number[];
        bursts: { atMinute: number; minutes: number; perMinute: number }[];
    };
    cost?: SectionRun & { polling: ModeCost; xaa: ModeCost; aaa: ModeCost; naive: NaiveCost };
    roundTrips?: RoundTripResults;
    throughput?: SectionRun & ThroughputResult;
    footprint?: SectionRun & {
        bundleBytes: number;
        zipBytes: number;
        bundleTop: { source: string; bytes: number }[];
        install: InstallTimes;
        memory: MemoryCurve;
    };
    rows?: Row[];
    table?: string;
    wallSeconds?: number;
}

function parseArgs(argv: string[]): { quick: boolean; only: Section[]; out?: string } {
    const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
    const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
    const only = onlyArg
        ? (onlyArg.split(',').filter((s) => (SECTIONS as readonly string[]).includes(s)) as Section[])
        : [...SECTIONS];
    const out = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
    return { quick, only, out };
}

function commitOf(): string {
    try {
        const sha = execSync('git rev-parse --short HEAD', {
            cwd: repoRoot,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
        const dirty = execSync('git status --porcelain -- src TwitterApp.ts app.json', {
            cwd: repoRoot,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
        return dirty ? `${sha}+local-changes` : sha;
    } catch {
        return 'unknown';
    }
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const stamp = (run: SectionRun): SectionRun => ({ commit: run.commit, generatedAt: run.generatedAt });

async function main(): Promise<void> {
    const started = Date.now();
    const { quick, only, out } = parseArgs(process.argv.slice(2));
    const results: BenchResults = {
        generatedAt: new Date().toISOString(),
        commit: commitOf(),
        quick,
        machine: {
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model ?? 'unknown',
            memoryGiB: Math.round(os.totalmem() / 2 ** 30),
            node: process.version,
            platform: `${os.platform()} ${os.arch()}`,
            loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
        },
    };
    log(
        `bench: building the app and the reference apps${process.env.BENCH_SKIP_PACKAGE === '1' ? ' (app from dist/)' : ''}`,
    );
    const apps = await buildBenchApps();

    // Load-sensitive sections (ratios of CPU time) first, while the machine is as quiet as it will be;
    // the cost trace runs on the simulator's clock and the round trips count calls, so they come last.
    if (only.includes('throughput')) {
        log('bench: throughput against the floor app');
        results.throughput = {
            ...stamp(results),
            ...(await measureThroughput(
                { app: apps.app.zip, floor: apps.floor.zip, hello: apps.hello.zip },
                quick
                    ? { eventsPerRound: 200, rounds: 3, concurrency: 4, customers: 20, crcRounds: 3 }
                    : { eventsPerRound: 500, rounds: 7, concurrency: 4, customers: 50, crcRounds: 9 },
                log,
            )),
        };
    }
    if (only.includes('footprint')) {
        log('bench: install + enable time against a hello-world app');
        const install = await measureInstallTimes(apps.app.zip, apps.hello.zip, quick ? 3 : 7);
        // BENCH_MEMORY_EVENTS shortens (or lengthens) the memory run; warm-up stays the first 30 %.
        const memoryEvents = Number(process.env.BENCH_MEMORY_EVENTS) || (quick ? 3000 : 20_000);
        const memoryOptions = {
            customers: 1000,
            events: memoryEvents,
            warmUpEvents: Math.round(memoryEvents * 0.3),
            sampleEvery: quick ? 250 : 500,
            replyEvery: 10,
            concurrency: 4,
        };
        log(`bench: Deno process memory over ${memoryOptions.events} events from ${memoryOptions.customers} customers`);
        const memory = await measureMemory({ app: apps.app.zip, floor: apps.floor.zip }, memoryOptions, log);
        results.footprint = {
            ...stamp(results),
            bundleBytes: apps.app.bundleBytes,
            zipBytes: apps.app.zipBytes,
            bundleTop: bundleComposition(apps.app.metafile),
            install,
            memory,
        };
    }

    if (only.includes('roundtrips')) {
        log('bench: host round trips');
        results.roundTrips = {
            ...stamp(results),
            ...(await measureRoundTrips(
                apps.app.zip,
                quick ? { burst: 10, spaced: 3 } : { burst: 30, spaced: 8 },
                log,
            )),
        };
    }
    if (only.includes('cost')) {
        const trace = generateTrace(20261121, quick ? 0.1 : 1, 3);
        results.trace = {
            days: trace.days,
            dms: trace.dms.length,
            replies: trace.replies.length,
            customers: trace.customers,
            dmsPerHour: hourlyCounts(trace),
            bursts: trace.bursts,
        };
        log(
            `bench: cost over a ${trace.days}-day trace of ${trace.dms.length} DMs from ${trace.customers} customers, ${trace.replies.length} agent replies`,
        );
        const { timeline, ...polling } = await measureModeCost('polling', trace, apps.app.zip, log);
        log(
            `  polling: ${polling.dmEventReads} reads for ${polling.audit.delivered} DMs (${polling.audit.lost} lost), floor ${polling.floor?.reads}, p95 ${polling.latencyP95s} s`,
        );
        const naive = await measureNaiveCost(timeline ?? [], trace.durationMs);
        log(`  naive poller: ${naive.dmEventReads} reads for ${naive.delivered} DMs`);
        const xaa = await measureModeCost('xaa', trace, apps.app.zip, log);
        log(`  xaa: ${xaa.billedUnits} units for ${xaa.audit.delivered} DMs`);
        const aaa = await measureModeCost('aaa', trace, apps.app.zip, log);
        log(`  aaa: ${aaa.billedUnits} units for ${aaa.audit.delivered} DMs`);
        results.cost = { ...stamp(results), polling, xaa, aaa, naive };
    }
    results.rows = rowsFor(results);
    results.table = renderTable(results.rows);
    results.wallSeconds = Math.round((Date.now() - started) / 1000);
    const target =
        out ??
        path.join(repoRoot, 'bench', quick || only.length < SECTIONS.length ? 'results.local.json' : 'results.json');
    fs.writeFileSync(target, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`\n${results.table}\n\n`);
    if (target.endsWith(`${path.sep}results.json`))
        process.stdout.write('Run `npm run bench:table` to regenerate the README table from it.\n');
    process.stdout.write(
        `${quick ? 'Quick run (smaller trace and counts). ' : ''}Commit ${results.commit}, ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}; ${results.wallSeconds} s. Written to ${path.relative(repoRoot, target)}.\n`,
    );
}

main().then(
    () => process.exit(0),
    (e: Error) => {
        process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
        process.exit(1);
    },
);
