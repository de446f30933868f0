/** Merging section runs into bench/results.json: each section keeps its own run, nothing is picked silently. */
import * as fs from 'fs';
import * as path from 'path';
import { mergeResults } from '../../../bench/merge-results';
import type { BenchResults } from '../../../bench/run';

const machine = { cpus: 2, cpuModel: 'test', memoryGiB: 8, node: 'v20', platform: 'linux x64', loadAverage: [1, 1, 1] };
const run = (generatedAt: string, extra: Partial<BenchResults>): BenchResults => ({
    generatedAt,
    commit: 'abc1234',
    quick: false,
    machine,
    ...extra,
});
/** Figures of a real run (the committed results file), stamped as another run. */
const measured = (
    JSON.parse(fs.readFileSync(path.join(__dirname, '../../../bench/results.json'), 'utf8')) as BenchResults
).roundTrips!;
const roundTrips = (generatedAt: string) => ({ ...measured, commit: 'abc1234', generatedAt });

describe('bench results merge', () => {
    it('keeps each section with the run that measured it', () => {
        const merged = mergeResults([
            run('2026-12-05T14:00:00Z', {}),
            run('2026-12-05T14:10:00Z', { roundTrips: roundTrips('2026-12-05T14:10:00Z') }),
        ]);
        expect(merged.generatedAt).toBe('2026-12-05T14:00:00Z');
        expect(merged.roundTrips?.generatedAt).toBe('2026-12-05T14:10:00Z');
        expect(merged.quick).toBe(false);
        expect(merged.rows?.some((r) => r.section === 'Round trips')).toBe(true);
    });

    it('refuses a quick run and a section measured twice', () => {
        expect(() => mergeResults([run('a', { quick: true })])).toThrow(/quick run/);
        expect(() =>
            mergeResults([run('a', { roundTrips: roundTrips('a') }), run('b', { roundTrips: roundTrips('b') })]),
        ).toThrow(/Two runs measured roundTrips/);
        expect(() => mergeResults([])).toThrow(/at least one/);
    });
});
