import { KeyedQueue } from './keyed-queue';

/** Deliveries for the same conversation on one instance never interleave. */
const deliveries = new KeyedQueue();

export function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    return deliveries.run(key, work);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
