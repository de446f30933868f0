/**
 * Before an uncertain outbox item is sent again (its earlier attempt may have reached X: a timeout, a 5xx,
 * a run that died), X's recent DMs are searched for its copy; found, it is recorded instead of sent twice.
 */
import { XFailure } from '../x/client-types';
import type { InboundMessage } from '../x/event-types';
import { normalizeDmEventsPage } from '../x/events/v2-dm';
import { conversationKey } from '../storage/conversation-keys';
import type { SeenMarker } from '../storage/seen';
import type { OutboxItem } from '../storage/outbox';
import type { BridgeContext } from './context';
import type { DeliveryFailure } from './outbound-send';
import { outbox } from './outbound';
import { isCopyOf, VERIFY_SLACK_MS } from './outbox-decisions';

const VERIFY_PAGE_SIZE = 20;
/** At most this many pages of X's DM events are read to verify one item (X bills each event read). */
const VERIFY_MAX_PAGES = 5;

/**
 * X's copy of an uncertain DM: among the account's newest DM events (paged back to the attempt), one to this
 * customer with this text that was not recorded as one of our earlier sends.
 */
export async function findDeliveredCopy(
    ctx: BridgeContext,
    item: OutboxItem,
): Promise<{ found?: InboundMessage; failure?: DeliveryFailure }> {
    const since = (item.attemptAt ?? item.queuedAt) - VERIFY_SLACK_MS;
    const earlier = await sendsRecordedBefore(ctx, item);
    let token: string | undefined;
    for (let page = 0; page < VERIFY_MAX_PAGES; page++) {
        let body: unknown;
        try {
            const result = await (await ctx.x()).listDmEvents({ maxResults: VERIFY_PAGE_SIZE, paginationToken: token });
            body = result.body;
            token = result.nextToken;
        } catch (e) {
            const failure: DeliveryFailure =
                e instanceof XFailure
                    ? { kind: e.kind, retryAt: e.retryAt, uncertain: false, detail: e.detail }
                    : { kind: 'unavailable', uncertain: false };
            ctx.logger.warn(`Could not check with X whether outbox item ${item.id} was delivered: ${failure.kind}`);
            return { failure };
        }
        const events = normalizeDmEventsPage(body, item.accountId).events;
        const found = events.find((e): e is InboundMessage => e.kind === 'message' && isCopyOf(e, item, earlier));
        if (found) return { found };
        // Newest first: once a page reaches back before the attempt, nothing older can be the copy.
        if (!token || events.length === 0 || Math.min(...events.map((e) => e.createdAt)) < since) break;
    }
    return {};
}

/**
 * Event ids this app recorded as its sends to the customer up to the item's attempt. Those are other DMs
 * and must not be taken for the item's copy; a send recorded since may be the item itself (sent, recorded,
 * but the run died before removing it). The inbound side may have marked the copy as seen, or even mirrored
 * it: only our own send records count here.
 */
async function sendsRecordedBefore(ctx: BridgeContext, item: OutboxItem): Promise<Set<string>> {
    const attemptAt = item.attemptAt ?? item.queuedAt;
    const records = (await ctx.read
        .getPersistenceReader()
        .readByAssociation(conversationKey(item.accountId, item.customerId))) as unknown as Partial<SeenMarker>[];
    // Same millisecond counts as before: the item's own record can only follow its X call, which takes time.
    return new Set(
        records
            .filter((r) => r?.type === 'seen' && r.kind === 'dm_create' && r.eventId && (r.at ?? 0) <= attemptAt)
            .map((r) => r.eventId!),
    );
}

/** The item reached X already: recorded as our send (once), and out of the outbox. */
export async function recordFound(ctx: BridgeContext, item: OutboxItem, found: InboundMessage): Promise<void> {
    ctx.logger.info(`Outbox item ${item.id} had reached X already (DM ${found.eventId}); not sending it again.`);
    const recorded = (await ctx.conversations.load(ctx.read.getPersistenceReader(), item.accountId, item.customerId))
        .seen;
    if (!recorded.has(found.eventId))
        await ctx.conversations.markSent(ctx.persistence, item.accountId, item.customerId, found.eventId, ctx.now());
    await outbox.remove(ctx.persistence, item);
}
