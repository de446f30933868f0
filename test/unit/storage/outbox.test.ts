import {
    backoffMs,
    compareItems,
    GIVE_UP_AFTER_ATTEMPTS,
    groupByConversation,
    leaseWinner,
    OutboxItem,
} from '../../../src/storage/outbox';

let counter = 0;
function item(fields: Partial<OutboxItem> & { customerId: string; orderAt: number }): OutboxItem {
    const orderId = fields.orderId ?? `m:${++counter}`;
    const part = fields.part ?? 0;
    return {
        type: 'outbox-item',
        id: `${orderId}:${part}`,
        accountId: '1',
        roomId: `room-${fields.customerId}`,
        orderId,
        part,
        origin: 'agent',
        queuedAt: 0,
        state: 'queued',
        attempts: 0,
        notBefore: 0,
        ...fields,
    };
}

describe('outbox ordering', () => {
    it('orders by message time, then message id, then part', () => {
        const a = item({ customerId: '9', orderAt: 10, orderId: 'm:b', part: 1 });
        const b = item({ customerId: '9', orderAt: 10, orderId: 'm:b', part: 0 });
        const c = item({ customerId: '9', orderAt: 10, orderId: 'm:a', part: 2 });
        const d = item({ customerId: '9', orderAt: 5, orderId: 'm:z', part: 0 });
        expect([a, b, c, d].sort(compareItems).map((i) => i.id)).toEqual([d.id, c.id, b.id, a.id]);
    });

    it('groups per conversation, each queue in send order, conversations by their oldest item', () => {
        const items = [
            item({ customerId: 'B', orderAt: 3 }),
            item({ customerId: 'A', orderAt: 5 }),
            item({ customerId: 'B', orderAt: 1 }),
            item({ customerId: 'A', orderAt: 2 }),
        ];
        const { queues, duplicates } = groupByConversation(items);
        expect(duplicates).toEqual([]);
        expect(queues.map((q) => q.key)).toEqual(['1:B', '1:A']);
        expect(queues.map((q) => q.items.map((i) => i.orderAt))).toEqual([
            [1, 3],
            [2, 5],
        ]);
    });

    it('keeps one copy of an item stored twice and returns the others to drop', () => {
        const once = item({ customerId: 'A', orderAt: 1, orderId: 'm:x' });
        const { queues, duplicates } = groupByConversation([once, { ...once }, item({ customerId: 'A', orderAt: 2 })]);
        expect(queues[0].items).toHaveLength(2);
        expect(duplicates).toHaveLength(1);
    });
});

describe('outbox retry policy', () => {
    it('backs off from 30 s, doubling, capped at 15 minutes', () => {
        expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs)).toEqual([
            30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000,
        ]);
    });

    it('gives up only after hours of failures', () => {
        const total = Array.from({ length: GIVE_UP_AFTER_ATTEMPTS - 1 }, (_, i) => backoffMs(i + 1)).reduce(
            (a, b) => a + b,
            0,
        );
        expect(total).toBeGreaterThan(3 * 60 * 60_000);
    });
});

describe('drain lease', () => {
    it('goes to the oldest live lease, ties broken by owner the same way everywhere', () => {
        expect(
            leaseWinner([
                { type: 'outbox-lease', owner: 'b', at: 2, expiresAt: 9 },
                { type: 'outbox-lease', owner: 'a', at: 3, expiresAt: 9 },
            ])?.owner,
        ).toBe('b');
        expect(
            leaseWinner([
                { type: 'outbox-lease', owner: 'b', at: 2, expiresAt: 9 },
                { type: 'outbox-lease', owner: 'a', at: 2, expiresAt: 9 },
            ])?.owner,
        ).toBe('a');
        expect(leaseWinner([])).toBeUndefined();
    });
});
