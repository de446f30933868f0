import type { AuthContext } from '../auth/authenticate';
import type { SimClock } from '../core/clock';
import { epochSeconds } from '../core/time-format';

export interface Quota {
    limit: number;
    windowMs: number;
}

/** One endpoint group's limits (X counts per user-per-app and per app). */
export interface RateLimitPolicy {
    /** The window reported in `x-rate-limit-*` for user-context calls. */
    perUser?: Quota;
    /** The window reported in `x-rate-limit-*` for app-only calls (and enforced for all calls). */
    perApp?: Quota;
    /** Requests per 24 h per user (`x-user-limit-24hour-*`). */
    userDay?: number;
    /** Requests per 24 h per app (`x-app-limit-24hour-*`). */
    appDay?: number;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const ONE_DAY = 24 * 60 * 60 * 1000;

/**
 * Defaults from X's 2026 rate-limit table (x-api.md §6, §3); the users and subscription values are
 * X's long-standing v2 numbers.
 */
export const DEFAULT_RATE_LIMITS: Record<string, RateLimitPolicy> = {
    'dm_events.lookup': { perUser: { limit: 15, windowMs: FIFTEEN_MINUTES } },
    // docs:x-api/fundamentals/rate-limits.mdx (2026): POST send 15/15 min and 1,440/24 h per user, 1,440/24 h
    // per app. "Per user" is per user and app; the app's day is one budget for every account linked to it.
    'dm.send': { perUser: { limit: 15, windowMs: FIFTEEN_MINUTES }, userDay: 1440, appDay: 1440 },
    'dm_media.download': { perUser: { limit: 900, windowMs: FIFTEEN_MINUTES } },
    'media.upload': { perUser: { limit: 1875, windowMs: FIFTEEN_MINUTES }, appDay: 180000 },
    'users.me': { perUser: { limit: 75, windowMs: FIFTEEN_MINUTES } },
    'users.lookup': {
        perUser: { limit: 900, windowMs: FIFTEEN_MINUTES },
        perApp: { limit: 300, windowMs: FIFTEEN_MINUTES },
    },
    webhooks: { perApp: { limit: 450, windowMs: FIFTEEN_MINUTES } },
    'webhooks.replay': { perApp: { limit: 100, windowMs: FIFTEEN_MINUTES } },
    'activity.subscriptions': { perApp: { limit: 450, windowMs: FIFTEEN_MINUTES } },
    'account_activity.subscriptions': { perApp: { limit: 500, windowMs: FIFTEEN_MINUTES } },
    'tweets.create': { perUser: { limit: 100, windowMs: FIFTEEN_MINUTES }, appDay: 10000 },
    'users.mentions': {
        perUser: { limit: 180, windowMs: FIFTEEN_MINUTES },
        perApp: { limit: 450, windowMs: FIFTEEN_MINUTES },
    },
    'tweets.lookup': {
        perUser: { limit: 900, windowMs: FIFTEEN_MINUTES },
        perApp: { limit: 450, windowMs: FIFTEEN_MINUTES },
    },
};

interface Window {
    startedAt: number;
    used: number;
}

interface Counter {
    key: string;
    limit: number;
    windowMs: number;
    header?: 'primary' | 'user-day' | 'app-day';
}

export type RateLimitDecision = { allowed: boolean; headers: Record<string, string> };

/** Fixed windows that start at the first request, like X's `x-rate-limit-reset`. */
export class RateLimiter {
    private readonly policies = new Map<string, RateLimitPolicy>(Object.entries(DEFAULT_RATE_LIMITS));
    private readonly windows = new Map<string, Window>();

    constructor(private readonly clock: SimClock) {}

    /** Overrides an endpoint group's limits (fields left out keep their values) and resets its windows. */
    setPolicy(endpointKey: string, policy: Partial<RateLimitPolicy>): void {
        this.policies.set(endpointKey, { ...this.policies.get(endpointKey), ...policy });
        for (const key of [...this.windows.keys()]) if (key.startsWith(`${endpointKey}|`)) this.windows.delete(key);
    }

    policy(endpointKey: string): RateLimitPolicy | undefined {
        return this.policies.get(endpointKey);
    }

    /** Counts one request against every applicable window, unless one is exhausted. */
    consume(endpointKey: string, auth: AuthContext): RateLimitDecision {
        const counters = this.countersFor(endpointKey, auth);
        const now = this.clock.now();
        const states = counters.map((counter) => ({ counter, window: this.currentWindow(counter, now) }));
        const allowed = states.every(({ counter, window }) => window.used < counter.limit);
        if (allowed) for (const { window } of states) window.used += 1;

        const headers: Record<string, string> = {};
        for (const { counter, window } of states) {
            if (!counter.header) continue;
            const prefix = {
                primary: 'x-rate-limit',
                'user-day': 'x-user-limit-24hour',
                'app-day': 'x-app-limit-24hour',
            }[counter.header];
            headers[`${prefix}-limit`] = String(counter.limit);
            headers[`${prefix}-remaining`] = String(Math.max(0, counter.limit - window.used));
            headers[`${prefix}-reset`] = String(epochSeconds(window.startedAt + counter.windowMs));
        }
        return { allowed, headers };
    }

    private countersFor(endpointKey: string, auth: AuthContext): Counter[] {
        const policy = this.policies.get(endpointKey);
        if (!policy) return [];
        const userId = auth.kind === 'app-bearer' ? undefined : auth.user.id;
        const appKey = `${endpointKey}|app|${auth.app.id}`;
        const userKey = userId ? `${endpointKey}|user|${auth.app.id}|${userId}` : undefined;
        const counters: Counter[] = [];
        const primaryIsUser = Boolean(userKey && policy.perUser);
        if (userKey && policy.perUser)
            counters.push({ key: `${userKey}|window`, ...policy.perUser, header: 'primary' });
        if (policy.perApp)
            counters.push({ key: `${appKey}|window`, ...policy.perApp, header: primaryIsUser ? undefined : 'primary' });
        if (userKey && policy.userDay !== undefined)
            counters.push({ key: `${userKey}|day`, limit: policy.userDay, windowMs: ONE_DAY, header: 'user-day' });
        if (policy.appDay !== undefined)
            counters.push({ key: `${appKey}|day`, limit: policy.appDay, windowMs: ONE_DAY, header: 'app-day' });
        return counters;
    }

    private currentWindow(counter: Counter, now: number): Window {
        const existing = this.windows.get(counter.key);
        if (existing && now < existing.startedAt + counter.windowMs) return existing;
        const fresh = { startedAt: now, used: 0 };
        this.windows.set(counter.key, fresh);
        return fresh;
    }
}
