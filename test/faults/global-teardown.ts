/**
 * After any run of the fault project (`npm test` included): its figures as table rows in
 * test-artifacts/faults-results.json. Only `npm run test:faults` (print-summary.ts, with jest's verdicts)
 * writes bench/results-faults.json.
 */
import { readRecords, readVerdicts, writeResults } from './helpers/summary';

export default async function globalTeardown(): Promise<void> {
    const records = readRecords();
    if (records.length) writeResults(records, readVerdicts(), false);
}
