/**
 * Keys shared by the record kinds of a conversation. Every record of a conversation carries the
 * conversation key, so one read returns them all. Their strings are persisted: changing one orphans
 * what installed apps stored.
 */
import { conversationId } from '../x/ids';
import { miscKey } from './associations';

export const conversationKey = (accountId: string, customerId: string) =>
    miscKey(`x-conv:${conversationId(accountId, customerId)}`);
export const conversationType = miscKey('x-conversation');
/** Seen markers and posted records of one event, and of one UTC day (housekeeping forgets by day). */
export const seenKey = (eventId: string) => miscKey(`x-seen:${eventId}`);
export const seenDayKey = (day: string) => miscKey(`x-seen-day:${day}`);
