/**
 * The audit can fail: a real conversation through the packaged app, then one fault at a time injected into
 * what Rocket.Chat stored or what X saw — a lost upload, a changed text, a truncated file, two messages shown
 * in swapped order, a photo whose download X refused, an extra DM to a customer — and the audit must report
 * each. The audit used before issue 15 (helpers/legacy-audit.ts) is run on the same faults: it passed all but
 * two (a photo-only DM without its file, a DM in another customer's room).
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { auditInbound, auditOutbound, faultsOf, NO_FAULTS, StoredView } from './helpers/audit';
import { newCustomers, photo } from './helpers/drive';
import { legacyAuditInbound, legacyAuditOutbound } from './helpers/legacy-audit';
import { catchUpWithRealTime, Rig, startRig } from './helpers/rig';
import { record } from './helpers/summary';

type Stored = IMessage & { token?: string; file?: { _id: string } };

describe('the fault audit catches what the earlier audit missed', () => {
    let rig: Rig;
    let customers: string[];
    const replies = new Map<string, string[]>();
    const render = (text: string) => `Agent Smith: ${text}`;
    const caught: Record<string, number> = {};

    /** What Rocket.Chat stored, as a copy a test may alter. */
    const view = (): StoredView => ({
        messages: new Map(rig.host.store.messages),
        uploads: new Map(rig.host.store.uploads),
        rooms: rig.host.store.rooms,
    });
    const visitorMessages = (stored: StoredView, customer: string) =>
        [...stored.messages.values()].filter((m) => {
            const room = stored.rooms.get(m.room.id) as { visitor?: { username?: string; token?: string } };
            return room?.visitor?.username === `x-${customer}` && (m as Stored).token === room.visitor?.token;
        }) as Stored[];
    const textOf = (stored: StoredView, customer: string, startsWith: string) =>
        visitorMessages(stored, customer).find((m) => (m.text ?? '').startsWith(startsWith))!;
    const fileOf = (stored: StoredView, customer: string, bytes: Buffer) =>
        visitorMessages(stored, customer).find((m) => m.file && stored.uploads.get(m.file._id)?.buffer.equals(bytes))!;

    const inbound = (stored: StoredView) => auditInbound(rig.sim, stored, rig.business.id, customers);
    const legacyInbound = (stored: StoredView) => legacyAuditInbound(rig.sim, stored, rig.business.id, customers);

    beforeAll(async () => {
        rig = await startRig({ mode: 'aaa', shareClock: true });
        customers = newCustomers(rig, 'blind', 3);
        const [a, b] = customers;
        const dms = [
            { from: a, text: '#0 café ✓ Tom &amp; Jerry' },
            { from: a, text: '#1 the receipt', media: photo(901) },
            { from: a, media: photo(902) },
            { from: a, text: '#3 see https://example.com/a?b=1 please' },
            { from: b, text: '#4 first' },
            { from: b, text: '#5 second' },
            { from: b, text: '#6 third' },
        ];
        for (const dm of dms) {
            await catchUpWithRealTime(rig);
            await rig.clock.advance(1_000);
            await rig.sim.sendDm({ to: rig.business.id, ...dm });
            await rig.settleAll();
        }
        const room = rig.host.livechatRooms().find((r) => r.visitor?.username === `x-${a}`)!;
        replies.set(a, ['thanks, looking', 'found it']);
        for (const text of replies.get(a)!) {
            rig.host.postAgentMessage(room.id, rig.agent, text);
            await rig.settleAll();
        }
    }, 120_000);

    afterAll(async () => {
        record(__filename, 'audit blind spots caught', 'audit', { counts: caught });
        await rig?.stop();
    });

    it('passes the conversation as it happened (both audits)', () => {
        const audit = inbound(view());
        expect(faultsOf(audit)).toEqual(NO_FAULTS);
        expect(audit).toMatchObject({ expected: 7, delivered: 7, files: { expected: 2, delivered: 2 } });
        expect(faultsOf(auditOutbound(rig.sim, rig.business.id, replies, render))).toEqual(NO_FAULTS);
        expect(legacyInbound(view())).toMatchObject({ expected: 7, delivered: 7, lost: 0 });
    });

    it('a lost upload (an instance died between the text and the file)', () => {
        const stored = view();
        stored.messages.delete(fileOf(stored, customers[0], photo(901).bytes).id!);
        const audit = inbound(stored);
        expect(audit.files).toMatchObject({ expected: 2, delivered: 1, lost: 1 });
        expect(audit.lost).toBe(1);
        expect(audit.examples.join()).toContain('lost file');
        expect(legacyInbound(stored)).toMatchObject({ lost: 0, delivered: 7 });
        caught['lost upload'] = audit.files.lost;
    });

    it('a photo-only DM whose file never came', () => {
        const stored = view();
        stored.messages.delete(fileOf(stored, customers[0], photo(902).bytes).id!);
        const audit = inbound(stored);
        expect(audit).toMatchObject({ lost: 1, files: { lost: 1 } });
        // The earlier audit found the DM by its file's name only, so this one it did catch.
        expect(legacyInbound(stored).lost).toBe(1);
        caught['photo-only DM without its file'] = audit.lost;
    });

    it('a truncated file (the bytes Rocket.Chat stored are not the customer’s)', () => {
        const stored = view();
        const message = fileOf(stored, customers[0], photo(901).bytes);
        const upload = stored.uploads.get(message.file!._id)!;
        stored.uploads.set(message.file!._id, { ...upload, buffer: upload.buffer.subarray(0, 40) });
        const audit = inbound(stored);
        expect(audit).toMatchObject({ lost: 1, unexpected: 1, files: { lost: 1 } });
        expect(legacyInbound(stored)).toMatchObject({ lost: 0, delivered: 7 });
        caught['truncated file'] = audit.files.lost;
    });

    it('a changed text (an accent lost, an entity left escaped, a link not expanded)', () => {
        for (const [from, to] of [
            ['café', 'cafe'],
            ['Tom & Jerry', 'Tom &amp; Jerry'],
        ]) {
            const stored = view();
            const message = textOf(stored, customers[0], '#0');
            expect(message.text).toContain(from);
            stored.messages.set(message.id!, { ...message, text: message.text!.replace(from, to) });
            const audit = inbound(stored);
            expect(audit).toMatchObject({ lost: 1, unexpected: 1 });
            expect(legacyInbound(stored)).toMatchObject({ lost: 0, delivered: 7 });
            caught['changed text'] = (caught['changed text'] ?? 0) + audit.unexpected;
        }
        const stored = view();
        const message = textOf(stored, customers[0], '#3');
        expect(message.text).toContain('https://example.com/a?b=1');
        const tco = rig.sim.dmsSentBy(customers[0]).find((d) => d.text.startsWith('#3'))!.urls[0].url;
        stored.messages.set(message.id!, { ...message, text: message.text!.replace('https://example.com/a?b=1', tco) });
        expect(inbound(stored)).toMatchObject({ lost: 1, unexpected: 1 });
        expect(legacyInbound(stored).lost).toBe(0);
        caught['changed text']++;
    });

    it('two messages shown in swapped order, and one that arrived after a later one', () => {
        const stored = view();
        const [first, second] = [textOf(stored, customers[1], '#4'), textOf(stored, customers[1], '#5')];
        stored.messages.set(first.id!, { ...first, text: second.text });
        stored.messages.set(second.id!, { ...second, text: first.text });
        const swapped = inbound(stored);
        expect(swapped).toMatchObject({ lost: 0, outOfOrder: 1 });
        expect(legacyInbound(stored)).toMatchObject({ lost: 0, outOfOrder: 0 });
        caught['swapped order'] = swapped.outOfOrder;

        // The same two, stamped with X's times but inserted in the wrong order (X had handed them over in order).
        const late = view();
        const entries = [...late.messages.entries()];
        const i = entries.findIndex(([id]) => id === first.id);
        const j = entries.findIndex(([id]) => id === second.id);
        [entries[i], entries[j]] = [entries[j], entries[i]];
        const reinserted: StoredView = { ...late, messages: new Map(entries) };
        const audit = inbound(reinserted);
        expect(audit).toMatchObject({ lost: 0, outOfOrder: 0, arrivedLate: 1 });
        expect(legacyInbound(reinserted).outOfOrder).toBe(0);
        caught['arrived after a later DM'] = audit.arrivedLate;
    });

    it('a DM posted in another customer’s room', () => {
        const stored = view();
        const message = textOf(stored, customers[1], '#6');
        const other = visitorMessages(stored, customers[0])[0];
        stored.messages.set(message.id!, { ...message, room: other.room, token: other.token } as Stored);
        const audit = inbound(stored);
        expect(audit).toMatchObject({ lost: 1, unexpected: 1 });
        // The earlier audit grouped by room too, so it caught this one.
        expect(legacyInbound(stored).lost).toBe(1);
        caught['posted in the wrong room'] = audit.unexpected;
    });

    it('a photo whose download X refused: a note, not a delivery', async () => {
        const customer = customers[2];
        rig.sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm_media.download' } });
        await catchUpWithRealTime(rig);
        await rig.sim.sendDm({ from: customer, to: rig.business.id, text: '#7 the broken one', media: photo(903) });
        await rig.settleAll();
        rig.sim.faults.clear();
        const audit = inbound(view());
        expect(audit).toMatchObject({ expected: 8, delivered: 7, lost: 0, files: { expected: 3, noted: 1 } });
        expect(audit.notShown.join()).toContain('#7 the broken one');
        expect(legacyInbound(view())).toMatchObject({ expected: 8, delivered: 8 });
        caught['download failed, counted as not delivered'] = audit.files.noted;
    });

    it('a DM to a customer that no agent wrote', async () => {
        await catchUpWithRealTime(rig);
        await rig.sim.sendDm({ from: rig.business.id, to: customers[0], text: 'debug: conversation state dump' });
        const audit = auditOutbound(rig.sim, rig.business.id, replies, render);
        expect(audit).toMatchObject({ expected: 2, delivered: 2, unexpected: 1 });
        expect(legacyAuditOutbound(rig.sim, rig.business.id, replies, render)).toMatchObject({
            delivered: 2,
            lost: 0,
            duplicated: 0,
            outOfOrder: 0,
        });
        caught['unexpected DM to a customer'] = audit.unexpected;
    });
});
