/**
 * Runs work one at a time per key within this app instance (the Deno process), in the order it was
 * started; different keys run side by side. Across instances, claims in persistence decide.
 */
export class KeyedQueue {
    private readonly tails = new Map<string, Promise<unknown>>();

    /** Runs `work` after everything queued for `key` before it; the caller's place is taken synchronously. */
    public run<T>(key: string, work: () => Promise<T>): Promise<T> {
        const previous = this.tails.get(key) ?? Promise.resolve();
        const result = previous.then(() => work());
        // A failure belongs to its caller; the next in line runs anyway.
        const tail = result.catch(() => undefined);
        this.tails.set(key, tail);
        void tail.then(() => {
            if (this.tails.get(key) === tail) this.tails.delete(key);
        });
        return result;
    }

    public busy(key: string): boolean {
        return this.tails.has(key);
    }
}
