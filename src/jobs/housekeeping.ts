/**
 * Daily: drop dedupe markers old enough that X can no longer redeliver their events (webhook retries end
 * within minutes, replays reach back 24 h, polling stops at its cursor), keeping persistence small.
 */
import { IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import { DAY, utcDay } from '../lib/time';
import { ConversationStore } from '../storage/conversations';

export const SEEN_RETENTION_DAYS = 7;
/** How far back a missed run is caught up. */
const CATCH_UP_DAYS = 30;

export async function runHousekeeping(persistence: IPersistence, now: number): Promise<number> {
    const store = new ConversationStore();
    let removed = 0;
    for (let age = SEEN_RETENTION_DAYS + 1; age <= SEEN_RETENTION_DAYS + CATCH_UP_DAYS; age++) {
        removed += await store.forgetSeenDay(persistence, utcDay(now - age * DAY));
    }
    return removed;
}
