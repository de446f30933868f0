/** Tracks background work (deliveries, CRC checks) so tests can wait for it to finish. */
export class InFlight {
    private readonly pending = new Set<Promise<unknown>>();

    track<T>(work: Promise<T>): Promise<T> {
        const settled = work.finally(() => this.pending.delete(settled));
        this.pending.add(settled);
        // Failures are recorded by the work itself; never let one surface as an unhandled rejection.
        settled.catch(() => undefined);
        return work;
    }

    get size(): number {
        return this.pending.size;
    }

    /** Resolves once nothing is pending, including work started while waiting. */
    async settle(): Promise<void> {
        while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    }

    /** Like settle, but gives up after `realMs` (used between manual-clock instants). */
    async settleWithin(realMs: number): Promise<void> {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, realMs);
        });
        try {
            await Promise.race([this.settle(), deadline]);
        } finally {
            clearTimeout(timer);
        }
    }
}
