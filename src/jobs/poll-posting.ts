/**
 * Polled events into the inbound pipeline, one at a time: one that throws costs that event, not the
 * poll (review finding: a DM that always threw made the poller lose its request accounting and read it
 * again every run).
 */
import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import type { BridgeContext } from '../bridge/context';
import { processInbound } from '../bridge/inbound';
import type { InboundEvent } from '../x/event-types';

/** Polls a DM may fail in before it is given up (logged), so one bad DM cannot hold the cursor for good. */
const MAX_EVENT_FAILURES = 3;

/** Whether a failed event is still to be tried again: the cursor then stays, so the next poll reads it. */
export const stillRetrying = (failed: Record<string, number>) =>
    Object.values(failed).some((count) => count < MAX_EVENT_FAILURES);

/**
 * Hands the events to the pipeline one at a time, oldest first. One that throws (a bridge error, say)
 * costs that event, not the poll: the others are posted, and it is tried again by the next polls, up to
 * MAX_EVENT_FAILURES times. Returns the events that failed now, with their failure counts.
 */
export async function postEach(
    ctx: BridgeContext,
    events: InboundEvent[],
    failedBefore: Record<string, number>,
    logger: ILogger,
): Promise<Record<string, number>> {
    const failed: Record<string, number> = {};
    for (const event of [...events].sort((a, b) => a.createdAt - b.createdAt)) {
        const id = event.kind === 'message' ? event.eventId : undefined;
        if (id && (failedBefore[id] ?? 0) >= MAX_EVENT_FAILURES) continue;
        try {
            await processInbound(ctx, [event]);
        } catch (e) {
            if (!id) continue;
            failed[id] = (failedBefore[id] ?? 0) + 1;
            const last = failed[id] >= MAX_EVENT_FAILURES;
            logger.error(
                `Polled DM ${id} could not be handled (${failed[id]} of ${MAX_EVENT_FAILURES}${last ? ', given up' : ''}): ${(e as Error).message}`,
            );
        }
    }
    return failed;
}
