import { creditsPauseRecord } from '../../../src/storage/job-state';
import { CREDITS_PROBE_JOB_ID } from '../../../src/jobs/ids';
import { runHealthCheck } from '../../../src/jobs/health';
import { fakeWorld } from '../helpers/fake-bridge';

const MINUTE = 60_000;

/** The health check over a fake world in which credits ran out and a probe was planned for `probeAgo` minutes ago. */
async function healthCheckDuringPause(probeAgo: number) {
    const world = fakeWorld();
    const now = world.clock.now;
    await creditsPauseRecord.write(world.ctx.persistence, {
        since: now - 120 * MINUTE,
        nextProbeAt: now - probeAgo * MINUTE,
        probes: 4,
    });
    await runHealthCheck({ ...world.ctx, appId: 'app-id', now: () => now });
    return {
        world,
        probes: world.wakes.filter((job) => (job as unknown as { id: string }).id === CREDITS_PROBE_JOB_ID),
    };
}

describe('a credits probe lost while X still refused calls', () => {
    it('is planned again by the health check, at once, when it is well overdue (its job was cancelled)', async () => {
        const { world, probes } = await healthCheckDuringPause(40);
        expect(probes).toHaveLength(1);
        expect(probes[0].when.getTime()).toBeGreaterThanOrEqual(world.clock.now);
        expect(probes[0].when.getTime()).toBeLessThan(world.clock.now + MINUTE);
    });

    it('is left alone while it is still planned or only just due', async () => {
        expect((await healthCheckDuringPause(-30)).probes).toHaveLength(0);
        expect((await healthCheckDuringPause(1)).probes).toHaveLength(0);
    });
});
