/**
 * X as it works in late 2026 (research/x-api.md §12): the CRC key may be the OAuth 2.0 client secret and
 * change after linking; prepaid credits run out (402) and come back; a revocation under the X Activity API
 * ends the DM subscriptions with an `oauth.revoke` event; gone webhooks and subscriptions answer 400;
 * replay windows must end 10 minutes in the past (exclusive) and start 31 minutes in the past.
 */
import { ManualClock, startXSim, type XSim, type XUser } from '../../tools/x-sim';
import { formatReplayDate } from '../../tools/x-sim/core/time-format';
import { appOnlyClient, oauth2Client } from './helpers/clients';
import { rejection } from './helpers/errors';
import { WebhookReceiver } from './helpers/receiver';
import { registeredReceiver, subscribeActivity } from './helpers/webhooks';

type Json = Record<string, any>;
const MINUTE = 60_000;
const firstErrorMessage = (error: { data: unknown }) =>
    (error.data as { errors: Array<{ message: string }> }).errors[0].message;

describe('X in late 2026', () => {
    let sim: XSim;
    let clock: ManualClock;
    let business: XUser;
    let customer: XUser;
    const receivers: WebhookReceiver[] = [];

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
        business = sim.business!;
        customer = sim.createUser({ username: 'customer1', name: 'Cus Tomer' });
    });
    afterEach(async () => {
        await sim.close();
        await Promise.all(receivers.splice(0).map((r) => r.close()));
    });

    async function receiverWith(secret: string): Promise<WebhookReceiver> {
        const receiver = await WebhookReceiver.start(secret);
        receivers.push(receiver);
        return receiver;
    }

    describe('CRC key', () => {
        test('keyed with the consumer secret by default; a receiver answering with the client secret fails registration', async () => {
            const wrongKey = await receiverWith(sim.defaultApp!.clientSecret!);
            expect(
                firstErrorMessage(await rejection(appOnlyClient(sim).v2.post('webhooks', { url: wrongKey.url }))),
            ).toMatch(/^CrcValidationFailed/);
            const rightKey = await receiverWith(sim.defaultApp!.consumerSecret);
            await appOnlyClient(sim).v2.post('webhooks', { url: rightKey.url });
            expect(sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
        });

        test('switched to the OAuth 2.0 client secret: registration needs that key, and a linked webhook turns invalid at the next check', async () => {
            const consumerKeyed = await receiverWith(sim.defaultApp!.consumerSecret);
            const created = await appOnlyClient(sim).v2.post<{ data: { id: string } }>('webhooks', {
                url: consumerKeyed.url,
            });
            sim.setCrcKey('client-secret');
            const [check] = await sim.runCrcCheck(created.data.id);
            expect(check.verdict).toBe('wrong-token');
            expect(sim.webhooks()[0].valid).toBe(false);
            expect(
                firstErrorMessage(
                    await rejection(
                        appOnlyClient(sim).v2.put('webhooks/:webhook_id', undefined, {
                            params: { webhook_id: created.data.id },
                        }),
                    ),
                ),
            ).toMatch(/^CrcValidationFailed/);

            await appOnlyClient(sim).v2.delete('webhooks/:webhook_id', undefined, {
                params: { webhook_id: created.data.id },
            });
            const clientKeyed = await receiverWith(sim.defaultApp!.clientSecret!);
            await appOnlyClient(sim).v2.post('webhooks', { url: clientKeyed.url });
            expect(sim.webhooks()).toEqual([expect.objectContaining({ url: clientKeyed.url, valid: true })]);
        });
    });

    describe('credits', () => {
        test('a charge that uses up the balance makes every v2 call answer 402 credits-depleted until credits are added', async () => {
            sim.setCredits(0.02);
            const client = oauth2Client(sim, business.id);
            await client.v2.sendDmToParticipant(customer.id, { text: 'first reply' });
            expect(sim.credits()).toBeCloseTo(0.005);
            await client.v2.sendDmToParticipant(customer.id, { text: 'second reply' });
            expect(sim.credits()).toBeCloseTo(-0.01);
            for (const call of [
                () => client.v2.sendDmToParticipant(customer.id, { text: 'third' }),
                () => client.v2.me(),
                () => appOnlyClient(sim).v2.get('webhooks'),
            ]) {
                const refused = await rejection(call());
                expect([refused.code, refused.data]).toEqual([
                    402,
                    { title: 'Payment Required', type: 'https://api.x.com/2/problems/credits-depleted' },
                ]);
            }
            expect(sim.dmsSentBy(business.id).map((d) => d.text)).toEqual(['first reply', 'second reply']);
            expect(sim.ledger().totals.dmCreates).toBe(2);

            sim.addCredits(5);
            await client.v2.sendDmToParticipant(customer.id, { text: 'third' });
            expect(sim.dmsSentBy(business.id)).toHaveLength(3);
        });

        test('while depleted, billed dm.received deliveries are withheld (replayable later); free ones still arrive', async () => {
            const { receiver, webhookId } = await registeredReceiver(sim);
            receivers.push(receiver);
            await subscribeActivity(sim, webhookId, business.id, 'dm.received');
            await subscribeActivity(sim, webhookId, business.id, 'dm.sent');
            sim.setCredits(0);
            await sim.sendDm({ from: customer.id, to: business.id, text: 'are you there?' });
            await sim.typeInNativeApp({ account: business.id, to: customer.id, text: 'typed on a phone' });
            expect(receiver.bodies<Json>().map((b) => b.data.event_type)).toEqual(['dm.sent']);
            expect(sim.deliveries().find((d) => d.eventType === 'dm.received')).toMatchObject({
                state: 'skipped',
                reason: expect.stringContaining('credits'),
            });
            expect(sim.ledger().totals.dmReceivedDeliveries).toBe(0);
        });
    });

    describe('revocation under the X Activity API', () => {
        test('ends the DM subscriptions, announces oauth.revoke, and nothing more is delivered or billed', async () => {
            const { receiver, webhookId } = await registeredReceiver(sim);
            receivers.push(receiver);
            await subscribeActivity(sim, webhookId, business.id, 'dm.received');
            await appOnlyClient(sim).v2.post('activity/subscriptions', {
                event_type: 'oauth.revoke',
                filter: {},
                webhook_id: webhookId,
            });
            await sim.sendDm({ from: customer.id, to: business.id, text: 'before' });
            expect(sim.ledger().totals.dmReceivedDeliveries).toBe(1);

            sim.revokeUserTokens(business.id, sim.defaultApp!.id);
            await sim.settle();
            const revoke = receiver.bodies<Json>().find((b) => b.data.event_type === 'oauth.revoke');
            expect(revoke?.data).toEqual({
                event_uuid: expect.stringMatching(/^-?\d+$/),
                filter: {},
                event_type: 'oauth.revoke',
                payload: {
                    date_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/),
                    user_id: business.id,
                    app_id: sim.defaultApp!.id,
                },
            });
            const remaining = (
                await appOnlyClient(sim).v2.get<{ data: Array<{ event_type: string }> }>('activity/subscriptions')
            ).data;
            expect(remaining.map((s) => s.event_type)).toEqual(['oauth.revoke']);

            const before = receiver.deliveries.length;
            await sim.sendDm({ from: customer.id, to: business.id, text: 'after' });
            expect(receiver.deliveries).toHaveLength(before);
            expect(sim.ledger().totals.dmReceivedDeliveries).toBe(1);
        });
    });

    describe('gone resources answer 400', () => {
        test('a deleted webhook is WebhookIdInvalid; a deleted subscription is SubscriptionNotFound', async () => {
            const { receiver, webhookId } = await registeredReceiver(sim);
            receivers.push(receiver);
            const subscriptionId = await subscribeActivity(sim, webhookId, business.id, 'dm.received');
            sim.deleteWebhook(webhookId);
            const app = appOnlyClient(sim);
            for (const call of [
                () => app.v2.delete('webhooks/:webhook_id', undefined, { params: { webhook_id: webhookId } }),
                () => app.v2.put('webhooks/:webhook_id', undefined, { params: { webhook_id: webhookId } }),
                () =>
                    app.v2.delete('account_activity/webhooks/:webhook_id/subscriptions/:user_id/all', undefined, {
                        params: { webhook_id: webhookId, user_id: business.id },
                    }),
            ]) {
                const refused = await rejection(call());
                expect([refused.code, firstErrorMessage(refused)]).toEqual([
                    400,
                    expect.stringMatching(/^WebhookIdInvalid/),
                ]);
            }
            const gone = await rejection(
                app.v2.delete('activity/subscriptions/:subscription_id', undefined, {
                    params: { subscription_id: subscriptionId },
                }),
            );
            expect([gone.code, firstErrorMessage(gone)]).toEqual([400, expect.stringMatching(/^SubscriptionNotFound/)]);
        });
    });

    describe('replay windows', () => {
        test('refuses a window ending in the last 10 minutes or starting in the last 31; to_date is exclusive', async () => {
            const { receiver, webhookId } = await registeredReceiver(sim);
            receivers.push(receiver);
            await subscribeActivity(sim, webhookId, business.id, 'dm.received');
            const start = clock.now() - (clock.now() % MINUTE);
            await clock.advance(start + MINUTE - clock.now());
            await sim.sendDm({ from: customer.id, to: business.id, text: 'in minute one' });
            await clock.advance(MINUTE);
            await sim.sendDm({ from: customer.id, to: business.id, text: 'in minute two' });
            const replay = (from: number, to: number) =>
                appOnlyClient(sim).v2.post('webhooks/replay', {
                    webhook_id: webhookId,
                    from_date: formatReplayDate(from),
                    to_date: formatReplayDate(to),
                });

            const tooRecent = await rejection(replay(start, clock.now()));
            expect([tooRecent.code, firstErrorMessage(tooRecent)]).toEqual([
                400,
                expect.stringContaining('from_date must be at least 31 minutes'),
            ]);
            await clock.advance(31 * MINUTE);
            const endsTooRecently = await rejection(replay(start, clock.now() - 5 * MINUTE));
            expect(firstErrorMessage(endsTooRecently)).toContain('to_date must be at least 10 minutes');

            const before = receiver.deliveries.length;
            await replay(start, start + 2 * MINUTE);
            await sim.settle();
            const replayed = receiver
                .bodies<Json>()
                .slice(before)
                .filter((b) => b.data?.payload);
            expect(
                replayed.map((b) => b.data.payload.direct_message_events[0].message_create.message_data.text),
            ).toEqual(['in minute one']);
        });
    });
});
