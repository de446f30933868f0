/** Customers writing to the business on X, and the clock moving on, for the fault scenarios. */
import { seededRandom } from '../../../bench/trace';
import { gradientPng } from '../../../tools/sandbox/png';
import { runJobsUntil } from './polling';
import type { Rig } from './rig';

export { seededRandom };

/** Texts exercise what X's serializations change: slashes, non-ASCII, emoji, HTML entities. */
const FLAVOURS = ['plain', 'a/b/c', 'café ñ', '✓ 名前', '😀 ok', 'Tom &amp; Jerry', 'line\nbreak', 'quote "x"'];

export function dmText(n: number, customer: string): string {
    return `#${n} from ${customer.slice(-4)} ${FLAVOURS[n % FLAVOURS.length]}`;
}

export interface DriveOptions {
    /** Simulated ms between two DMs (X's timestamps must differ for an order to exist). */
    gapMs?: number;
    /** Called before each DM (inject faults, restart instances...). */
    before?: (i: number) => Promise<void> | void;
    /** Wait for X's first delivery attempt of each DM (default true). */
    awaitDelivery?: boolean;
    /** The business accounts customers write to, one drawn (seeded) per DM (default: the rig's business). */
    accounts?: string[];
}

/** `count` DMs, each from a customer drawn (seeded) from `customers`; returns how many were written. */
export async function driveDms(
    rig: Rig,
    customers: string[],
    count: number,
    random: () => number,
    options: DriveOptions = {},
): Promise<number> {
    const gap = options.gapMs ?? 1000;
    for (let i = 0; i < count; i++) {
        await options.before?.(i);
        const lag = Date.now() - rig.clock.now();
        await rig.clock.advance(Math.max(gap, lag));
        const customer = customers[Math.floor(random() * customers.length)];
        // Drawn only with several accounts: single-account scenarios keep their seeded sequence.
        const accounts = options.accounts ?? [rig.business.id];
        const to = accounts.length > 1 ? accounts[Math.floor(random() * accounts.length)] : accounts[0];
        await rig.sim.sendDm(
            { from: customer, to, text: dmText(i, customer) },
            { awaitDelivery: options.awaitDelivery ?? true },
        );
    }
    return count;
}

/**
 * Lets X's retry schedule (3 s, 27 s, 242 s) play out while Rocket.Chat's scheduler runs the app's jobs,
 * then waits for every instance to be idle.
 */
export async function letRetriesRun(rig: Rig): Promise<void> {
    for (const step of [3_100, 27_100, 242_100]) {
        await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + step);
        await rig.settleAll();
    }
}

export function newCustomers(rig: Rig, prefix: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) =>
        rig.customer(`${prefix}${i}`, `${prefix.toUpperCase()} Customer ${i}`),
    );
}

/** A photo no other DM carries (the audit tells files apart by their bytes). */
export function photo(n: number) {
    const c = (k: number) => (n * k) % 256;
    return {
        type: 'photo' as const,
        bytes: gradientPng(4 + (n % 5), 4, [c(37), c(91), c(13)], [c(7), c(151), c(199)]),
        contentType: 'image/png',
    };
}
