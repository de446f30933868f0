/** The simulator writes deliveries as X does; these rules are what the app's signature check must rebuild. */
import { exactInteger, serializeDelivery } from '../../tools/x-sim/delivery/serialize';

describe('serializeDelivery', () => {
    it('writes every digit of a 64-bit id X sends as a bare number (v1.1 `id`), which a JavaScript number cannot hold', () => {
        const id = '2129263285076578304';
        const body = serializeDelivery(
            { id: exactInteger(id), id_str: id, user: { id: exactInteger('42') } },
            'compact',
        );
        expect(body).toBe(`{"id":${id},"id_str":"${id}","user":{"id":42}}`);
        expect(String(Number(id))).not.toBe(id);
        // Seeded key orders write the same digits.
        expect(serializeDelivery({ ids: [exactInteger(id)] }, 'compact', 7)).toBe(`{"ids":[${id}]}`);
    });
});
