/** Time as the host sees it: real by default, or a manual clock tests advance. */
export interface Clock {
    now(): number;
}

export class SystemClock implements Clock {
    public now(): number {
        return Date.now();
    }
}

export class ManualClock implements Clock {
    private readonly listeners: (() => void)[] = [];

    constructor(private current = Date.UTC(2026, 10, 21, 12, 0, 0)) {}

    public now(): number {
        return this.current;
    }

    public advance(ms: number): void {
        this.set(this.current + ms);
    }

    public set(ms: number): void {
        this.current = ms;
        for (const listener of this.listeners) listener();
    }

    /** The host shares the clock with the app's runtime (app-clock.ts): it is told when the time moves. */
    public onChange(listener: () => void): void {
        this.listeners.push(listener);
    }
}
