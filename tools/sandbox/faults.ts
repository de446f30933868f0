/**
 * Named faults for `--fault <name>` and the console's switches: the conditions X (and the network in
 * between) really produce, so a problem can be reproduced in front of you. Each preset installs its rules
 * and returns how to remove them again.
 */
import type { SimClock } from '../x-sim/core/clock';
import type { FaultSpec } from '../x-sim/ops/faults';
import { DEFAULT_RATE_LIMITS } from '../x-sim/ops/rate-limits';
import type { World } from './world';

export interface FaultPreset {
    name: string;
    description: string;
    /** Installs the fault; returns what removes it. */
    apply(world: World<SimClock>): () => void;
}

const rules =
    (...specs: FaultSpec[]) =>
    ({ sim }: World<SimClock>) => {
        const ids = specs.map((spec) => sim.faults.set(spec));
        return () => ids.forEach((id) => sim.faults.clear(id));
    };

const FIFTEEN_MINUTES = 15 * 60_000;

export const FAULT_PRESETS: readonly FaultPreset[] = [
    {
        name: 'x-down',
        description: 'every X API call answers 503 Service Unavailable',
        apply: rules({ api: { status: 503 } }),
    },
    {
        name: 'x-flaky',
        description: '30% of X API calls answer 503',
        apply: rules({ api: { status: 503 }, probability: 0.3 }),
    },
    { name: 'x-slow', description: 'X API calls answer after 3 s', apply: rules({ api: { delayMs: 3000 } }) },
    {
        name: 'send-fails',
        description: 'sending a DM answers 503 (replies wait in the outbox)',
        apply: rules({ api: { status: 503 }, match: { endpoint: 'dm.send' } }),
    },
    {
        name: 'send-limit',
        description: "X's DM sending limit lowered to 3 per 15 minutes (429 Too Many Requests)",
        apply: ({ sim }) => {
            sim.setRateLimit('dm.send', { perUser: { limit: 3, windowMs: FIFTEEN_MINUTES } });
            return () => sim.setRateLimit('dm.send', DEFAULT_RATE_LIMITS['dm.send']);
        },
    },
    {
        name: 'credits-depleted',
        description: "the X developer account's prepaid credits run out (402 on every call) until the fault is removed",
        apply: ({ sim }) => {
            sim.setCredits(0);
            return () => sim.setCredits(undefined);
        },
    },
    {
        name: 'crc-client-secret',
        description:
            'X checks the webhook with the OAuth 2.0 Client Secret instead of the API Key Secret (the next check fails until the app switches)',
        apply: ({ sim }) => {
            sim.setCrcKey('client-secret');
            void sim.runCrcCheck();
            return () => sim.setCrcKey('consumer-secret');
        },
    },
    {
        name: 'webhook-unreachable',
        description:
            'X cannot reach the webhook (connection refused, as behind a firewall): registering or re-validating it fails with CrcValidationFailed, deliveries fail; with Automatic delivery the app polls meanwhile and switches back by itself',
        apply: ({ sim }) => {
            sim.setWebhookReachable(false);
            return () => sim.setWebhookReachable(true);
        },
    },
    {
        name: 'webhook-down',
        description:
            "Rocket.Chat's public URL answers X's webhook deliveries with 500 (X retries 3 s, 27 s, 242 s later)",
        apply: (world) => {
            world.front.setHosts([]);
            return () => world.front.setHosts([world.host]);
        },
    },
    {
        name: 'duplicate-deliveries',
        description: 'every webhook delivery arrives twice',
        apply: rules({ delivery: { duplicate: 1 } }),
    },
    {
        name: 'reorder-deliveries',
        description: 'half the webhook deliveries are held back (up to ~1 s) so the next one overtakes them',
        apply: rules({ delivery: { reorder: true }, probability: 0.5 }),
    },
    {
        name: 'late-deliveries',
        description: 'webhook deliveries arrive 10 s late',
        apply: rules({ delivery: { delayMs: 10_000 } }),
    },
    {
        name: 'escaped-json',
        description: 'webhook bodies use \\/ and \\uXXXX escapes (signature must still verify)',
        apply: rules({ serialization: 'both' }),
    },
];

export function faultPreset(name: string): FaultPreset {
    const preset = FAULT_PRESETS.find((p) => p.name === name);
    if (!preset)
        throw new Error(`Unknown fault "${name}". Known faults: ${FAULT_PRESETS.map((p) => p.name).join(', ')}`);
    return preset;
}
