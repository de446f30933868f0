/**
 * The scheduler as Rocket.Chat runs it on Agenda (apps/meteor/app/apps/server/bridges/scheduler.ts over
 * packages/agenda), jobs kept in the shared store like the rocketchat_apps_scheduler collection:
 *
 * - a one-time job is a new document per call (Agenda.schedule); Rocket.Chat removes it after a
 *   successful run; one that failed stays, never to run again;
 * - a recurring job is one document per name (Agenda.every, type 'single'). Registered again, it keeps its
 *   next run — unless registered with skipImmediate, which pushes the next run a whole interval forward
 *   (Job.repeatEvery, Agenda._saveSingleJob): startup jobs move on every restart;
 * - a run locks the document (lockedAt) and computes the next run before the processor starts
 *   (Job.run); a lock is free again after the lock lifetime, 10 minutes (a crashed instance never unlocks);
 * - one instance runs one job of a name at a time (defaultConcurrency 1) but jobs of different names in
 *   parallel; several instances run jobs of the same name at once (one-time jobs are separate documents);
 * - scheduling errors are logged and swallowed: the app gets no job id and no exception.
 */
import type { IOnetimeSchedule, IProcessor, IRecurringSchedule } from '@rocket.chat/apps-engine/definition/scheduler';
import { StartupType } from '@rocket.chat/apps-engine/definition/scheduler';
import { SchedulerBridge } from '@rocket.chat/apps-engine/server/bridges/SchedulerBridge';
import type { ScheduledJob } from '../store';
import { BridgeContext } from './context';
import { trackPending } from './events';

const UNIT_MS: Record<string, number> = {
    ms: 1,
    millisecond: 1,
    second: 1000,
    minute: 60_000,
    hour: 3_600_000,
    day: 86_400_000,
    week: 604_800_000,
};

/** Agenda's default lock lifetime (packages/agenda/src/Agenda.ts: defaultLockLifeTime). */
export const LOCK_LIFETIME_MS = 10 * 60_000;

/** A one-time job that ran and failed: Agenda leaves it with no next run. */
const NEVER = Number.POSITIVE_INFINITY;

/** Agenda's human-interval subset: a number of ms, "N unit(s)", "in N unit(s)", "now"; cron is not modelled. */
export function parseInterval(value: string | number): number {
    if (typeof value === 'number') return value;
    const text = value
        .trim()
        .toLowerCase()
        .replace(/^in\s+/, '');
    if (text === 'now') return 0;
    const match = /^(\d+(?:\.\d+)?)\s*([a-z]+?)s?$/.exec(text);
    const unit = match && (UNIT_MS[match[2]] ?? (match[2] === 'sec' ? 1000 : match[2] === 'min' ? 60_000 : undefined));
    if (!match || unit === undefined || unit === null)
        throw new Error(`Test host: unsupported schedule interval "${value}"`);
    return Math.round(Number(match[1]) * unit);
}

type ProcessorFn = (data: Record<string, unknown>) => Promise<void>;

export interface JobRun {
    jobId: string;
    processorId: string;
    host: string;
    at: number;
    error?: string;
}

/** cancelJob: Rocket.Chat cancels by document id when the id (before `_`) parses as an ObjectId, else by name. */
const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id) || id.length === 12;

export class HostSchedulerBridge extends SchedulerBridge {
    public readonly processors = new Map<string, ProcessorFn>();
    public readonly runs: JobRun[] = [];
    /** Job names this instance is running now (Agenda's concurrency of 1 per name and instance). */
    private readonly running = new Set<string>();
    private stopped = false;

    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    private get clock() {
        return this.ctx.store.clock;
    }

    /** The instance goes away: jobs it is running keep their lock until the lock lifetime runs out. */
    public stop(): void {
        this.stopped = true;
    }

    /** Rocket.Chat's catch around Agenda calls: the error goes to the server log, the app gets nothing. */
    private logged<T>(what: string, fn: () => T): T | undefined {
        try {
            return fn();
        } catch (e) {
            this.ctx.store.appLogs.push({
                host: this.ctx.hostId,
                schedulerError: what,
                error: (e as Error)?.message ?? String(e),
            });
            return undefined;
        }
    }

    protected async registerProcessors(processors: IProcessor[] = [], appId: string): Promise<void | string[]> {
        const started: string[] = [];
        for (const { id, processor, startupSetting } of processors) {
            this.processors.set(id, processor as unknown as ProcessorFn);
            if (!startupSetting) continue;
            let jobId: string | void = undefined;
            if (startupSetting.type === StartupType.ONETIME) {
                // scheduleOnceAfterRegister: only when no one-time job of that name exists yet.
                const already = [...this.ctx.store.jobs.values()].some(
                    (j) => j.processorId === id && j.intervalMs === undefined,
                );
                if (!already)
                    jobId = await this.scheduleOnce(
                        { id, when: startupSetting.when, data: startupSetting.data },
                        appId,
                    );
            } else {
                jobId = await this.scheduleRecurring(
                    {
                        id,
                        interval: startupSetting.interval,
                        skipImmediate: startupSetting.skipImmediate,
                        data: startupSetting.data,
                    },
                    appId,
                );
            }
            if (jobId) started.push(jobId);
        }
        return started.length ? started : undefined;
    }

    protected async scheduleOnce({ id, when, data }: IOnetimeSchedule, appId: string): Promise<string | void> {
        return this.logged(`scheduleOnce ${id}`, () => {
            const now = this.clock.now();
            const at = when instanceof Date ? when.getTime() : now + parseInterval(when);
            if (!Number.isFinite(at)) throw new Error(`Invalid date for job ${id}`);
            const job: ScheduledJob = {
                jobId: this.ctx.store.newObjectId(),
                appId,
                processorId: id,
                data: data as Record<string, unknown>,
                nextRunAt: at,
            };
            this.ctx.store.jobs.set(job.jobId, job);
            return job.jobId;
        });
    }

    protected async scheduleRecurring(
        { id, interval, skipImmediate = false, data }: IRecurringSchedule,
        appId: string,
    ): Promise<string | void> {
        return this.logged(`scheduleRecurring ${id}`, () => {
            const intervalMs = parseInterval(interval);
            if (!(intervalMs > 0))
                throw new Error(`failed to calculate nextRunAt due to invalid repeat interval (${interval})`);
            const now = this.clock.now();
            const nextRunAt = skipImmediate ? now + intervalMs : now;
            const existing = [...this.ctx.store.jobs.values()].find(
                (j) => j.processorId === id && j.intervalMs !== undefined,
            );
            if (existing) {
                existing.intervalMs = intervalMs;
                existing.data = data as Record<string, unknown>;
                // $set when the computed next run is in the future, $setOnInsert when it is now.
                if (nextRunAt > now) existing.nextRunAt = nextRunAt;
                return existing.jobId;
            }
            const job: ScheduledJob = {
                jobId: this.ctx.store.newObjectId(),
                appId,
                processorId: id,
                data: data as Record<string, unknown>,
                intervalMs,
                nextRunAt,
            };
            this.ctx.store.jobs.set(job.jobId, job);
            return job.jobId;
        });
    }

    protected async cancelJob(jobId: string): Promise<void> {
        const documentId = jobId.split('_')[0];
        for (const [key, job] of this.ctx.store.jobs) {
            if (isObjectId(documentId) ? job.jobId === documentId : job.processorId === jobId)
                this.ctx.store.jobs.delete(key);
        }
    }

    protected async cancelAllJobs(appId: string): Promise<void> {
        for (const [key, job] of this.ctx.store.jobs) {
            if (job.appId === appId) this.ctx.store.jobs.delete(key);
        }
    }

    public isLocked(job: ScheduledJob, now = this.clock.now()): boolean {
        return job.lockedAt !== undefined && now - job.lockedAt < LOCK_LIFETIME_MS;
    }

    /**
     * One scan: every job due by the clock, not locked, of a processor this instance knows and whose name it
     * is not already running. Names run in parallel, the jobs of one name one after the other.
     */
    public async runDueJobs(): Promise<JobRun[]> {
        if (this.stopped) return [];
        const now = this.clock.now();
        const due = [...this.ctx.store.jobs.values()]
            .filter(
                (j) =>
                    j.nextRunAt <= now &&
                    this.processors.has(j.processorId) &&
                    !this.isLocked(j, now) &&
                    !this.running.has(j.processorId),
            )
            .sort((a, b) => a.nextRunAt - b.nextRunAt);
        const byName = new Map<string, ScheduledJob[]>();
        for (const job of due) byName.set(job.processorId, [...(byName.get(job.processorId) ?? []), job]);
        const done: JobRun[] = [];
        await Promise.all(
            [...byName.entries()].map(async ([name, jobs]) => {
                this.running.add(name);
                try {
                    for (const job of jobs) {
                        const run = await this.runOne(job);
                        if (run) done.push(run);
                    }
                } finally {
                    this.running.delete(name);
                }
            }),
        );
        return done;
    }

    private async runOne(job: ScheduledJob): Promise<JobRun | undefined> {
        const now = this.clock.now();
        // Agenda's findAndLockNextJob: another instance may have taken (or cancelled) it meanwhile.
        if (
            this.stopped ||
            this.ctx.store.jobs.get(job.jobId) !== job ||
            this.isLocked(job, now) ||
            job.nextRunAt > now
        )
            return undefined;
        job.lockedBy = this.ctx.hostId;
        job.lockedAt = now;
        job.lastRunAt = now;
        job.nextRunAt = job.intervalMs !== undefined ? now + job.intervalMs : NEVER;
        const run: JobRun = { jobId: job.jobId, processorId: job.processorId, host: this.ctx.hostId, at: now };
        const execution = this.processors.get(job.processorId)!({ ...(job.data ?? {}), jobId: job.jobId });
        trackPending(
            this.ctx,
            execution.catch(() => undefined),
        );
        try {
            await execution;
        } catch (e) {
            run.error = (e as Error)?.message ?? String(e);
        }
        this.runs.push(run);
        // A stopped instance never writes the end of its run: the lock stays for the lock lifetime.
        if (this.stopped) return run;
        job.lockedBy = undefined;
        job.lockedAt = undefined;
        job.lastFinishedAt = this.clock.now();
        if (run.error) {
            job.failReason = run.error;
            job.failCount = (job.failCount ?? 0) + 1;
        } else if (job.intervalMs === undefined) {
            // _callProcessor cancels a one-time ('normal') job once its processor succeeded.
            this.ctx.store.jobs.delete(job.jobId);
        }
        return run;
    }
}
