import { planReplay, REPLAY_FROM_MIN_AGE, REPLAY_TO_MIN_AGE } from '../../../src/x/replay-window';
import { gapStart } from '../../../src/jobs/recovery';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 21, 12, 0, 30);
const at = (minutesAgo: number) => NOW - minutesAgo * MINUTE;
const isWholeMinute = (ms: number) => ms % MINUTE === 0;

describe('which part of a gap X replays now', () => {
    it('asks for an old gap at once, in whole minutes, starting early enough and ending (exclusive) after it', () => {
        const plan = planReplay({ from: at(120) + 15_000, until: at(60) + 15_000 }, NOW);
        expect(plan.owed).toBeUndefined();
        expect(plan.request!.from).toBeLessThanOrEqual(at(120) + 15_000);
        expect(plan.request!.until).toBeGreaterThanOrEqual(at(60) + 15_000);
        expect([plan.request!.from, plan.request!.until].every(isWholeMinute)).toBe(true);
    });

    it('never asks for a window ending in the last 10 minutes or starting in the last 31 (X refuses those)', () => {
        for (const gapStartAgo of [0.5, 5, 12, 30, 45, 300]) {
            const plan = planReplay({ from: at(gapStartAgo), until: NOW }, NOW);
            if (plan.request) {
                expect(plan.request.until).toBeLessThanOrEqual(NOW - 10 * MINUTE);
                expect(plan.request.from).toBeLessThanOrEqual(NOW - 31 * MINUTE);
                expect(plan.request.from).toBeLessThan(plan.request.until);
            }
            // The rest is owed, and asked for once X takes its end.
            expect(plan.owed!.until).toBeGreaterThanOrEqual(NOW);
            expect(plan.owed!.askAt - plan.owed!.until).toBe(REPLAY_TO_MIN_AGE);
        }
    });

    it('covers a recent gap entirely when the owed part is asked for at its time', () => {
        const gap = { from: at(3), until: NOW };
        const first = planReplay(gap, NOW);
        expect(first.request).toBeUndefined();
        const later = planReplay(first.owed!, first.owed!.askAt);
        expect(later.owed).toBeUndefined();
        expect(later.request!.from).toBeLessThanOrEqual(gap.from);
        expect(later.request!.until).toBeGreaterThanOrEqual(gap.until);
        expect(later.request!.until).toBeLessThanOrEqual(first.owed!.askAt - 10 * MINUTE);
        expect(later.request!.from).toBeLessThanOrEqual(first.owed!.askAt - REPLAY_FROM_MIN_AGE);
    });

    it('splits a gap that reaches into the last minutes: the old part now, the recent rest later, nothing in between lost', () => {
        const plan = planReplay({ from: at(90), until: at(2) }, NOW);
        expect(plan.request!.until).toBe(plan.owed!.from);
        expect(plan.owed!.until).toBeGreaterThanOrEqual(at(2));
    });

    it("drops what is older than X's 24 hours and says so", () => {
        const plan = planReplay({ from: at(30 * 60), until: at(20 * 60) }, NOW);
        expect(plan.lost).toBeDefined();
        expect(plan.request!.from).toBeGreaterThanOrEqual(NOW - 24 * 60 * MINUTE);
        const ancient = planReplay({ from: at(50 * 60), until: at(40 * 60) }, NOW);
        expect(ancient.request).toBeUndefined();
        expect(ancient.owed).toBeUndefined();
    });
});

describe('where the gap to replay starts', () => {
    it('starts at the last event known when it is earlier than the moment the app noticed credits were gone', () => {
        // X withheld deliveries from 50 minutes ago; the app met its first 402 20 minutes ago (its next call).
        expect(gapStart(at(20), at(50))).toBe(at(50));
    });

    it("starts at the caller's moment when that is earlier than the last event known", () => {
        expect(gapStart(at(50), at(20))).toBe(at(50));
    });

    it('starts at the last event known when the caller knows nothing earlier', () => {
        expect(gapStart(undefined, at(30))).toBe(at(30));
    });
});
