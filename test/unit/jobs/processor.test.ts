/** The one way jobs are made: data from the scheduler is checked, one context per run. */
import { RECOVERY_JOB_ID, VERIFY_JOB_ID } from '../../../src/jobs/ids';
import { jobProcessor } from '../../../src/jobs/processor';

function appRef() {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), info: () => undefined, error: () => undefined };
    return { warnings, app: { getID: () => 'app-id', getLogger: () => logger as never } };
}
/** read (a persistence reader that finds nothing), modify, http, persistence. */
const accessors = [{ getPersistenceReader: () => ({ readByAssociation: async () => [] }) }, {}, {}, {}] as const;
const run = (p: ReturnType<typeof jobProcessor>, raw: object) =>
    p.processor(raw as never, ...(accessors as unknown as [never, never, never, never]));

describe('a job processor', () => {
    it("hands the run the app's accessors, its id, the logger and the job's data", async () => {
        const { app } = appRef();
        const seen: unknown[] = [];
        const p = jobProcessor(app, {
            id: RECOVERY_JOB_ID,
            needs: 'app',
            run: async (ctx, job) => void seen.push(ctx.appId, job),
        });
        await run(p, { owedOnly: true, injected: 'x' });
        expect(seen).toEqual(['app-id', { owedOnly: true }]);
    });

    it("skips, with a warning, a run whose data is not its job's (a verification without its event)", async () => {
        const { app, warnings } = appRef();
        let ran = false;
        const p = jobProcessor(app, { id: VERIFY_JOB_ID, needs: 'app', run: async () => void (ran = true) });
        await run(p, { xUserId: 42, eventId: { $ne: null } });
        expect(ran).toBe(false);
        expect(warnings).toEqual([expect.stringContaining(VERIFY_JOB_ID)]);
    });
});
