/**
 * The benchmark's polling floor (bench/floor.ts): on tiny traces, against hand counts and against a
 * brute force over every poll schedule.
 */
import { exceptionsAllowed, pollingFloor, quantileOf, TimelineEvent } from '../../../bench/floor';
import { seededRandom } from '../../../bench/trace';

const S = 1000;
const dm = (seconds: number): TimelineEvent => ({ at: seconds * S, inbound: true });
const sent = (seconds: number): TimelineEvent => ({ at: seconds * S, inbound: false });

/** Fewest reads over every schedule whose polls sit at DM times or L after them (enough: any optimum can be moved there). */
function bruteForce(events: TimelineEvent[], latencyMs: number, quantile: number): number {
    const dms = events.filter((e) => e.inbound).map((e) => e.at);
    const candidates = [...new Set(dms.flatMap((t) => [t, t + latencyMs]))].sort((a, b) => a - b);
    let best = Infinity;
    for (let mask = 1; mask < 1 << candidates.length; mask++) {
        const polls = candidates.filter((_, i) => mask & (1 << i));
        const last = polls[polls.length - 1];
        if (last < Math.max(...dms)) continue;
        const delays = dms.map((t) => polls.find((p) => p >= t)! - t);
        if (quantileOf(delays, quantile) > latencyMs) continue;
        const reads = events.filter((e) => e.at <= last).length + polls.length - 1;
        best = Math.min(best, reads);
    }
    return best;
}

describe('polling floor', () => {
    it('counts a tiny trace by hand: events up to the last poll, plus one per poll after the first', () => {
        // DMs at 0, 10, 20 s and 500 s, a reply at 15 s and one at 600 s (after the last DM: never read).
        const trace = [dm(0), dm(10), sent(15), dm(20), dm(500), sent(600)];
        const floor = pollingFloor(trace, 30 * S, 1);
        expect(floor.polls).toBe(2); // at 30 s (0, 10, 20) and at 500 s
        expect(floor.eventsRead).toBe(5);
        expect(floor.reads).toBe(6);
        expect(floor.readsPerDm).toBe(1.5);
        expect(floor.latencyAtQuantileMs).toBe(30 * S);
    });

    it('lets the quantile leave an isolated DM late, delivered by the next poll', () => {
        // 20 DMs a second apart, one alone at 300 s, 20 more from 1000 s: at p95 one DM of 41 may wait.
        const trace = [
            ...Array.from({ length: 20 }, (_, i) => dm(i)),
            dm(300),
            ...Array.from({ length: 20 }, (_, i) => dm(1000 + i)),
        ];
        expect(exceptionsAllowed(41, 0.95)).toBe(2);
        const strict = pollingFloor(trace, 60 * S, 1);
        const p95 = pollingFloor(trace, 60 * S, 0.95);
        expect(strict.polls).toBe(3);
        expect(p95.polls).toBe(2);
        expect(p95.exceptionsUsed).toBe(1);
        expect(p95.latencyAtQuantileMs).toBeLessThanOrEqual(60 * S);
        expect(p95.reads).toBe(41 + 1);
    });

    it('matches a brute force over every schedule on random tiny traces', () => {
        const random = seededRandom(7);
        for (let round = 0; round < 60; round++) {
            const events: TimelineEvent[] = [];
            const count = 3 + Math.floor(random() * 6);
            for (let i = 0; i < count; i++)
                events.push({ at: Math.floor(random() * 600) * S, inbound: i === 0 || random() < 0.7 });
            const latency = (10 + Math.floor(random() * 120)) * S;
            const quantile = random() < 0.5 ? 1 : 0.75;
            const floor = pollingFloor(events, latency, quantile);
            expect(floor.reads).toBe(bruteForce(events, latency, quantile));
            expect(floor.latencyAtQuantileMs).toBeLessThanOrEqual(latency);
        }
    });
});
