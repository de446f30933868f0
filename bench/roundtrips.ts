/**
 * Host round trips: every call the app makes into Rocket.Chat goes through a bridge the test host records
 * (host.calls). Counted per inbound DM (the first of a conversation, and the steady state), per outbound
 * text reply and per X echo of a reply, with X calls (HttpBridge.call) counted apart — under two conditions:
 *
 * - burst: each item right after the previous one, so the app's per-instance caches (linked account 30 s,
 *   outbox view 2 s, server settings 60 s) are warm: the best case.
 * - spaced: real time passes between items, as in ordinary use — at least 31 s before each inbound DM and
 *   each echo, 11 s before each reply — with nothing else running meanwhile. The app reads the real clock
 *   (its caches are not test-controllable, by design), so the bench waits for real; fewer samples.
 *
 * Each spaced item is measured alone: the host's clock catches up with real time (scheduler jobs due by
 * then run and settle) BEFORE the wait, so no job refreshes a cache inside the gap or runs in the window.
 */
import { BridgeCall, callName } from '../tools/host/recorder';
import { Rig, catchUpWithRealTime, startRig } from '../test/faults/helpers/rig';

export interface CallCount {
    samples: number;
    /** Calls into Rocket.Chat per item (everything but HTTP). */
    hostCallsPerItem: number;
    /** Calls out to X per item (HttpBridge.call). */
    xCallsPerItem: number;
    /** Which calls, with their counts per item. */
    breakdown: Record<string, number>;
}

export interface RoundTripConditions {
    /** Real time before each measured inbound DM and each echo (0: back to back). */
    inboundSpacingMs: number;
    /** Real time before each measured reply (0: back to back). */
    replySpacingMs: number;
    /** Items measured per figure (the steady state of a burst measures 3 per conversation). */
    samples: number;
}

export interface RoundTrips {
    conditions: RoundTripConditions;
    inboundFirst: CallCount;
    inboundSteady: CallCount;
    outboundReply: CallCount;
    /** X's echo of our own reply (a `message_create` from the business) as the inbound side handles it. */
    outboundEcho: CallCount;
}

export interface RoundTripResults {
    /** The run that measured these (the section may be merged into a results file of another run). */
    commit?: string;
    generatedAt?: string;
    burst: RoundTrips;
    spaced: RoundTrips;
}

function count(calls: BridgeCall[], items: number): CallCount {
    const breakdown: Record<string, number> = {};
    for (const c of calls) breakdown[callName(c)] = (breakdown[callName(c)] ?? 0) + 1;
    for (const k of Object.keys(breakdown)) breakdown[k] = round(breakdown[k] / items);
    const x = calls.filter((c) => c.bridge === 'HttpBridge').length;
    return {
        samples: items,
        hostCallsPerItem: round((calls.length - x) / items),
        xCallsPerItem: round(x / items),
        breakdown,
    };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Scheduler calls are the host's bookkeeping of jobs, not work the item asked for. */
const notScheduler = (c: BridgeCall) => c.bridge !== 'SchedulerBridge';

async function quiet(rig: Rig): Promise<void> {
    await rig.settleAll();
    await rig.host.settle();
}

/** How long X's echo of a measured reply is held back (each one 10 minutes more than the one before). */
const HOLD_MS = 24 * 3_600_000;

interface Phase {
    /** Real time to let pass before each item. */
    gapMs: number;
}

/**
 * Runs `item` once per sample, each after `gapMs` of real time with the app idle, and counts only the
 * calls made between the item's start and the moment everything settled.
 */
async function measureEach(
    rig: Rig,
    phase: Phase,
    samples: number,
    item: (i: number) => Promise<void>,
): Promise<BridgeCall[]> {
    const calls: BridgeCall[] = [];
    for (let i = 0; i < samples; i++) {
        await catchUpWithRealTime(rig);
        await quiet(rig);
        if (phase.gapMs > 0) await sleep(phase.gapMs);
        const mark = rig.host.calls.mark();
        await item(i);
        await quiet(rig);
        calls.push(...rig.host.calls.since(mark).filter(notScheduler));
    }
    return calls;
}

async function measureCondition(
    rig: Rig,
    label: string,
    samples: number,
    spacing: { inboundMs: number; replyMs: number },
): Promise<RoundTrips> {
    const customers = Array.from({ length: samples }, (_, i) =>
        rig.customer(`rt${label}${i}`, `Round Trip ${label} ${i}`),
    );
    const inbound = { gapMs: spacing.inboundMs };

    // First message of a conversation: opens the visitor and room.
    const firstCalls = await measureEach(rig, inbound, samples, (i) =>
        rig.sim.sendDm({ from: customers[i], to: rig.business.id, text: 'first message' }).then(() => undefined),
    );
    const inboundFirst = count(firstCalls, samples);

    // Steady state: more DMs in open rooms (a burst takes three per conversation, spaced traffic one).
    const steady = spacing.inboundMs > 0 ? samples : samples * 3;
    const steadyCalls = await measureEach(rig, inbound, steady, (i) =>
        rig.sim
            .sendDm({ from: customers[i % customers.length], to: rig.business.id, text: `steady ${i}` })
            .then(() => undefined),
    );
    const inboundSteady = count(steadyCalls, steady);

    // Replies: one warm-up per room (not measured), then the measured ones with X's echo held back (it is
    // inbound work, measured next). Each reply's echo is held for its own time, so echoes arrive one by one.
    const rooms = rig.host
        .livechatRooms()
        .filter((r) => r.isOpen && (r.visitor?.name ?? '').startsWith(`Round Trip ${label} `));
    for (const room of rooms) {
        rig.host.postAgentMessage(room.id, rig.agent, 'warm-up reply');
        await quiet(rig);
    }
    const replies = spacing.replyMs > 0 ? rooms.length : rooms.length * 2;
    const echoDueAt: number[] = [];
    const replyCalls = await measureEach(rig, { gapMs: spacing.replyMs }, replies, async (i) => {
        const holdMs = HOLD_MS + i * 10 * 60_000;
        echoDueAt.push(rig.clock.now() + holdMs);
        const hold = rig.sim.faults.set({ delivery: { delayMs: holdMs } });
        rig.host.postAgentMessage(rooms[i % rooms.length].id, rig.agent, `measured reply ${i}`);
        await rig.host.settle();
        rig.sim.faults.clear(hold);
    });
    const outboundReply = count(replyCalls, replies);

    // Echoes: the clock is moved to just before each echo is due (jobs due by then run and settle, not
    // counted), then, after the spacing, past it: only that echo arrives in the measured window.
    const echoCalls: BridgeCall[] = [];
    for (const dueAt of echoDueAt) {
        if (rig.clock.now() < dueAt - 1_000) await rig.clock.advance(dueAt - 1_000 - rig.clock.now());
        await quiet(rig);
        if (spacing.inboundMs > 0) await sleep(spacing.inboundMs);
        const mark = rig.host.calls.mark();
        await rig.clock.advance(2_000);
        await quiet(rig);
        echoCalls.push(...rig.host.calls.since(mark).filter(notScheduler));
    }
    const outboundEcho = count(echoCalls, echoDueAt.length);
    return {
        conditions: { inboundSpacingMs: spacing.inboundMs, replySpacingMs: spacing.replyMs, samples },
        inboundFirst,
        inboundSteady,
        outboundReply,
        outboundEcho,
    };
}

/** Spacing of the spaced condition: past the 30 s account cache before DMs, 10 s between replies. */
export const SPACED = { inboundMs: 31_000, replyMs: 11_000 };

export async function measureRoundTrips(
    zip: Buffer,
    samples: { burst: number; spaced: number } = { burst: 30, spaced: 8 },
    log: (line: string) => void = () => undefined,
): Promise<RoundTripResults> {
    const burst = await withRig(zip, (rig) =>
        measureCondition(rig, 'burst', samples.burst, { inboundMs: 0, replyMs: 0 }),
    );
    const seconds = Math.round((samples.spaced * (3 * SPACED.inboundMs + SPACED.replyMs)) / 1000);
    log(`  burst done; spaced traffic waits about ${seconds} s of real time`);
    const spaced = await withRig(zip, (rig) => measureCondition(rig, 'spaced', samples.spaced, SPACED));
    return { burst, spaced };
}

/** A fresh system per condition (the echo phase moves the clock a day ahead). */
async function withRig<T>(zip: Buffer, run: (rig: Rig) => Promise<T>): Promise<T> {
    const rig = await startRig({ mode: 'aaa', zip, shareClock: true });
    try {
        rig.sim.setRateLimit('dm.send', {
            perUser: { limit: 100_000, windowMs: 15 * 60_000 },
            userDay: 1_000_000,
            appDay: 1_000_000,
        });
        // A warm-up conversation, so caches (settings, account, app user) are what a running server has.
        const warm = rig.customer('rtwarm', 'Warm Up');
        for (const text of ['warm 1', 'warm 2']) {
            await catchUpWithRealTime(rig);
            await rig.sim.sendDm({ from: warm, to: rig.business.id, text });
        }
        await quiet(rig);
        return await run(rig);
    } finally {
        await rig.stop();
    }
}
