/**
 * The outbound pipeline and the outbox drain over in-memory fakes: order, fairness, rate limits, the
 * steady-state cost, and — above all — that no DM reaches the customer twice.
 */
import { deliver, DeliveryRequest } from '../../../src/bridge/outbound';
import { planDms } from '../../../src/bridge/outbound-filter';
import { outboundState } from '../../../src/bridge/outbound-state';
import { drainOutbox } from '../../../src/bridge/outbox-drain';
import { isCopyOf } from '../../../src/bridge/outbox-decisions';
import { GIVE_UP_AFTER_ATTEMPTS, OutboxItem } from '../../../src/storage/outbox';
import { XFailure } from '../../../src/x/client-types';
import { ACCOUNT, fakeWorld, FakeWorld } from '../helpers/fake-bridge';
import { freshOutboundState } from '../helpers/fresh-process';

const A = '42';
const B = '43';
let seq = 0;

function request(customerId: string, text: string, at: number, maxLength?: number): DeliveryRequest {
    return {
        ref: { accountId: ACCOUNT, customerId, roomId: `room-${customerId}` },
        dms: planDms(text, [], maxLength),
        origin: 'agent',
        orderAt: at,
        orderId: `m:${++seq}`,
    };
}

const queued = (w: FakeWorld) => w.store.ofType('outbox-item') as unknown as OutboxItem[];
const rateLimited = (retryAt: number) => new XFailure('rate-limited', 429, retryAt);
const xDown = () => new XFailure('unavailable', 503);
const lostAnswer = () => ({ acceptedButLost: new XFailure('unavailable', 0, undefined, 'timeout') });

beforeEach(() => freshOutboundState());

/** The outbox's wake-up for `at` runs: the scheduler (this test's clock) reached it. */
function drainAt(w: FakeWorld, at: number) {
    w.clock.now = Math.max(w.clock.now, at);
    return drainOutbox(w.ctx);
}

describe('sending now', () => {
    it('costs one X call and one write per DM in the steady state (after one read per process)', async () => {
        const w = fakeWorld();
        await deliver(w.ctx, request(A, 'warm-up', 1));
        w.store.calls = [];
        const report = await deliver(w.ctx, request(A, 'hello', 2));
        expect(report).toMatchObject({ sent: 1, queued: 0, dropped: 0 });
        expect(w.store.calls).toEqual(['create']);
        expect(w.x.texts()).toEqual(['warm-up', 'hello']);
    });

    it('sends the parts of a long message in order', async () => {
        const w = fakeWorld();
        await deliver(w.ctx, request(A, 'one two three four', 1, 9));
        expect(w.x.texts()).toEqual(['one two', 'three', 'four']);
    });

    it('stops at a refusal for good: the rest of the message is not sent and the room is told', async () => {
        const w = fakeWorld();
        w.x.steps.push('ok', new XFailure('recipient-refuses-dms', 403));
        const report = await deliver(w.ctx, request(A, 'one two three four', 1, 9));
        expect(report).toMatchObject({ sent: 1, dropped: 2 });
        expect(w.x.texts()).toEqual(['one two']);
        expect(w.notices).toEqual([
            {
                roomId: `room-${A}`,
                text: expect.stringContaining('2 Direct Messages of these replies were not delivered'),
            },
        ]);
        expect(queued(w)).toEqual([]);
    });
});

describe('queueing', () => {
    it("on a 429 queues the rest with X's reset as the time to retry, tells the room once, and queues later messages behind", async () => {
        const w = fakeWorld();
        const reset = w.clock.now + 15 * 60_000;
        w.x.steps.push('ok', rateLimited(reset));
        await deliver(w.ctx, request(A, 'one two three four', 1, 9));
        await deliver(w.ctx, request(A, 'later', 2));
        expect(w.x.texts()).toEqual(['one two']);
        expect(w.x.sendCalls).toBe(2);
        expect(queued(w).map((i) => [i.text, i.notBefore])).toEqual([
            ['three', reset],
            ['four', reset],
            ['later', w.clock.now],
        ]);
        expect(w.wakes.map((j) => j.when.getTime())).toEqual([reset]);
        expect(w.notices.map((n) => n.text)).toEqual([expect.stringContaining("X's sending limit")]);

        // Before the reset nothing moves; the wake-up at the reset delivers everything, in order.
        expect((await drainOutbox(w.ctx)).sent).toBe(0);
        const report = await drainAt(w, reset);
        expect(report.sent).toBe(3);
        expect(w.x.texts()).toEqual(['one two', 'three', 'four', 'later']);
        expect(queued(w)).toEqual([]);
        expect(outboundState.queued.has(`${ACCOUNT}:${A}`)).toBe(false);

        // The conversation is back to sending at once.
        await deliver(w.ctx, request(A, 'direct again', 3));
        expect(w.x.texts().at(-1)).toBe('direct again');
        expect(queued(w)).toEqual([]);
    });

    it('drops what waits for a customer blocked meanwhile, telling the room, and still sends to the others', async () => {
        const w = fakeWorld();
        const reset = w.clock.now + 15 * 60_000;
        w.x.steps.push(rateLimited(reset), rateLimited(reset));
        await deliver(w.ctx, request(A, 'to A', 1));
        await deliver(w.ctx, request(B, 'to B', 2));
        expect(queued(w)).toHaveLength(2);
        w.ctx.settings = { ...w.ctx.settings, blockedUsers: { ids: [A], handles: [], invalid: [] } };
        const report = await drainAt(w, reset);
        expect(report).toMatchObject({ sent: 1, dropped: 1 });
        expect(w.x.texts()).toEqual(['to B']);
        expect(queued(w)).toEqual([]);
        expect(w.notices.at(-1)).toEqual({
            roomId: `room-${A}`,
            text: expect.stringContaining('the customer is blocked'),
        });
    });

    it("shares X's window fairly: one DM per waiting conversation per round", async () => {
        const w = fakeWorld();
        const reset = w.clock.now + 60_000;
        w.x.steps.push(rateLimited(reset));
        for (let i = 1; i <= 4; i++) await deliver(w.ctx, request(A, `a${i}`, i));
        w.x.steps.push(rateLimited(reset));
        await deliver(w.ctx, request(B, 'b1', 10));
        await deliver(w.ctx, request(B, 'b2', 11));
        w.x.steps.push('ok', 'ok', 'ok', rateLimited(reset + 60_000));
        await drainAt(w, reset);
        expect(w.x.texts()).toEqual(['a1', 'b1', 'a2']);
        await drainAt(w, reset + 60_000);
        expect(w.x.texts(A)).toEqual(['a1', 'a2', 'a3', 'a4']);
        expect(w.x.texts(B)).toEqual(['b1', 'b2']);
    });

    it('a conversation refused for good is emptied with one notice; the others keep going', async () => {
        const w = fakeWorld();
        const reset = w.clock.now + 60_000;
        w.x.steps.push(rateLimited(reset));
        await deliver(w.ctx, request(A, 'a1', 1));
        await deliver(w.ctx, request(A, 'a2', 2));
        w.x.steps.push(rateLimited(reset));
        await deliver(w.ctx, request(B, 'b1', 3));
        w.notices.length = 0;
        w.x.steps.push(new XFailure('recipient-refuses-dms', 403), 'ok');
        const report = await drainAt(w, reset);
        expect(report).toMatchObject({ sent: 1, dropped: 2 });
        expect(w.x.texts()).toEqual(['b1']);
        expect(w.notices).toEqual([
            {
                roomId: `room-${A}`,
                text: expect.stringMatching(/^2 Direct Messages .* does not accept Direct Messages/),
            },
        ]);
        expect(queued(w)).toEqual([]);
    });
});

describe('never twice', () => {
    it('an answer lost after X accepted: the retry finds the DM at X and records it instead of sending again', async () => {
        const w = fakeWorld();
        w.x.steps.push(lostAnswer());
        await deliver(w.ctx, request(A, 'did this arrive?', 1));
        expect(queued(w)).toEqual([expect.objectContaining({ text: 'did this arrive?', state: 'uncertain' })]);
        w.clock.now += 60_000;
        const report = await drainOutbox(w.ctx);
        expect(report).toMatchObject({ sent: 0, alreadyDelivered: 1 });
        expect(w.x.texts()).toEqual(['did this arrive?']);
        expect(w.x.lookups).toBe(1);
        expect(queued(w)).toEqual([]);
        expect(w.store.ofType('seen').filter((s) => s.kind === 'dm_create')).toHaveLength(1);
    });

    it('a 5xx whose DM never reached X: the retry looks, does not find it, sends it once', async () => {
        const w = fakeWorld();
        w.x.steps.push(xDown());
        await deliver(w.ctx, request(A, 'retry me', 1));
        w.clock.now += 60_000;
        const report = await drainOutbox(w.ctx);
        expect(report).toMatchObject({ sent: 1, alreadyDelivered: 0 });
        expect(w.x.texts()).toEqual(['retry me']);
    });

    it('an identical earlier reply is not mistaken for the uncertain one', async () => {
        const w = fakeWorld();
        await deliver(w.ctx, request(A, 'ok', 1));
        w.x.steps.push(xDown());
        await deliver(w.ctx, request(A, 'ok', 2));
        w.clock.now += 60_000;
        await drainOutbox(w.ctx);
        expect(w.x.texts()).toEqual(['ok', 'ok']);
    });

    it('a run that died between its X call and its bookkeeping leaves an uncertain item: the next run does not resend it', async () => {
        const w = fakeWorld();
        w.x.steps.push(xDown());
        await deliver(w.ctx, request(A, 'mid-crash', 1));
        // The drain marks the item uncertain, X accepts, then the process dies before recording anything.
        w.x.steps.push(lostAnswer());
        w.clock.now += 60_000;
        await drainOutbox(w.ctx);
        freshOutboundState();
        w.clock.now += 10 * 60_000;
        await drainOutbox(w.ctx);
        expect(w.x.texts()).toEqual(['mid-crash']);
        expect(queued(w)).toEqual([]);
    });

    it('a run that died after sending and recording, before removing the item: found, not sent or recorded again', async () => {
        const w = fakeWorld();
        w.x.steps.push(xDown());
        await deliver(w.ctx, request(A, 'almost done', 1));
        w.clock.now += 60_000;
        // The drain sends and records, then dies before it removes the item.
        const remove = w.store.accessor.removeByAssociations;
        w.store.accessor.removeByAssociations = async () => {
            throw new Error('process died');
        };
        await expect(drainOutbox(w.ctx)).rejects.toThrow('process died');
        w.store.accessor.removeByAssociations = remove;
        freshOutboundState();
        w.clock.now += 10 * 60_000;
        await drainOutbox(w.ctx);
        expect(w.x.texts()).toEqual(['almost done']);
        expect(queued(w)).toEqual([]);
        expect(w.store.ofType('seen').filter((s) => s.kind === 'dm_create')).toHaveLength(1);
    });

    it('looks further back than one page when the account was busy since the attempt', async () => {
        const w = fakeWorld();
        w.x.steps.push(lostAnswer());
        await deliver(w.ctx, request(A, 'needle', 1));
        for (let i = 0; i < 30; i++) await deliver(w.ctx, request(String(1000 + i), `other ${i}`, 2 + i));
        w.clock.now += 60_000;
        const report = await drainOutbox(w.ctx);
        expect(report.alreadyDelivered).toBe(1);
        expect(w.x.lookups).toBe(2);
        expect(w.x.texts(A)).toEqual(['needle']);
    });

    it('when X cannot be asked, the uncertain item waits instead of being sent blind', async () => {
        const w = fakeWorld();
        w.x.steps.push(lostAnswer());
        await deliver(w.ctx, request(A, 'careful', 1));
        w.x.lookupFailure = rateLimited(w.clock.now + 5 * 60_000);
        w.clock.now += 60_000;
        await drainOutbox(w.ctx);
        expect(w.x.texts()).toEqual(['careful']);
        expect(queued(w)).toEqual([expect.objectContaining({ state: 'uncertain' })]);
        w.x.lookupFailure = undefined;
        w.clock.now += 5 * 60_000;
        await drainOutbox(w.ctx);
        expect(w.x.texts()).toEqual(['careful']);
        expect(queued(w)).toEqual([]);
    });

    it('two drains at once in one process: one works, the other steps aside', async () => {
        const w = fakeWorld();
        const reset = w.clock.now + 1000;
        w.x.steps.push(rateLimited(reset));
        for (let i = 1; i <= 5; i++) await deliver(w.ctx, request(A, `r${i}`, i));
        const [first, second] = await Promise.all([drainAt(w, reset), drainAt(w, reset)]);
        expect([first.busy, second.busy]).toEqual([undefined, true]);
        expect(w.x.texts()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    });

    it('another instance holding the lease: this drain sends nothing', async () => {
        const w = fakeWorld();
        w.x.steps.push(xDown());
        await deliver(w.ctx, request(A, 'held', 1));
        const { RocketChatAssociationRecord, RocketChatAssociationModel } =
            await import('@rocket.chat/apps-engine/definition/metadata');
        const key = (id: string) => new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, id);
        await w.store.accessor.createWithAssociations(
            { type: 'outbox-lease', owner: 'other', at: w.clock.now - 1, expiresAt: w.clock.now + 600_000 },
            [key(`x-outbox-lease-account:${w.ctx.account.accountId}`), key('x-outbox-lease:other')],
        );
        w.clock.now += 60_000;
        expect(await drainOutbox(w.ctx)).toMatchObject({ busy: true, sent: 0 });
        expect(w.x.texts()).toEqual([]);
        // Once that lease has expired, the work is taken over.
        w.clock.now += 10 * 60_000;
        expect(await drainOutbox(w.ctx)).toMatchObject({ sent: 1 });
    });

    it('gives up after hours of X failing, telling the room', async () => {
        const w = fakeWorld();
        w.x.steps.push(new XFailure('unavailable', 503));
        await deliver(w.ctx, request(A, 'doomed', 1));
        for (let i = 0; i < GIVE_UP_AFTER_ATTEMPTS; i++) {
            w.x.steps.push(new XFailure('unavailable', 503));
            w.clock.now += 16 * 60_000;
            await drainOutbox(w.ctx);
        }
        expect(queued(w)).toEqual([]);
        expect(w.notices.at(-1)?.text).toContain('X kept failing for hours');
        expect(w.x.texts()).toEqual([]);
    });
});

describe('credits used up (402)', () => {
    it('keeps replies queued for as long as it takes, in order, without counting attempts, and sends them once X takes calls', async () => {
        const w = fakeWorld();
        const depleted = () => new XFailure('credits-depleted', 402);
        w.x.steps.push(depleted());
        await deliver(w.ctx, request(A, 'first', 1));
        await deliver(w.ctx, request(A, 'second', 2));
        expect(w.notices.map((n) => n.text)).toEqual([expect.stringContaining('prepaid credits are used up')]);
        for (let i = 0; i < GIVE_UP_AFTER_ATTEMPTS + 2; i++) {
            w.x.steps.push(depleted());
            w.clock.now += 60 * 60_000;
            await drainOutbox(w.ctx);
        }
        expect(queued(w).map((i) => [i.text, i.attempts, i.lastFailure ?? 'none'])).toEqual([
            ['first', 0, 'credits-depleted'],
            ['second', 0, 'none'],
        ]);
        expect(w.notices).toHaveLength(1);
        w.clock.now += 60_000;
        expect((await drainOutbox(w.ctx)).sent).toBe(2);
        expect(w.x.texts()).toEqual(['first', 'second']);
    });
});

describe('recognizing the delivered copy', () => {
    const item: OutboxItem = {
        type: 'outbox-item',
        id: 'm:1:0',
        accountId: ACCOUNT,
        customerId: A,
        roomId: 'r',
        orderAt: 1,
        orderId: 'm:1',
        part: 0,
        text: 'Agent: see https://example.com/a?b=1 & more',
        origin: 'agent',
        queuedAt: 1000,
        attemptAt: 10 * 60_000,
        state: 'uncertain',
        attempts: 1,
        notBefore: 0,
    };
    const event = {
        kind: 'message' as const,
        eventId: '9',
        accountId: ACCOUNT,
        senderId: ACCOUNT,
        recipientId: A,
        createdAt: 10 * 60_000 + 5,
        text: 'Agent: see https://t.co/abc &amp; more',
        urls: [{ url: 'https://t.co/abc', expandedUrl: 'https://example.com/a?b=1' }],
        users: {},
    };

    it("matches X's copy (links shortened, text escaped) of the same DM to the same customer", () => {
        expect(isCopyOf(event, item, new Set())).toBe(true);
    });

    it('does not match a DM already recorded as another send, another customer, or one much older than the attempt', () => {
        expect(isCopyOf(event, item, new Set(['9']))).toBe(false);
        expect(isCopyOf({ ...event, recipientId: B }, item, new Set())).toBe(false);
        expect(isCopyOf({ ...event, createdAt: 0 }, item, new Set())).toBe(false);
        expect(isCopyOf({ ...event, text: 'something else' }, item, new Set())).toBe(false);
    });
});
