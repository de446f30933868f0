/** Who posts a customer's DM when several deliveries claim it, and when a claimant is presumed dead. */
import {
    claimantAliveUntil,
    decideClaimed,
    extendedUntil,
    STALE_CLAIM_MS,
    TAKEOVER,
    uploadDeadline,
    winsTakeover,
} from '../../../src/bridge/inbound-claims';
import type { ClaimEntry } from '../../../src/storage/seen';

const T = Date.UTC(2026, 10, 21, 12);

describe('a delivery that wrote its claim and read them all', () => {
    it('posts the event when its claim is the first written', () => {
        const claims: ClaimEntry[] = [
            { at: T, claim: 'mine' },
            { at: T, claim: 'other' },
        ];
        expect(decideClaimed(claims, 'mine', T, false, false)).toEqual({ kind: 'deliver' });
    });

    it('is a duplicate when the event is posted or pending, even with the first claim (a replay)', () => {
        const claims: ClaimEntry[] = [{ at: T, claim: 'mine' }];
        expect(decideClaimed(claims, 'mine', T, true, false)).toEqual({ kind: 'duplicate' });
    });

    it('is a duplicate when this instance posted it (its record may not be readable yet)', () => {
        const claims: ClaimEntry[] = [
            { at: T, claim: 'first' },
            { at: T, claim: 'mine' },
        ];
        expect(decideClaimed(claims, 'mine', T + 1, false, true)).toEqual({ kind: 'duplicate' });
    });

    it('waits for a first claimant that may still be working, until a stale window after its claim', () => {
        const claims: ClaimEntry[] = [
            { at: T, claim: 'first' },
            { at: T + 10, claim: 'mine' },
        ];
        expect(decideClaimed(claims, 'mine', T + STALE_CLAIM_MS - 1, false, false)).toEqual({
            kind: 'wait-for-claimant',
            until: T + STALE_CLAIM_MS,
        });
        expect(decideClaimed(claims, 'mine', T + STALE_CLAIM_MS, false, false)).toEqual({ kind: 'take-over' });
    });

    it('does not take for dead a claimant that extended its claim before a large upload (review finding)', () => {
        const until = uploadDeadline(T + 20_000, 100 * 1024 * 1024);
        const claims: ClaimEntry[] = [
            { at: T, claim: 'first' },
            { at: T + 20_000, claim: 'first', until },
            { at: T + 90_000, claim: 'mine' },
        ];
        // Long after the claim's own stale window, the upload is still within its deadline: no second upload.
        expect(decideClaimed(claims, 'mine', T + 5 * 60_000, false, false)).toEqual({
            kind: 'wait-for-claimant',
            until,
        });
        // A claimant that died mid-upload is taken over once its deadline passed.
        expect(decideClaimed(claims, 'mine', until, false, false)).toEqual({ kind: 'take-over' });
    });

    it("another claimant's extension does not keep the first one alive", () => {
        const claims: ClaimEntry[] = [
            { at: T, claim: 'first' },
            { at: T + 1000, claim: 'second', until: T + 10 * 60_000 },
        ];
        expect(claimantAliveUntil(claims, 'first')).toBe(T + STALE_CLAIM_MS);
        expect(decideClaimed(claims, 'mine', T + STALE_CLAIM_MS, false, false)).toEqual({ kind: 'take-over' });
    });
});

describe('the verification job', () => {
    it('is held back only by an extension of the claim, not by its age (it was scheduled for when it is stale)', () => {
        expect(extendedUntil([{ at: T, claim: 'first' }], 'first')).toBe(0);
        const claims: ClaimEntry[] = [
            { at: T, claim: 'first' },
            { at: T + 1000, claim: 'first', until: T + 400_000 },
            { at: T + 2000, claim: 'other', until: T + 900_000 },
        ];
        expect(extendedUntil(claims, 'first')).toBe(T + 400_000);
    });
});

describe('the upload deadline', () => {
    it('grows with the file: a stale window plus the size at the slowest assumed pace', () => {
        expect(uploadDeadline(T, 0)).toBe(T + STALE_CLAIM_MS);
        const large = uploadDeadline(T, 100 * 1024 * 1024) - T;
        expect(large).toBeGreaterThan(6 * 60_000);
        expect(large).toBeLessThan(8 * 60_000);
    });
});

describe('taking over from a dead claimant', () => {
    const first: ClaimEntry = { at: T, claim: 'first' };

    it('the first live takeover claim posts; later takers yield', () => {
        const claims: ClaimEntry[] = [
            first,
            { at: T + 70_000, claim: `${TAKEOVER}a` },
            { at: T + 70_001, claim: `${TAKEOVER}b` },
        ];
        expect(winsTakeover(claims, `${TAKEOVER}a`, T + 70_002, false)).toBe(true);
        expect(winsTakeover(claims, `${TAKEOVER}b`, T + 70_002, false)).toBe(false);
    });

    it('a taker that died in turn no longer counts', () => {
        const claims: ClaimEntry[] = [
            first,
            { at: T + 70_000, claim: `${TAKEOVER}a` },
            { at: T + 200_000, claim: `${TAKEOVER}b` },
        ];
        expect(winsTakeover(claims, `${TAKEOVER}b`, T + 200_000, false)).toBe(true);
    });

    it('a taker uploading a large file stays the taker past a stale window', () => {
        const claims: ClaimEntry[] = [
            first,
            { at: T + 70_000, claim: `${TAKEOVER}a` },
            { at: T + 80_000, claim: `${TAKEOVER}a`, until: T + 500_000 },
            { at: T + 200_000, claim: `${TAKEOVER}b` },
        ];
        expect(winsTakeover(claims, `${TAKEOVER}b`, T + 200_000, false)).toBe(false);
    });

    it('nobody takes over an event posted meanwhile', () => {
        const claims: ClaimEntry[] = [first, { at: T + 70_000, claim: `${TAKEOVER}a` }];
        expect(winsTakeover(claims, `${TAKEOVER}a`, T + 70_000, true)).toBe(false);
    });

    it('the first claimant itself never counts as a taker', () => {
        expect(winsTakeover([first], 'first', T + 70_000, false)).toBe(false);
    });
});
