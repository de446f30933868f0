/**
 * Several business accounts on one developer app (issue 17): the seeded second account, linking it through
 * X's authorization page, the token's user as the DM sender, the limits they share, and webhook deliveries
 * fanned out per subscribed account (research/x-api.md §5, §6).
 */
import { ApiResponseError } from 'twitter-api-v2';
import {
    DEFAULT_APP,
    DEFAULT_BUSINESS_ACCOUNT,
    ManualClock,
    SECOND_BUSINESS_ACCOUNT,
    startXSim,
    type XSim,
    type XUser,
} from '../../tools/x-sim';
import { nodeSender } from '../../tools/x-sim/node-sender';
import { appOnlyClient, oauth1Client, oauth2Client, xClient } from './helpers/clients';
import { failure } from './helpers/errors';
import type { WebhookReceiver } from './helpers/receiver';
import { registeredReceiver, subscribeAccountActivity, subscribeActivity } from './helpers/webhooks';

type Json = Record<string, any>;

const CALLBACK = 'http://127.0.0.1/callback';
const SCOPES = ['tweet.read', 'users.read', 'dm.read', 'dm.write', 'offline.access'];

describe('several business accounts on one app', () => {
    let sim: XSim;
    let clock: ManualClock;
    let support: XUser;
    let sales: XUser;
    let customer: XUser;

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
        [support, sales] = sim.businesses;
        customer = sim.createUser({ username: 'customer1', name: 'Cus Tomer' });
    });
    afterEach(() => sim.close());

    describe('seeded accounts', () => {
        test('two business accounts by default, @AcmeSupport first (sim.business), one with businessAccounts: 1', async () => {
            expect(sim.businesses.map((b) => [b.id, b.username])).toEqual([
                [DEFAULT_BUSINESS_ACCOUNT.id, 'AcmeSupport'],
                [SECOND_BUSINESS_ACCOUNT.id, 'AcmeSales'],
            ]);
            expect(sim.business).toBe(support);
            const single = await startXSim({ clock: new ManualClock(), businessAccounts: 1 });
            try {
                expect(single.businesses.map((b) => b.username)).toEqual(['AcmeSupport']);
                expect(() => single.user(SECOND_BUSINESS_ACCOUNT.id)).toThrow();
            } finally {
                await single.close();
            }
        });

        test('the second account has no pasted tokens: it links through OAuth 2.0', () => {
            const oauth1Owners = sim.issuedCredentials().filter((c) => c.kind === 'OAuth 1.0a access token');
            expect(oauth1Owners.map((c) => c.value.split('-')[0])).toEqual([DEFAULT_BUSINESS_ACCOUNT.id]);
        });
    });

    describe("X's authorization page", () => {
        async function authorizeAndLogIn() {
            const appClient = xClient(sim, { clientId: DEFAULT_APP.clientId, clientSecret: DEFAULT_APP.clientSecret });
            const link = appClient.generateOAuth2AuthLink(CALLBACK, { scope: SCOPES });
            const answer = await nodeSender(sim)({ method: 'GET', url: link.url, headers: {} });
            expect(answer.statusCode).toBe(302);
            const code = new URL(answer.headers.location).searchParams.get('code')!;
            const login = await appClient.loginWithOAuth2({
                code,
                codeVerifier: link.codeVerifier,
                redirectUri: CALLBACK,
            });
            return (await login.client.v2.me()).data;
        }

        test('approves as the account signed in: the second account for the link, then the first again', async () => {
            const linked = await sim.signedInAs(sales.id, authorizeAndLogIn);
            expect([linked.id, linked.username]).toEqual([sales.id, 'AcmeSales']);
            expect((await authorizeAndLogIn()).username).toBe('AcmeSupport');
        });

        test('the previous user is signed back in even when the flow fails; unknown users are refused', async () => {
            await expect(
                sim.signedInAs(sales.id, async () => {
                    throw new Error('browser closed');
                }),
            ).rejects.toThrow('browser closed');
            expect((await authorizeAndLogIn()).username).toBe('AcmeSupport');
            await expect(sim.signedInAs('42', authorizeAndLogIn)).rejects.toThrow('x-sim: unknown user 42');
        });

        test("the interactive page lets the admin pick the account, and the app gets that account's token", async () => {
            sim.setConsent({ interactive: true });
            const appClient = xClient(sim, { clientId: DEFAULT_APP.clientId, clientSecret: DEFAULT_APP.clientSecret });
            const link = appClient.generateOAuth2AuthLink(CALLBACK, { scope: SCOPES });
            const page = await nodeSender(sim)({ method: 'GET', url: link.url, headers: {} });
            const html = String(page.content);
            expect(html).toContain(`<option value="${sales.id}">@AcmeSales (Acme Sales)</option>`);
            const form = new URLSearchParams(
                [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, k, v]) => [
                    k,
                    v.replace(/&amp;/g, '&'),
                ]),
            );
            form.set('user_id', sales.id);
            form.set('decision', 'approve');
            const answer = await nodeSender(sim)({
                method: 'POST',
                url: 'https://x.com/i/oauth2/authorize',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                content: form.toString(),
            });
            const code = new URL(answer.headers.location).searchParams.get('code')!;
            const login = await appClient.loginWithOAuth2({
                code,
                codeVerifier: link.codeVerifier,
                redirectUri: CALLBACK,
            });
            expect((await login.client.v2.me()).data.id).toBe(sales.id);
        });
    });

    describe('the sender of a DM is the token’s user', () => {
        test("a reply made with the other account's token leaves from that account", async () => {
            await sim.sendDm({ from: customer.id, to: support.id, text: 'Hello support' });
            await oauth2Client(sim, sales.id).v2.sendDmToParticipant(customer.id, { text: 'from sales' });
            expect(sim.dmsSentBy(sales.id).map((dm) => dm.text)).toEqual(['from sales']);
            expect(sim.dmsSentBy(support.id)).toEqual([]);
            expect(sim.conversation(support.id, customer.id).map((dm) => dm.senderId)).toEqual([customer.id]);
        });

        test("writing to another account's conversation id is refused and sends nothing", async () => {
            const { dm } = await sim.sendDm({ from: customer.id, to: support.id, text: 'Hello support' });
            const refused = (await failure(
                oauth2Client(sim, sales.id).v2.sendDmInConversation(dm.conversationId, { text: 'not mine' }),
            )) as ApiResponseError;
            expect(refused.code).toBe(400);
            expect(JSON.stringify(refused.data)).toContain('dm_conversation_id');
            expect(sim.dmsSentBy(sales.id)).toEqual([]);
            // The owner of the conversation can.
            await oauth2Client(sim, support.id).v2.sendDmInConversation(dm.conversationId, { text: 'mine' });
            expect(sim.dmsSentBy(support.id, { to: customer.id }).map((d) => d.text)).toEqual(['mine']);
        });
    });

    describe('limits shared and not shared', () => {
        test('15 sends per 15 minutes are per account: one account at its limit does not stop the other', async () => {
            const supportClient = oauth2Client(sim, support.id);
            for (let i = 0; i < 15; i++) await supportClient.v2.sendDmToParticipant(customer.id, { text: `s${i}` });
            expect(
                ((await failure(supportClient.v2.sendDmToParticipant(customer.id, { text: 'x' }))) as ApiResponseError)
                    .code,
            ).toBe(429);
            await oauth2Client(sim, sales.id).v2.sendDmToParticipant(customer.id, { text: 'sales still sends' });
            expect(sim.dmsSentBy(sales.id)).toHaveLength(1);
        });

        test('an injected fault can hit one account only (its token), whatever the auth method', async () => {
            sim.faults.set({ api: { status: 429 }, match: { endpoint: 'dm.send', userId: support.id } });
            for (const client of [oauth2Client(sim, support.id), oauth1Client(sim, support.id)])
                expect(
                    ((await failure(client.v2.sendDmToParticipant(customer.id, { text: 'x' }))) as ApiResponseError)
                        .code,
                ).toBe(429);
            await oauth2Client(sim, sales.id).v2.sendDmToParticipant(customer.id, { text: 'sales sends' });
            await oauth1Client(sim, sales.id).v2.sendDmToParticipant(customer.id, { text: 'sales again' });
            expect(sim.dmsSentBy(support.id)).toEqual([]);
            expect(sim.dmsSentBy(sales.id)).toHaveLength(2);
            // App-only calls name no user: a user match never fires for them.
            sim.faults.set({ api: { status: 503 }, match: { userId: sales.id } });
            await appOnlyClient(sim).v2.get('webhooks');
        });

        test('1,440 sends a day per app, counted across both accounts (x-app-limit-24hour-*)', async () => {
            expect(sim.user(sales.id)).toBeDefined();
            const send = (user: XUser) =>
                oauth2Client(sim, user.id).v2.post(
                    'dm_conversations/with/:participant_id/messages',
                    { text: `from ${user.username}` },
                    { params: { participant_id: customer.id }, fullResponse: true },
                );
            const first = await send(support);
            expect(first.headers).toMatchObject({
                'x-app-limit-24hour-limit': '1440',
                'x-app-limit-24hour-remaining': '1439',
                'x-user-limit-24hour-remaining': '1439',
            });
            const second = await send(sales);
            // The app's day counts both accounts; each account's own day only its own sends.
            expect(second.headers).toMatchObject({
                'x-app-limit-24hour-remaining': '1438',
                'x-user-limit-24hour-remaining': '1439',
            });

            sim.setRateLimit('dm.send', { appDay: 3 });
            await send(support);
            await send(sales);
            await send(support);
            const exhausted = (await failure(send(sales))) as ApiResponseError;
            expect(exhausted.code).toBe(429);
            expect(exhausted.headers).toMatchObject({ 'x-app-limit-24hour-remaining': '0' });
            // The sales account has sent one DM of its own today: the app's budget stopped it.
            expect(exhausted.headers['x-user-limit-24hour-remaining']).toBe('1439');
            await clock.advance(24 * 60 * 60 * 1000);
            await send(sales);
        });
    });

    describe('webhook deliveries fan out per subscribed account', () => {
        let receiver: WebhookReceiver;
        let webhookId: string;

        beforeEach(async () => {
            ({ receiver, webhookId } = await registeredReceiver(sim));
        });
        afterEach(() => receiver.close());

        const deliveredTo = () =>
            receiver.deliveries.map((d) => {
                const body = d.json as Json;
                return body.data
                    ? `${body.data.event_type} for ${body.data.filter.user_id}`
                    : `message_create for ${body.for_user_id}`;
            });

        test('X Activity API: a customer DM to one account is delivered for that account only', async () => {
            for (const account of [support, sales]) {
                await subscribeActivity(sim, webhookId, account.id, 'dm.received');
                await subscribeActivity(sim, webhookId, account.id, 'dm.sent');
            }
            await sim.sendDm({ from: customer.id, to: sales.id, text: 'Hello sales' });
            expect(deliveredTo()).toEqual([`dm.received for ${sales.id}`]);
            receiver.deliveries.length = 0;

            await oauth2Client(sim, support.id).v2.sendDmToParticipant(customer.id, { text: 'support answers' });
            await sim.settle();
            expect(deliveredTo()).toEqual([`dm.sent for ${support.id}`]);
        });

        test('X Activity API: a DM between the two accounts is delivered once per subscribed account', async () => {
            for (const account of [support, sales]) {
                await subscribeActivity(sim, webhookId, account.id, 'dm.received');
                await subscribeActivity(sim, webhookId, account.id, 'dm.sent');
            }
            const { dm } = await sim.sendDm({ from: support.id, to: sales.id, text: 'internal note' });
            expect(deliveredTo().sort()).toEqual([`dm.received for ${sales.id}`, `dm.sent for ${support.id}`].sort());
            for (const delivery of receiver.deliveries)
                expect((delivery.json as Json).data.payload.direct_message_events[0].id).toBe(dm.id);
            // One dm.received event: billed once.
            expect(sim.ledger().totals.dmReceivedDeliveries).toBe(1);
        });

        test('Account Activity API: one delivery per subscribed account, each with its for_user_id', async () => {
            await subscribeAccountActivity(sim, webhookId, support.id);
            // The second account subscribes with its own token too (it has no pasted one: OAuth 1.0a issued here).
            await subscribeAccountActivity(sim, webhookId, sales.id);
            await sim.sendDm({ from: customer.id, to: support.id, text: 'Hello support' });
            expect(deliveredTo()).toEqual([`message_create for ${support.id}`]);
            receiver.deliveries.length = 0;

            const { dm } = await sim.sendDm({ from: sales.id, to: support.id, text: 'internal note' });
            expect(deliveredTo().sort()).toEqual(
                [`message_create for ${support.id}`, `message_create for ${sales.id}`].sort(),
            );
            for (const delivery of receiver.deliveries)
                expect((delivery.json as Json).direct_message_events[0].id).toBe(dm.id);
        });

        test('an account without a subscription gets nothing, even as the recipient', async () => {
            await subscribeActivity(sim, webhookId, support.id, 'dm.received');
            await sim.sendDm({ from: customer.id, to: sales.id, text: 'nobody listens' });
            expect(receiver.deliveries).toEqual([]);
            expect(sim.deliveries()).toEqual([]);
        });
    });

    test('the users lookup knows both accounts', async () => {
        const client = oauth1Client(sim, support.id);
        expect((await client.v2.userByUsername('AcmeSales')).data).toMatchObject({ id: sales.id, name: 'Acme Sales' });
        expect((await client.v2.userByUsername('AcmeSupport')).data.id).toBe(support.id);
    });
});
