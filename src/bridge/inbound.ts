/**
 * InboundEvent → the right room, exactly once. One pipeline for webhook and polling deliveries:
 * classify (customer message, echo of our own send, reply typed in X's app, typing, read) → dedupe on the
 * event id → find or open the conversation (or keep the message pending) → post.
 *
 * Steady state (room open) costs five bridge calls per message, back to back or spaced: claim the event,
 * read the conversation (which returns every claim on it), check that its room is still open, post, and
 * record which messages the event became (Rocket.Chat refuses message custom fields on a default server,
 * so the mapping lives in the app's persistence). With 30 s or more between DMs (bench, "spaced") an
 * instance also re-reads the linked account (its cache lasts 30 s, so an unlink or relink on another
 * instance is seen) and, about every other DM, the "last event received" note (once a minute) and
 * Message_MaxAllowedSize (cached a minute). None of the five can go without weakening a guarantee: see
 * README, Performance and reliability. A duplicate costs one bridge call more: its losing claim is removed.
 */
import type { InboundEvent, InboundRead, InboundTyping } from '../x/event-types';
import type { BridgeContext } from './context';
import { displayName } from './contact-identity';
import { customerProfile, InboundOutcome } from './inbound-claims';
import { handleBusinessMessage } from './inbound-business';
import { handleCustomerMessage, InboundOptions } from './inbound-customer';

export interface InboundReport {
    outcomes: { eventId?: string; kind: InboundEvent['kind']; outcome: InboundOutcome }[];
}

/** Processes events oldest first, so a batch (or a page) lands in the order customers wrote it. */
export async function processInbound(
    ctx: BridgeContext,
    events: InboundEvent[],
    options: InboundOptions = {},
): Promise<InboundReport> {
    const report: InboundReport = { outcomes: [] };
    const ordered = [...events].sort((a, b) => a.createdAt - b.createdAt);
    for (const event of ordered) {
        const outcome = await processOne(ctx, event, options);
        report.outcomes.push({
            eventId: event.kind === 'message' ? event.eventId : undefined,
            kind: event.kind,
            outcome,
        });
    }
    return report;
}

async function processOne(ctx: BridgeContext, event: InboundEvent, options: InboundOptions): Promise<InboundOutcome> {
    if (event.accountId !== ctx.account.accountId) return 'ignored-other-account';
    switch (event.kind) {
        case 'message':
            return event.senderId === ctx.account.accountId
                ? handleBusinessMessage(ctx, event)
                : handleCustomerMessage(ctx, event, options);
        case 'typing':
            return handleTyping(ctx, event);
        case 'read':
            return handleRead(ctx, event);
    }
}

async function handleTyping(ctx: BridgeContext, typing: InboundTyping): Promise<InboundOutcome> {
    if (typing.senderId === ctx.account.accountId) return 'typing';
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.accountId, typing.senderId);
    if (!state.conversation) return 'ignored-no-conversation';
    await ctx.modify.getNotifier().typing({
        id: state.conversation.roomId,
        username: state.conversation.visitorName || displayName(customerProfile(typing, typing.senderId)),
    });
    return 'typing';
}

/** The customer read the business's DMs: recorded on the conversation (agents see it in /twitter status). */
async function handleRead(ctx: BridgeContext, read: InboundRead): Promise<InboundOutcome> {
    if (read.senderId === ctx.account.accountId) return 'read';
    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.accountId, read.senderId);
    if (!state.conversation) return 'ignored-no-conversation';
    await ctx.conversations.update(ctx.persistence, {
        ...state.conversation,
        lastReadEventId: read.lastReadEventId,
        lastReadAt: read.createdAt,
    });
    return 'read';
}
