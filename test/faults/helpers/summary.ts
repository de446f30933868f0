/**
 * Scenario results, printed as they finish and collected in test-artifacts/faults-summary.json, so
 * `npm run test:faults` can print one table at the end (test/faults/summary.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ConversationAudit } from './audit';
import { SCALE, SEED } from './scale';

export const SUMMARY_FILE = path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'faults-summary.json');

export interface ScenarioRecord {
    file: string;
    scenario: string;
    kind: 'inbound' | 'outbound' | 'security' | 'fuzz' | 'secrets';
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
        ? `${scenario}: ${data.audit.expected} ${kind === 'outbound' ? 'replies' : 'DMs'} in ${data.audit.conversations} conversations → lost ${data.audit.lost}, duplicated ${data.audit.duplicated}, out-of-order ${data.audit.outOfOrder}`
        : `${scenario}: ${Object.entries(data.counts ?? data.secrets ?? {})
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`;
    process.stdout.write(`[faults ${SCALE.label}] ${line}\n`);
}
