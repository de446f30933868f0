/**
 * What arrived where, per conversation, judged against the X simulator's record and what Rocket.Chat stored,
 * never against anything the app wrote about itself (its persistence, ids or fields it copied).
 *
 * Inbound, expected (the simulator): each DM a customer wrote — its text as the customer sees it, the bytes of
 * its media, X's timestamp, and the order in which X handed deliveries over. Observed (the host's store): the
 * visitor's messages in the customer's room, in the order Rocket.Chat inserted them, their texts, and the bytes
 * of their files. A DM is identified by its normalized text and its file's SHA-256, not by an id:
 *
 * - both sides: Unicode NFC, `\r\n` → `\n`, trimmed;
 * - expected: X stores links as t.co links listed in `entities.urls` and escapes `&`, `<`, `>` as HTML entities:
 *   each t.co link is replaced by the link it stands for, the t.co link X appends for a media attachment (the one
 *   expanding to `x.com/messages/media/…`) is removed with the spaces before it, and the entities are undone;
 * - observed: a DM with media whose file Rocket.Chat does not show may carry, instead, a note in italics on its
 *   own line after the text (`_…_`, or the note alone for a DM without text): the text counts as delivered and the
 *   file as *noted* (not delivered, the agent told). A DM longer than one Rocket.Chat message (5,000 characters
 *   by default) cannot be judged here: the audit refuses it.
 *
 * The room ↔ customer link is the visitor's username (`x-<X user id>`): a DM posted into another customer's room
 * shows as lost in its conversation and unexpected in the other. With several business accounts, the room ↔
 * account link is the account id the visitor token names (`x1.<account>.<customer>.<mac>`, as Rocket.Chat stores
 * it): a DM posted into the customer's room with the other account shows as lost in its account's audit and
 * unexpected in the other's. Order is judged twice: as Rocket.Chat shows a
 * room (sorted by the stored timestamp, then arrival) and by arrival (the store's insertion order), where a DM
 * that reached Rocket.Chat after one its customer wrote later counts only if X had handed it over first.
 *
 * Outbound: every DM the business sent a customer (the simulator's record) is an expected agent reply, an
 * expected automatic message, or unexpected.
 */
import { createHash } from 'crypto';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { HostStore } from '../../../tools/host/store';
import type { DmView, XSim } from '../../../tools/x-sim/sim';

export interface ConversationAudit {
    conversations: number;
    /** DMs (inbound) or replies (outbound). */
    expected: number;
    /** Every part arrived (the text, and the file itself — a note in its place is not delivery). */
    delivered: number;
    /** Some part missing and the agent not told (a text, or a file with no note). */
    lost: number;
    /** Extra copies of a part. */
    duplicated: number;
    /** Conversations whose messages, as Rocket.Chat shows them, are not in the order they were written. */
    outOfOrder: number;
    /** Inbound: DMs that reached Rocket.Chat after one their customer wrote later, though X handed them over first. */
    arrivedLate: number;
    /** Inbound: messages in customers' rooms that no DM accounts for (a changed text, a stray file); outbound: DMs no agent wrote and no automatic message explains. */
    unexpected: number;
    /** Inbound attachments on their own. */
    files: { expected: number; delivered: number; noted: number; lost: number; duplicated: number };
    /** Examples of faults, for a failure message. */
    examples: string[];
    /** Files shown as a note instead (not delivered, the agent told): which. */
    notShown: string[];
}

const emptyAudit = (): ConversationAudit => ({
    conversations: 0,
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    arrivedLate: 0,
    unexpected: 0,
    files: { expected: 0, delivered: 0, noted: 0, lost: 0, duplicated: 0 },
    examples: [],
    notShown: [],
});

const note = (audit: ConversationAudit, example: string) => {
    if (audit.examples.length < 12) audit.examples.push(example);
};

/** What the audit reads of Rocket.Chat's database (a test may hand it an altered copy). */
export type StoredView = Pick<HostStore, 'messages' | 'uploads' | 'rooms'>;

/** The audit's text normalization, applied to both sides. */
function normalizeText(text: string): string {
    return text.normalize('NFC').replace(/\r\n/g, '\n').trim();
}

const MEDIA_PAGE = /^https:\/\/x\.com\/messages\/media\//;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };
const ROCKET_CHAT_MESSAGE_MAX = 5_000;

/** What the customer wrote, as they see it on X (see the file comment). */
function writtenText(dm: Pick<DmView, 'text' | 'urls'>): string {
    let text = dm.text;
    for (const { url, expandedUrl } of [...dm.urls].sort((a, b) => b.url.length - a.url.length)) {
        if (MEDIA_PAGE.test(expandedUrl)) text = text.replace(new RegExp(`\\s*${escapeRegExp(url)}`), '');
        else text = text.split(url).join(expandedUrl);
    }
    return normalizeText(text.replace(/&(amp|lt|gt);/g, (e) => ENTITIES[e]));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Expected {
    dm: DmView;
    text: string;
    fileHash?: string;
    /** X's hand-over: when its first attempt of a delivery carrying the DM started, and when one was first acknowledged. */
    firstSeq?: number;
    ackSeq?: number;
    texts: number;
    files: number;
    noted: boolean;
    /** Store insertion index of its first part, and the stored timestamp of that part. */
    arrival?: number;
    shownAt?: number;
}

interface Observed {
    seq: number;
    /** The business account the room's visitor token names (undefined: a token of another form). */
    account?: string;
    ts: number;
    text: string;
    fileHash?: string;
}

/** Visitor messages of each customer's rooms, in Rocket.Chat's insertion order. */
function observedByCustomer(store: StoredView): Map<string, Observed[]> {
    const byCustomer = new Map<string, Observed[]>();
    let seq = 0;
    for (const message of store.messages.values()) {
        seq++;
        const raw = message as IMessage & { token?: string; t?: string; file?: { _id?: string } };
        const room = store.rooms.get(message.room?.id) as ILivechatRoom | undefined;
        if (raw.t || !raw.token || !room || raw.token !== room.visitor?.token) continue;
        const customer = /^x-(\d+)$/.exec(room.visitor?.username ?? '')?.[1];
        if (!customer) continue;
        const upload = raw.file?._id ? store.uploads.get(raw.file._id) : undefined;
        const list = byCustomer.get(customer) ?? [];
        list.push({
            seq,
            account: /^x1\.(\d+)\.\d+\./.exec(room.visitor?.token ?? '')?.[1],
            ts: new Date(message.createdAt ?? 0).getTime(),
            text: normalizeText(message.text ?? ''),
            fileHash: upload ? sha256(upload.buffer) : undefined,
        });
        byCustomer.set(customer, list);
    }
    return byCustomer;
}

/** X's hand-over order of each DM event (webhook modes; a polled DM has none: X holds it from its creation). */
function handOvers(sim: XSim): Map<string, { firstSeq: number; ackSeq?: number }> {
    const byEvent = new Map<string, { firstSeq: number; ackSeq?: number }>();
    for (const delivery of sim.deliveries()) {
        for (const attempt of delivery.attempts) {
            for (const eventId of delivery.eventIds) {
                const known = byEvent.get(eventId) ?? { firstSeq: attempt.seq };
                known.firstSeq = Math.min(known.firstSeq, attempt.seq);
                if (attempt.outcome === 'ok') known.ackSeq = Math.min(known.ackSeq ?? Infinity, attempt.answeredSeq);
                byEvent.set(eventId, known);
            }
        }
    }
    return byEvent;
}

const NOTE_LINE = /(?:^|\n)_[^\n]+_$/;

/** The DM this text shows: its text exactly, or its text then a note about its file (see the file comment). */
function matchText(candidates: Expected[], text: string): { dm: Expected; noted: boolean } | undefined {
    const fewest = (list: Expected[]) => list.sort((a, b) => a.texts - b.texts)[0];
    const exact = candidates.filter((e) => e.text === text && (e.text !== '' || !e.fileHash));
    if (exact.length) return { dm: fewest(exact), noted: false };
    const noteAt = text.search(NOTE_LINE);
    if (noteAt < 0) return undefined;
    const before = normalizeText(text.slice(0, noteAt));
    const withNote = candidates.filter((e) => e.fileHash && e.text === before && e.files === 0 && !e.noted);
    return withNote.length ? { dm: withNote[0], noted: true } : undefined;
}

/**
 * Inbound: every DM `customers` sent to `business` (per the simulator) must be in Rocket.Chat exactly once —
 * its text, and its file's bytes — in order.
 */
export function auditInbound(sim: XSim, store: StoredView, business: string, customers: string[]): ConversationAudit {
    const audit = emptyAudit();
    const observed = observedByCustomer(store);
    const xOrder = handOvers(sim);
    for (const customer of customers) {
        const written = sim.dmsSentBy(customer, { to: business });
        if (written.length === 0) continue;
        audit.conversations++;
        audit.expected += written.length;
        const expected: Expected[] = written.map((dm) => {
            const text = writtenText(dm);
            if (text.length > ROCKET_CHAT_MESSAGE_MAX)
                throw new Error(`The audit cannot judge DM ${dm.id}: longer than one Rocket.Chat message`);
            return {
                dm,
                text,
                fileHash: dm.media ? sha256(dm.media.bytes) : undefined,
                ...xOrder.get(dm.id),
                texts: 0,
                files: 0,
                noted: false,
            };
        });
        const arrive = (e: Expected, o: Observed) => {
            if (e.arrival === undefined || o.seq < e.arrival) {
                e.arrival = o.seq;
                e.shownAt = o.ts;
            }
        };
        for (const o of (observed.get(customer) ?? []).filter(
            (x) => x.account === undefined || x.account === business,
        )) {
            if (o.fileHash) {
                const owners = expected.filter((e) => e.fileHash === o.fileHash).sort((a, b) => a.files - b.files);
                if (owners.length && o.text === '') {
                    owners[0].files++;
                    arrive(owners[0], o);
                    continue;
                }
            } else {
                const match = matchText(expected, o.text);
                if (match) {
                    match.dm.texts++;
                    if (match.noted) match.dm.noted = true;
                    arrive(match.dm, o);
                    continue;
                }
                // A note alone: the file of a DM without text (the first one still owed, in X's order).
                if (NOTE_LINE.test(o.text) && /^_[^\n]+_$/.test(o.text)) {
                    const owed = expected.find((e) => e.fileHash && e.text === '' && e.files === 0 && !e.noted);
                    if (owed) {
                        owed.noted = true;
                        arrive(owed, o);
                        continue;
                    }
                }
            }
            audit.unexpected++;
            note(
                audit,
                `unexpected in ${customer}'s room: ${o.fileHash ? `file ${o.fileHash.slice(0, 12)}` : `"${o.text.slice(0, 50)}"`}`,
            );
        }
        for (const e of expected) {
            const label = `${customer} ${e.dm.id} "${e.text.slice(0, 40)}"`;
            let missing = false;
            if (e.text !== '' || !e.fileHash) {
                if (e.texts === 0) {
                    missing = true;
                    note(audit, `lost: ${label}`);
                } else if (e.texts > 1) {
                    audit.duplicated += e.texts - 1;
                    note(audit, `duplicated text ×${e.texts}: ${label}`);
                }
            }
            if (e.fileHash) {
                audit.files.expected++;
                if (e.files > 0) audit.files.delivered++;
                else if (e.noted) {
                    audit.files.noted++;
                    audit.notShown.push(label);
                } else {
                    audit.files.lost++;
                    missing = true;
                    note(audit, `lost file: ${label}`);
                }
                if (e.files > 1) {
                    audit.files.duplicated += e.files - 1;
                    audit.duplicated += e.files - 1;
                    note(audit, `duplicated file ×${e.files}: ${label}`);
                }
            }
            if (missing) audit.lost++;
            else if (e.files > 0 || !e.fileHash) audit.delivered++;
        }
        const arrived = expected.filter((e) => e.arrival !== undefined);
        // As Rocket.Chat shows the room: by stored timestamp, then arrival.
        const shown = [...arrived].sort((a, b) => a.shownAt! - b.shownAt! || a.arrival! - b.arrival!);
        const at = shown.findIndex((e, i) => e !== arrived[i]);
        if (at >= 0) {
            audit.outOfOrder++;
            note(
                audit,
                `out of order: ${customer} shows "${shown[at].text.slice(0, 30)}" where "${arrived[at].text.slice(0, 30)}" was written`,
            );
        }
        // By arrival: a DM whose delivery X saw acknowledged before it even started sending a later one, arriving
        // after it (deliveries in flight together may be taken in any order).
        for (const [i, a] of arrived.entries()) {
            const overtaken = arrived.slice(i + 1).some((b) => {
                if (b.arrival! > a.arrival!) return false;
                if (a.firstSeq === undefined && b.firstSeq === undefined) return true;
                return a.ackSeq !== undefined && b.firstSeq !== undefined && a.ackSeq < b.firstSeq;
            });
            if (overtaken) {
                audit.arrivedLate++;
                note(audit, `arrived late: ${customer} "${a.text.slice(0, 40)}" after a DM written later`);
            }
        }
    }
    return audit;
}

/**
 * Outbound: each reply text (unique per conversation) must reach the customer exactly once, in the order
 * written; every other DM the business sent the customer must be one of the automatic messages expected
 * (`automatic`: welcome, unavailable notice…), or it is unexpected.
 */
export function auditOutbound(
    sim: XSim,
    business: string,
    repliesByCustomer: Map<string, string[]>,
    render: (text: string) => string,
    automatic: (text: string) => boolean = () => false,
): ConversationAudit {
    const audit = emptyAudit();
    for (const [customer, replies] of repliesByCustomer) {
        const sent = sim.dmsSentBy(business, { to: customer });
        if (replies.length === 0 && sent.length === 0) continue;
        audit.conversations++;
        audit.expected += replies.length;
        const expected = replies.map(render);
        const wanted = new Set(expected);
        const received: string[] = [];
        for (const dm of sent) {
            if (wanted.has(dm.text)) received.push(dm.text);
            else if (!automatic(dm.text)) {
                audit.unexpected++;
                note(audit, `unexpected DM to ${customer}: "${dm.text.slice(0, 50)}"`);
            }
        }
        const counts = new Map<string, number>();
        for (const text of received) counts.set(text, (counts.get(text) ?? 0) + 1);
        for (const text of expected) {
            const n = counts.get(text) ?? 0;
            if (n === 0) {
                audit.lost++;
                note(audit, `lost: ${customer} "${text.slice(0, 50)}"`);
            } else audit.delivered++;
            if (n > 1) {
                audit.duplicated += n - 1;
                note(audit, `duplicated ×${n}: ${customer} "${text.slice(0, 50)}"`);
            }
        }
        const receivedOnce = received.filter((t, i) => received.indexOf(t) === i);
        const expectedOrder = expected.filter((t) => counts.has(t));
        if (receivedOnce.join('\u0000') !== expectedOrder.join('\u0000')) {
            audit.outOfOrder++;
            const at = receivedOnce.findIndex((t, i) => t !== expectedOrder[i]);
            note(
                audit,
                `out of order: ${customer} — received "${receivedOnce[at]?.slice(0, 40)}" where "${expectedOrder[at]?.slice(0, 40)}" was due`,
            );
        }
    }
    return audit;
}

/** The figures every scenario asserts are zero. */
export function faultsOf(audit: ConversationAudit) {
    return {
        lost: audit.lost,
        duplicated: audit.duplicated,
        outOfOrder: audit.outOfOrder,
        arrivedLate: audit.arrivedLate,
        unexpected: audit.unexpected,
        examples: audit.examples,
    };
}

export const NO_FAULTS = { lost: 0, duplicated: 0, outOfOrder: 0, arrivedLate: 0, unexpected: 0, examples: [] };

export function formatAudit(label: string, audit: ConversationAudit): string {
    const files = audit.files.expected
        ? `; files ${audit.files.expected}: delivered ${audit.files.delivered}, noted ${audit.files.noted}, lost ${audit.files.lost}, duplicated ${audit.files.duplicated}`
        : '';
    return `${label}: ${audit.expected} over ${audit.conversations} conversations → delivered ${audit.delivered}, lost ${audit.lost}, duplicated ${audit.duplicated}, out-of-order ${audit.outOfOrder} conversations, arrived late ${audit.arrivedLate}, unexpected ${audit.unexpected}${files}`;
}
