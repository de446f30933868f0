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
    constructor(private current = Date.UTC(2026, 10, 21, 12, 0, 0)) {}

    public now(): number {
        return this.current;
    }

    public advance(ms: number): void {
        this.current += ms;
    }

    public set(ms: number): void {
        this.current = ms;
    }
}
