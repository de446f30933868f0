/**
 * Driving the scheduler on the simulator's clock (Rocket.Chat's scheduler follows it: shared clock). The
 * poller counts its waits (quiet back-off, a 429's reset, X's request budget) in its own runs, so nothing
 * of its state is touched here: time passes, jobs run, as on a server.
 */
import { POLLER_JOB_ID } from '../../../src/jobs/ids';
import { LOCK_LIFETIME_MS } from '../../../tools/host/bridges/scheduler';
import type { TestHost } from '../../../tools/host/host';
import type { ManualClock } from '../../../tools/x-sim/core/clock';
import type { XSim } from '../../../tools/x-sim/sim';

/** When the next job can run: its next run, or for one a crashed instance left locked, when Agenda's lock lifetime ends. */
export function nextJobDue(host: TestHost): number | undefined {
    let due: number | undefined;
    for (const job of host.store.jobs.values()) {
        const at =
            job.lockedAt !== undefined ? Math.max(job.nextRunAt, job.lockedAt + LOCK_LIFETIME_MS) : job.nextRunAt;
        if (Number.isFinite(at) && (due === undefined || at < due)) due = at;
    }
    return due;
}

/**
 * Moves the shared clock to `until`, running every job that falls due on the way on `hosts` (in turn, like
 * a cluster's Agenda). Returns the number of poller runs (polls and skipped runs).
 */
export async function runJobsUntil(clock: ManualClock, hosts: TestHost[], until: number): Promise<number> {
    let polls = 0;
    let turn = 0;
    for (;;) {
        const due = nextJobDue(hosts[0]);
        if (due === undefined || due > until) break;
        if (due > clock.now()) await clock.advance(due - clock.now());
        const host = hosts[turn++ % hosts.length];
        const runs = await host.runDueJobs();
        if (runs.some((r) => r.processorId.startsWith(POLLER_JOB_ID))) polls++;
        // Due but not runnable here (locked, or no processor): let time move on.
        if (runs.length === 0) break;
    }
    if (until > clock.now()) await clock.advance(until - clock.now());
    return polls;
}

/**
 * Runs the poller one interval apart until it reads X once (it may be waiting out a quiet back-off or
 * X's request budget, counted in its runs); at most `maxRuns` runs. Returns whether it read.
 */
export async function runUntilPolled(
    clock: ManualClock,
    host: TestHost,
    sim: XSim,
    intervalMs = 60_000,
    maxRuns = 40,
): Promise<boolean> {
    const reads = () => sim.requests().filter((r) => r.endpoint === 'dm_events.lookup').length;
    const before = reads();
    for (let i = 0; i < maxRuns; i++) {
        await host.runJobNow(POLLER_JOB_ID);
        if (reads() > before) return true;
        await clock.advance(intervalMs);
    }
    return false;
}
