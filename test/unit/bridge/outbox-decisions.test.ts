/** The outbox drain's decisions, as pure functions: what goes next, when a failed item is retried, when the app gives up. */
import { decideAfterFailure, decideHead, retryCheckAt, xTakesSendsAt } from '../../../src/bridge/outbox-decisions';
import type { DeliveryFailure } from '../../../src/bridge/outbound-send';
import { backoffMs, GIVE_UP_AFTER_ATTEMPTS, OutboxItem } from '../../../src/storage/outbox';

const NOW = Date.UTC(2026, 10, 21, 12);

const item = (over: Partial<OutboxItem> = {}): OutboxItem => ({
    type: 'outbox-item',
    id: 'm:1:0',
    accountId: '1',
    customerId: '2',
    roomId: 'r',
    orderAt: 1,
    orderId: 'm:1',
    part: 0,
    text: 'hi',
    origin: 'agent',
    queuedAt: NOW - 1000,
    state: 'queued',
    attempts: 0,
    notBefore: NOW - 1000,
    ...over,
});
const failure = (kind: DeliveryFailure['kind'], over: Partial<DeliveryFailure> = {}): DeliveryFailure => ({
    kind,
    uncertain: false,
    ...over,
});

describe('which item goes next', () => {
    it('a due item is attempted', () => {
        expect(decideHead(item(), NOW, 0)).toEqual({ kind: 'attempt' });
        expect(decideHead(item({ notBefore: NOW }), NOW, NOW)).toEqual({ kind: 'attempt' });
    });

    it("X's exhausted window or credits stop every conversation until X takes sends again", () => {
        expect(decideHead(item(), NOW, NOW + 5000)).toEqual({ kind: 'everyone-waits', until: NOW + 5000 });
    });

    it('an item in its backoff holds back its own conversation only', () => {
        expect(decideHead(item({ notBefore: NOW + 30_000 }), NOW, 0)).toEqual({ kind: 'wait', until: NOW + 30_000 });
    });

    it('an item that waited for credits goes as soon as X takes calls again, whatever its planned time', () => {
        const waited = item({ notBefore: NOW + 60 * 60_000, lastFailure: 'credits-depleted' });
        expect(decideHead(waited, NOW, 0)).toEqual({ kind: 'attempt' });
    });
});

describe('after a failed send', () => {
    it("a 429 waits for X's reset, counts no attempt and stops the whole run", () => {
        const decision = decideAfterFailure(
            item({ attempts: 3 }),
            failure('rate-limited', { retryAt: NOW + 900_000 }),
            NOW,
            undefined,
        );
        expect(decision).toEqual({
            kind: 'retry',
            item: expect.objectContaining({
                state: 'queued',
                attempts: 3,
                notBefore: NOW + 900_000,
                lastFailure: 'rate-limited',
            }),
            stopAll: true,
        });
    });

    it('depleted credits wait for the end of the pause, or a first backoff when none is known', () => {
        const paused = decideAfterFailure(item(), failure('credits-depleted'), NOW, NOW + 60_000);
        expect(paused).toMatchObject({ kind: 'retry', item: { notBefore: NOW + 60_000 }, stopAll: true });
        const unknown = decideAfterFailure(item(), failure('credits-depleted'), NOW, undefined);
        expect(unknown).toMatchObject({ item: { notBefore: NOW + backoffMs(1) } });
    });

    it('never plans a retry in the past (a reset X gave that has passed)', () => {
        expect(xTakesSendsAt(failure('rate-limited', { retryAt: NOW - 5000 }), NOW, undefined)).toBe(NOW);
    });

    it('a transient failure is retried with a growing backoff, uncertain when the DM may have reached X', () => {
        const first = decideAfterFailure(item(), failure('unavailable', { uncertain: true }), NOW, undefined);
        expect(first).toEqual({
            kind: 'retry',
            item: expect.objectContaining({
                state: 'uncertain',
                attempts: 1,
                notBefore: NOW + backoffMs(1),
                lastFailure: 'unavailable',
            }),
            stopAll: false,
        });
        const later = decideAfterFailure(item({ attempts: 4 }), failure('unavailable'), NOW, undefined);
        expect(later).toMatchObject({ item: { state: 'queued', attempts: 5, notBefore: NOW + backoffMs(5) } });
        expect(backoffMs(5)).toBeGreaterThan(backoffMs(1));
    });

    it('gives up on the message after the last allowed attempt, not before', () => {
        const last = item({ attempts: GIVE_UP_AFTER_ATTEMPTS - 2 });
        expect(decideAfterFailure(last, failure('unavailable'), NOW, undefined).kind).toBe('retry');
        const spent = item({ attempts: GIVE_UP_AFTER_ATTEMPTS - 1 });
        expect(decideAfterFailure(spent, failure('unavailable'), NOW, undefined)).toEqual({
            kind: 'drop-message',
            reason: 'gave-up',
        });
    });

    it('a refusal of the message drops the message; a refusal of the customer drops the conversation', () => {
        expect(decideAfterFailure(item(), failure('media-not-permitted'), NOW, undefined)).toEqual({
            kind: 'drop-message',
            reason: 'media-not-permitted',
        });
        expect(decideAfterFailure(item(), failure('file-unreadable'), NOW, undefined)).toEqual({
            kind: 'drop-message',
            reason: 'file-unreadable',
        });
        expect(decideAfterFailure(item(), failure('recipient-refuses-dms'), NOW, undefined)).toEqual({
            kind: 'drop-conversation',
        });
    });
});

describe('an uncertain item X could not be asked about', () => {
    it("looks again at X's reset when X said later, else after the item's next backoff", () => {
        const head = item({ state: 'uncertain', attempts: 2 });
        expect(retryCheckAt(head, failure('rate-limited', { retryAt: NOW + 7000 }), NOW, undefined)).toBe(NOW + 7000);
        expect(retryCheckAt(head, failure('credits-depleted'), NOW, NOW + 9000)).toBe(NOW + 9000);
        expect(retryCheckAt(head, failure('unavailable'), NOW, undefined)).toBe(NOW + backoffMs(3));
    });
});
