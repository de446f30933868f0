import { ManualClock, startXSim, type XSim, type XUser } from '../../tools/x-sim';
import { oauth1Client, oauth2Client, sentDmIds, type DmEventJson } from './helpers/clients';
import { TINY_PNG, uploadViaJson } from './helpers/media';
import { rejection } from './helpers/errors';
import { nodeSender } from '../../tools/x-sim/node-sender';

describe('direct messages', () => {
    let sim: XSim;
    let clock: ManualClock;
    let business: XUser;
    let customer: XUser;

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
        business = sim.business!;
        customer = sim.createUser({ username: 'jane_doe', name: 'Jane Doe' });
    });
    afterEach(() => sim.close());

    test('send: returns X ids, lands in history with our app as source, is billed as one create', async () => {
        const client = oauth1Client(sim, business.id);
        const sent = sentDmIds(await client.v2.sendDmToParticipant(customer.id, { text: 'Hello from support' }));
        expect(sent.dm_event_id).toMatch(/^\d{19}$/);
        expect(sent.dm_conversation_id).toBe(
            [business.id, customer.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).join('-'),
        );
        const [dm] = sim.dmsSentBy(business.id, { to: customer.id });
        expect(dm).toMatchObject({ id: sent.dm_event_id, text: 'Hello from support', sourceAppId: sim.defaultApp!.id });
        expect(sim.ledger().totals).toMatchObject({ dmCreates: 1, usd: 0.015 });
    });

    test('list: newest first, paginated with next_token, every returned event billed once', async () => {
        for (let i = 1; i <= 5; i++) {
            await sim.sendDm({ from: customer.id, to: business.id, text: `message ${i}` });
            await clock.advance(1000);
        }
        const client = oauth2Client(sim, business.id);
        const timeline = await client.v2.listDmEvents({
            max_results: 2,
            'dm_event.fields': ['created_at', 'dm_conversation_id'],
            expansions: ['sender_id'],
        });
        expect(timeline.meta.next_token).toEqual(expect.any(String));
        await timeline.fetchLast();
        const events = timeline.events as unknown as DmEventJson[];
        expect(events.map((event) => event.text)).toEqual([
            'message 5',
            'message 4',
            'message 3',
            'message 2',
            'message 1',
        ]);
        expect(events.every((event) => event.sender_id === customer.id && event.event_type === 'MessageCreate')).toBe(
            true,
        );
        expect(sim.ledger().totals).toMatchObject({ dmEventReads: 5, usd: 0.05 });
        expect(
            sim
                .requests()
                .filter((r) => r.path === '/2/dm_events')
                .map((r) => r.billableUnits),
        ).toEqual([2, 2, 1]);
    });

    test('history covers 30 days; event_types filters', async () => {
        const client = oauth1Client(sim, business.id);
        await sim.sendDm({ from: customer.id, to: business.id, text: 'old' });
        await clock.advance(29 * 24 * 60 * 60 * 1000);
        await sim.sendDm({ from: customer.id, to: business.id, text: 'recent' });
        expect(((await client.v2.listDmEvents()).events as unknown as DmEventJson[]).map((e) => e.text)).toEqual([
            'recent',
            'old',
        ]);
        await clock.advance(2 * 24 * 60 * 60 * 1000);
        expect(((await client.v2.listDmEvents()).events as unknown as DmEventJson[]).map((e) => e.text)).toEqual([
            'recent',
        ]);
        expect((await client.v2.listDmEvents({ event_types: ['ParticipantsJoin'] })).meta.result_count).toBe(0);
    });

    test('max_results outside 1..100 is a 400 invalid-request problem', async () => {
        const refused = await rejection(oauth2Client(sim, business.id).v2.listDmEvents({ max_results: 101 }));
        expect(refused.code).toBe(400);
        expect(refused.data).toMatchObject({
            title: 'Invalid Request',
            type: 'https://api.x.com/2/problems/invalid-request',
        });
    });

    test('conversation lookup, single event lookup and expansions', async () => {
        const other = sim.createUser({ username: 'other' });
        await sim.sendDm({ from: customer.id, to: business.id, text: 'from jane' });
        await sim.sendDm({ from: other.id, to: business.id, text: 'from other' });
        const client = oauth2Client(sim, business.id);
        const withJane = await client.v2.listDmEventsWithParticipant(customer.id, {
            expansions: ['sender_id'],
            'user.fields': ['profile_image_url'],
        });
        expect((withJane.events as unknown as DmEventJson[]).map((e) => e.text)).toEqual(['from jane']);
        expect(withJane.includes.users[0]).toMatchObject({
            id: customer.id,
            username: 'jane_doe',
            profile_image_url: expect.stringContaining('https://'),
        });

        const eventId = sim.conversation(customer.id, business.id)[0].id;
        // The spec's dm_event.fields has no sender_id: the expansion puts it on the event.
        const single = await client.v2.get<{ data: DmEventJson }>(
            'dm_events/:event_id',
            { expansions: 'sender_id' },
            { params: { event_id: eventId } },
        );
        expect(single.data).toMatchObject({ id: eventId, sender_id: customer.id, text: 'from jane' });
        const stranger = oauth2Client(sim, other.id);
        const hidden = await stranger.v2.get<{ errors: unknown[] }>('dm_events/:event_id', undefined, {
            params: { event_id: eventId },
        });
        expect(hidden.errors[0]).toMatchObject({ title: 'Not Found Error', resource_type: 'dm_event' });
    });

    test('links in text become t.co links listed in entities.urls', async () => {
        await sim.sendDm({ from: customer.id, to: business.id, text: 'see https://example.com/order/42 thanks' });
        const [event] = (await oauth2Client(sim, business.id).v2.listDmEvents({ 'dm_event.fields': ['entities'] }))
            .events as unknown as DmEventJson[];
        expect(event.text).toMatch(/^see https:\/\/t\.co\/\w{10} thanks$/);
        const [url] = (event as unknown as { entities: { urls: Array<Record<string, unknown>> } }).entities.urls;
        expect(url).toMatchObject({
            start: 4,
            end: 27,
            expanded_url: 'https://example.com/order/42',
            display_url: 'example.com/order/42',
        });
    });

    test('texts over 10,000 characters are refused; 10,000 pass', async () => {
        const client = oauth1Client(sim, business.id);
        await client.v2.sendDmToParticipant(customer.id, { text: 'x'.repeat(10_000) });
        const refused = await rejection(client.v2.sendDmToParticipant(customer.id, { text: 'x'.repeat(10_001) }));
        expect(refused.code).toBe(400);
    });

    test("recipients with closed DMs or who blocked the sender refuse with 403 and X's code 349; verified-only ones with 476", async () => {
        const client = oauth1Client(sim, business.id);
        const closed = sim.createUser({ username: 'closed', acceptsDmsFrom: 'nobody' });
        const refused = await rejection(client.v2.sendDmToParticipant(closed.id, { text: 'hi' }));
        expect([refused.code, refused.data]).toEqual([
            403,
            { errors: [{ code: 349, message: 'You cannot send messages to this user.' }] },
        ]);
        const picky = sim.createUser({ username: 'picky', acceptsDmsFrom: 'verified' });
        sim.user(business.id).verified = false;
        const unverified = await rejection(client.v2.sendDmToParticipant(picky.id, { text: 'hi' }));
        expect([unverified.code, unverified.data]).toEqual([
            403,
            { errors: [{ code: 476, message: 'Sender is not verified to send message requests' }] },
        ]);
        sim.user(business.id).verified = true;
        await client.v2.sendDmToParticipant(picky.id, { text: 'hi, verified now' });
        // A reply in a conversation they started is allowed.
        await sim.sendDm({ from: closed.id, to: business.id, text: 'help?' });
        await client.v2.sendDmToParticipant(closed.id, { text: 'sure' });

        sim.block(customer.id, business.id);
        expect((await rejection(client.v2.sendDmToParticipant(customer.id, { text: 'hi' }))).code).toBe(403);
        expect(sim.ledger().totals.dmCreates).toBe(2);
    });

    test('media DMs: one dm_* attachment owned by the sender, under 24 h, reusable only when shared', async () => {
        const client = oauth2Client(sim, business.id);
        const media = await uploadViaJson(client, TINY_PNG, { mediaType: 'image/png', category: 'dm_image' });
        const sent = sentDmIds(
            await client.v2.sendDmToParticipant(customer.id, {
                text: 'your receipt',
                attachments: [{ media_id: media.id }],
            }),
        );
        const [dm] = sim.dmsSentBy(business.id);
        expect(dm.text).toMatch(/^your receipt https:\/\/t\.co\/\w{10}$/);
        expect(dm.media).toMatchObject({ type: 'photo', contentType: 'image/png' });
        expect(dm.media!.bytes.equals(TINY_PNG)).toBe(true);
        expect(sent.dm_event_id).toBe(dm.id);

        const notPermitted = {
            title: 'Forbidden',
            type: 'about:blank',
            status: 403,
            detail: 'You are not permitted to attach this media to a DM event',
        };
        const reuse = await rejection(
            client.v2.sendDmToParticipant(customer.id, { attachments: [{ media_id: media.id }] }),
        );
        expect([reuse.code, reuse.data]).toEqual([403, notPermitted]);

        const tweetMedia = await uploadViaJson(client, TINY_PNG, { mediaType: 'image/png', category: 'tweet_image' });
        expect(
            (
                await rejection(
                    client.v2.sendDmToParticipant(customer.id, { attachments: [{ media_id: tweetMedia.id }] }),
                )
            ).data,
        ).toEqual(notPermitted);

        const othersMedia = await uploadViaJson(oauth2Client(sim, customer.id), TINY_PNG, {
            mediaType: 'image/png',
            category: 'dm_image',
        });
        expect(
            (
                await rejection(
                    client.v2.sendDmToParticipant(customer.id, { attachments: [{ media_id: othersMedia.id }] }),
                )
            ).data,
        ).toEqual(notPermitted);

        const shared = await uploadViaJson(client, TINY_PNG, {
            mediaType: 'image/png',
            category: 'dm_image',
            shared: true,
        });
        await client.v2.sendDmToParticipant(customer.id, { attachments: [{ media_id: shared.id }] });
        await client.v2.sendDmToParticipant(customer.id, { attachments: [{ media_id: shared.id }] });

        // OAuth 2.0 tokens expire within a day; OAuth 1.0a tokens don't.
        const longLived = oauth1Client(sim, business.id);
        const stale = await uploadViaJson(longLived, TINY_PNG, { mediaType: 'image/png', category: 'dm_image' });
        await clock.advance(24 * 60 * 60 * 1000);
        expect(
            (await rejection(longLived.v2.sendDmToParticipant(customer.id, { attachments: [{ media_id: stale.id }] })))
                .data,
        ).toEqual(notPermitted);
    });

    test('inbound media downloads: v2 path with OAuth 2.0, ton.twitter.com with OAuth 1.0a, participants only', async () => {
        const { dm } = await sim.sendDm({
            from: customer.id,
            to: business.id,
            text: 'look',
            media: { type: 'photo', bytes: TINY_PNG, contentType: 'image/png' },
        });
        const v2 = oauth2Client(sim, business.id);
        const page = await v2.v2.listDmEvents({
            expansions: ['attachments.media_keys'],
            'media.fields': ['url', 'width', 'height'],
        });
        const [media] = page.includes.media;
        expect(media).toMatchObject({
            type: 'photo',
            width: 2,
            height: 3,
            url: expect.stringMatching(/^https:\/\/ton\.twitter\.com\/1\.1\/ton\/data\/dm\//),
        });
        const [dmId, mediaId, file] = new URL(media.url!).pathname.split('/').slice(-3);
        expect(dmId).toBe(dm.id);

        const bytes = await v2.v2.get<Buffer>('dm_conversations/media/:dm_id/:media_id/:file', undefined, {
            params: { dm_id: dmId, media_id: mediaId, file },
            forceParseMode: 'buffer',
        });
        expect(Buffer.isBuffer(bytes) && bytes.equals(TINY_PNG)).toBe(true);
        const viaTon = await oauth1Client(sim, business.id).v1.downloadDmImage(media.url!);
        expect(viaTon.equals(TINY_PNG)).toBe(true);

        const oauth1OnV2 = await rejection(
            oauth1Client(sim, business.id).v2.get('dm_conversations/media/:dm_id/:media_id/:file', undefined, {
                params: { dm_id: dmId, media_id: mediaId, file },
            }),
        );
        expect(oauth1OnV2.data).toMatchObject({ title: 'Unsupported Authentication', status: 403 });
        const oauth2OnTon = await rejection(v2.v1.downloadDmImage(media.url!));
        expect([oauth2OnTon.code, oauth2OnTon.data]).toEqual([
            401,
            { errors: [{ code: 32, message: 'Could not authenticate you.' }] },
        ]);
        const outsider = oauth2Client(sim, sim.createUser({ username: 'outsider' }).id);
        expect(
            (
                await rejection(
                    outsider.v2.get('dm_conversations/media/:dm_id/:media_id/:file', undefined, {
                        params: { dm_id: dmId, media_id: mediaId, file },
                    }),
                )
            ).code,
        ).toBe(404);
    });

    test('video and GIF MP4s are on video.twimg.com, public, with Range answers; the v2 download is octet-stream', async () => {
        const mp4 = Buffer.concat([
            Buffer.from([0, 0, 0, 0x18]),
            Buffer.from('ftypmp42', 'latin1'),
            Buffer.alloc(3000, 7),
        ]);
        const { dm: video } = await sim.sendDm({
            from: customer.id,
            to: business.id,
            media: { type: 'video', bytes: mp4, contentType: 'video/mp4', durationMs: 2000 },
        });
        const { dm: gif } = await sim.sendDm({
            from: customer.id,
            to: business.id,
            media: { type: 'animated_gif', bytes: mp4, contentType: 'video/mp4' },
        });
        expect(video.media!.url).toMatch(/^https:\/\/video\.twimg\.com\/dm_video\/\d+\/vid\/\d+x\d+\/\w+\.mp4$/);
        expect(gif.media!.url).toMatch(/^https:\/\/video\.twimg\.com\/dm_gif\/\d+\/\w+\.mp4$/);

        const page = await oauth2Client(sim, business.id).v2.listDmEvents({
            expansions: ['attachments.media_keys'],
            'media.fields': ['variants', 'preview_image_url', 'duration_ms'],
        });
        const byType = Object.fromEntries(
            page.includes.media.map((m) => [m.type, m as unknown as Record<string, unknown>]),
        );
        expect(byType.video).toMatchObject({
            duration_ms: 2000,
            preview_image_url: expect.stringMatching(/^https:\/\/pbs\.twimg\.com\/dm_video_preview\//),
            variants: [{ bit_rate: 12_048, content_type: 'video/mp4', url: video.media!.url }],
        });
        expect(byType.animated_gif).toMatchObject({
            variants: [{ bit_rate: 0, content_type: 'video/mp4', url: gif.media!.url }],
        });
        expect(byType.animated_gif.duration_ms).toBeUndefined();

        // No credentials at all; a single range, an open range, an unsatisfiable one; without Range support, the whole file.
        const get = (url: string, range?: string) =>
            nodeSender(sim)({ method: 'GET', url, headers: range ? { Range: range } : {}, binary: true });
        const part = await get(video.media!.url, 'bytes=0-999');
        expect([
            part.statusCode,
            part.headers['content-range'],
            part.headers['content-type'],
            (part.content as Buffer).length,
        ]).toEqual([206, 'bytes 0-999/3012', 'video/mp4', 1000]);
        expect((part.content as Buffer).equals(mp4.subarray(0, 1000))).toBe(true);
        const rest = await get(gif.media!.url, 'bytes=1000-');
        expect([rest.statusCode, rest.headers['content-range']]).toEqual([206, 'bytes 1000-3011/3012']);
        const beyond = await get(video.media!.url, 'bytes=3012-4000');
        expect([beyond.statusCode, beyond.headers['content-range']]).toEqual([416, 'bytes */3012']);
        sim.setMediaRangeSupport('video.twimg.com', false);
        const whole = await get(video.media!.url, 'bytes=0-999');
        expect([whole.statusCode, whole.headers['content-range'], (whole.content as Buffer).length]).toEqual([
            200,
            undefined,
            3012,
        ]);
        expect(
            sim
                .requests()
                .filter((r) => r.host === 'video.twimg.com')
                .map((r) => [r.authType, r.range, r.responseBytes]),
        ).toEqual([
            ['none', 'bytes=0-999', 1000],
            ['none', 'bytes=1000-', 2012],
            ['none', 'bytes=3012-4000', 0],
            ['none', 'bytes=0-999', 3012],
        ]);

        // X's DM media endpoint labels every file application/octet-stream; it answers ranges when switched on.
        const { dm: photo } = await sim.sendDm({
            from: customer.id,
            to: business.id,
            media: { type: 'photo', bytes: TINY_PNG, contentType: 'image/png' },
        });
        const [dmId, mediaId, file] = new URL(photo.media!.url).pathname.split('/').slice(-3);
        const v2 = oauth2Client(sim, business.id);
        const download = await v2.v2.get('dm_conversations/media/:dm_id/:media_id/:file', undefined, {
            params: { dm_id: dmId, media_id: mediaId, file },
            forceParseMode: 'buffer',
            fullResponse: true,
            headers: { Range: 'bytes=0-3' },
        });
        expect([
            download.headers['content-type'],
            download.headers['content-range'],
            (download.data as Buffer).length,
        ]).toEqual(['application/octet-stream', undefined, TINY_PNG.length]);
        sim.setMediaRangeSupport('api.x.com', true);
        const ranged = await v2.v2.get('dm_conversations/media/:dm_id/:media_id/:file', undefined, {
            params: { dm_id: dmId, media_id: mediaId, file },
            forceParseMode: 'buffer',
            fullResponse: true,
            headers: { Range: 'bytes=0-3' },
        });
        expect([ranged.headers['content-range'], (ranged.data as Buffer).equals(TINY_PNG.subarray(0, 4))]).toEqual([
            `bytes 0-3/${TINY_PNG.length}`,
            true,
        ]);
    });
});
