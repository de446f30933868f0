import type { SimClock } from '../core/clock';
import type { OutboundRequest, WebhookHttpCall } from './outbound-http';

export interface CallTimeouts {
    /** Simulated milliseconds X waits for an answer (10 s). */
    simulatedMs: number;
    /** Real milliseconds before giving up anyway, so a hung receiver can't stall a run. */
    realMs: number;
}

export type CallOutcome =
    | { kind: 'response'; status: number; body: string }
    | { kind: 'timeout' }
    | { kind: 'connection-error'; message: string };

/** Calls a webhook URL (after rewriting it), timing out on whichever comes first: simulated or real time. */
export type TimedWebhookCall = (request: OutboundRequest) => Promise<CallOutcome>;

export function timedWebhookCall(
    clock: SimClock,
    timeouts: CallTimeouts,
    call: WebhookHttpCall,
    rewriteUrl: (url: string) => string,
): TimedWebhookCall {
    return async (request) => {
        const controller = new AbortController();
        let timedOut = false;
        const expire = () => {
            timedOut = true;
            controller.abort();
        };
        const simTimer = clock.setTimer(timeouts.simulatedMs, expire);
        const realTimer = setTimeout(expire, timeouts.realMs);
        try {
            const response = await call({ ...request, url: rewriteUrl(request.url) }, controller.signal);
            return { kind: 'response', status: response.status, body: response.body };
        } catch (error) {
            return timedOut ? { kind: 'timeout' } : { kind: 'connection-error', message: (error as Error).message };
        } finally {
            clock.clearTimer(simTimer);
            clearTimeout(realTimer);
        }
    };
}
