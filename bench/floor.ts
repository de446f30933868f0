/**
 * The polling floor: the fewest billable reads ANY poller needs to deliver a trace's inbound DMs with a
 * given latency at a given quantile, computed from the trace alone (what X held and when), not from the
 * app's polls.
 *
 * The model is X's, not the app's: GET /2/dm_events returns the account's DM events (customers' and the
 * business's own) newest first, in pages of 1–100, each returned event billed; it has no since_id, so a
 * poll only knows it has reached what it read before when it returns one event it already had (or X's
 * history ends). A poll at time p therefore costs the events that arrived since the previous poll plus
 * one, and delivers every inbound DM written before p. The floor poller is granted everything else: it
 * knows when DMs arrive (never polls in vain), sizes every page exactly, and is not held to X's request
 * limit — so no real poller can do better.
 *
 * What remains is when to poll. Every event up to the last poll is read once whatever the schedule, and
 * the last poll is best at the last inbound DM, so the reads are those events plus one per poll after the
 * first (the first reaches the start of X's history: the trace starts with an empty inbox). The fewest polls such that at most k DMs wait longer than L
 * (k = what the quantile allows) is an interval-covering problem with k exceptions, solved exactly by
 * dynamic programming over the DMs in time order: the earliest DM not yet handled is either an exception
 * (a later poll delivers it late) or covered by a poll L after it, which covers every DM up to then.
 * Without loss the last DM is covered (a poll that delivers late exceptions at the end may as well be at
 * the last DM), so every exception is delivered.
 */

export interface TimelineEvent {
    /** When X recorded it (ms). */
    at: number;
    /** A customer's DM to the business (delivered by the poller) rather than one the business sent. */
    inbound: boolean;
}

export interface PollingFloor {
    inbound: number;
    /** Events of the timeline the floor reads: everything up to its last poll. */
    eventsRead: number;
    polls: number;
    reads: number;
    readsPerDm: number;
    /** The latency bound L and the quantile it holds at. */
    latencyMs: number;
    quantile: number;
    /** DMs allowed to wait longer than L (and how many the schedule actually lets wait). */
    exceptionsAllowed: number;
    exceptionsUsed: number;
    /** The floor's schedule met the bound (checked on the schedule itself). */
    latencyAtQuantileMs: number;
}

/** The delay at `quantile`, as the bench reports latency: sorted delays, index floor(n × quantile). */
export function quantileOf(delays: number[], quantile: number): number {
    if (delays.length === 0) return 0;
    const sorted = [...delays].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * quantile))];
}

/** How many of n delays may exceed L with quantileOf(delays, q) ≤ L still true. */
export function exceptionsAllowed(n: number, quantile: number): number {
    return n === 0 ? 0 : Math.max(0, n - Math.min(n - 1, Math.floor(n * quantile)) - 1);
}

export function pollingFloor(events: TimelineEvent[], latencyMs: number, quantile = 0.95): PollingFloor {
    const sorted = [...events].sort((a, b) => a.at - b.at);
    const dms = sorted.filter((e) => e.inbound).map((e) => e.at);
    const n = dms.length;
    const k = exceptionsAllowed(n, quantile);
    const empty = { inbound: 0, eventsRead: 0, polls: 0, reads: 0, readsPerDm: 0, latencyMs, quantile };
    if (n === 0) return { ...empty, exceptionsAllowed: 0, exceptionsUsed: 0, latencyAtQuantileMs: 0 };

    // next[i]: the first DM after a poll at dms[i] + L.
    const next = new Int32Array(n);
    for (let i = 0, j = 0; i < n; i++) {
        if (j < i) j = i;
        while (j < n && dms[j] <= dms[i] + latencyMs) j++;
        next[i] = j;
    }
    // polls[i * (k + 1) + e]: fewest polls for DMs i.. with e exceptions left; row n is 0.
    const width = k + 1;
    const best = new Int32Array((n + 1) * width);
    const choice = new Uint8Array(n * width); // 1 = exception, 0 = poll
    for (let i = n - 1; i >= 0; i--) {
        for (let e = 0; e <= k; e++) {
            let polls = 1 + best[next[i] * width + e];
            let pick = 0;
            if (e > 0 && i < n - 1) {
                const skip = best[(i + 1) * width + e - 1];
                if (skip < polls) {
                    polls = skip;
                    pick = 1;
                }
            }
            best[i * width + e] = polls;
            choice[i * width + e] = pick;
        }
    }

    // The schedule: poll times, and the latency each DM sees under it.
    const pollTimes: number[] = [];
    let exceptionsUsed = 0;
    for (let i = 0, e = k; i < n;) {
        if (choice[i * width + e]) {
            exceptionsUsed++;
            e--;
            i++;
        } else {
            pollTimes.push(i === n - 1 || next[i] >= n ? dms[n - 1] : dms[i] + latencyMs);
            i = next[i];
        }
    }
    const delays: number[] = [];
    for (let i = 0, p = 0; i < n; i++) {
        while (pollTimes[p] < dms[i]) p++;
        delays.push(pollTimes[p] - dms[i]);
    }
    const last = pollTimes[pollTimes.length - 1];
    const eventsRead = sorted.filter((ev) => ev.at <= last).length;
    // A poll proves where its new events end by one event read before; the first reaches the start of X's
    // history instead (the trace starts with an empty inbox).
    const boundaries = pollTimes.length - 1;
    const reads = eventsRead + boundaries;
    return {
        inbound: n,
        eventsRead,
        polls: pollTimes.length,
        reads,
        readsPerDm: reads / n,
        latencyMs,
        quantile,
        exceptionsAllowed: k,
        exceptionsUsed,
        latencyAtQuantileMs: quantileOf(delays, quantile),
    };
}
