import { QueuedConversations, RecentlyClosed } from '../../../src/bridge/outbound-state';

describe('which conversations have waiting items', () => {
    it('reads persistence once for callers arriving together, and again only when the view is older than allowed', async () => {
        const view = new QueuedConversations();
        let loads = 0;
        const load = async () => {
            loads++;
            return ['1:A'];
        };
        await Promise.all([view.refresh(load, 1_000, 2_000), view.refresh(load, 1_000, 2_000)]);
        await view.refresh(load, 2_999, 2_000);
        expect(loads).toBe(1);
        expect(view.has('1:A')).toBe(true);
        await view.refresh(load, 3_000, 2_000);
        expect(loads).toBe(2);
    });

    it('learns what another instance queued and forgets what another instance drained, but keeps its own new items', async () => {
        const view = new QueuedConversations();
        view.add('1:drained-elsewhere');
        await view.refresh(async () => ['1:drained-elsewhere'], 0, 2_000);
        let release!: (keys: string[]) => void;
        const reading = view.refresh(() => new Promise<string[]>((resolve) => (release = resolve)), 5_000, 2_000);
        view.add('1:queued-here-meanwhile');
        release(['1:queued-elsewhere']);
        await reading;
        expect(view.has('1:queued-elsewhere')).toBe(true);
        expect(view.has('1:drained-elsewhere')).toBe(false);
        expect(view.has('1:queued-here-meanwhile')).toBe(true);
    });

    it('a failed read is not taken for an empty outbox: the next caller reads again', async () => {
        const view = new QueuedConversations();
        await expect(view.refresh(async () => Promise.reject(new Error('db down')), 0, 2_000)).rejects.toThrow(
            'db down',
        );
        await view.refresh(async () => ['1:A'], 1, 2_000);
        expect(view.has('1:A')).toBe(true);
    });

    it('forgets a conversation the drain emptied only if nothing was queued for it since the drain looked', () => {
        const view = new QueuedConversations();
        view.add('1:A');
        const seen = view.version('1:A');
        view.add('1:A');
        expect(view.clearIfUnchanged('1:A', seen)).toBe(false);
        expect(view.has('1:A')).toBe(true);
        expect(view.clearIfUnchanged('1:A', view.version('1:A'))).toBe(true);
        expect(view.has('1:A')).toBe(false);
    });

    it('does not forget a conversation first queued after the drain took its snapshot', () => {
        const view = new QueuedConversations();
        const snapshot = view.versionSnapshot();
        view.add('1:new');
        expect(view.clearIfUnchanged('1:new', snapshot.get('1:new') ?? 0)).toBe(false);
        expect(view.has('1:new')).toBe(true);
    });

    it('keeps nothing about conversations that no longer wait, however many it served', async () => {
        const view = new QueuedConversations();
        for (let i = 0; i < 10_000; i++) {
            const key = `1:customer${i}`;
            view.add(key);
            expect(view.clearIfUnchanged(key, view.version(key))).toBe(true);
        }
        // Drained by another instance: forgotten at the next re-read.
        view.add('1:elsewhere');
        await view.refresh(async () => [], 0, 0);
        expect(view.keys()).toEqual([]);
        expect(view.versionSnapshot().size).toBe(0);
        expect(view.nextDue.size + view.lastOrder.size).toBe(0);
    });

    it('a conversation forgotten and queued again never looks unchanged to a drain that looked before', () => {
        const view = new QueuedConversations();
        view.add('1:A');
        const seenByDrain = view.version('1:A');
        expect(view.clearIfUnchanged('1:A', seenByDrain)).toBe(true);
        view.add('1:A');
        expect(view.clearIfUnchanged('1:A', seenByDrain)).toBe(false);
        expect(view.has('1:A')).toBe(true);
    });

    it('notes what persistence shows without counting it as newly queued', () => {
        const view = new QueuedConversations();
        const before = view.version('1:B');
        view.note('1:B');
        expect(view.has('1:B')).toBe(true);
        expect(view.version('1:B')).toBe(before);
    });
});

describe('recently closed rooms', () => {
    it('remembers a bounded number of rooms', () => {
        const closed = new RecentlyClosed(2);
        closed.add('r1', 1);
        closed.add('r2', 2);
        closed.add('r3', 3);
        expect([closed.has('r1'), closed.has('r2'), closed.has('r3')]).toEqual([false, true, true]);
    });
});
