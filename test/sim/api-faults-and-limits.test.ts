import { ApiResponseError } from 'twitter-api-v2';
import { ManualClock, startXSim, type XSim, type XUser } from '../../tools/x-sim';
import { XTransportError } from '../../src/x/transport';
import { oauth1Client, oauth2Client, xClient } from './helpers/clients';
import { failure } from './helpers/errors';

const FIFTEEN_MINUTES = 15 * 60 * 1000;

describe('API faults, rate limits and the billing ledger', () => {
    let sim: XSim;
    let clock: ManualClock;
    let business: XUser;
    let customer: XUser;

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
        business = sim.business!;
        customer = sim.createUser({ username: 'customer' });
    });
    afterEach(() => sim.close());

    describe('injected API faults', () => {
        test('a 5xx for a matching endpoint, a limited number of times', async () => {
            const client = oauth1Client(sim, business.id);
            sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm.send' }, times: 2 });
            for (let i = 0; i < 2; i++) {
                const error = (await failure(
                    client.v2.sendDmToParticipant(customer.id, { text: 'hi' }),
                )) as ApiResponseError;
                expect(error).toBeInstanceOf(ApiResponseError);
                expect([error.code, error.data]).toEqual([
                    503,
                    { title: 'Service Unavailable', type: 'about:blank', status: 503, detail: 'Service Unavailable' },
                ]);
            }
            await client.v2.me();
            await client.v2.sendDmToParticipant(customer.id, { text: 'hi' });
            expect(sim.dmsSentBy(business.id)).toHaveLength(1);
            expect(sim.ledger().totals.dmCreates).toBe(1);
        });

        test('probabilistic faults follow the seed', async () => {
            const pattern = async (seed: number) => {
                const seeded = await startXSim({ clock: new ManualClock(), seed });
                try {
                    seeded.faults.set({ api: { status: 500 }, match: { path: '/2/users/me' }, probability: 0.5 });
                    const client = oauth1Client(seeded, seeded.business!.id);
                    const outcomes: boolean[] = [];
                    for (let i = 0; i < 12; i++)
                        outcomes.push(
                            await client.v2.me().then(
                                () => true,
                                () => false,
                            ),
                        );
                    return outcomes;
                } finally {
                    await seeded.close();
                }
            };
            const first = await pattern(42);
            expect(first).toContain(true);
            expect(first).toContain(false);
            expect(await pattern(42)).toEqual(first);
        });

        test('a dropped connection and a hung request become typed transport errors', async () => {
            const client = oauth2Client(sim, business.id);
            sim.faults.once({ api: { dropConnection: true } });
            const dropped = await failure(client.v2.me());
            expect(dropped).toBeInstanceOf(XTransportError);
            expect((dropped as XTransportError).kind).toBe('network');

            sim.faults.once({ api: { hang: true }, match: { path: '/2/users/me' } });
            const hung = await failure(client.v2.get('users/me', undefined, { timeout: 150 }));
            expect(hung).toBeInstanceOf(XTransportError);
            expect((hung as XTransportError).kind).toBe('timeout');
            expect(
                sim
                    .requests()
                    .slice(-2)
                    .map((r) => [r.status, r.fault !== undefined]),
            ).toEqual([
                [0, true],
                [0, true],
            ]);
        });

        test('a slow answer still arrives', async () => {
            sim.faults.once({ api: { delayMs: 120 } });
            const started = Date.now();
            await oauth2Client(sim, business.id).v2.me();
            expect(Date.now() - started).toBeGreaterThanOrEqual(110);
        });
    });

    describe('rate limits', () => {
        test('DM sends: 15 per 15 minutes per user, then 429 with X’s body and headers; reset by the clock', async () => {
            const client = oauth1Client(sim, business.id);
            let last;
            for (let i = 0; i < 15; i++)
                last = await client.v2.post(
                    'dm_conversations/with/:participant_id/messages',
                    { text: `n${i}` },
                    { params: { participant_id: customer.id }, fullResponse: true },
                );
            expect(last!.rateLimit).toMatchObject({
                limit: 15,
                remaining: 0,
                userDay: { limit: 1440, remaining: 1425 },
                day: { limit: 1440, remaining: 1425 },
            });
            const limited = (await failure(
                client.v2.sendDmToParticipant(customer.id, { text: 'one too many' }),
            )) as ApiResponseError;
            expect(limited.rateLimitError).toBe(true);
            expect(limited.data).toEqual({
                title: 'Too Many Requests',
                detail: 'Too Many Requests',
                type: 'about:blank',
                status: 429,
            });
            expect(limited.headers).toMatchObject({
                'x-rate-limit-limit': '15',
                'x-rate-limit-remaining': '0',
                'x-user-limit-24hour-limit': '1440',
            });
            expect(limited.rateLimit!.reset).toBe(Math.ceil((clock.now() + FIFTEEN_MINUTES) / 1000));
            expect(sim.dmsSentBy(business.id)).toHaveLength(15);

            await clock.advance(FIFTEEN_MINUTES);
            await client.v2.sendDmToParticipant(customer.id, { text: 'after the window' });
        });

        test('the 24-hour app budget is shared by every user of the app', async () => {
            sim.setRateLimit('dm.send', { appDay: 3 });
            const second = sim.createUser({ username: 'second_agent' });
            await oauth1Client(sim, business.id).v2.sendDmToParticipant(customer.id, { text: '1' });
            await oauth1Client(sim, business.id).v2.sendDmToParticipant(customer.id, { text: '2' });
            await oauth2Client(sim, second.id).v2.sendDmToParticipant(customer.id, { text: '3' });
            const exhausted = (await failure(
                oauth1Client(sim, second.id).v2.sendDmToParticipant(customer.id, { text: '4' }),
            )) as ApiResponseError;
            expect(exhausted.code).toBe(429);
            expect(exhausted.rateLimit!.day).toMatchObject({ limit: 3, remaining: 0 });
            await clock.advance(24 * 60 * 60 * 1000);
            await oauth1Client(sim, second.id).v2.sendDmToParticipant(customer.id, { text: '4' });
        });

        test('DM lookups: 15 per 15 minutes per user and app', async () => {
            const client = oauth1Client(sim, business.id);
            for (let i = 0; i < 15; i++) await client.v2.listDmEvents();
            expect(((await failure(client.v2.listDmEvents())) as ApiResponseError).code).toBe(429);
            // Another user of the same app has their own window.
            await oauth1Client(sim, customer.id).v2.listDmEvents();
            await clock.advance(FIFTEEN_MINUTES);
            await client.v2.listDmEvents();
        });
    });

    describe('ledger', () => {
        test('prices per resource, per app', async () => {
            const otherApp = sim.createApp({ name: 'Other helpdesk' });
            const ours = oauth1Client(sim, business.id);
            const link = sim.linkOAuth1(otherApp.id, business.id);
            const theirs = xClient(sim, {
                appKey: link.appKey,
                appSecret: link.appSecret,
                accessToken: link.accessToken,
                accessSecret: link.accessSecret,
            });
            await sim.sendDm({ from: customer.id, to: business.id, text: 'a' });
            await sim.sendDm({ from: customer.id, to: business.id, text: 'b' });
            await ours.v2.sendDmToParticipant(customer.id, { text: 'reply' });
            await ours.v2.listDmEvents({ max_results: 2 });
            await theirs.v2.listDmEvents();
            await failure(ours.v2.sendDmToParticipant('1234', { text: 'to nobody' }));

            expect(sim.ledger({ appId: sim.defaultApp!.id }).totals).toEqual({
                dmEventReads: 2,
                dmCreates: 1,
                dmReceivedDeliveries: 0,
                userReads: 0,
                postReads: 0,
                contentCreates: 0,
                postEventDeliveries: 0,
                usd: 0.035,
            });
            expect(sim.ledger({ appId: otherApp.id }).totals).toEqual({
                dmEventReads: 3,
                dmCreates: 0,
                dmReceivedDeliveries: 0,
                userReads: 0,
                postReads: 0,
                contentCreates: 0,
                postEventDeliveries: 0,
                usd: 0.03,
            });
            expect(sim.ledger().totals.usd).toBe(0.065);
            expect(sim.ledger().items[0]).toMatchObject({
                kind: 'dm_create',
                appId: sim.defaultApp!.id,
                usd: 0.015,
                eventId: expect.any(String),
            });
        });
    });
});
