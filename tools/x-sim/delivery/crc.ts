import type { SimClock } from '../core/clock';
import type { SeededRandom } from '../core/random';
import type { Webhook } from '../state/types';
import type { CallOutcome, TimedWebhookCall } from './timed-call';
import { crcResponseToken } from './webhook-crypto';

/**
 * `valid`: 200 with the right token. `wrong-token` (2xx with a bad token) and `redirect` (3xx)
 * invalidate a webhook at once; `transient` failures (4xx, 5xx, timeout, connection error) only
 * after 28 h without a success (x-api.md §2).
 */
export type CrcVerdict = 'valid' | 'wrong-token' | 'redirect' | 'transient';

export interface CrcCheck {
    webhookId: string;
    at: number;
    verdict: CrcVerdict;
    detail: string;
}

const TRANSIENT_GRACE_MS = 28 * 60 * 60 * 1000;

export class CrcChecker {
    private readonly history: CrcCheck[] = [];

    constructor(
        private readonly clock: SimClock,
        private readonly random: SeededRandom,
        private readonly call: TimedWebhookCall,
    ) {}

    /** Sends one `GET ?crc_token=` to the webhook URL and judges the answer. */
    async check(webhook: Webhook, consumerSecret: string): Promise<CrcCheck> {
        const at = this.clock.now();
        const crcToken = xCrcToken(this.random);
        const url = new URL(webhook.url);
        url.searchParams.set('crc_token', crcToken);
        url.searchParams.set('nonce', unpaddedBase64(String(at)));
        const outcome = await this.call({
            method: 'GET',
            url: url.toString(),
            headers: { accept: 'application/json' },
        });
        const result = { webhookId: webhook.id, at, ...judge(outcome, crcResponseToken(consumerSecret, crcToken)) };
        this.history.push(result);
        return result;
    }

    /** Applies a periodic check's verdict to the webhook's `valid` flag. */
    applyPeriodic(webhook: Webhook, check: CrcCheck): void {
        if (check.verdict === 'valid') {
            webhook.valid = true;
            webhook.lastCrcSuccessAt = check.at;
            webhook.failingSince = undefined;
            return;
        }
        webhook.failingSince ??= check.at;
        if (check.verdict !== 'transient') webhook.valid = false;
        else if (check.at - (webhook.lastCrcSuccessAt ?? webhook.createdAt) > TRANSIENT_GRACE_MS) webhook.valid = false;
    }

    list(): CrcCheck[] {
        return [...this.history];
    }
}

/**
 * X's form, from captured requests (2017 and 2026): the base64 of a random UUID, and the nonce the
 * base64 of the time in milliseconds, padding stripped (`crc_token=M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUt…
 * &nonce=MTc2OTUxODI5MjkxNA`; src/endpoints/crc.ts cites them).
 */
function xCrcToken(random: SeededRandom): string {
    const hex = random.string(32, '0123456789abcdef');
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[random.int(4)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
    return unpaddedBase64(uuid);
}

function unpaddedBase64(text: string): string {
    return Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '');
}

function judge(outcome: CallOutcome, expectedToken: string): { verdict: CrcVerdict; detail: string } {
    if (outcome.kind === 'timeout') return { verdict: 'transient', detail: 'timed out' };
    if (outcome.kind === 'connection-error') return { verdict: 'transient', detail: outcome.message };
    if (outcome.status >= 300 && outcome.status < 400) return { verdict: 'redirect', detail: `HTTP ${outcome.status}` };
    if (outcome.status < 200 || outcome.status >= 300)
        return { verdict: 'transient', detail: `HTTP ${outcome.status}` };
    let token: unknown;
    try {
        token = (JSON.parse(outcome.body) as { response_token?: unknown }).response_token;
    } catch {
        return { verdict: 'wrong-token', detail: 'response is not JSON' };
    }
    return token === expectedToken
        ? { verdict: 'valid', detail: 'ok' }
        : { verdict: 'wrong-token', detail: 'Invalid response_token' };
}
