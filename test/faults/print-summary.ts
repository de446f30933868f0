/**
 * Prints the fault suite's figures collected in test-artifacts/faults-summary.json by the last run and writes
 * them as table rows with jest's verdicts (`npm run test:faults` calls it after jest, whatever jest's verdict):
 * bench/results-faults.json for a full-scale run, test-artifacts/faults-results.json otherwise.
 */
import { readRecords, readVerdicts, writeResults } from './helpers/summary';

function main(): void {
    const records = readRecords();
    if (records.length === 0) {
        process.stdout.write('No fault-suite summary found (did the suite run?).\n');
        return;
    }
    const scale = records[0]?.scale ?? '?';
    const out: string[] = [
        `\nFault suite (${scale} scale, seed ${records[0]?.seed}):`,
        '',
        '| Scenario | Items | Photos (lost / shown as a note) | Conversations | Lost | Duplicated | Out of order | Arrived late | Unexpected |',
        '|---|---|---|---|---|---|---|---|---|',
    ];
    let inbound = 0;
    let replies = 0;
    for (const r of records.filter((x) => x.audit && !/total$/.test(x.scenario))) {
        const a = r.audit!;
        if (r.kind === 'inbound') inbound += a.expected;
        if (r.kind === 'outbound') replies += a.expected;
        const files = a.files.expected ? `${a.files.expected} (${a.files.lost} / ${a.files.noted})` : '—';
        out.push(
            `| ${r.scenario} | ${a.expected.toLocaleString('en-US')} ${r.kind === 'outbound' ? 'replies' : 'DMs'} | ${files} | ${a.conversations} | ${a.lost} | ${a.duplicated} | ${a.outOfOrder} | ${a.arrivedLate} | ${a.unexpected} |`,
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
    const written = writeResults(records, readVerdicts(), true);
    out.push('', `Rows written to ${written}.`);
    process.stdout.write(`${out.join('\n')}\n`);
}

main();
