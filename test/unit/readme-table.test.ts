/**
 * The README's performance table is generated from the committed results files (bench/readme-table.ts):
 * this fails when someone edits the table by hand or commits new results without regenerating it.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
    BEGIN_MARKER,
    currentBlock,
    END_MARKER,
    perfTableBlock,
    readResults,
    replaceBlock,
    tableRows,
} from '../../bench/readme-table';
import type { Row } from '../../bench/table';

const root = path.resolve(__dirname, '..', '..');

const row = (section: string, measured: string): Row => ({
    section,
    metric: `${section} figure`,
    measured,
    goal: '≤ 1',
    status: 'MISSED',
    note: 'conditions',
});

describe('README performance table', () => {
    it('is exactly what the committed results files generate (run `npm run bench:table`)', () => {
        const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
        expect(currentBlock(readme)).toBe(perfTableBlock(readResults(root)));
    });

    it('shows what a file lacks as not measured, never as a figure', () => {
        const rows = tableRows({
            bench: { generatedAt: '2026-12-05T10:00:00.000Z', commit: 'abc1234', rows: [row('Throughput', '0.91')] },
        });
        expect(rows.map((r) => [r.section, r.measured])).toEqual([
            ['Cost', 'not measured at this commit'],
            ['Round trips', 'not measured at this commit'],
            ['Throughput', '0.91'],
            ['Footprint', 'not measured at this commit'],
            ['Faults', 'not measured at this commit'],
        ]);
        const block = perfTableBlock({});
        expect(block).toContain('Benchmark: not measured at this commit');
        expect(block).toContain('Fault suite: not measured at this commit');
        // No digits in the generated rows when nothing was measured.
        const tableLines = block.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Area'));
        expect(tableLines).toHaveLength(5);
        for (const line of tableLines) expect(line).not.toMatch(/\d/);
    });

    it("names each file's commit and date, and keeps missed goals visible", () => {
        const block = perfTableBlock({
            bench: {
                generatedAt: '2026-12-05T10:00:00.000Z',
                commit: 'abc1234',
                quick: false,
                rows: [row('Cost', '2.14')],
            },
            faults: {
                generatedAt: '2026-12-04T09:00:00.000Z',
                commit: 'def5678',
                scale: 'full',
                rows: [row('Faults', '0 / 0 / 0')],
            },
        });
        expect(block).toContain('commit `abc1234`, 2026-12-05, full run');
        expect(block).toContain('commit `def5678`, 2026-12-04, full scale');
        expect(block).toContain('| Cost | Cost figure | 2.14 | ≤ 1 | MISSED | conditions |');
        expect(block).toContain('| Faults | Faults figure | 0 / 0 / 0 | ≤ 1 | MISSED | conditions |');
    });

    it('replaces only the text between the markers, and refuses a README without them', () => {
        const readme = `before\n${BEGIN_MARKER}\nold\n${END_MARKER}\nafter\n`;
        expect(replaceBlock(readme, `${BEGIN_MARKER}\nnew\n${END_MARKER}`)).toBe(
            `before\n${BEGIN_MARKER}\nnew\n${END_MARKER}\nafter\n`,
        );
        expect(() => replaceBlock('no markers', 'x')).toThrow(/perf-table/);
    });
});
