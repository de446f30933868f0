/** The benchmark figures as table rows (goal, met or missed) and as a Markdown table. */
import { CRC_BURST } from '../src/endpoints/crc';
import type { BenchResults } from './run';

export interface Row {
    section: string;
    metric: string;
    measured: string;
    goal: string;
    status: 'met' | 'MISSED' | '—';
    note: string;
}

const f = (n: number | undefined, digits = 2) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));
const int = (n: number) => n.toLocaleString('en-US');
const status = (ok: boolean): Row['status'] => (ok ? 'met' : 'MISSED');

export function rowsFor(r: BenchResults): Row[] {
    const rows: Row[] = [];
    const add = (row: Row) => rows.push(row);
    if (r.cost && r.trace) {
        const { polling, xaa, aaa, naive } = r.cost;
        const trace = `${int(r.trace.dms)} DMs / 24 h, bursts of 50/min`;
        add({
            section: 'Cost',
            metric: 'Polling: billable X reads per delivered inbound DM',
            measured: f(polling.unitsPerDelivered),
            goal: '≤ 1.05',
            status: status(polling.unitsPerDelivered <= 1.05),
            note: `${trace}; X billing every event a read returns (${int(polling.dmEventReads)} reads, ${int(polling.polls ?? 0)} polls, ${int(polling.rateLimited ?? 0)} × 429). Floor for any poller without X's de-duplication: 1 + polls-that-read ÷ DMs = ${f(1 + (polling.pollsWithReads ?? 0) / Math.max(1, polling.audit.delivered))}`,
        });
        add({
            section: 'Cost',
            metric: "Polling: same, if X's same-day de-duplication holds",
            measured: f(polling.dedupedPerDelivered, 3),
            goal: '≤ 1.05',
            status: status((polling.dedupedPerDelivered ?? Infinity) <= 1.05),
            note: 'distinct events read per UTC day ÷ delivered (X documents this as a soft guarantee; the simulator bills without it)',
        });
        add({
            section: 'Cost',
            metric: 'Polling: DMs lost / duplicated on the trace',
            measured: `${polling.audit.lost} / ${polling.audit.duplicated}`,
            goal: '0 / 0',
            status: status(polling.audit.lost === 0 && polling.audit.duplicated === 0),
            note: `delivery latency p50 ${f(polling.latencyP50s, 0)} s, p95 ${f(polling.latencyP95s, 0)} s`,
        });
        add({
            section: 'Cost',
            metric: 'Naive polling (max_results=100 every minute): reads per delivered DM',
            measured: f(naive.readsPerDelivered),
            goal: '—',
            status: '—',
            note: `${f(naive.readsPerDelivered / polling.unitsPerDelivered, 1)}× the app's reads (${int(naive.dmEventReads)} vs ${int(polling.dmEventReads)}); with de-duplication ${f(naive.dedupedPerDelivered, 3)}`,
        });
        add({
            section: 'Cost',
            metric: 'X Activity API webhook: billable units per delivered DM',
            measured: f(xaa.unitsPerDelivered, 3),
            goal: '—',
            status: '—',
            note: `dm.received deliveries ($0.010 each): ${int(xaa.dmReceivedDeliveries)}, reads ${int(xaa.dmEventReads)}; lost ${xaa.audit.lost}, duplicated ${xaa.audit.duplicated}`,
        });
        add({
            section: 'Cost',
            metric: 'Account Activity API webhook: billable units per delivered DM',
            measured: f(aaa.unitsPerDelivered, 3),
            goal: '—',
            status: '—',
            note: `deliveries are free; reads ${int(aaa.dmEventReads)}; lost ${aaa.audit.lost}, duplicated ${aaa.audit.duplicated}`,
        });
    }
    if (r.roundTrips) {
        const { inboundFirst, inboundSteady, outboundReply, outboundEcho } = r.roundTrips;
        add({
            section: 'Round trips',
            metric: 'Bridge calls per inbound DM, first of a conversation',
            measured: f(inboundFirst.hostCallsPerItem, 1),
            goal: '—',
            status: '—',
            note: `visitor, room, conversation record, post (+${f(inboundFirst.xCallsPerItem, 1)} X calls)`,
        });
        add({
            section: 'Round trips',
            metric: 'Bridge calls per inbound DM, steady state',
            measured: f(inboundSteady.hostCallsPerItem, 2),
            goal: '≤ 3',
            status: status(inboundSteady.hostCallsPerItem <= 3),
            note: Object.entries(inboundSteady.breakdown)
                .map(([k, v]) => `${k} ${v}`)
                .join(', '),
        });
        add({
            section: 'Round trips',
            metric: 'Bridge calls per outbound text reply (+ X calls)',
            measured: `${f(outboundReply.hostCallsPerItem, 2)} + ${f(outboundReply.xCallsPerItem, 2)}`,
            goal: '≤ 1 + 1',
            status: status(outboundReply.hostCallsPerItem <= 1 && outboundReply.xCallsPerItem <= 1),
            note: `X's echo of each reply then costs ${f(outboundEcho.hostCallsPerItem, 2)} bridge calls on the inbound side`,
        });
    }
    if (r.throughput) {
        const t = r.throughput;
        const b = t.bodies;
        const conditions = `${r.quick ? 'quick run, ' : ''}${b.customers} customers, AAA message_create bodies of ${int(b.meanBytes)} bytes on average (URLs, accents, emoji, CJK, quotes, newlines, U+2028, ten-digit and snowflake ids in \`users\`) in X's byte styles (${Object.entries(
            b.styles,
        )
            .map(([k, v]) => `${k} ${v}`)
            .join(
                ', ',
            )} of ${Object.values(b.styles).reduce((x, y) => x + y, 0)}) and signature headers (${Object.entries(
            b.signatureHeaders,
        )
            .map(([k, v]) => `${k} ${v}`)
            .join(
                ', ',
            )}): the app's verifier builds ${f(b.meanCandidates, 1)} candidate serializations per body on average (at most ${b.maxCandidates}; ${f(b.verifyMs, 2)} ms per body alone, in Node)`;
        const range = (xs: number[]) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
        add({
            section: 'Throughput',
            metric: 'Webhook events/s, app ÷ floor, sequential',
            measured: f(t.sequential.ratio),
            goal: '≥ 0.8',
            status: status(t.sequential.ratio >= 0.8),
            note: `median of ${t.sequential.ratios.length} rounds × ${int(t.sequential.events / t.sequential.ratios.length)} events, spread ${range(t.sequential.ratios)}; ${f(t.sequential.appEventsPerSecond, 0)} vs ${f(t.sequential.floorEventsPerSecond, 0)} events/s; ${conditions}. Floor: one HMAC over the body (a receiver given X's raw bytes) + read + post + write (${f(t.floorCallsPerEvent, 1)} bridge calls); app: signature check + full pipeline (${f(t.appCallsPerEvent, 1)} calls)`,
        });
        add({
            section: 'Throughput',
            metric: `Webhook events/s, app ÷ floor, ${t.concurrent.concurrency} concurrent`,
            measured: f(t.concurrent.ratio),
            goal: '≥ 0.8',
            status: status(t.concurrent.ratio >= 0.8),
            note: `median of ${t.concurrent.ratios.length} rounds × ${int(t.concurrent.events / t.concurrent.ratios.length)} events, spread ${range(t.concurrent.ratios)}; ${f(t.concurrent.appEventsPerSecond, 0)} vs ${f(t.concurrent.floorEventsPerSecond, 0)} events/s; same bodies, ${t.concurrent.concurrency} deliveries in flight`,
        });
        add({
            section: 'Throughput',
            metric: 'CRC answer time ÷ a trivial endpoint',
            measured: f(t.crc.ratio),
            goal: '≤ 2',
            status: status(t.crc.ratio <= 2),
            note: `median of ${t.crc.ratios.length} rounds, spread ${range(t.crc.ratios)}; ${f(t.crc.crcMs, 2)} ms vs ${f(t.crc.trivialMs, 2)} ms per call (hello-world app's GET); each round a fresh Rocket.Chat instance, the median of ${t.crc.callsPerRound} timed calls each after ${CRC_BURST - t.crc.callsPerRound} warm-up calls, alternating (the app answers ${CRC_BURST} in a row per instance)`,
        });
    }
    if (r.footprint) {
        const fp = r.footprint;
        add({
            section: 'Footprint',
            metric: 'Bundle size (minified)',
            measured: `${f(fp.bundleBytes / 1000, 1)} KB`,
            goal: '≤ 250 KB',
            status: status(fp.bundleBytes <= 250_000),
            note: `${f(fp.bundleBytes / 1024, 1)} KiB, esbuild minified CommonJS; largest: ${fp.bundleTop
                .slice(0, 3)
                .map((b) => `${b.source} ${f(b.bytes / 1000, 0)} KB`)
                .join(', ')}; zip ${f(fp.zipBytes / 1000, 0)} KB`,
        });
        add({
            section: 'Footprint',
            metric: 'Install + enable time ÷ hello-world app',
            measured: f(fp.install.ratio),
            goal: '≤ 1.3',
            status: status(fp.install.ratio <= 1.3),
            note: `median of ${fp.install.rounds} rounds, spread ${f(Math.min(...fp.install.ratios))}–${f(Math.max(...fp.install.ratios))}; ${f(fp.install.appMs, 0)} ms vs ${f(fp.install.helloMs, 0)} ms; a fresh Rocket.Chat (test host) each time, order alternating`,
        });
        const m = fp.memory;
        const o = m.options;
        const curve = (points: { rssMiB: number }[]) =>
            points
                .filter((_, i) => i % Math.max(1, Math.round(points.length / 6)) === 0 || i === points.length - 1)
                .map((p) => f(p.rssMiB, 0))
                .join(' → ');
        add({
            section: 'Footprint',
            metric: 'Deno process memory growth after warm-up, per 10,000 events',
            measured: `${f(m.app.slopePercentPer10k, 1)} %`,
            goal: '< 1 %',
            status: status(m.app.slopePercentPer10k < 1),
            note: `${r.quick ? 'quick run, ' : ''}${int(o.events)} webhook events from ${int(o.customers)} customers (realistic bodies from bench/lib/deliveries.ts, ${o.concurrency} in flight) and ${int(m.replies)} agent replies; VmRSS every ${int(o.sampleEvery)} events, least-squares slope after ${int(o.warmUpEvents)} events: ${f(m.app.slopeMiBPer10k, 2)} MiB per 10,000 on ${f(m.app.warmMiB, 0)} MiB; app ${curve(m.app.points)} MiB. Floor app, same inbound load: ${f(m.floor.slopePercentPer10k, 1)} % (${curve(m.floor.points)} MiB)`,
        });
    }
    return rows;
}

export function renderTable(rows: Row[]): string {
    const header = '| Area | Figure | Measured | Goal | | Notes |\n|---|---|---|---|---|---|';
    return [
        header,
        ...rows.map(
            (r) =>
                `| ${r.section} | ${r.metric} | ${r.measured} | ${r.goal} | ${r.status} | ${r.note.replace(/\|/g, '\\|')} |`,
        ),
    ].join('\n');
}
