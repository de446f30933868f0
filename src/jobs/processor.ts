/**
 * Every scheduler processor is made here, one way: the run's data is checked (Agenda hands back whatever was
 * stored with the job), the context is built once and the job's `run(ctx, job)` gets it. Jobs that work for the linked account get a BridgeContext and do not run
 * while none is linked; the others (settings, health, housekeeping, recovery) get the app's accessors.
 */
import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import type { IJobContext, IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import type { AdminAccessors } from '../admin/link';
import { buildBridgeContext } from '../bridge/build-context';
import type { BridgeContext } from '../bridge/context';
import { fromStoredVerifyJob } from '../storage/waiting-messages';
import { JobData, JobId, VERIFY_JOB_ID } from './ids';

/** What a job that needs no linked account gets. */
interface AppJobContext extends AdminAccessors {
    logger: ILogger;
}

export interface AppRef {
    getID(): string;
    getLogger(): ILogger;
}

type Startup = IProcessor['startupSetting'];

export type JobSpec<Id extends JobId> = { id: Id; startupSetting?: Startup } & (
    | { needs: 'linked-account'; run(ctx: BridgeContext, job: JobData<Id>): Promise<unknown> }
    | { needs: 'app'; run(ctx: AppJobContext, job: JobData<Id>): Promise<unknown> }
);

/** The job's data as its run may use it, or undefined when the stored data is not this job's. */
function jobData<Id extends JobId>(id: Id, raw: IJobContext | undefined): JobData<Id> | undefined {
    // Verification jobs scheduled before the rename carry `xUserId`: read either way.
    if (id === VERIFY_JOB_ID) return fromStoredVerifyJob(raw ?? {}) as JobData<Id> | undefined;
    return (raw?.owedOnly === true ? { owedOnly: true } : {}) as JobData<Id>;
}

export function jobProcessor<Id extends JobId>(app: AppRef, spec: JobSpec<Id>): IProcessor {
    return {
        id: spec.id,
        startupSetting: spec.startupSetting,
        processor: async (raw, read, modify, http, persistence) => {
            const logger = app.getLogger();
            const job = jobData(spec.id, raw);
            if (!job) {
                logger.warn(`A run of job ${spec.id} carried data that is not this job's; skipped.`);
                return;
            }
            if (spec.needs === 'app') {
                const now = () => Date.now();
                await spec.run({ read, modify, http, persistence, appId: app.getID(), now, logger }, job);
                return;
            }
            const built = await buildBridgeContext(read, modify, persistence, http, logger);
            if (built.ok) await spec.run(built.ctx, job);
        },
    };
}
