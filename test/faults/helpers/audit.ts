/**
 * What arrived where, per conversation: every DM a customer wrote on X against what Rocket.Chat shows in
 * their room (inbound), and every agent reply against what the customer received on X (outbound).
 * Lost, duplicated and out-of-order are counted per conversation, the way a customer or an agent would see them.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { HostStore } from '../../../tools/host/store';
import type { XSim } from '../../../tools/x-sim/sim';

export interface ConversationAudit {
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

type Posted = { eventId: string; createdAt: number; seq: number };

/** Customer DMs (by X event id) posted into rooms, grouped by the customer's X user id. */
export function postedByCustomer(store: HostStore): Map<string, Posted[]> {
    const byCustomer = new Map<string, Posted[]>();
    let seq = 0;
    for (const message of store.messages.values()) {
        seq++;
        const raw = message as IMessage & { customFields?: { xEventId?: string; sentFromX?: boolean }; token?: string };
        const eventId = raw.customFields?.xEventId;
        if (!eventId || raw.customFields?.sentFromX) continue;
        const username = (message.room as { visitor?: { username?: string } }).visitor?.username ?? '';
        const customer = /^x-(\d+)$/.exec(username)?.[1] ?? username;
        const list = byCustomer.get(customer) ?? [];
        list.push({ eventId, createdAt: new Date(message.createdAt ?? 0).getTime(), seq });
        byCustomer.set(customer, list);
    }
    return byCustomer;
}

/** Inbound: every DM `customers` sent to `business` (per the simulator) must be in Rocket.Chat exactly once, in order. */
export function auditInbound(sim: XSim, store: HostStore, business: string, customers: string[]): ConversationAudit {
    const posted = postedByCustomer(store);
    const audit: ConversationAudit = { conversations: 0, expected: 0, delivered: 0, lost: 0, duplicated: 0, outOfOrder: 0, examples: [] };
    for (const customer of customers) {
        const written = sim.dmsSentBy(customer, { to: business });
        if (written.length === 0) continue;
        audit.conversations++;
        audit.expected += written.length;
        const mine = posted.get(customer) ?? [];
        const counts = new Map<string, number>();
        for (const p of mine) counts.set(p.eventId, (counts.get(p.eventId) ?? 0) + 1);
        for (const dm of written) {
            const n = counts.get(dm.id) ?? 0;
            if (n === 0) {
                audit.lost++;
                if (audit.examples.length < 10) audit.examples.push(`lost: ${customer} ${dm.id} "${dm.text.slice(0, 40)}"`);
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
export function auditOutbound(sim: XSim, business: string, repliesByCustomer: Map<string, string[]>, render: (text: string) => string): ConversationAudit {
    const audit: ConversationAudit = { conversations: 0, expected: 0, delivered: 0, lost: 0, duplicated: 0, outOfOrder: 0, examples: [] };
    for (const [customer, replies] of repliesByCustomer) {
        if (replies.length === 0) continue;
        audit.conversations++;
        audit.expected += replies.length;
        const expected = replies.map(render);
        const wanted = new Set(expected);
        const received = sim.dmsSentBy(business, { to: customer }).map((d) => d.text).filter((t) => wanted.has(t));
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
                if (audit.examples.length < 10) audit.examples.push(`duplicated ×${n}: ${customer} "${text.slice(0, 50)}"`);
            }
        }
        const receivedOnce = received.filter((t, i) => received.indexOf(t) === i);
        const expectedOrder = expected.filter((t) => counts.has(t));
        if (receivedOnce.join('\u0000') !== expectedOrder.join('\u0000')) {
            audit.outOfOrder++;
            const at = receivedOnce.findIndex((t, i) => t !== expectedOrder[i]);
            if (audit.examples.length < 10) audit.examples.push(`out of order: ${customer} — received "${receivedOnce[at]?.slice(0, 40)}" where "${expectedOrder[at]?.slice(0, 40)}" was due`);
        }
    }
    return audit;
}

export function formatAudit(label: string, audit: ConversationAudit): string {
    return `${label}: ${audit.expected} over ${audit.conversations} conversations → delivered ${audit.delivered}, lost ${audit.lost}, duplicated ${audit.duplicated}, out-of-order ${audit.outOfOrder} conversations`;
}
