/**
 * Runs work one at a time per key within this app instance (the Deno process): two deliveries for the
 * same conversation on one instance never interleave. Across instances, claims in persistence decide.
 */
const tails = new Map<string, Promise<unknown>>();

export function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
