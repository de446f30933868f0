/** Every job the app registers with Rocket.Chat's scheduler, each made by the one factory (processor.ts). */
import type { IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import { applySettings } from '../admin/apply-settings';
import { forgetExpiredPendingLinks } from '../admin/pending-link';
import { creditsProbeJob } from './credits-probe';
import { runHealthCheck } from './health';
import { runDailyHousekeeping } from './housekeeping';
import { HEALTH_JOB_ID, HOUSEKEEPING_JOB_ID, POLLER_JOB_ID, recurringAtStartup, SETTINGS_JOB_ID } from './ids';
import { mirrorJob } from './mirror';
import { outboxJob } from './outbox-job';
import { pendingJob } from './pending';
import { runPoll } from './poller';
import { AppRef, jobProcessor } from './processor';
import { recoveryJob } from './recovery';
import { verifyJob } from './verify';

export function jobProcessors(app: AppRef): IProcessor[] {
    return [
        jobProcessor(app, outboxJob),
        jobProcessor(app, { id: POLLER_JOB_ID, needs: 'each-account', run: (ctx) => runPoll(ctx, app.getID()) }),
        jobProcessor(app, mirrorJob),
        jobProcessor(app, pendingJob),
        jobProcessor(app, verifyJob),
        jobProcessor(app, recoveryJob),
        jobProcessor(app, creditsProbeJob),
        jobProcessor(app, { id: SETTINGS_JOB_ID, needs: 'app', run: (ctx) => applySettings(ctx) }),
        jobProcessor(app, {
            id: HEALTH_JOB_ID,
            startupSetting: recurringAtStartup('30 minutes'),
            needs: 'app',
            run: (ctx) => runHealthCheck(ctx),
        }),
        jobProcessor(app, {
            id: HOUSEKEEPING_JOB_ID,
            startupSetting: recurringAtStartup('24 hours'),
            needs: 'app',
            run: async (ctx) => {
                await runDailyHousekeeping(ctx.read, ctx.http, ctx.persistence, ctx.now());
                await forgetExpiredPendingLinks(ctx);
            },
        }),
    ];
}
