import {
    LEGACY_SIGNATURE_HEADER,
    ManualClock,
    OAUTH2_SIGNATURE_HEADER,
    startXSim,
    type SerializationStyle,
    type XSim,
    type XUser,
} from '../../tools/x-sim';
import { appOnlyClient, oauth1Client, oauth2Client, sentDmIds } from './helpers/clients';
import { fakeMp4, TINY_PNG } from './helpers/media';
import type { WebhookReceiver } from './helpers/receiver';
import { registeredReceiver, signatureMatches, subscribeAccountActivity, subscribeActivity } from './helpers/webhooks';
import { rejection } from './helpers/errors';

type Json = Record<string, any>;

describe('webhook deliveries', () => {
    let sim: XSim;
    let clock: ManualClock;
    let business: XUser;
    let customer: XUser;
    let receiver: WebhookReceiver;
    let webhookId: string;

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
        business = sim.business!;
        customer = sim.createUser({ username: 'customer1', name: 'Cus Tomer' });
        ({ receiver, webhookId } = await registeredReceiver(sim));
    });
    afterEach(async () => {
        await sim.close();
        await receiver.close();
    });

    describe('X Activity API', () => {
        test('dm.received arrives in the XAA envelope, signed, and is billed once', async () => {
            await subscribeActivity(sim, webhookId, business.id, 'dm.received', 'inbound-dms');
            const { dm } = await sim.sendDm({ from: customer.id, to: business.id, text: 'Where is my order?' });
            expect(receiver.deliveries).toHaveLength(1);
            const [delivery] = receiver.deliveries;
            expect(delivery.contentType).toContain('application/json');
            expect(signatureMatches(sim.defaultApp!.clientSecret!, delivery.rawBody, delivery.oauth2Signature)).toBe(
                true,
            );
            const { data } = delivery.json as Json;
            expect(data).toMatchObject({
                event_uuid: expect.stringMatching(/^-?\d+$/),
                filter: { user_id: business.id },
                event_type: 'dm.received',
                tag: 'inbound-dms',
            });
            expect(data.payload.direct_message_events).toEqual([
                {
                    type: 'message_create',
                    id: dm.id,
                    created_timestamp: String(dm.createdAt),
                    message_create: {
                        target: { recipient_id: business.id },
                        sender_id: customer.id,
                        message_data: {
                            text: 'Where is my order?',
                            entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
                        },
                    },
                },
            ]);
            expect(data.payload.users[customer.id].data).toMatchObject({
                id: customer.id,
                username: 'customer1',
                name: 'Cus Tomer',
            });
            expect(sim.ledger().totals).toMatchObject({ dmReceivedDeliveries: 1, usd: 0.01 });
        });

        test("echoes: API sends and native-app replies both come back as dm.sent without source_app_id (as in X's sample)", async () => {
            await subscribeActivity(sim, webhookId, business.id, 'dm.sent');
            await oauth2Client(sim, business.id).v2.sendDmToParticipant(customer.id, { text: 'Sent by the agent' });
            await sim.settle();
            await sim.typeInNativeApp({ account: business.id, to: customer.id, text: 'Typed on my phone' });
            const events = receiver.bodies<Json>().map((b) => b.data.payload.direct_message_events[0].message_create);
            expect(events.map((e) => [e.message_data.text, e.source_app_id])).toEqual([
                ['Sent by the agent', undefined],
                ['Typed on my phone', undefined],
            ]);
            expect(receiver.bodies<Json>().every((b) => b.data.event_type === 'dm.sent')).toBe(true);
            expect(sim.ledger().totals.dmReceivedDeliveries).toBe(0);
        });

        test('typing and read receipts', async () => {
            await subscribeActivity(sim, webhookId, business.id, 'dm.indicate_typing');
            await subscribeActivity(sim, webhookId, business.id, 'dm.read');
            await sim.indicateTyping({ from: customer.id, to: business.id });
            const sent = sentDmIds(
                await oauth1Client(sim, business.id).v2.sendDmToParticipant(customer.id, { text: 'hi' }),
            );
            await sim.markRead({ reader: customer.id, of: business.id });
            const [typing, read] = receiver.bodies<Json>().map((b) => b.data);
            expect(typing).toMatchObject({
                event_type: 'dm.indicate_typing',
                payload: {
                    direct_message_indicate_typing_events: [
                        { sender_id: customer.id, target: { recipient_id: business.id } },
                    ],
                },
            });
            expect(read).toMatchObject({
                event_type: 'dm.read',
                payload: {
                    direct_message_mark_read_events: [{ sender_id: customer.id, last_read_event_id: sent.dm_event_id }],
                },
            });
        });

        test('DM subscriptions need the monitored account’s own OAuth 2.0 token', async () => {
            const body = { event_type: 'dm.received', filter: { user_id: business.id }, webhook_id: webhookId };
            const appOnly = await rejection(appOnlyClient(sim).v2.post('activity/subscriptions', body));
            expect(appOnly.data).toMatchObject({ title: 'Unsupported Authentication', status: 403 });
            const someoneElse = await rejection(oauth2Client(sim, customer.id).v2.post('activity/subscriptions', body));
            expect(someoneElse.code).toBe(403);
            const listed = await appOnlyClient(sim).v2.get<{ data: unknown[] }>('activity/subscriptions');
            expect(listed.data).toEqual([]);
        });
    });

    describe('Account Activity API', () => {
        beforeEach(() => subscribeAccountActivity(sim, webhookId, business.id));

        test('inbound DM in the AAA envelope; API echo carries source_app_id and apps; native reply does not', async () => {
            await sim.sendDm({ from: customer.id, to: business.id, text: 'Hi there' });
            await oauth1Client(sim, business.id).v2.sendDmToParticipant(customer.id, { text: 'Hello!' });
            await sim.settle();
            await sim.typeInNativeApp({ account: business.id, to: customer.id, text: 'From the phone' });
            const [inbound, echo, native] = receiver.bodies<Json>();
            expect(inbound).toMatchObject({
                for_user_id: business.id,
                direct_message_events: [
                    {
                        type: 'message_create',
                        message_create: {
                            sender_id: customer.id,
                            target: { recipient_id: business.id },
                            message_data: { text: 'Hi there' },
                        },
                    },
                ],
                users: {
                    [customer.id]: {
                        id: customer.id,
                        screen_name: 'customer1',
                        name: 'Cus Tomer',
                        profile_image_url_https: expect.stringContaining('https://'),
                    },
                },
            });
            expect(inbound.apps).toBeUndefined();
            expect(echo.direct_message_events[0].message_create).toMatchObject({
                sender_id: business.id,
                source_app_id: sim.defaultApp!.id,
            });
            expect(echo.apps[sim.defaultApp!.id]).toMatchObject({ id: sim.defaultApp!.id, name: sim.defaultApp!.name });
            expect(native.direct_message_events[0].message_create.source_app_id).toBeUndefined();
            expect(
                receiver.deliveries.every((d) =>
                    signatureMatches(sim.defaultApp!.clientSecret!, d.rawBody, d.oauth2Signature),
                ),
            ).toBe(true);
        });

        test('media DMs carry a ton.twitter.com attachment and a trailing t.co link in text and entities', async () => {
            await sim.sendDm({
                from: customer.id,
                to: business.id,
                text: 'photo',
                media: { type: 'photo', bytes: TINY_PNG, contentType: 'image/png' },
            });
            await sim.sendDm({
                from: customer.id,
                to: business.id,
                media: { type: 'video', bytes: fakeMp4(64), contentType: 'video/mp4' },
            });
            const [photo, video] = receiver
                .bodies<Json>()
                .map((b) => b.direct_message_events[0].message_create.message_data);
            expect(photo.text).toMatch(/^photo https:\/\/t\.co\/\w{10}$/);
            expect(photo.entities.urls).toEqual([
                {
                    url: photo.text.slice(6),
                    expanded_url: expect.stringMatching(/^https:\/\/x\.com\/messages\/media\/\d+$/),
                    display_url: expect.any(String),
                    indices: [6, 29],
                },
            ]);
            expect(photo.attachment).toMatchObject({
                type: 'media',
                media: {
                    id_str: expect.stringMatching(/^\d+$/),
                    type: 'photo',
                    media_url_https: expect.stringMatching(/^https:\/\/ton\.twitter\.com\/1\.1\/ton\/data\/dm\//),
                },
            });
            expect(video.text).toMatch(/^https:\/\/t\.co\/\w{10}$/);
            expect(video.attachment.media).toMatchObject({
                type: 'video',
                video_info: { variants: [{ content_type: 'video/mp4', url: expect.any(String) }] },
            });
            const downloaded = await oauth1Client(sim, business.id).v1.downloadDmImage(
                receiver.bodies<Json>()[0].direct_message_events[0],
            );
            expect(downloaded.equals(TINY_PNG)).toBe(true);
        });

        test('typing and read events', async () => {
            await sim.sendDm({ from: business.id, to: customer.id, text: 'ping' });
            await sim.indicateTyping({ from: customer.id, to: business.id });
            await sim.markRead({ reader: customer.id, of: business.id });
            const [, typing, read] = receiver.bodies<Json>();
            expect(typing.direct_message_indicate_typing_events[0]).toMatchObject({
                sender_id: customer.id,
                target: { recipient_id: business.id },
            });
            expect(read.direct_message_mark_read_events[0]).toMatchObject({
                sender_id: customer.id,
                last_read_event_id: expect.any(String),
            });
        });

        test('revoking the app ends the subscription with a user_event.revoke delivery', async () => {
            sim.revokeUserTokens(business.id, sim.defaultApp!.id);
            await sim.settle();
            expect(receiver.bodies<Json>()).toEqual([
                {
                    for_user_id: business.id,
                    user_event: {
                        revoke: {
                            date_time: expect.any(String),
                            target: { app_id: sim.defaultApp!.id },
                            source: { user_id: business.id },
                        },
                    },
                },
            ]);
            await sim.sendDm({ from: customer.id, to: business.id, text: 'after revoke' });
            expect(receiver.deliveries).toHaveLength(1);
        });

        test('subscription list and removal use the app-only token; the subscriber can check itself', async () => {
            const list = await appOnlyClient(sim).v2.get<{ data: Json }>(
                'account_activity/webhooks/:webhook_id/subscriptions/all/list',
                undefined,
                { params: { webhook_id: webhookId } },
            );
            expect(list.data).toMatchObject({
                application_id: sim.defaultApp!.id,
                webhook_id: webhookId,
                subscriptions: [{ user_id: business.id }],
            });
            const self = await oauth1Client(sim, business.id).v2.get<{ data: { subscribed: boolean } }>(
                'account_activity/webhooks/:webhook_id/subscriptions/all',
                undefined,
                { params: { webhook_id: webhookId } },
            );
            expect(self.data.subscribed).toBe(true);
            await appOnlyClient(sim).v2.delete(
                'account_activity/webhooks/:webhook_id/subscriptions/:user_id/all',
                undefined,
                { params: { webhook_id: webhookId, user_id: business.id } },
            );
            await sim.sendDm({ from: customer.id, to: business.id, text: 'unheard' });
            expect(receiver.deliveries).toHaveLength(0);
        });
    });

    test('an account subscribed through both APIs gets one delivery from each', async () => {
        await subscribeActivity(sim, webhookId, business.id, 'dm.received');
        await subscribeAccountActivity(sim, webhookId, business.id);
        await sim.sendDm({ from: customer.id, to: business.id, text: 'twice' });
        const bodies = receiver.bodies<Json>();
        expect(bodies).toHaveLength(2);
        expect(bodies.map((b) => (b.data ? 'xaa' : 'aaa')).sort()).toEqual(['aaa', 'xaa']);
        expect(
            sim
                .deliveries()
                .map((d) => [d.kind, d.eventType, d.state])
                .sort(),
        ).toEqual([
            ['aaa', 'message_create', 'delivered'],
            ['xaa', 'dm.received', 'delivered'],
        ]);
    });

    describe('serialization styles (signature always over the bytes sent)', () => {
        const text = 'Café ☕ 😀 <3 R&D\u007f see https://example.com/a/b';
        const cases: Array<[SerializationStyle, (raw: string) => void]> = [
            ['compact', (raw) => expect(raw).toContain('Café ☕ 😀 <3 R&D\u007f')],
            ['escapedSlashes', (raw) => expect(raw).toContain('https:\\/\\/t.co\\/')],
            ['unicodeEscaped', (raw) => expect(raw).toContain('Caf\\u00e9 \\u2615 \\ud83d\\ude00 <3 R&D\u007f')],
            [
                'both',
                (raw) =>
                    expect(raw).toMatch(/Caf\\u00e9 \\u2615 \\ud83d\\ude00 <3 R&D\u007f see https:\\\/\\\/t\.co\\\//),
            ],
            ['htmlSafe', (raw) => expect(raw).toContain('Café ☕ 😀 \\u003c3 R\\u0026D\u007f see https://t.co/')],
            [
                'htmlSafeEscapedSlashes',
                (raw) => expect(raw).toContain('Café ☕ 😀 \\u003c3 R\\u0026D\u007f see https:\\/\\/t.co\\/'),
            ],
            [
                'htmlSafeAll',
                (raw) =>
                    expect(raw).toContain(
                        'Caf\\u00e9 \\u2615 \\ud83d\\ude00 \\u003c3 R\\u0026D\u007f see https:\\/\\/t.co\\/',
                    ),
            ],
        ];

        test.each(cases)('%s (U+007F, being ASCII, stays raw)', async (style, check) => {
            await subscribeAccountActivity(sim, webhookId, business.id);
            sim.faults.once({ serialization: style });
            await sim.sendDm({ from: customer.id, to: business.id, text });
            const [delivery] = receiver.deliveries;
            check(delivery.rawBody.toString('utf8'));
            expect(signatureMatches(sim.defaultApp!.clientSecret!, delivery.rawBody, delivery.oauth2Signature)).toBe(
                true,
            );
            expect((delivery.json as Json).direct_message_events[0].message_create.message_data.text).toMatch(
                /^Café ☕ 😀 <3 R&D\u007f see https:\/\/t\.co\/\w{10}$/,
            );
            expect(JSON.stringify(delivery.json) === delivery.rawBody.toString('utf8')).toBe(style === 'compact');
        });

        test('shuffled key order: numeric-id maps in a seeded random order, the rest as JSON.stringify writes it', async () => {
            await subscribeAccountActivity(sim, webhookId, business.id);
            const orders = new Set<string>();
            for (let i = 0; i < 8; i++) {
                sim.faults.once({ keyOrder: 'shuffled' });
                await sim.sendDm({ from: customer.id, to: business.id, text: `hi ${i}` });
                const raw = receiver.deliveries[i].rawBody.toString('utf8');
                expect(
                    signatureMatches(
                        sim.defaultApp!.clientSecret!,
                        receiver.deliveries[i].rawBody,
                        receiver.deliveries[i].oauth2Signature,
                    ),
                ).toBe(true);
                orders.add(
                    [...raw.slice(raw.indexOf('"users":')).matchAll(/"(\d+)":\{"id"/g)].map((m) => m[1]).join(','),
                );
                expect(raw.startsWith('{"for_user_id":')).toBe(true);
            }
            expect([...orders].sort()).toEqual(
                [`${business.id},${customer.id}`, `${customer.id},${business.id}`].sort(),
            );
        });
    });

    describe('signature headers (legacy and OAuth 2.0)', () => {
        const headersOf = () => Object.keys(sim.deliveries().at(-1)!.signatureHeaders).sort();

        test('by default, the strict reading of X today: the OAuth 2.0 header alone for an app with a client secret, over the exact bytes', async () => {
            await subscribeAccountActivity(sim, webhookId, business.id);
            await sim.sendDm({ from: customer.id, to: business.id, text: 'oauth2' });
            const [record] = sim.deliveries();
            expect(headersOf()).toEqual([OAUTH2_SIGNATURE_HEADER]);
            expect(
                signatureMatches(
                    sim.defaultApp!.clientSecret!,
                    Buffer.from(record.body, 'utf8'),
                    record.signatureHeaders[OAUTH2_SIGNATURE_HEADER],
                ),
            ).toBe(true);
            expect(
                signatureMatches(
                    sim.defaultApp!.consumerSecret,
                    Buffer.from(record.body, 'utf8'),
                    record.signatureHeaders[OAUTH2_SIGNATURE_HEADER],
                ),
            ).toBe(false);
            expect(receiver.deliveries[0]).toMatchObject({
                signature: undefined,
                oauth2Signature: record.signatureHeaders[OAUTH2_SIGNATURE_HEADER],
            });
        });

        test('both headers, each keyed with its own secret, when asked for', async () => {
            await subscribeAccountActivity(sim, webhookId, business.id);
            sim.setSignatureHeaders('both');
            await sim.sendDm({ from: customer.id, to: business.id, text: 'both' });
            const [record] = sim.deliveries();
            const raw = Buffer.from(record.body, 'utf8');
            expect(
                signatureMatches(sim.defaultApp!.consumerSecret, raw, record.signatureHeaders[LEGACY_SIGNATURE_HEADER]),
            ).toBe(true);
            expect(
                signatureMatches(sim.defaultApp!.clientSecret!, raw, record.signatureHeaders[OAUTH2_SIGNATURE_HEADER]),
            ).toBe(true);
            expect(record.signature).toBe(record.signatureHeaders[LEGACY_SIGNATURE_HEADER]);
        });

        test.each([
            ['legacy', [LEGACY_SIGNATURE_HEADER]],
            ['oauth2', [OAUTH2_SIGNATURE_HEADER]],
            ['both', [LEGACY_SIGNATURE_HEADER, OAUTH2_SIGNATURE_HEADER]],
        ] as const)('configurable: %s', async (mode, expected) => {
            await subscribeAccountActivity(sim, webhookId, business.id);
            sim.setSignatureHeaders(mode);
            await sim.sendDm({ from: customer.id, to: business.id, text: mode });
            expect(headersOf()).toEqual([...expected]);
            expect(receiver.deliveries[0].signature === undefined).toBe(mode === 'oauth2');
        });
    });

    describe('retries on X’s schedule (3 s, 27 s, 242 s), driven by the manual clock', () => {
        beforeEach(() => subscribeActivity(sim, webhookId, business.id, 'dm.received'));

        test('non-200 answers are retried, then the event is dropped and never billed', async () => {
            receiver.defaultAnswer = 503;
            await sim.sendDm({ from: customer.id, to: business.id, text: 'retry me' });
            const attempts = () => sim.deliveries()[0].attempts.length;
            expect(attempts()).toBe(1);
            await clock.advance(2_999);
            expect(attempts()).toBe(1);
            await clock.advance(1);
            expect(attempts()).toBe(2);
            await clock.advance(26_999);
            expect(attempts()).toBe(2);
            await clock.advance(1);
            expect(attempts()).toBe(3);
            await clock.advance(242_000);
            expect(attempts()).toBe(4);
            await clock.advance(3_600_000);
            const [record] = sim.deliveries();
            expect(record).toMatchObject({
                state: 'dropped',
                attempts: expect.arrayContaining([expect.objectContaining({ outcome: 'http-error', status: 503 })]),
            });
            expect(record.attempts.map((a) => a.at - record.attempts[0].at)).toEqual([0, 3_000, 30_000, 272_000]);
            expect(receiver.deliveries).toHaveLength(4);
            expect(new Set(receiver.deliveries.map((d) => d.rawBody.toString())).size).toBe(1);
            expect(sim.ledger().totals.dmReceivedDeliveries).toBe(0);
        });

        test('a retry that succeeds is billed once', async () => {
            receiver.answers.push(500);
            await sim.sendDm({ from: customer.id, to: business.id, text: 'second time lucky' });
            await clock.advance(3_000);
            expect(sim.deliveries()[0]).toMatchObject({
                state: 'delivered',
                attempts: [{ outcome: 'http-error' }, { outcome: 'ok' }],
            });
            expect(sim.ledger().totals.dmReceivedDeliveries).toBe(1);
        });

        test('no answer within 10 s of simulated time counts as a failure and is retried', async () => {
            receiver.answers.push('hang');
            await sim.sendDm({ from: customer.id, to: business.id, text: 'slow receiver' }, { awaitDelivery: false });
            await clock.advance(10_000);
            expect(sim.deliveries()[0].attempts[0]).toMatchObject({ outcome: 'timeout' });
            await clock.advance(3_000);
            expect(sim.deliveries()[0]).toMatchObject({ state: 'delivered' });
        });
    });

    describe('delivery faults', () => {
        beforeEach(() => subscribeActivity(sim, webhookId, business.id, 'dm.received'));

        test('duplicates arrive byte-identical and are billed once', async () => {
            sim.faults.once({ delivery: { duplicate: 2 } });
            await sim.sendDm({ from: customer.id, to: business.id, text: 'dup' });
            expect(receiver.deliveries).toHaveLength(3);
            expect(new Set(receiver.deliveries.map((d) => d.rawBody.toString())).size).toBe(1);
            expect(sim.ledger().totals.dmReceivedDeliveries).toBe(1);
        });

        test('reordered deliveries: the held event arrives after the next one', async () => {
            sim.faults.once({ delivery: { reorder: true } });
            await sim.sendDm({ from: customer.id, to: business.id, text: 'first' }, { awaitDelivery: false });
            await sim.sendDm({ from: customer.id, to: business.id, text: 'second' });
            expect(
                receiver
                    .bodies<Json>()
                    .map((b) => b.data.payload.direct_message_events[0].message_create.message_data.text),
            ).toEqual(['second', 'first']);
        });

        test('delayed deliveries wait for simulated time', async () => {
            sim.faults.once({ delivery: { delayMs: 5_000 } });
            await sim.sendDm({ from: customer.id, to: business.id, text: 'late' });
            expect(receiver.deliveries).toHaveLength(0);
            await clock.advance(5_000);
            expect(receiver.deliveries).toHaveLength(1);
        });
    });
});
