/**
 * How big the fault suite runs: FAULTS_SCALE=full (`npm run test:faults`) for the figures the README
 * quotes; small by default, so `npm test` includes every scenario in a couple of minutes.
 */
export const FULL = process.env.FAULTS_SCALE === 'full';

export const SCALE = {
    label: FULL ? 'full' : 'small',
    /** Inbound DMs X delivers (or the poller reads) across the inbound scenarios. */
    inboundEvents: FULL ? 10_000 : 400,
    /** Agent replies across the outbound scenarios. */
    replies: FULL ? 2_000 : 100,
    /** Generated inputs per target through the real runtime (webhook bodies, commands, settings). */
    runtimeFuzzRuns: FULL ? 10_000 : 300,
    /** Generated inputs per pure normalizer (in-process: always the full count). */
    pureFuzzRuns: 10_000,
    /** Requests to X that hang until the app's own timeout (20 s each, so only in the full run). */
    hangs: FULL ? 3 : 0,
};

/** Jest timeout for a scenario of `units` items at roughly `msPerUnit` each, with room to spare. */
export const timeoutFor = (units: number, msPerUnit: number) => Math.max(120_000, units * msPerUnit * 3);

/** One seed for the whole run (printed, so a failure can be replayed with FAULTS_SEED). */
export const SEED = Number(process.env.FAULTS_SEED ?? 424242);
