/**
 * The fallback for deliveries whose signature header is present and well formed but matches none of
 * the serializations the verifier rebuilds (X wrote bytes it cannot reproduce): each DM is looked up at
 * X (`GET /2/dm_events/:id`, a billed read when found) and only X's own copy is accepted. Anyone who
 * knows the webhook URL can send such deliveries, so the lookups are bounded: never in polling mode,
 * never twice for one event id in a day, at most CONFIRMATIONS_PER_HOUR across all instances, none once
 * the day's X cost reached the daily spending cap, and billed reads go into the cost ledger.
 *
 * Persistence has no atomic counter, so each lookup is a claim: its record is written first, then the
 * records are read back, and X is asked only if they hold no more than the cap (and no earlier claim on
 * the same event). Of the lookups made, the one written last read all the others back, so however many
 * deliveries race on however many instances, an hour never holds more than the cap.
 */
import { randomBytes } from 'crypto';
import type { BridgeContext } from './context';
import { HOUR, utcDay } from '../lib/time';
import { DeliveryMode } from '../settings/ids';
import { ConfirmationLookup, recentLookups, recordLookup, withdrawLookup } from '../storage/confirmations';
import { totalsForDay } from '../storage/ledger';
import { normalizeDmEventsPage } from '../x/events/v2-dm';
import type { InboundEvent, InboundMessage } from '../x/event-types';

/** Lookups per hour for all instances together: a sixth of X's 15-per-15-minutes budget for DM lookups (the settings description in i18n/ names it). */
export const CONFIRMATIONS_PER_HOUR = 10;

export type ConfirmationResult =
    | { confirmed: InboundEvent[] }
    | { confirmed: []; refused: 'setting-off' | 'polling-mode' | 'hourly-cap' | 'daily-cap' | 'nothing-to-look-up' };

/** Whether the fallback may run at all (checked before anything is read). */
export function confirmationAllowed(ctx: Pick<BridgeContext, 'settings'>): 'setting-off' | 'polling-mode' | undefined {
    if (!ctx.settings.confirmUnverifiedEvents) return 'setting-off';
    // Polling never registers a webhook: whatever arrives there did not come from X.
    if (ctx.settings.deliveryMode === DeliveryMode.Polling) return 'polling-mode';
    return undefined;
}

/**
 * Keeps only the messages X itself returns with the same sender and text, as X returns them. Typing and
 * read events cannot be looked up, so an unverifiable delivery loses them (they are transient anyway).
 */
export async function confirmWithX(
    ctx: BridgeContext,
    events: InboundEvent[],
    isFresh: (createdAt: number) => boolean,
): Promise<ConfirmationResult> {
    const notAllowed = confirmationAllowed(ctx);
    if (notAllowed) return { confirmed: [], refused: notAllowed };
    const now = ctx.now();
    const messages = events.filter((e): e is InboundMessage => e.kind === 'message' && isFresh(e.createdAt));
    if (messages.length === 0) return { confirmed: [], refused: 'nothing-to-look-up' };
    const reader = ctx.read.getPersistenceReader();
    const lookups = await recentLookups(reader, now);
    // Checked before writing anything, so a flood past the cap writes no records.
    if (inTheHour(lookups, now) >= CONFIRMATIONS_PER_HOUR) return { confirmed: [], refused: 'hourly-cap' };
    if (ctx.settings.dailyCapUsd > 0 && (await totalsForDay(reader, utcDay(now))).usd >= ctx.settings.dailyCapUsd)
        return { confirmed: [], refused: 'daily-cap' };
    const asked = new Set(lookups.map((l) => l.eventId));
    const confirmed: InboundEvent[] = [];
    const client = await ctx.x();
    for (const message of messages) {
        if (asked.has(message.eventId)) continue;
        asked.add(message.eventId);
        // Recorded before asking, so other instances count it even if this one dies mid-call.
        const claim = { eventId: message.eventId, at: ctx.now(), claim: randomBytes(9).toString('base64url') };
        await recordLookup(ctx.persistence, claim);
        const counted = await recentLookups(reader, claim.at);
        const overCap = inTheHour(counted, claim.at) > CONFIRMATIONS_PER_HOUR;
        if (overCap || counted.find((l) => l.eventId === message.eventId)?.claim !== claim.claim) {
            await withdrawLookup(ctx.persistence, claim);
            if (overCap) return confirmed.length > 0 ? { confirmed } : { confirmed: [], refused: 'hourly-cap' };
            continue;
        }
        try {
            const page = await client.getDmEvent(message.eventId);
            const [found] = normalizeDmEventsPage(
                { ...(page as object), data: [(page as { data?: unknown }).data].filter(Boolean) },
                ctx.account.accountId,
            ).events;
            if (
                found?.kind === 'message' &&
                found.senderId === message.senderId &&
                found.text === message.text &&
                isFresh(found.createdAt)
            )
                confirmed.push(found);
        } catch (e) {
            ctx.logger.warn(`Could not confirm DM ${message.eventId} with X: ${(e as Error).message}`);
        }
    }
    return { confirmed };
}

/** Lookups counted against the hour ending at `at`; those written after it by other deliveries count too. */
function inTheHour(lookups: ConfirmationLookup[], at: number): number {
    return lookups.filter((l) => at - l.at < HOUR).length;
}
