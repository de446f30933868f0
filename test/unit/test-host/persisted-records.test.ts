/**
 * The host's association index (tools/host/persisted-records.ts) must find exactly what a scan of every
 * record finds — MongoDB's `$all` — whatever mix of inserts, overwrites and deletes the app and the tests make.
 */
import { Association, PersistedRecords } from '../../../tools/host/persisted-records';
import type { PersistedRecord } from '../../../tools/host/store';

const scan = (records: Map<string, PersistedRecord>, wanted: Association[]) =>
    [...records.values()]
        .filter((r) => wanted.every((w) => r.associations.some((a) => a.model === w.model && a.id === w.id)))
        .map((r) => r.id)
        .sort();

/** A small deterministic generator (mulberry32), so a failure is reproducible. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

describe('test host persistence index', () => {
    it('finds what a full scan finds after random inserts, overwrites and deletes', () => {
        const next = random(42);
        const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
        const pool: Association[] = [];
        for (const model of ['misc', 'room', 'user']) for (let i = 0; i < 6; i++) pool.push({ model, id: `k${i}` });
        const indexed = new PersistedRecords();
        const plain = new Map<string, PersistedRecord>();
        let queries = 0;
        let nonEmpty = 0;
        for (let step = 0; step < 3000; step++) {
            const roll = next();
            const id = `r${Math.floor(next() * 200)}`;
            if (roll < 0.6) {
                const associations = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(pool));
                const record = { id, data: { step }, associations };
                indexed.set(id, record);
                plain.set(id, record);
            } else if (roll < 0.8) {
                expect(indexed.delete(id)).toBe(plain.delete(id));
            } else {
                const wanted = Array.from({ length: 1 + Math.floor(next() * 2) }, () => pick(pool));
                const found = indexed
                    .withAll(wanted)
                    .map((r) => r.id)
                    .sort();
                expect(found).toEqual(scan(plain, wanted));
                queries++;
                if (found.length > 0) nonEmpty++;
            }
        }
        expect(indexed.size).toBe(plain.size);
        // The comparison must have exercised both answers.
        expect(queries).toBeGreaterThan(300);
        expect(nonEmpty).toBeGreaterThan(50);
        expect(nonEmpty).toBeLessThan(queries);
    });

    it('clear empties the index with the records', () => {
        const records = new PersistedRecords();
        const key = { model: 'misc', id: 'x' };
        records.set('a', { id: 'a', data: {}, associations: [key] });
        records.clear();
        expect(records.withAll([key])).toEqual([]);
        records.set('b', { id: 'b', data: {}, associations: [key] });
        expect(records.withAll([key]).map((r) => r.id)).toEqual(['b']);
    });
});
