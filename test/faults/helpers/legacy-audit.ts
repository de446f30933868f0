/**
 * The fault audit as it was before issue 15 ("Evidence that can fail"), frozen: audit-blind-spots.test.ts shows
 * it passing each fault the current audit (audit.ts) catches. It identified a customer's message by the X
 * timestamp the app copied onto it (and a file by the media id the app put in its name), ordered by that same
 * timestamp, never compared texts or file bytes, and looked only at the replies it expected.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { StoredView } from './audit';
import type { DmView, XSim } from '../../../tools/x-sim/sim';

export interface LegacyAudit {
    conversations: number;
    expected: number;
    delivered: number;
    lost: number;
    duplicated: number;
    /** Conversations whose messages, in the order people see them, differ from the order they were written. */
    outOfOrder: number;
    /** Examples, for a failure message. */
    examples: string[];
}

type Posted = { eventId: string; part: 'text' | 'file'; createdAt: number; seq: number };

/**
 * Customer DMs posted into rooms, grouped by the customer's X user id, each identified with the X event
 * it shows without trusting anything the app wrote (messages carry no custom fields): a visitor's message
 * in the customer's room is the DM with its X timestamp (the first part of a long one, which Rocket.Chat
 * keeps for visitors), and a visitor's file named after a media id is the DM carrying that media.
 */
function postedByCustomer(sim: XSim, store: StoredView, business: string): Map<string, Posted[]> {
    const byCustomer = new Map<string, Posted[]>();
    const dmsOf = new Map<string, DmView[]>();
    const dmsFrom = (customer: string) => {
        if (!dmsOf.has(customer)) dmsOf.set(customer, sim.dmsSentBy(customer, { to: business }));
        return dmsOf.get(customer)!;
    };
    let seq = 0;
    for (const message of store.messages.values()) {
        seq++;
        const raw = message as IMessage & { token?: string; t?: string; file?: { name?: string } };
        const room = message.room as { visitor?: { username?: string; token?: string } };
        if (raw.t || !raw.token || raw.token !== room.visitor?.token) continue;
        const username = room.visitor?.username ?? '';
        const customer = /^x-(\d+)$/.exec(username)?.[1] ?? username;
        const createdAt = new Date(message.createdAt ?? 0).getTime();
        const mediaId = /^x-([^.]+)\./.exec(raw.file?.name ?? '')?.[1];
        const dm = mediaId
            ? dmsFrom(customer).find((d) => d.media?.mediaId === mediaId)
            : dmsFrom(customer).find((d) => d.createdAt === createdAt);
        if (!dm) continue;
        const list = byCustomer.get(customer) ?? [];
        list.push({ eventId: dm.id, part: mediaId ? 'file' : 'text', createdAt, seq });
        byCustomer.set(customer, list);
    }
    return byCustomer;
}

/** Inbound: every DM `customers` sent to `business` (per the simulator) must be in Rocket.Chat exactly once, in order. */
export function legacyAuditInbound(sim: XSim, store: StoredView, business: string, customers: string[]): LegacyAudit {
    const posted = postedByCustomer(sim, store, business);
    const audit: LegacyAudit = {
        conversations: 0,
        expected: 0,
        delivered: 0,
        lost: 0,
        duplicated: 0,
        outOfOrder: 0,
        examples: [],
    };
    for (const customer of customers) {
        const written = sim.dmsSentBy(customer, { to: business });
        if (written.length === 0) continue;
        audit.conversations++;
        audit.expected += written.length;
        const mine = posted.get(customer) ?? [];
        // A DM with text and a file shows as two messages: each kind counts on its own.
        const perPart = new Map<string, number>();
        for (const p of mine) perPart.set(`${p.eventId}/${p.part}`, (perPart.get(`${p.eventId}/${p.part}`) ?? 0) + 1);
        const counts = new Map<string, number>();
        for (const [key, n] of perPart) {
            const eventId = key.slice(0, key.lastIndexOf('/'));
            counts.set(eventId, Math.max(counts.get(eventId) ?? 0, n));
        }
        for (const dm of written) {
            const n = counts.get(dm.id) ?? 0;
            if (n === 0) {
                audit.lost++;
                if (audit.examples.length < 10)
                    audit.examples.push(`lost: ${customer} ${dm.id} "${dm.text.slice(0, 40)}"`);
            } else audit.delivered++;
            if (n > 1) {
                audit.duplicated += n - 1;
                if (audit.examples.length < 10) audit.examples.push(`duplicated ×${n}: ${customer} ${dm.id}`);
            }
        }
        // As Rocket.Chat shows them: by timestamp (then by arrival).
        const shown = [...mine].sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq).map((p) => p.eventId);
        const shownOnce = shown.filter((id, i) => shown.indexOf(id) === i);
        const writtenOrder = written.map((d) => d.id).filter((id) => counts.has(id));
        if (shownOnce.join() !== writtenOrder.join()) {
            audit.outOfOrder++;
            if (audit.examples.length < 10) audit.examples.push(`out of order: ${customer}`);
        }
    }
    return audit;
}

/** Outbound: each reply text (unique per conversation) must reach the customer exactly once, in the order written. */
export function legacyAuditOutbound(
    sim: XSim,
    business: string,
    repliesByCustomer: Map<string, string[]>,
    render: (text: string) => string,
): LegacyAudit {
    const audit: LegacyAudit = {
        conversations: 0,
        expected: 0,
        delivered: 0,
        lost: 0,
        duplicated: 0,
        outOfOrder: 0,
        examples: [],
    };
    for (const [customer, replies] of repliesByCustomer) {
        if (replies.length === 0) continue;
        audit.conversations++;
        audit.expected += replies.length;
        const expected = replies.map(render);
        const wanted = new Set(expected);
        const received = sim
            .dmsSentBy(business, { to: customer })
            .map((d) => d.text)
            .filter((t) => wanted.has(t));
        const counts = new Map<string, number>();
        for (const text of received) counts.set(text, (counts.get(text) ?? 0) + 1);
        for (const text of expected) {
            const n = counts.get(text) ?? 0;
            if (n === 0) {
                audit.lost++;
                if (audit.examples.length < 10) audit.examples.push(`lost: ${customer} "${text.slice(0, 50)}"`);
            } else audit.delivered++;
            if (n > 1) {
                audit.duplicated += n - 1;
                if (audit.examples.length < 10)
                    audit.examples.push(`duplicated ×${n}: ${customer} "${text.slice(0, 50)}"`);
            }
        }
        const receivedOnce = received.filter((t, i) => received.indexOf(t) === i);
        const expectedOrder = expected.filter((t) => counts.has(t));
        if (receivedOnce.join('\u0000') !== expectedOrder.join('\u0000')) {
            audit.outOfOrder++;
            const at = receivedOnce.findIndex((t, i) => t !== expectedOrder[i]);
            if (audit.examples.length < 10)
                audit.examples.push(
                    `out of order: ${customer} — received "${receivedOnce[at]?.slice(0, 40)}" where "${expectedOrder[at]?.slice(0, 40)}" was due`,
                );
        }
    }
    return audit;
}
