/**
 * Host round trips: every call the app makes into Rocket.Chat goes through a bridge the test host records
 * (host.calls). Counted per inbound DM (the first of a conversation, and the steady state) and per
 * outbound text reply, with X calls (HttpBridge.call) counted apart.
 */
import type { BridgeCall } from '../tools/host/recorder';
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

export interface RoundTrips {
    inboundFirst: CallCount;
    inboundSteady: CallCount;
    outboundReply: CallCount;
    /** X's echo of our own reply (a `message_create` from the business) as the inbound side handles it. */
    outboundEcho: CallCount;
}

function count(calls: BridgeCall[], items: number): CallCount {
    const breakdown: Record<string, number> = {};
    for (const c of calls) breakdown[`${c.bridge}.${c.method}`] = (breakdown[`${c.bridge}.${c.method}`] ?? 0) + 1;
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

async function quiet(rig: Rig): Promise<void> {
    await rig.settleAll();
    await rig.host.settle();
}

export async function measureRoundTrips(zip: Buffer, samples = 30): Promise<RoundTrips> {
    const rig = await startRig({ mode: 'aaa', zip, shareClock: true });
    try {
        rig.sim.setRateLimit('dm.send', {
            perUser: { limit: 100_000, windowMs: 15 * 60_000 },
            userDay: 1_000_000,
            appDay: 1_000_000,
        });
        const customers = Array.from({ length: samples }, (_, i) => rig.customer(`rt${i}`, `Round Trip ${i}`));
        // A warm-up conversation, so caches (settings, account, app user) are what a running server has.
        const warm = rig.customer('rtwarm', 'Warm Up');
        for (const text of ['warm 1', 'warm 2']) {
            await catchUpWithRealTime(rig);
            await rig.sim.sendDm({ from: warm, to: rig.business.id, text });
        }
        await quiet(rig);

        // First message of a conversation: opens the visitor and room.
        let mark = rig.host.calls.mark();
        for (const customer of customers) {
            await catchUpWithRealTime(rig);
            await rig.sim.sendDm({ from: customer, to: rig.business.id, text: 'first message' });
            await quiet(rig);
        }
        const inboundFirst = count(rig.host.calls.since(mark), customers.length);

        // Steady state: more DMs in open rooms.
        mark = rig.host.calls.mark();
        const steady = customers.length * 3;
        for (let i = 0; i < steady; i++) {
            await catchUpWithRealTime(rig);
            await rig.sim.sendDm({ from: customers[i % customers.length], to: rig.business.id, text: `steady ${i}` });
            await quiet(rig);
        }
        const inboundSteady = count(rig.host.calls.since(mark), steady);

        // Replies: one warm-up per room, then measured replies with X's echo held back (it is inbound work).
        const rooms = rig.host.livechatRooms().filter((r) => r.isOpen && /^Round Trip/.test(r.visitor?.name ?? ''));
        for (const room of rooms) {
            rig.host.postAgentMessage(room.id, rig.agent, 'warm-up reply');
            await quiet(rig);
        }
        const hold = rig.sim.faults.set({ delivery: { delayMs: 24 * 3_600_000 } });
        mark = rig.host.calls.mark();
        const replies = rooms.length * 2;
        for (let i = 0; i < replies; i++) {
            rig.host.postAgentMessage(rooms[i % rooms.length].id, rig.agent, `measured reply ${i}`);
            await rig.host.settle();
        }
        await rig.host.settle();
        const outboundReply = count(rig.host.calls.since(mark), replies);
        rig.sim.faults.clear(hold);
        mark = rig.host.calls.mark();
        await rig.clock.advance(24 * 3_600_000 + 1000);
        await quiet(rig);
        const echoCalls = rig.host.calls.since(mark).filter((c) => !(c.bridge === 'SchedulerBridge'));
        const outboundEcho = count(echoCalls, replies);
        return { inboundFirst, inboundSteady, outboundReply, outboundEcho };
    } finally {
        await rig.stop();
    }
}
