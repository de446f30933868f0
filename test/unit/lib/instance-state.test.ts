import { InstanceCopies, InstanceCopy } from '../../../src/lib/instance-state';

describe("an instance's copy of a value", () => {
    it('is used while younger than its TTL, then read again', () => {
        const copy = new InstanceCopy<string>(1000);
        expect(copy.get(0)).toBeUndefined();
        expect(copy.keep('a', 100)).toBe('a');
        expect(copy.get(1099)).toBe('a');
        expect(copy.get(1100)).toBeUndefined();
    });

    it('is not used when it was read before a given moment (a refusal re-reads the current value)', () => {
        const copy = new InstanceCopy<string>(1000);
        copy.keep('a', 100);
        expect(copy.get(200, 100)).toBe('a');
        expect(copy.get(200, 101)).toBeUndefined();
    });

    it('is forgotten on demand (settings saved, account unlinked)', () => {
        const copy = new InstanceCopy<string>(Infinity);
        copy.keep('a', 0);
        expect(copy.get(Number.MAX_SAFE_INTEGER)).toBe('a');
        copy.forget();
        expect(copy.get(0)).toBeUndefined();
    });

    it('keeps one copy per key', () => {
        const copies = new InstanceCopies<number>(1000);
        copies.of('x').keep(1, 0);
        expect(copies.of('x').get(10)).toBe(1);
        expect(copies.of('y').get(10)).toBeUndefined();
    });
});
