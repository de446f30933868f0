/**
 * Prints the fault suite's figures collected in test-artifacts/faults-summary.json by the last run
 * (`npm run test:faults` calls it after jest, whatever jest's verdict).
 */
import * as fs from 'fs';
import type { ScenarioRecord } from './helpers/summary';
import { SUMMARY_FILE } from './helpers/summary';

function main(): void {
    if (!fs.existsSync(SUMMARY_FILE)) {
        process.stdout.write('No fault-suite summary found (did the suite run?).\n');
        return;
    }
    const records = JSON.parse(fs.readFileSync(SUMMARY_FILE, 'utf8')) as ScenarioRecord[];
    const scale = records[0]?.scale ?? '?';
    const out: string[] = [
        `\nFault suite (${scale} scale, seed ${records[0]?.seed}):`,
        '',
        '| Scenario | Items | Conversations | Lost | Duplicated | Out of order |',
        '|---|---|---|---|---|---|',
    ];
    let inbound = 0;
    let replies = 0;
    for (const r of records.filter((x) => x.audit && !/total$/.test(x.scenario))) {
        const a = r.audit!;
        if (r.kind === 'inbound') inbound += a.expected;
        if (r.kind === 'outbound') replies += a.expected;
        out.push(
            `| ${r.scenario} | ${a.expected.toLocaleString('en-US')} ${r.kind === 'outbound' ? 'replies' : 'DMs'} | ${a.conversations} | ${a.lost} | ${a.duplicated} | ${a.outOfOrder} |`,
        );
    }
    out.push(
        '',
        `Inbound DMs: ${inbound.toLocaleString('en-US')}; agent replies: ${replies.toLocaleString('en-US')}.`,
        '',
    );
    for (const r of records.filter((x) => !x.audit)) {
        out.push(
            `- ${r.scenario}: ${Object.entries(r.counts ?? r.secrets ?? {})
                .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`)
                .join('; ')}`,
        );
    }
    process.stdout.write(`${out.join('\n')}\n`);
}

main();
