/**
 * Every scheduler processor is made here, one way: the run's data is checked (Agenda hands back whatever was
 * stored with the job), the context is built and the job's `run(ctx, job)` gets it. Jobs that work for one
 * linked account get its BridgeContext: `account` jobs for the account their data names (data stored by
 * versions that served one account names none: the only account), `each-account` jobs once per linked
 * account, side by side and each one's failure its own (one account's 429 or revoked token must not hold the
 * others back). Neither runs while no account is linked. The others (settings, health, housekeeping,
 * recovery) get the app's accessors. Before any run, an install upgraded from a single-account version
 * becomes a registry of one (once per process).
 */
import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import type { IJobContext, IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import type { AdminAccessors } from '../admin/link';
import { buildBridgeContext } from '../bridge/build-context';
import { migrateLegacyAccount } from '../storage/accounts';
import { cachedAccounts } from '../storage/account-cache';
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
    | { needs: 'account' | 'each-account'; run(ctx: BridgeContext, job: JobData<Id>): Promise<unknown> }
    | { needs: 'app'; run(ctx: AppJobContext, job: JobData<Id>): Promise<unknown> }
);

/** The job's data as its run may use it, or undefined when the stored data is not this job's. */
function jobData<Id extends JobId>(id: Id, raw: IJobContext | undefined): JobData<Id> | undefined {
    // Verification jobs scheduled before the rename carry `xUserId`: read either way.
    if (id === VERIFY_JOB_ID) return fromStoredVerifyJob(raw ?? {}) as JobData<Id> | undefined;
    const data: { owedOnly?: true; accountId?: string } = raw?.owedOnly === true ? { owedOnly: true } : {};
    if (typeof raw?.accountId === 'string') data.accountId = raw.accountId;
    return data as JobData<Id>;
}

/** Whether this process already upgraded a single-account install (or found none to upgrade). */
let migrationChecked = false;

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
            if (!migrationChecked) {
                await migrateLegacyAccount(read.getPersistenceReader(), persistence);
                migrationChecked = true;
            }
            if (spec.needs === 'app') {
                const now = () => Date.now();
                await spec.run({ read, modify, http, persistence, appId: app.getID(), now, logger }, job);
                return;
            }
            // Data naming an account restricts an every-account job to it (an outbox wake-up, say).
            const named = (job as { accountId?: string }).accountId;
            const accountIds =
                spec.needs === 'account'
                    ? [named]
                    : (await cachedAccounts(read, Date.now()))
                          .map((a) => a.accountId)
                          .filter((id) => named === undefined || id === named);
            await Promise.all(
                accountIds.map(async (accountId) => {
                    const built = await buildBridgeContext(read, modify, persistence, http, logger, accountId);
                    if (!built.ok) return;
                    try {
                        await spec.run(built.ctx, job);
                    } catch (e) {
                        if (spec.needs === 'account') throw e;
                        logger.error(
                            `Job ${spec.id} for @${built.ctx.account.username} failed: ${(e as Error)?.message ?? e}`,
                        );
                    }
                }),
            );
        },
    };
}
