/**
 * Driving the poller on the simulator's clock. Rocket.Chat's scheduler follows the simulator (shared clock),
 * but the app's Date.now() is real time, so the one decision the poller makes on its own clock — "do not
 * poll before notBefore" (quiet back-off, a 429's reset, a transient error) — is translated after each run:
 * the poller job moves to the first run the app would have accepted (same interval grid) and notBefore is
 * cleared. X's answers, the stop rule and the page sizes stay the app's own.
 */
import { POLLER_JOB_ID } from '../../../src/jobs/ids';
import { LOCK_LIFETIME_MS } from '../../../tools/host/bridges/scheduler';
import type { TestHost } from '../../../tools/host/host';
import type { ManualClock } from '../../../tools/x-sim/core/clock';

export function pollerJob(host: TestHost) {
    return [...host.store.jobs.values()].find(
        (j) => j.processorId.startsWith(POLLER_JOB_ID) && j.intervalMs !== undefined,
    );
}

export function translatePollState(host: TestHost, pollAtSim: number): void {
    const record = [...host.store.appPersistence(host.appId).values()].find((r) =>
        r.associations.some((a) => a.id === 'x-poll-state'),
    );
    const state = record?.data as { notBefore?: number | null; lastPollAt?: number; lastError?: string } | undefined;
    if (!record || !state || typeof state.notBefore !== 'number') return;
    const job = pollerJob(host);
    if (!job || !job.intervalMs) return;
    const dueSim =
        state.lastError === 'rate-limited'
            ? state.notBefore
            : pollAtSim + (state.notBefore - (state.lastPollAt ?? state.notBefore));
    const steps = Math.max(1, Math.ceil((dueSim - pollAtSim) / job.intervalMs));
    job.nextRunAt = Math.max(job.nextRunAt, pollAtSim + steps * job.intervalMs);
    record.data = { ...state, notBefore: undefined };
}

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
 * a cluster's Agenda), translating the poller's notBefore after each poll. Returns the number of polls.
 */
export async function runJobsUntil(clock: ManualClock, hosts: TestHost[], until: number): Promise<number> {
    let polls = 0;
    let turn = 0;
    for (;;) {
        const due = nextJobDue(hosts[0]);
        if (due === undefined || due > until) break;
        if (due > clock.now()) await clock.advance(due - clock.now());
        const host = hosts[turn++ % hosts.length];
        const at = clock.now();
        const runs = await host.runDueJobs();
        if (runs.some((r) => r.processorId.startsWith(POLLER_JOB_ID))) {
            polls++;
            translatePollState(host, at);
        }
        // Due but not runnable here (locked, or no processor): let time move on.
        if (runs.length === 0) break;
    }
    if (until > clock.now()) await clock.advance(until - clock.now());
    return polls;
}
