/**
 * Customers' files, end to end through the packaged app: fetched only from X's media servers (credentials only
 * where X requires them), never past the size allowed here, typed from their bytes whatever X labels them, and
 * posted under Rocket.Chat's upload rules — with the agent told whenever a file is not shown, and the text
 * always arriving.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { signWebhookBody } from '../unit/helpers/webhook-signing';
import type { HttpExchange } from '../../tools/host/bridges/http';
import { DEFAULT_APP } from '../../tools/x-sim/defaults';
import { webhookSecret } from './helpers/app-host';
import { deliverFromCustomer, roomOf, syncSimClock, visibleTexts } from './helpers/inbound';
import { startWorld, World, xHostMap } from './helpers/world';
import { formatScan, scanSystem } from '../faults/helpers/secrets';

const MB = 1024 * 1024;
const PNG_1PX = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273a8b0000000049454e44ae426082',
    'hex',
);
const JPEG = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF', 'latin1'),
    Buffer.alloc(200, 9),
]);
const mp4 = (size: number, fill = 3) =>
    Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42', 'latin1'), Buffer.alloc(size - 12, fill)]);

/** X's hostnames the app may call, and those that may carry credentials. */
const X_API_HOSTS = ['api.x.com', 'upload.x.com', 'x.com', 'ton.twitter.com'];
const hostOf = (e: HttpExchange) => new URL(e.url).hostname;

const uploadsIn = (world: World, roomId: string) =>
    [...world.host.store.uploads.values()].filter((u) => u.upload.room.id === roomId);
const fileMessagesIn = (world: World, roomId: string) =>
    world.host.messagesIn(roomId).filter((m) => (m as IMessage & { file?: unknown }).file);
const appNoticesIn = (world: World, roomId: string) =>
    world.host
        .messagesIn(roomId)
        .filter((m) => m.sender?.id === world.host.appUser().id)
        .map((m) => m.text ?? '');

/** Everything the app asked of the outside world since `mark` (the host's HTTP bridge record). */
const exchangesSince = (world: World, mark: number) => world.host.httpExchanges().slice(mark);

/** A web server standing in for an attacker's host: it records every request that reaches it. */
async function attackerServer() {
    const requests: { host?: string; url?: string; authorization?: string }[] = [];
    const server = http.createServer((req, res) => {
        requests.push({ host: req.headers.host, url: req.url, authorization: req.headers.authorization });
        res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise((resolve) => server.close(resolve)),
    };
}

let eventSeq = 0;
const newEventId = () => `19${String(Date.now()).slice(-10)}${String(++eventSeq).padStart(7, '0')}`;

/** A DM event as X's webhooks carry it, naming `media` as the attachment. */
function dmEvent(world: World, customer: string, text: string, media: Record<string, unknown>) {
    return {
        type: 'message_create',
        id: newEventId(),
        created_timestamp: String(Date.now()),
        message_create: {
            target: { recipient_id: world.business.id },
            sender_id: customer,
            message_data: {
                text,
                entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
                attachment: { type: 'media', media },
            },
        },
    };
}

/** Posts a delivery signed exactly as X signs it (so only the media location inside is hostile). */
async function deliverSigned(world: World, body: unknown): Promise<number> {
    const raw = JSON.stringify(body);
    const url = `${world.front.url}/api/apps/public/${world.host.appId}/webhook/${webhookSecret(world.host)}`;
    const response = await fetch(url, {
        method: 'POST',
        body: raw,
        headers: {
            'content-type': 'application/json',
            'x-twitter-webhooks-signature': signWebhookBody(DEFAULT_APP.consumerSecret, raw),
        },
    });
    await response.text();
    await world.host.settle();
    return response.status;
}

/** Media locations a forged or tampered delivery could name. */
const hostileMedia = (dmId: string) => [
    {
        id_str: '9100000000000000001',
        type: 'photo',
        media_url_https: `https://evil.example/1.1/ton/data/dm/${dmId}/9100000000000000001/a.jpg`,
    },
    {
        id_str: '9100000000000000002',
        type: 'photo',
        media_url_https: `https://ton.twitter.com.evil.example/1.1/ton/data/dm/${dmId}/9100000000000000002/a.jpg`,
    },
    { id_str: '9100000000000000003', type: 'photo', media_url_https: 'https://api.x.com/2/dm_events' },
    {
        id_str: '9100000000000000004',
        type: 'photo',
        media_url_https: `http://ton.twitter.com/1.1/ton/data/dm/${dmId}/9100000000000000004/a.jpg`,
    },
    {
        id_str: '9100000000000000005',
        type: 'video',
        media_url_https: 'https://pbs.twimg.com/dm_video_preview/9100000000000000005/img/a.jpg',
        video_info: {
            variants: [
                {
                    bitrate: 832000,
                    content_type: 'video/mp4',
                    url: 'https://video.twimg.com@evil.example/dm_video/9100000000000000005/vid/a.mp4',
                },
            ],
        },
    },
];

/** The attack: signed deliveries naming other hosts. No request reaches them, no credential leaves X's API hosts. */
async function expectNoRequestToOtherHosts(
    world: World,
    envelope: (events: unknown[], customer: { id: string; name: string; username: string }) => unknown,
    customerName: string,
) {
    const attacker = await attackerServer();
    const evilHosts = ['evil.example', 'ton.twitter.com.evil.example'];
    world.host.setHttpHostMap({
        ...xHostMap(world.sim.url),
        ...Object.fromEntries(evilHosts.map((h) => [h, attacker.url])),
    });
    try {
        const username = customerName.toLowerCase().replace(/\W/g, '_');
        const customer = world.customer(username, customerName);
        const mark = world.host.httpExchanges().length;
        for (const media of hostileMedia('1')) {
            await syncSimClock(world);
            const event = dmEvent(world, customer, `look at this ${media.id_str}`, media);
            expect(await deliverSigned(world, envelope([event], { id: customer, name: customerName, username }))).toBe(
                200,
            );
        }
        const calls = exchangesSince(world, mark);
        expect(attacker.requests).toEqual([]);
        expect(calls.filter((e) => ![...X_API_HOSTS, 'video.twimg.com'].includes(hostOf(e)))).toEqual([]);
        expect(calls.filter((e) => e.authorization && !X_API_HOSTS.includes(hostOf(e)))).toEqual([]);
        // Not even X's own hosts were asked for these files.
        expect(calls.filter((e) => /dm_conversations\/media|ton\/data\/dm|dm_video|dm_events/.test(e.url))).toEqual([]);
        // Every text arrived, each with a note for the agent.
        const room = roomOf(world, customerName)!;
        const texts = visibleTexts(world, room.id);
        expect(texts).toHaveLength(hostileMedia('1').length);
        for (const media of hostileMedia('1')) {
            expect(texts).toContainEqual(
                expect.stringMatching(
                    new RegExp(
                        `^look at this ${media.id_str}\\n_.* is not shown: the delivery named a download location that is not one of X's media servers`,
                    ),
                ),
            );
        }
        expect(uploadsIn(world, room.id)).toEqual([]);
    } finally {
        world.host.setHttpHostMap(xHostMap(world.sim.url));
        await attacker.close();
    }
}

describe('inbound media with OAuth 2.0 (X Activity API)', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', settings: { file_max_size_mb: 1 } });
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        world.sim.setMediaRangeSupport('video.twimg.com', true);
        world.sim.setMediaContentType('video.twimg.com', undefined);
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('posts a photo, a GIF and a video that X labels application/octet-stream as files of their real type', async () => {
        world.sim.setMediaContentType('video.twimg.com', 'application/octet-stream');
        const customer = world.customer('octet', 'Octet Stream');
        const gif = mp4(4000, 5); // X serves GIFs transcoded to MP4
        const video = mp4(6000, 6);
        const simMark = world.sim.requests().length;
        const mark = world.host.httpExchanges().length;
        await deliverFromCustomer(world, 'xaa', {
            from: customer,
            to: world.business.id,
            text: 'the label',
            media: { type: 'photo', bytes: PNG_1PX, contentType: 'image/png' },
        });
        await deliverFromCustomer(world, 'xaa', {
            from: customer,
            to: world.business.id,
            media: { type: 'animated_gif', bytes: gif, contentType: 'video/mp4' },
        });
        await deliverFromCustomer(world, 'xaa', {
            from: customer,
            to: world.business.id,
            text: 'and the box',
            media: { type: 'video', bytes: video, contentType: 'video/mp4' },
        });

        const room = roomOf(world, 'Octet Stream')!;
        const files = uploadsIn(world, room.id).map((u) => ({
            type: u.upload.type,
            name: u.upload.name,
            bytes: u.buffer,
        }));
        expect(files.map((f) => [f.type, f.name.split('.').pop()])).toEqual([
            ['image/png', 'png'],
            ['video/mp4', 'mp4'],
            ['video/mp4', 'mp4'],
        ]);
        expect(files.map((f) => f.bytes.length)).toEqual([PNG_1PX.length, gif.length, video.length]);
        expect(fileMessagesIn(world, room.id)).toHaveLength(3);
        expect(visibleTexts(world, room.id)).toEqual(expect.arrayContaining(['the label', 'and the box']));
        expect(appNoticesIn(world, room.id)).toEqual([]);

        // X answered every download as application/octet-stream: the photo from its DM media endpoint with the
        // user's token, the GIF and the video from video.twimg.com without any credentials, in ranges.
        const downloads = world.sim
            .requests()
            .slice(simMark)
            .filter((r) => r.endpoint?.startsWith('dm_media'));
        expect(
            downloads.map((r) => [
                r.host,
                r.path.split('/').slice(0, 3).join('/'),
                r.status,
                r.responseContentType,
                r.authType,
            ]),
        ).toEqual([
            ['api.x.com', '/2/dm_conversations', 200, 'application/octet-stream', 'oauth2-user'],
            ['video.twimg.com', '/dm_gif/' + files[1].name.slice(2, -4), 206, 'application/octet-stream', 'none'],
            ['video.twimg.com', '/dm_video/' + files[2].name.slice(2, -4), 206, 'application/octet-stream', 'none'],
        ]);
        const media = exchangesSince(world, mark).filter((e) => /dm_conversations\/media|dm_gif|dm_video/.test(e.url));
        expect(media.map((e) => [hostOf(e), e.authorization, e.range])).toEqual([
            ['api.x.com', true, 'bytes=0-1048575'],
            ['video.twimg.com', false, 'bytes=0-1048575'],
            ['video.twimg.com', false, 'bytes=0-1048575'],
        ]);
    });

    it('does not download a video whose size X gives as over the limit; the agent is told and the text arrives', async () => {
        const customer = world.customer('big_video', 'Big Video');
        const simMark = world.sim.requests().length;
        await deliverFromCustomer(world, 'xaa', {
            from: customer,
            to: world.business.id,
            text: 'the whole unboxing',
            media: { type: 'video', bytes: mp4(3 * MB), contentType: 'video/mp4' },
        });
        const room = roomOf(world, 'Big Video')!;
        expect(visibleTexts(world, room.id)).toEqual([
            expect.stringMatching(
                /^the whole unboxing\n_Video sent by the customer is not shown: it is larger than the 1\.0 MB allowed here/,
            ),
        ]);
        expect(
            world.sim
                .requests()
                .slice(simMark)
                .filter((r) => r.host === 'video.twimg.com'),
        ).toEqual([]);
        expect(uploadsIn(world, room.id)).toEqual([]);
    });

    it('learns an oversize video from the first range and asks for nothing more; the agent is told and the text arrives', async () => {
        // X's bitrate understates the file (container, audio): the estimate fits, the real size does not.
        const customer = world.customer('sneaky_video', 'Sneaky Video');
        const simMark = world.sim.requests().length;
        const mark = world.host.httpExchanges().length;
        await deliverFromCustomer(world, 'xaa', {
            from: customer,
            to: world.business.id,
            text: 'long clip',
            media: { type: 'video', bytes: mp4(3 * MB), contentType: 'video/mp4', bitrate: 8_000 },
        });
        const room = roomOf(world, 'Sneaky Video')!;
        expect(visibleTexts(world, room.id)).toEqual([
            expect.stringMatching(
                /^long clip\n_Video sent by the customer is not shown: it is 3\.0 MB, larger than the 1\.0 MB allowed here/,
            ),
        ]);
        const asked = world.sim
            .requests()
            .slice(simMark)
            .filter((r) => r.host === 'video.twimg.com');
        expect(asked.map((r) => [r.status, r.range, r.responseBytes])).toEqual([[206, 'bytes=0-1048575', MB]]);
        // What Rocket.Chat buffered for the app never exceeded the limit.
        const buffered = exchangesSince(world, mark).filter((e) => hostOf(e) === 'video.twimg.com');
        expect(buffered.map((e) => e.responseBytes)).toEqual([MB]);
        expect(uploadsIn(world, room.id)).toEqual([]);
    });

    it('refuses an oversize file from a server that ignores Range (its one answer is the whole file)', async () => {
        world.sim.setMediaRangeSupport('video.twimg.com', false);
        const customer = world.customer('no_ranges', 'No Ranges');
        const simMark = world.sim.requests().length;
        await deliverFromCustomer(world, 'xaa', {
            from: customer,
            to: world.business.id,
            text: 'clip again',
            media: { type: 'video', bytes: mp4(2 * MB), contentType: 'video/mp4', bitrate: 8_000 },
        });
        const room = roomOf(world, 'No Ranges')!;
        expect(visibleTexts(world, room.id)).toEqual([
            expect.stringMatching(
                /^clip again\n_Video sent by the customer is not shown: it is 2\.0 MB, larger than the 1\.0 MB allowed here/,
            ),
        ]);
        // The app asked for one bounded range; the server answered with everything (README: Security).
        expect(
            world.sim
                .requests()
                .slice(simMark)
                .filter((r) => r.host === 'video.twimg.com')
                .map((r) => [r.status, r.range, r.responseBytes]),
        ).toEqual([[200, 'bytes=0-1048575', 2 * MB]]);
        expect(uploadsIn(world, room.id)).toEqual([]);
    });

    it('attack: a signed delivery naming other media hosts causes no request to them and sends no credential off X', async () => {
        await expectNoRequestToOtherHosts(
            world,
            (events, customer) => ({
                data: {
                    event_type: 'dm.received',
                    filter: { user_id: world.business.id },
                    payload: { direct_message_events: events, users: { [customer.id]: { data: customer } } },
                },
            }),
            'Mallory OAuth2',
        );
    });

    it("sent credentials only to X's hosts that take them, and no secret anywhere it must not be", () => {
        const scan = scanSystem(world);
        // Media came from X's video CDN, which takes no credentials: those requests were inspected too.
        expect(scan.otherHosts['video.twimg.com']).toBeGreaterThan(0);
        expect(scan.secretKinds).toEqual(expect.arrayContaining(['OAuth 2.0 access token', 'visitor token']));
        expect(formatScan(scan)).toContain('→ 0 hits');
    });
});

describe("inbound media with developer portal tokens (OAuth 1.0a) under Rocket.Chat's upload rules", () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'aaa' });
        // The server refuses PNG uploads before any file arrives (the app reads these settings on its first file).
        world.host.store.serverSettings.set('FileUpload_MediaTypeBlackList', 'image/svg+xml,image/png');
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('fetches a photo from ton.twitter.com with the signed request X requires and posts it', async () => {
        const customer = world.customer('ton_photo', 'Ton Photo');
        const mark = world.host.httpExchanges().length;
        await deliverFromCustomer(world, 'aaa', {
            from: customer,
            to: world.business.id,
            text: 'receipt',
            media: { type: 'photo', bytes: JPEG, contentType: 'image/jpeg' },
        });
        const room = roomOf(world, 'Ton Photo')!;
        expect(uploadsIn(world, room.id).map((u) => [u.upload.type, u.buffer.equals(JPEG)])).toEqual([
            ['image/jpeg', true],
        ]);
        expect(
            exchangesSince(world, mark)
                .filter((e) => /ton\/data\/dm/.test(e.url))
                .map((e) => [hostOf(e), e.authorization]),
        ).toEqual([['ton.twitter.com', true]]);
    });

    it('tells the agent when Rocket.Chat’s file settings refuse a file it knows of, and posts the text', async () => {
        const customer = world.customer('png_fan', 'Png Fan');
        await deliverFromCustomer(world, 'aaa', {
            from: customer,
            to: world.business.id,
            text: 'screenshot',
            media: { type: 'photo', bytes: PNG_1PX, contentType: 'image/png' },
        });
        const room = roomOf(world, 'Png Fan')!;
        expect(visibleTexts(world, room.id)).toEqual([
            `screenshot\n_Image sent by the customer is not shown: Rocket.Chat's File Upload settings do not accept image/png._`,
        ]);
        expect(uploadsIn(world, room.id)).toEqual([]);
    });

    it('an upload refused by the server’s file settings: the agent is told, the text arrives', async () => {
        // An admin changes the settings after the app read them: Rocket.Chat refuses the upload itself.
        world.host.store.serverSettings.set('FileUpload_MediaTypeBlackList', 'image/svg+xml,image/png,image/jpeg');
        const customer = world.customer('jpeg_fan', 'Jpeg Fan');
        await deliverFromCustomer(world, 'aaa', {
            from: customer,
            to: world.business.id,
            text: 'photo of the label',
            media: { type: 'photo', bytes: JPEG, contentType: 'image/jpeg' },
        });
        const room = roomOf(world, 'Jpeg Fan')!;
        expect(visibleTexts(world, room.id)).toContain('photo of the label');
        expect(appNoticesIn(world, room.id)).toEqual([
            `Image sent by the customer could not be added to this conversation: Rocket.Chat's File Upload settings do not accept image/jpeg.`,
        ]);
        expect(uploadsIn(world, room.id)).toEqual([]);
        expect(fileMessagesIn(world, room.id)).toEqual([]);
    });

    it('a file the app’s copy of the settings would refuse is shown when Rocket.Chat’s current settings allow it', async () => {
        // The app read the settings with PNG blocked (first test); an admin has allowed it since, minutes before the copy expires.
        world.host.store.serverSettings.set('FileUpload_MediaTypeBlackList', 'image/svg+xml');
        const customer = world.customer('png_again', 'Png Again');
        await deliverFromCustomer(world, 'aaa', {
            from: customer,
            to: world.business.id,
            text: 'the screenshot again',
            media: { type: 'photo', bytes: PNG_1PX, contentType: 'image/png' },
        });
        const room = roomOf(world, 'Png Again')!;
        // The text without a note, and the file message (no text of its own).
        expect(visibleTexts(world, room.id)).toEqual(['the screenshot again', '']);
        expect(appNoticesIn(world, room.id)).toEqual([]);
        expect(uploadsIn(world, room.id).map((u) => u.upload.type)).toEqual(['image/png']);
        expect(fileMessagesIn(world, room.id)).toHaveLength(1);
    });

    it('a file Rocket.Chat stores but silently does not post: the agent is told, the text arrives', async () => {
        const customer = world.customer('gone_visitor', 'Gone Visitor');
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'first' });
        const room = roomOf(world, 'Gone Visitor')!;
        // sendFileLivechatMessage finds no visitor for the token, returns false, and the bridge reports success.
        world.host.store.visitors.delete(room.visitor.id!);
        await deliverFromCustomer(world, 'aaa', {
            from: customer,
            to: world.business.id,
            text: 'second',
            media: { type: 'animated_gif', bytes: mp4(3000), contentType: 'video/mp4' },
        });
        expect(visibleTexts(world, room.id)).toEqual(expect.arrayContaining(['first', 'second']));
        expect(uploadsIn(world, room.id)).toHaveLength(1);
        expect(fileMessagesIn(world, room.id)).toEqual([]);
        expect(appNoticesIn(world, room.id)).toEqual([
            'GIF sent by the customer could not be added to this conversation: Rocket.Chat stored the file but did not post it (the conversation was closed or changed meanwhile).',
        ]);
    });

    it('attack: a signed delivery naming other media hosts causes no request to them and sends no credential off X', async () => {
        await expectNoRequestToOtherHosts(
            world,
            (events, customer) => ({
                for_user_id: world.business.id,
                direct_message_events: events,
                users: { [customer.id]: { id: customer.id, name: customer.name, screen_name: customer.username } },
            }),
            'Mallory Tokens',
        );
    });

    it("sent credentials only to X's hosts that take them, and no secret anywhere it must not be", () => {
        const scan = scanSystem(world);
        // Media came from X's video CDN, which takes no credentials: those requests were inspected too.
        expect(scan.otherHosts['video.twimg.com']).toBeGreaterThan(0);
        expect(scan.secretKinds).toEqual(expect.arrayContaining(['Access Token Secret', 'visitor token']));
        expect(formatScan(scan)).toContain('→ 0 hits');
    });
});
