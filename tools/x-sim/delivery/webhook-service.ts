import type { SimClock } from '../core/clock';
import type { InFlight } from '../core/in-flight';
import { isoTimestamp } from '../core/time-format';
import type { SimStore } from '../state/store';
import type { DeveloperApp, Webhook } from '../state/types';
import type { CrcCheck, CrcChecker } from './crc';
import { crcSecretOf, type CrcKeyKind } from './crc-key';
import type { DeliveryDispatcher } from './dispatcher';

export type WebhookFailureReason =
    'CrcValidationFailed' | 'UrlValidationFailed' | 'DuplicateUrlFailed' | 'WebhookLimitExceeded';

export interface WebhookFailure {
    reason: WebhookFailureReason;
    message: string;
}

export interface WebhookServiceOptions {
    /** Also accept http:// and ports on loopback hosts (tests and the sandbox). */
    lenientWebhookUrls: boolean;
    /** Period of the automatic CRC re-check (X: hourly); 0 disables it. */
    crcIntervalMs: number;
    /** Which secret CRC challenges are keyed with unless set per app (see crc-key.ts). */
    crcKey: CrcKeyKind;
}

const MAX_URL_LENGTH = 200;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Webhook registration with CRC, re-validation, periodic checks and replay jobs. */
export class WebhookService {
    private periodicTimer?: number;
    private readonly crcKeys = new Map<string, CrcKeyKind>();

    constructor(
        private readonly store: SimStore,
        private readonly clock: SimClock,
        private readonly crc: CrcChecker,
        private readonly dispatcher: DeliveryDispatcher,
        private readonly inFlight: InFlight,
        private readonly options: WebhookServiceOptions,
    ) {}

    urlProblem(url: string): string | undefined {
        if (url.length > MAX_URL_LENGTH) return `URL is longer than ${MAX_URL_LENGTH} characters`;
        let parsed: URL;
        try {
            parsed = new URL(url);
        } catch {
            return 'URL is not valid';
        }
        if (this.options.lenientWebhookUrls && LOOPBACK_HOSTS.has(parsed.hostname) && /^https?:$/.test(parsed.protocol))
            return undefined;
        if (parsed.protocol !== 'https:') return 'URL must use https';
        if (parsed.port) return 'URL must not include a port';
        return undefined;
    }

    /** POST /2/webhooks: validates the URL, then registers it only if the CRC check passes. */
    async register(app: DeveloperApp, url: string): Promise<Webhook | WebhookFailure> {
        const problem = this.urlProblem(url);
        if (problem) return { reason: 'UrlValidationFailed', message: problem };
        const existing = this.store.webhooksOfApp(app.id);
        if (existing.some((w) => w.url === url))
            return { reason: 'DuplicateUrlFailed', message: 'A webhook with this URL is already registered' };
        if (existing.length >= app.webhookLimit)
            return { reason: 'WebhookLimitExceeded', message: `At most ${app.webhookLimit} webhook(s) allowed` };
        const webhook: Webhook = {
            id: this.store.ids.next(),
            appId: app.id,
            url,
            valid: false,
            createdAt: this.clock.now(),
        };
        const check = await this.checkNow(webhook, app);
        if (check.verdict !== 'valid') return { reason: 'CrcValidationFailed', message: check.detail };
        this.store.webhooks.set(webhook.id, webhook);
        return webhook;
    }

    /** PUT /2/webhooks/:id: re-runs the CRC; a failure marks the webhook invalid. */
    async revalidate(webhook: Webhook): Promise<WebhookFailure | undefined> {
        const check = await this.checkNow(webhook, this.store.requireApp(webhook.appId));
        if (check.verdict === 'valid') return undefined;
        webhook.valid = false;
        return { reason: 'CrcValidationFailed', message: check.detail };
    }

    /** Switches the secret X keys this app's CRC challenges with, from the next check on. */
    setCrcKey(appId: string, kind: CrcKeyKind): void {
        this.crcKeys.set(appId, kind);
    }

    crcKeyOf(appId: string): CrcKeyKind {
        return this.crcKeys.get(appId) ?? this.options.crcKey;
    }

    private crcSecret(app: DeveloperApp): string {
        return crcSecretOf(app, this.crcKeyOf(app.id));
    }

    delete(webhook: Webhook): void {
        this.store.webhooks.delete(webhook.id);
        for (const [id, subscription] of this.store.activitySubscriptions) {
            if (subscription.webhookId === webhook.id) this.store.activitySubscriptions.delete(id);
        }
        const remaining = this.store.accountActivitySubscriptions.filter((s) => s.webhookId !== webhook.id);
        this.store.accountActivitySubscriptions.splice(0, this.store.accountActivitySubscriptions.length, ...remaining);
    }

    /** Runs the periodic CRC re-check now (all webhooks, or one), applying X's invalidation rules. */
    async runPeriodicChecks(webhookId?: string): Promise<CrcCheck[]> {
        const targets = [...this.store.webhooks.values()].filter((w) => !webhookId || w.id === webhookId);
        return Promise.all(
            targets.map((webhook) =>
                this.inFlight.track(
                    this.crc.check(webhook, this.crcSecret(this.store.requireApp(webhook.appId))).then((check) => {
                        this.crc.applyPeriodic(webhook, check);
                        return check;
                    }),
                ),
            ),
        );
    }

    startPeriodicChecks(): void {
        if (this.options.crcIntervalMs <= 0) return;
        this.periodicTimer = this.clock.setTimer(this.options.crcIntervalMs, () => {
            void this.runPeriodicChecks();
            this.startPeriodicChecks();
        });
    }

    stopPeriodicChecks(): void {
        if (this.periodicTimer !== undefined) this.clock.clearTimer(this.periodicTimer);
        this.periodicTimer = undefined;
    }

    /**
     * POST /2/webhooks/replay: re-delivers what was delivered (or attempted) to the webhook in the
     * window [fromMs, toMs), then sends the `replay_job_status` event.
     */
    replay(webhook: Webhook, fromMs: number, toMs: number): { jobId: string; createdAt: number } {
        const jobId = this.store.ids.next();
        const createdAt = this.clock.now();
        const originals = this.dispatcher.recordsForReplay(webhook.id, fromMs, toMs);
        const app = this.store.requireApp(webhook.appId);
        const job = async () => {
            for (const original of originals) await this.dispatcher.resend(original, webhook, jobId);
            this.dispatcher.deliver({
                webhook,
                consumerSecret: app.consumerSecret,
                clientSecret: app.clientSecret,
                kind: 'replay_job_status',
                eventType: 'replay_job_status',
                eventIds: [],
                replayJobId: jobId,
                payload: {
                    replay_job_status: {
                        webhook_id: webhook.id,
                        job_state: 'Complete',
                        job_id: jobId,
                        created_at: isoTimestamp(createdAt),
                        completed_at: isoTimestamp(this.clock.now()),
                    },
                },
            });
        };
        void this.inFlight.track(job());
        return { jobId, createdAt };
    }

    private async checkNow(webhook: Webhook, app: DeveloperApp): Promise<CrcCheck> {
        const check = await this.inFlight.track(this.crc.check(webhook, this.crcSecret(app)));
        if (check.verdict === 'valid') {
            webhook.valid = true;
            webhook.lastCrcSuccessAt = check.at;
            webhook.failingSince = undefined;
        }
        return check;
    }
}
