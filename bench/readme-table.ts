/**
 * `npm run bench:table`: rewrites the README's "Performance and reliability" table from the results files,
 * so every figure it shows was written by the run that measured it — bench/results.json (`npm run bench`)
 * and bench/results-faults.json (`npm run test:faults`). The table sits between the perf-table markers,
 * with a line naming each file's commit and date; what a file does not hold is shown as not measured,
 * never filled in. test/unit/readme-table.test.ts fails when the README and the files disagree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderTable, Row } from './table';

export const BEGIN_MARKER = '<!-- perf-table:begin -->';
export const END_MARKER = '<!-- perf-table:end -->';

/** The sections `npm run bench` measures, in the order the table shows them. */
const BENCH_SECTIONS = ['Cost', 'Round trips', 'Throughput', 'Footprint'];

interface ResultsFile {
    generatedAt: string;
    commit: string;
    rows?: Row[];
}

/** Every section carries the commit and date of the run that measured it; one from another run (`--only=…`) is named. */
interface SectionRun {
    commit?: string;
    generatedAt?: string;
}

export interface BenchFile extends ResultsFile {
    quick?: boolean;
    machine?: { cpus: number; cpuModel: string; node: string };
    cost?: SectionRun;
    roundTrips?: SectionRun;
    throughput?: SectionRun;
    footprint?: SectionRun;
}

const SECTION_NAMES = { cost: 'Cost', roundTrips: 'Round trips', throughput: 'Throughput', footprint: 'Footprint' };

export interface FaultsFile extends ResultsFile {
    scale?: string;
}

export interface ResultsFiles {
    bench?: BenchFile;
    faults?: FaultsFile;
}

export const BENCH_FILE = path.join('bench', 'results.json');
export const FAULTS_FILE = path.join('bench', 'results-faults.json');

function readJson<T>(file: string): T | undefined {
    if (!fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function readResults(root: string): ResultsFiles {
    return {
        bench: readJson<BenchFile>(path.join(root, BENCH_FILE)),
        faults: readJson<FaultsFile>(path.join(root, FAULTS_FILE)),
    };
}

const notMeasured = (section: string, metric: string, why: string): Row => ({
    section,
    metric,
    measured: 'not measured at this commit',
    goal: '—',
    status: '—',
    note: why,
});

const day = (iso: string) => iso.slice(0, 10);

function benchLine(bench: BenchFile | undefined): string {
    if (!bench) return `Benchmark: not measured at this commit (no \`${BENCH_FILE}\`).`;
    const machine = bench.machine
        ? `, ${bench.machine.cpus} × ${bench.machine.cpuModel}, Node ${bench.machine.node}`
        : '';
    // A figure must name the run that measured it: sections re-measured alone are named apart.
    const apart = (Object.keys(SECTION_NAMES) as (keyof typeof SECTION_NAMES)[])
        .map((key) => ({ name: SECTION_NAMES[key], run: bench[key] }))
        .filter(({ run }) => run?.commit && (run.commit !== bench.commit || run.generatedAt !== bench.generatedAt))
        .map(
            ({ name, run }) =>
                ` ${name} rows: commit \`${run?.commit}\`${run?.generatedAt ? `, ${day(run.generatedAt)}` : ''}, a run of that section alone.`,
        );
    return `Benchmark (\`${BENCH_FILE}\`): commit \`${bench.commit}\`, ${day(bench.generatedAt)}, ${bench.quick ? 'quick run (smaller counts)' : 'full run'}${machine}.${apart.join('')}`;
}

function faultsLine(faults: FaultsFile | undefined): string {
    if (!faults) return `Fault suite: not measured at this commit (no \`${FAULTS_FILE}\`).`;
    return `Fault suite (\`${FAULTS_FILE}\`): commit \`${faults.commit}\`, ${day(faults.generatedAt)}${faults.scale ? `, ${faults.scale} scale` : ''}.`;
}

/** The rows to show: each file's own rows, and a "not measured" row for whatever a file does not cover. */
export function tableRows(files: ResultsFiles): Row[] {
    const benchRows = files.bench?.rows ?? [];
    const rows: Row[] = [];
    for (const section of BENCH_SECTIONS) {
        const measured = benchRows.filter((r) => r.section === section);
        rows.push(
            ...(measured.length > 0
                ? measured
                : [notMeasured(section, '—', `no ${section} figures in \`${BENCH_FILE}\``)]),
        );
    }
    // Sections a newer bench adds are shown too, after the known ones.
    rows.push(...benchRows.filter((r) => !BENCH_SECTIONS.includes(r.section)));
    const faultRows = files.faults?.rows ?? [];
    rows.push(
        ...(faultRows.length > 0
            ? faultRows
            : [
                  notMeasured(
                      'Faults',
                      'fault, security, fuzzing and secrets suites (`npm run test:faults`)',
                      files.faults ? `no rows in \`${FAULTS_FILE}\`` : `no \`${FAULTS_FILE}\``,
                  ),
              ]),
    );
    return rows;
}

/** The README text between the markers (markers included). */
export function perfTableBlock(files: ResultsFiles): string {
    return [
        BEGIN_MARKER,
        '<!-- Generated by `npm run bench:table` from the results files; edit those runs, not this table. -->',
        '',
        benchLine(files.bench),
        faultsLine(files.faults),
        '',
        renderTable(tableRows(files)),
        END_MARKER,
    ].join('\n');
}

/** The README with its block replaced; throws when the markers are missing or out of order. */
export function replaceBlock(readme: string, block: string): string {
    const begin = readme.indexOf(BEGIN_MARKER);
    const end = readme.indexOf(END_MARKER);
    if (begin === -1 || end === -1 || end < begin)
        throw new Error(`README.md needs ${BEGIN_MARKER} … ${END_MARKER} around the performance table`);
    return readme.slice(0, begin) + block + readme.slice(end + END_MARKER.length);
}

/** The block as it stands in the README. */
export function currentBlock(readme: string): string | undefined {
    const begin = readme.indexOf(BEGIN_MARKER);
    const end = readme.indexOf(END_MARKER);
    return begin === -1 || end < begin ? undefined : readme.slice(begin, end + END_MARKER.length);
}

if (require.main === module) {
    const root = path.resolve(__dirname, '..');
    const readmePath = path.join(root, 'README.md');
    const readme = fs.readFileSync(readmePath, 'utf8');
    const updated = replaceBlock(readme, perfTableBlock(readResults(root)));
    fs.writeFileSync(readmePath, updated);
    process.stdout.write(updated === readme ? 'README table already current.\n' : 'README table rewritten.\n');
}
