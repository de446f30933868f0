/**
 * Asserting bridge-call counts without depending on machine speed. Besides the calls an item always makes,
 * the app re-reads a few per-instance caches once they are older than their maximum age; how many of those
 * re-reads fall into a measurement depends only on how much real time it took. A test therefore states
 * its condition (back to back, or after waiting past a cache's age), asserts the item's own calls exactly,
 * and holds the re-reads to their rule: at most one per cache per age elapsed, plus one.
 */
import { BridgeCall, callName } from '../../../tools/host/recorder';

/** Re-reads of the app's expiring caches, with each cache's maximum age (see the src file named). */
export const CACHE_REFRESHES: Record<string, number> = {
    // src/storage/account-cache.ts: ACCOUNT_TTL_MS
    'PersistenceBridge.readByAssociations(x-account)': 30_000,
    // src/bridge/outbound.ts: QUEUED_VIEW_MAX_AGE_MS
    'PersistenceBridge.readByAssociations(x-outbox)': 2_000,
    // src/lib/server-settings.ts: TTL_MS
    'ServerSettingBridge.getOneById(Message_MaxAllowedSize)': 60_000,
    'ServerSettingBridge.getOneById(Language)': 60_000,
    // src/endpoints/webhook-events.ts: EVENT_NOTE_INTERVAL_MS ("last event received", written at most once a minute)
    'PersistenceBridge.updateByAssociations(x-last-event)': 60_000,
};

export interface SplitCalls {
    /** The calls that are not cache re-reads, in order, by name. */
    own: string[];
    /** Cache re-reads by name, with their counts. */
    refreshes: Record<string, number>;
}

export function splitCalls(calls: BridgeCall[], keep: string[] = []): SplitCalls {
    const own: string[] = [];
    const refreshes: Record<string, number> = {};
    for (const call of calls) {
        const name = callName(call);
        if (name in CACHE_REFRESHES && !keep.includes(name)) refreshes[name] = (refreshes[name] ?? 0) + 1;
        else own.push(name);
    }
    return { own, refreshes };
}

/** Cache re-reads that break their rule over `elapsedMs` of real time (empty when all keep it). */
export function excessRefreshes(refreshes: Record<string, number>, elapsedMs: number): string[] {
    return Object.entries(refreshes)
        .filter(([name, n]) => n > Math.floor(elapsedMs / CACHE_REFRESHES[name]) + 1)
        .map(([name, n]) => `${name} × ${n} in ${elapsedMs} ms`);
}
