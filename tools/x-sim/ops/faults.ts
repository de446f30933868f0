import type { SeededRandom } from '../core/random';

/** How a delivery body is written: X's bytes are not guaranteed to be compact JSON (delivery/serialize.ts). */
export type SerializationStyle =
    'compact' | 'escapedSlashes' | 'unicodeEscaped' | 'both' | 'htmlSafe' | 'htmlSafeEscapedSlashes' | 'htmlSafeAll';

export interface RequestMatch {
    method?: string;
    host?: string;
    /** Exact path or a pattern, e.g. /^\/2\/dm_events/. */
    path?: string | RegExp;
    /** Route group, e.g. `dm.send`, `dm_events.lookup`, `media.upload`. */
    endpoint?: string;
    /** The user whose token the request carries (one business account of several), as X would see it. */
    userId?: string;
}

export interface DeliveryMatch {
    /** `dm.received`, `dm.sent`, `message_create`, `crc`, ... */
    eventType?: string;
    webhookId?: string;
}

/** What happens to a matching API request. */
export type ApiFaultEffect =
    | { status: number; body?: unknown }
    /** Answer normally, but only after this many real milliseconds. */
    | { delayMs: number }
    /** Never answer; the caller's own timeout has to fire. */
    | { hang: true }
    /** Destroy the socket without answering. */
    | { dropConnection: true };

/** What happens to a matching webhook delivery. */
export type DeliveryFaultEffect =
    /** Send this many extra copies of the same bytes. */
    | { duplicate: number }
    /** Hold this delivery until the next one has been sent (swaps neighbours). */
    | { reorder: true }
    /** Send it this much simulated time later. */
    | { delayMs: number };

interface FaultLimits {
    /** How many matches it applies to (unlimited when absent). */
    times?: number;
    /** Chance of applying to a match, drawn from the seeded RNG. */
    probability?: number;
}

export type FaultSpec =
    | ({ api: ApiFaultEffect; match?: RequestMatch } & FaultLimits)
    | ({ delivery: DeliveryFaultEffect; match?: DeliveryMatch } & FaultLimits)
    | ({ serialization: SerializationStyle; match?: DeliveryMatch } & FaultLimits)
    /** Numeric-id maps (`users`, `apps`) written in a random order. */
    | ({ keyOrder: 'shuffled'; match?: DeliveryMatch } & FaultLimits);

export interface InstalledFault {
    id: string;
    spec: FaultSpec;
    remaining: number;
}

export interface RequestFacts {
    method: string;
    host: string;
    path: string;
    endpoint?: string;
    /** Who the request's user token names, when it names one (not yet verified: faults come before auth). */
    userId?: string;
}

export interface DeliveryFacts {
    eventType: string;
    webhookId: string;
}

export interface DeliveryFaultPlan {
    duplicate?: number;
    reorder?: boolean;
    delayMs?: number;
    serialization?: SerializationStyle;
    /** Seed of the shuffled key order, when one applies. */
    keyOrderSeed?: number;
}

/** Per-test fault injection, drawn deterministically from the simulator's seeded RNG. */
export class Faults {
    private readonly installed: InstalledFault[] = [];
    private nextId = 1;
    /**
     * X cannot reach the webhook (a firewall, no public HTTPS, a wrong Site URL): every call X makes to a
     * webhook URL — CRC challenges and deliveries — fails to connect, until switched back. X then answers
     * registration and re-validation with `CrcValidationFailed` (delivery/webhook-service.ts) and retries
     * deliveries, then drops them (delivery/dispatcher.ts).
     */
    webhookUnreachable = false;

    constructor(private readonly random: SeededRandom) {}

    /** Installs a fault until cleared (or until `times` matches); returns its id. */
    set(spec: FaultSpec): string {
        const id = `fault-${this.nextId++}`;
        this.installed.push({ id, spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
        return id;
    }

    /** Installs a fault for exactly one match. */
    once(spec: FaultSpec): string {
        return this.set({ ...spec, times: 1 });
    }

    /** Removes one fault, or all of them. */
    clear(id?: string): void {
        const keep = id ? this.installed.filter((fault) => fault.id !== id) : [];
        this.installed.splice(0, this.installed.length, ...keep);
    }

    list(): InstalledFault[] {
        return this.installed.map((fault) => ({ ...fault }));
    }

    /** The first API fault that matches and fires, consuming one use of it. */
    takeApiFault(facts: RequestFacts): { id: string; effect: ApiFaultEffect } | undefined {
        for (const fault of this.installed) {
            if (!('api' in fault.spec) || !matchesRequest(fault.spec.match, facts)) continue;
            if (!this.fires(fault)) continue;
            this.prune();
            return { id: fault.id, effect: fault.spec.api };
        }
        return undefined;
    }

    /** Every delivery effect that applies (one of each kind), consuming one use of each. */
    takeDeliveryFaults(facts: DeliveryFacts): DeliveryFaultPlan {
        const plan: DeliveryFaultPlan = {};
        for (const fault of this.installed) {
            const spec = fault.spec;
            if ('api' in spec || !matchesDelivery(spec.match, facts)) continue;
            if ('serialization' in spec) {
                if (plan.serialization === undefined && this.fires(fault)) plan.serialization = spec.serialization;
                continue;
            }
            if ('keyOrder' in spec) {
                if (plan.keyOrderSeed === undefined && this.fires(fault)) plan.keyOrderSeed = this.random.int(2 ** 31);
                continue;
            }
            const effect = spec.delivery;
            if ('duplicate' in effect && plan.duplicate === undefined && this.fires(fault))
                plan.duplicate = effect.duplicate;
            else if ('reorder' in effect && plan.reorder === undefined && this.fires(fault)) plan.reorder = true;
            else if ('delayMs' in effect && plan.delayMs === undefined && this.fires(fault))
                plan.delayMs = effect.delayMs;
        }
        this.prune();
        return plan;
    }

    private fires(fault: InstalledFault): boolean {
        if (fault.remaining <= 0) return false;
        if (fault.spec.probability !== undefined && !this.random.chance(fault.spec.probability)) return false;
        fault.remaining -= 1;
        return true;
    }

    /** Drops used-up faults (after a scan, so iteration never sees the array shift). */
    private prune(): void {
        const live = this.installed.filter((fault) => fault.remaining > 0);
        this.installed.splice(0, this.installed.length, ...live);
    }
}

function matchesRequest(match: RequestMatch | undefined, facts: RequestFacts): boolean {
    if (!match) return true;
    if (match.method && match.method.toUpperCase() !== facts.method) return false;
    if (match.host && match.host !== facts.host) return false;
    if (match.endpoint && match.endpoint !== facts.endpoint) return false;
    if (match.userId && match.userId !== facts.userId) return false;
    if (match.path instanceof RegExp) return match.path.test(facts.path);
    return match.path === undefined || match.path === facts.path;
}

function matchesDelivery(match: DeliveryMatch | undefined, facts: DeliveryFacts): boolean {
    if (!match) return true;
    if (match.eventType && match.eventType !== facts.eventType) return false;
    return !match.webhookId || match.webhookId === facts.webhookId;
}
