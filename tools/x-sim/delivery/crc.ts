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
    const crcToken = this.random.string(32);
    const url = new URL(webhook.url);
    url.searchParams.set('crc_token', crcToken);
    url.searchParams.set('nonce', this.random.digits(16));
    const at = this.clock.now();
    const outcome = await this.call({ method: 'GET', url: url.toString(), headers: { accept: 'application/json' } });
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

function judge(outcome: CallOutcome, expectedToken: string): { verdict: CrcVerdict; detail: string } {
  if (outcome.kind === 'timeout') return { verdict: 'transient', detail: 'timed out' };
  if (outcome.kind === 'connection-error') return { verdict: 'transient', detail: outcome.message };
  if (outcome.status >= 300 && outcome.status < 400) return { verdict: 'redirect', detail: `HTTP ${outcome.status}` };
  if (outcome.status < 200 || outcome.status >= 300) return { verdict: 'transient', detail: `HTTP ${outcome.status}` };
  let token: unknown;
  try {
    token = (JSON.parse(outcome.body) as { response_token?: unknown }).response_token;
  } catch {
    return { verdict: 'wrong-token', detail: 'response is not JSON' };
  }
  return token === expectedToken ? { verdict: 'valid', detail: 'ok' } : { verdict: 'wrong-token', detail: 'Invalid response_token' };
}
