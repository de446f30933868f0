/**
 * Simulated time. Everything time-dependent in the simulator (token expiry, rate-limit windows,
 * retry schedules, CRC re-checks, media processing) reads this clock, so tests can jump hours
 * ahead without sleeping.
 */
export type TimerCallback = () => void;

export interface SimClock {
    /** Milliseconds since the Unix epoch, in simulated time. */
    now(): number;
    /** Runs `callback` once `delayMs` of simulated time has passed. */
    setTimer(delayMs: number, callback: TimerCallback): number;
    clearTimer(timerId: number): void;
}

interface PendingTimer {
    id: number;
    dueAt: number;
    callback: TimerCallback;
}

/**
 * A clock that only moves when told to. `advance` fires due timers in time order, and before
 * moving and after each instant awaits the quiesce hooks: the simulator uses them to let the HTTP
 * work in flight (deliveries, retries, CRC checks) finish, so a responsive receiver is never timed
 * out by a later timer fired in the same `advance` call.
 */
export class ManualClock implements SimClock {
    private current: number;
    private nextTimerId = 1;
    private readonly timers = new Map<number, PendingTimer>();
    private readonly quiesceHooks = new Set<() => Promise<void>>();

    constructor(startMs: number = Date.UTC(2026, 0, 15, 12, 0, 0)) {
        this.current = startMs;
    }

    now(): number {
        return this.current;
    }

    setTimer(delayMs: number, callback: TimerCallback): number {
        const id = this.nextTimerId++;
        this.timers.set(id, { id, dueAt: this.current + Math.max(0, delayMs), callback });
        return id;
    }

    clearTimer(timerId: number): void {
        this.timers.delete(timerId);
    }

    /** Registers work to await after each fired instant; returns an unregister function. */
    addQuiesceHook(hook: () => Promise<void>): () => void {
        this.quiesceHooks.add(hook);
        return () => this.quiesceHooks.delete(hook);
    }

    /**
     * Moves time forward by `ms`, firing every timer that falls due on the way. Work already in
     * flight gets its quiesce window first, so time never jumps past a request still on the wire.
     */
    async advance(ms: number): Promise<void> {
        const target = this.current + Math.max(0, ms);
        await this.quiesce();
        for (;;) {
            const due = this.earliestDueBy(target);
            if (!due) break;
            this.current = Math.max(this.current, due.dueAt);
            for (const timer of this.timersDueAt(this.current)) {
                this.timers.delete(timer.id);
                timer.callback();
            }
            await this.quiesce();
        }
        this.current = target;
        await this.quiesce();
    }

    /** Number of timers not yet fired (useful to assert nothing is left scheduled). */
    pendingTimers(): number {
        return this.timers.size;
    }

    private earliestDueBy(target: number): PendingTimer | undefined {
        let earliest: PendingTimer | undefined;
        for (const timer of this.timers.values()) {
            if (timer.dueAt > target) continue;
            if (
                !earliest ||
                timer.dueAt < earliest.dueAt ||
                (timer.dueAt === earliest.dueAt && timer.id < earliest.id)
            ) {
                earliest = timer;
            }
        }
        return earliest;
    }

    private timersDueAt(instant: number): PendingTimer[] {
        return [...this.timers.values()]
            .filter((t) => t.dueAt <= instant)
            .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    }

    private async quiesce(): Promise<void> {
        for (const hook of [...this.quiesceHooks]) await hook();
    }
}

/** Wall-clock time with real timers (the command-line simulator and the sandbox use it). */
export class SystemClock implements SimClock {
    private nextTimerId = 1;
    private readonly handles = new Map<number, NodeJS.Timeout>();

    now(): number {
        return Date.now();
    }

    setTimer(delayMs: number, callback: TimerCallback): number {
        const id = this.nextTimerId++;
        const handle = setTimeout(
            () => {
                this.handles.delete(id);
                callback();
            },
            Math.max(0, delayMs),
        );
        // A pending retry or CRC re-check must not keep a finished test process alive.
        handle.unref();
        this.handles.set(id, handle);
        return id;
    }

    clearTimer(timerId: number): void {
        const handle = this.handles.get(timerId);
        if (handle) clearTimeout(handle);
        this.handles.delete(timerId);
    }
}

export function isManualClock(clock: SimClock): clock is ManualClock {
    return clock instanceof ManualClock;
}
