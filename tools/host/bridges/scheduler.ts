/**
 * The scheduler as Rocket.Chat runs it on Agenda (apps/meteor/app/apps/server/bridges/scheduler.ts):
 * one-time jobs are separate documents removed after they run; a recurring job is unique per processor;
 * jobs live in the shared store so a cluster of hosts runs each due job once; time comes from the clock.
 */
import type { IOnetimeSchedule, IProcessor, IRecurringSchedule } from '@rocket.chat/apps-engine/definition/scheduler';
import { StartupType } from '@rocket.chat/apps-engine/definition/scheduler';
import { SchedulerBridge } from '@rocket.chat/apps-engine/server/bridges/SchedulerBridge';
import type { ScheduledJob } from '../store';
import { BridgeContext } from './context';
import { trackPending } from './events';

const UNIT_MS: Record<string, number> = { ms: 1, millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

/** Agenda's human-interval subset: a number of ms, "N unit(s)", "in N unit(s)", "now"; cron is not modelled. */
export function parseInterval(value: string | number): number {
    if (typeof value === 'number') return value;
    const text = value.trim().toLowerCase().replace(/^in\s+/, '');
    if (text === 'now') return 0;
    const match = /^(\d+(?:\.\d+)?)\s*([a-z]+?)s?$/.exec(text);
    const unit = match && (UNIT_MS[match[2]] ?? (match[2] === 'sec' ? 1000 : match[2] === 'min' ? 60_000 : undefined));
    if (!match || unit === undefined || unit === null) throw new Error(`Test host: unsupported schedule interval "${value}"`);
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

export class HostSchedulerBridge extends SchedulerBridge {
    public readonly processors = new Map<string, ProcessorFn>();
    public readonly runs: JobRun[] = [];
    private jobCounter = 0;

    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    protected async registerProcessors(processors: IProcessor[] = [], appId: string): Promise<void | string[]> {
        const started: string[] = [];
        for (const { id, processor, startupSetting } of processors) {
            this.processors.set(id, processor as unknown as ProcessorFn);
            if (!startupSetting) continue;
            if (startupSetting.type === StartupType.ONETIME) {
                const already = [...this.ctx.store.jobs.values()].some((j) => j.processorId === id && j.intervalMs === undefined);
                if (!already) started.push(await this.scheduleOnce({ id, when: startupSetting.when, data: startupSetting.data }, appId));
            } else {
                started.push(
                    await this.scheduleRecurring(
                        { id, interval: startupSetting.interval, skipImmediate: startupSetting.skipImmediate, data: startupSetting.data },
                        appId,
                    ),
                );
            }
        }
        return started.length ? started : undefined;
    }

    /** Unique in the shared store, also across restarts of a host with the same id (its counter starts again). */
    private newJobId(): string {
        return `job-${this.ctx.hostId}-${++this.jobCounter}-${this.ctx.store.newId()}`;
    }

    protected async scheduleOnce({ id, when, data }: IOnetimeSchedule, appId: string): Promise<string> {
        const now = this.ctx.store.clock.now();
        const at = when instanceof Date ? when.getTime() : now + parseInterval(when);
        const job: ScheduledJob = { jobId: this.newJobId(), appId, processorId: id, data: data as Record<string, unknown>, nextRunAt: at };
        this.ctx.store.jobs.set(job.jobId, job);
        return job.jobId;
    }

    protected async scheduleRecurring({ id, interval, skipImmediate, data }: IRecurringSchedule, appId: string): Promise<string> {
        const intervalMs = parseInterval(interval);
        if (intervalMs <= 0) throw new Error(`Test host: recurring interval must be positive (${interval})`);
        const now = this.ctx.store.clock.now();
        const existing = [...this.ctx.store.jobs.values()].find((j) => j.processorId === id && j.intervalMs !== undefined);
        const job: ScheduledJob = {
            jobId: existing?.jobId ?? this.newJobId(),
            appId,
            processorId: id,
            data: data as Record<string, unknown>,
            intervalMs,
            nextRunAt: skipImmediate ? now + intervalMs : now,
        };
        this.ctx.store.jobs.set(job.jobId, job);
        return job.jobId;
    }

    protected async cancelJob(jobId: string): Promise<void> {
        for (const [key, job] of this.ctx.store.jobs) {
            if (job.jobId === jobId || job.processorId === jobId) this.ctx.store.jobs.delete(key);
        }
    }

    protected async cancelAllJobs(appId: string): Promise<void> {
        for (const [key, job] of this.ctx.store.jobs) {
            if (job.appId === appId) this.ctx.store.jobs.delete(key);
        }
    }

    /** Runs every job due by the clock once (a job locked by another host is skipped, like Agenda's lock). */
    public async runDueJobs(): Promise<JobRun[]> {
        const now = this.ctx.store.clock.now();
        const due = [...this.ctx.store.jobs.values()]
            .filter((j) => j.nextRunAt <= now && !j.lockedBy && this.processors.has(j.processorId))
            .sort((a, b) => a.nextRunAt - b.nextRunAt);
        const done: JobRun[] = [];
        for (const job of due) {
            if (!this.ctx.store.jobs.has(job.jobId) || job.lockedBy) continue;
            job.lockedBy = this.ctx.hostId;
            const run: JobRun = { jobId: job.jobId, processorId: job.processorId, host: this.ctx.hostId, at: now };
            const execution = this.processors.get(job.processorId)!({ ...(job.data ?? {}), jobId: job.jobId });
            trackPending(this.ctx, execution.catch(() => undefined));
            try {
                await execution;
            } catch (e) {
                run.error = (e as Error)?.message ?? String(e);
            }
            job.lockedBy = undefined;
            if (job.intervalMs === undefined) {
                // Agenda removes a one-time job after a successful run and leaves a failed one unrun.
                this.ctx.store.jobs.delete(job.jobId);
            } else if (this.ctx.store.jobs.get(job.jobId) === job) {
                job.nextRunAt = Math.max(job.nextRunAt + job.intervalMs, now + 1);
            }
            this.runs.push(run);
            done.push(run);
        }
        return done;
    }
}
