/**
 * Scenario results, printed as they finish and collected in test-artifacts/faults-summary.json, so
 * `npm run test:faults` can print one table at the end and write the figures as rows of the README's table
 * (test/faults/print-summary.ts): bench/results-faults.json for a full-scale run, test-artifacts/ otherwise.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Row } from '../../../bench/table';
import type { ConversationAudit } from './audit';
import { SCALE, SEED } from './scale';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SUMMARY_FILE = path.join(ROOT, 'test-artifacts', 'faults-summary.json');
/** Jest's own verdicts (`--json`), when the run wrote them: a row is met only if its tests passed. */
export const VERDICTS_FILE = path.join(ROOT, 'test-artifacts', 'faults-jest.json');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results-faults.json');
const SMALL_RESULTS_FILE = path.join(ROOT, 'test-artifacts', 'faults-results.json');

export interface ScenarioRecord {
    file: string;
    scenario: string;
    /** The test that recorded it (its verdict decides the row's status). */
    test?: string;
    kind: 'inbound' | 'outbound' | 'audit' | 'security' | 'fuzz' | 'secrets';
    scale: string;
    seed: number;
    audit?: ConversationAudit;
    counts?: Record<string, number | string>;
    /** A secrets scan's figures (kind 'secrets'; test/faults/helpers/secrets.ts): add them up for the suite's row. */
    secrets?: SecretCounts;
    at: string;
}

export interface SecretCounts {
    linesScanned: number;
    secretsListed: number;
    requestsInspected: number;
    hits: number;
}

export function record(
    file: string,
    scenario: string,
    kind: ScenarioRecord['kind'],
    data: { audit?: ConversationAudit; counts?: Record<string, number | string>; secrets?: SecretCounts },
): void {
    const entry: ScenarioRecord = {
        file: path.basename(file),
        scenario,
        test: expect.getState().currentTestName,
        kind,
        scale: SCALE.label,
        seed: SEED,
        ...data,
        at: new Date().toISOString(),
    };
    fs.mkdirSync(path.dirname(SUMMARY_FILE), { recursive: true });
    let all: ScenarioRecord[] = [];
    try {
        all = JSON.parse(fs.readFileSync(SUMMARY_FILE, 'utf8'));
    } catch {
        // first record of this run
    }
    all = all.filter((e) => !(e.file === entry.file && e.scenario === entry.scenario));
    all.push(entry);
    fs.writeFileSync(SUMMARY_FILE, JSON.stringify(all, null, 2));
    const line = data.audit
        ? `${scenario}: ${data.audit.expected} ${kind === 'outbound' ? 'replies' : 'DMs'} in ${data.audit.conversations} conversations → lost ${data.audit.lost}, duplicated ${data.audit.duplicated}, out-of-order ${data.audit.outOfOrder}, arrived late ${data.audit.arrivedLate}, unexpected ${data.audit.unexpected}${data.audit.files.expected ? `; files ${data.audit.files.expected}: lost ${data.audit.files.lost}, shown as a note ${data.audit.files.noted}` : ''}`
        : `${scenario}: ${Object.entries(data.counts ?? data.secrets ?? {})
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`;
    process.stdout.write(`[faults ${SCALE.label}] ${line}\n`);
}

export function readRecords(): ScenarioRecord[] {
    return fs.existsSync(SUMMARY_FILE) ? (JSON.parse(fs.readFileSync(SUMMARY_FILE, 'utf8')) as ScenarioRecord[]) : [];
}

/** Verdict of each test by file and full name, from jest's `--json` output (undefined: not known). */
type Verdicts = (file: string, test?: string) => boolean | undefined;

export function readVerdicts(): Verdicts {
    if (!fs.existsSync(VERDICTS_FILE)) return () => undefined;
    const results = JSON.parse(fs.readFileSync(VERDICTS_FILE, 'utf8')) as {
        testResults: {
            name: string;
            status: string;
            assertionResults: { fullName: string; status: string }[];
        }[];
    };
    return (file, test) => {
        const suite = results.testResults.find((s) => path.basename(s.name) === file);
        if (!suite) return undefined;
        if (test === undefined) return suite.status === 'passed';
        const found = suite.assertionResults.find((a) => a.fullName === test);
        return found ? found.status === 'passed' : suite.status === 'passed';
    };
}

const int = (n: number) => n.toLocaleString('en-US');
const counted = (counts: Record<string, number | string> | undefined) =>
    Object.entries(counts ?? {})
        .map(([k, v]) => `${k} ${typeof v === 'number' ? int(v) : v}`)
        .join('; ');

function status(clean: boolean, verdict: boolean | undefined): Row['status'] {
    return clean && verdict !== false ? 'met' : 'MISSED';
}

/**
 * One row per scenario family, then fuzzing, security and secrets. A row is met when its figures are and its
 * tests passed (a test's verdict unknown — no jest output — leaves the figures to decide, and the note says so).
 */
function faultRows(records: ScenarioRecord[], verdicts: Verdicts): Row[] {
    const rows: Row[] = [];
    const verdictNote = (v: boolean | undefined) => (v === undefined ? '; test verdict not recorded' : '');
    for (const r of records.filter((x) => x.audit && !/total$/.test(x.scenario))) {
        const a = r.audit!;
        const unit = r.kind === 'outbound' ? 'replies' : 'DMs';
        const files = a.files.expected
            ? `, ${int(a.files.expected)} photos (${a.files.lost} lost, ${a.files.duplicated} duplicated, ${a.files.noted} shown as a note after X failed their download)`
            : '';
        const clean =
            a.lost + a.duplicated + a.outOfOrder + a.arrivedLate + a.unexpected + a.files.lost + a.files.duplicated ===
            0;
        const verdict = verdicts(r.file, r.test);
        // Conditions the same test recorded on their own (restarts, X's refusals, network cuts…).
        const conditions = [r, ...records.filter((x) => !x.audit && x.file === r.file && x.test === r.test)]
            .map((x) => counted(x.counts))
            .filter(Boolean);
        rows.push({
            section: 'Faults',
            metric: `${r.kind === 'outbound' ? 'Outbound' : 'Inbound'}: ${r.scenario}`,
            measured: `${int(a.expected)} ${unit}${files} in ${a.conversations} conversations: lost ${a.lost}, duplicated ${a.duplicated}, out of order ${a.outOfOrder}, arrived late ${a.arrivedLate}, unexpected ${a.unexpected}`,
            goal: 'lost 0, duplicated 0, out of order 0, arrived late 0, unexpected 0',
            status: status(clean, verdict),
            note: `${r.scale} scale, seed ${r.seed}${conditions.map((c) => `; ${c}`).join('')}; audited against the X simulator's record and Rocket.Chat's store (texts as written, files by SHA-256, arrival order)${verdictNote(verdict)}`,
        });
    }
    const sum = (list: ScenarioRecord[], pick: (k: string) => boolean) =>
        list.reduce(
            (n, r) =>
                n +
                Object.entries(r.counts ?? {})
                    .filter(([k, v]) => pick(k) && typeof v === 'number')
                    .reduce((m, [, v]) => m + (v as number), 0),
            0,
        );
    const allPassed = (list: ScenarioRecord[]) => {
        const vs = list.map((r) => verdicts(r.file, r.test));
        return vs.includes(false) ? false : vs.includes(undefined) ? undefined : true;
    };
    const selfCheck = records.filter((r) => r.kind === 'audit');
    if (selfCheck.length) {
        const verdict = allPassed(selfCheck);
        const kinds = selfCheck.flatMap((r) => Object.keys(r.counts ?? {}));
        rows.push({
            section: 'Faults',
            metric: 'Audit self-check: faults injected into what Rocket.Chat stored or X saw, each reported',
            measured: `${kinds.length} kinds reported (${kinds.join(', ')})`,
            goal: 'every injected fault reported',
            status: status(kinds.length > 0, verdict),
            note: `test/faults/audit-blind-spots.test.ts; the audit used before (kept in helpers/legacy-audit.ts) passes all but two (a photo-only DM without its file, a DM in another customer's room)${verdictNote(verdict)}`,
        });
    }
    const fuzz = records.filter((r) => r.kind === 'fuzz');
    if (fuzz.length) {
        // Every count is of inputs (by outcome), except what the pure normalizers made of them.
        const inputs = (r: ScenarioRecord) => sum([r], (k) => !/: (events|dropped with a reason)$/.test(k));
        const verdict = allPassed(fuzz);
        rows.push({
            section: 'Fuzzing',
            metric: 'Generated webhook bodies, dm_events pages, commands, settings',
            measured: fuzz.map((r) => `${int(inputs(r))} inputs (${r.scenario})`).join(' + '),
            goal: 'no crash, every input answered or dropped with a reason',
            status: status(true, verdict),
            note: `${fuzz[0].scale} scale, seed ${fuzz[0].seed}${verdictNote(verdict)}`,
        });
    }
    const security = records.filter((r) => r.kind === 'security');
    if (security.length) {
        const verdict = allPassed(security);
        rows.push({
            section: 'Security',
            metric: 'Forged/replayed deliveries, wrong path, bad OAuth state, non-admins',
            measured: `${int(sum(security, () => true))} attempts, each refused`,
            goal: '0 accepted',
            status: status(true, verdict),
            note: `${security[0].scale} scale; the suite fails on any attempt accepted${verdictNote(verdict)}`,
        });
    }
    const secrets = records.filter((r) => r.kind === 'secrets');
    if (secrets.length) {
        const total = (k: keyof SecretCounts) => secrets.reduce((n, r) => n + (r.secrets?.[k] ?? 0), 0);
        const hits = total('hits');
        const verdict = allPassed(secrets);
        rows.push({
            section: 'Secrets',
            metric: 'Every line the app and the runtime logged, posted, sent or answered, scanned for secrets',
            measured: `${int(hits)} hits in ${int(total('linesScanned'))} lines; ${int(total('requestsInspected'))} outgoing requests inspected`,
            goal: '0 hits',
            status: status(hits === 0, verdict),
            note: `${secrets.length} scans (${secrets.map((r) => r.scenario).join(', ')})${verdictNote(verdict)}`,
        });
    }
    return rows;
}

function commitOf(): string {
    try {
        const sha = execSync('git rev-parse HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
        const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: ROOT, encoding: 'utf8' }).trim();
        return dirty ? `${sha} (with uncommitted changes)` : sha;
    } catch {
        return 'unknown';
    }
}

/**
 * Writes `{ generatedAt, commit, scale, rows }`: to bench/results-faults.json when asked and every record is
 * from a full-scale run (the figures the README quotes), to test-artifacts/ otherwise. Returns the path written.
 */
export function writeResults(records: ScenarioRecord[], verdicts: Verdicts, toBench: boolean): string {
    const scale = records.every((r) => r.scale === 'full') ? 'full' : (records[0]?.scale ?? 'none');
    const file = toBench && scale === 'full' && records.length ? RESULTS_FILE : SMALL_RESULTS_FILE;
    const results = {
        generatedAt: new Date().toISOString(),
        commit: commitOf(),
        scale,
        rows: faultRows(records, verdicts),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    return file;
}
