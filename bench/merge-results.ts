/**
 * `npm run bench:merge -- a.json b.json …`: one bench/results.json from runs that each measured some
 * sections (`npm run bench -- --only=… --out=…`), e.g. run side by side on a busy machine. Each section keeps
 * the commit and date of the run that measured it (the README table names them); the rows are recomputed
 * from the merged figures. Quick runs and a section measured twice are refused: nothing is picked silently.
 */
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../tools/host/paths';
import type { BenchResults } from './run';
import { renderTable, rowsFor } from './table';

const SECTION_KEYS = ['cost', 'roundTrips', 'throughput', 'footprint'] as const;

export function mergeResults(runs: BenchResults[]): BenchResults {
    if (runs.length === 0) throw new Error('Name at least one results file.');
    const quick = runs.find((r) => r.quick);
    if (quick) throw new Error(`The run of ${quick.generatedAt} is a quick run: its figures are not the README's.`);
    const [base] = runs;
    const merged: BenchResults = {
        generatedAt: base.generatedAt,
        commit: base.commit,
        quick: false,
        machine: base.machine,
    };
    for (const run of runs) {
        for (const key of SECTION_KEYS) {
            if (!run[key]) continue;
            if (merged[key]) throw new Error(`Two runs measured ${key}: merge one of them.`);
            Object.assign(merged, { [key]: run[key] });
            if (key === 'cost') merged.trace = run.trace;
        }
    }
    merged.rows = rowsFor(merged);
    merged.table = renderTable(merged.rows);
    return merged;
}

if (require.main === module) {
    const files = process.argv.slice(2);
    const merged = mergeResults(files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as BenchResults));
    const target = path.join(repoRoot, 'bench', 'results.json');
    fs.writeFileSync(target, JSON.stringify(merged, null, 2) + '\n');
    process.stdout.write(
        `${merged.table}\n\nWritten to ${path.relative(repoRoot, target)}; run \`npm run bench:table\`.\n`,
    );
}
