import fc from 'fast-check';
import type { InboundEvent, InboundMessage, NormalizeResult } from '../../../src/x/event-types';
import { normalizeAaa, normalizeWebhookBody, normalizeXaa } from '../../../src/x/events/envelopes';
import { normalizeDmEventsPage } from '../../../src/x/events/v2-dm';
import { fixture, fixtureNames } from '../helpers/x-fixtures';

const BUSINESS = '2244994945';
const CUSTOMER = '1205290247124217856';
const OUR_APP = '29820954';
const WEB_APP = '3033300';
const CUSTOMER_IMAGE = 'https://pbs.twimg.com/profile_images/1408343046731845632/K56uhLP2_normal.png';
const BUSINESS_IMAGE = 'https://pbs.twimg.com/profile_images/1683325380441128960/yRsRRjGO_normal.jpg';

const USERS = {
    [CUSTOMER]: { id: CUSTOMER, username: 'danarivera', name: 'Dana Rivera 🌿', profileImageUrl: CUSTOMER_IMAGE },
    [BUSINESS]: { id: BUSINESS, username: 'AcmeSupport', name: 'Acme Support', profileImageUrl: BUSINESS_IMAGE },
};

function onlyEvent(result: NormalizeResult): InboundEvent {
    expect(result.ignored).toEqual([]);
    expect(result.events).toHaveLength(1);
    return result.events[0];
}

function onlyMessage(result: NormalizeResult): InboundMessage {
    const event = onlyEvent(result);
    if (event.kind !== 'message') {
        throw new Error(`expected a message, got ${event.kind}`);
    }
    return event;
}

/** A minimal AAA DM body around one message_create event, for edge cases. */
function aaaBody(event: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
    return { for_user_id: BUSINESS, direct_message_events: [event], ...extra };
}

function dmEvent(
    overrides: Record<string, unknown> = {},
    messageData: Record<string, unknown> = { text: 'hello' },
): Record<string, unknown> {
    return {
        type: 'message_create',
        id: '1921371039318188036',
        created_timestamp: '1746873600123',
        message_create: { target: { recipient_id: BUSINESS }, sender_id: CUSTOMER, message_data: messageData },
        ...overrides,
    };
}

describe('normalizeXaa', () => {
    it('turns dm.received text into a message with its links and users', () => {
        expect(onlyMessage(normalizeXaa(fixture('xaa-dm-received-text.json')))).toEqual({
            kind: 'message',
            eventId: '1921371039318188036',
            accountId: BUSINESS,
            senderId: CUSTOMER,
            recipientId: BUSINESS,
            createdAt: 1746873600123,
            text: 'Hi! My order #4411 arrived damaged &amp; the box was open &lt;again&gt; — tracking: https://t.co/SJ8nWqjwhz 📦',
            urls: [
                {
                    url: 'https://t.co/SJ8nWqjwhz',
                    expandedUrl: 'https://track.example.com/parcel?id=4411&lang=en',
                    displayUrl: 'track.example.com/parcel?id=44…',
                },
            ],
            users: USERS,
        });
    });

    it('keeps a photo with its ton URL, t.co link and download path segments', () => {
        expect(onlyMessage(normalizeXaa(fixture('xaa-dm-received-photo.json'))).media).toEqual({
            mediaId: '1921371152162615296',
            kind: 'photo',
            url: 'https://ton.twitter.com/1.1/ton/data/dm/1921371160244875268/1921371152162615296/kQ3xY2aB.jpg',
            tcoUrl: 'https://t.co/Ab12Cd34Ef',
            dmEventId: '1921371160244875268',
            resourceId: 'kQ3xY2aB.jpg',
        });
    });

    it('keeps a GIF with its preview and mp4 variant', () => {
        const message = onlyMessage(normalizeXaa(fixture('xaa-dm-received-gif.json')));
        expect(message.text).toBe(' https://t.co/Gf56Hj78Kl');
        expect(message.media).toEqual({
            mediaId: '1921371287738564608',
            kind: 'animated_gif',
            url: 'https://pbs.twimg.com/dm_gif_preview/1921371287738564608/Lgs2ZRqicjZjx6kFdwQcu2T5rm.jpg',
            variants: [
                {
                    contentType: 'video/mp4',
                    url: 'https://video.twimg.com/dm_gif/1921371287738564608/Lgs2ZRqicjZjx6kFdwQcu2T5rm.mp4',
                    bitrate: 0,
                },
            ],
            tcoUrl: 'https://t.co/Gf56Hj78Kl',
            dmEventId: '1921371301567184900',
        });
    });

    it('keeps every video variant, the HLS playlist without a bitrate', () => {
        const media = onlyMessage(normalizeXaa(fixture('xaa-dm-received-video.json'))).media;
        const base = 'https://video.twimg.com/dm_video/1921371402918744064';
        expect(media?.kind).toBe('video');
        expect(media?.url).toBe('https://pbs.twimg.com/dm_video_preview/1921371402918744064/img/Xc3vB7nM.jpg');
        expect(media?.variants).toEqual([
            { contentType: 'video/mp4', url: `${base}/vid/640x360/Tz8wQ4.mp4`, bitrate: 832000 },
            { contentType: 'application/x-mpegURL', url: `${base}/pl/Hq2sKd.m3u8` },
            { contentType: 'video/mp4', url: `${base}/vid/1280x720/Rr5yU1.mp4`, bitrate: 2176000 },
            { contentType: 'video/mp4', url: `${base}/vid/320x180/Pp0oI9.mp4`, bitrate: 256000 },
        ]);
    });

    it('marks our own send (dm.sent echo) with its source app', () => {
        const message = onlyMessage(normalizeXaa(fixture('xaa-dm-sent-echo.json')));
        expect(message).toMatchObject({
            accountId: BUSINESS,
            senderId: BUSINESS,
            recipientId: CUSTOMER,
            sourceAppId: OUR_APP,
        });
    });

    it('leaves sourceAppId out for a DM staff sent from the native app', () => {
        const message = onlyMessage(normalizeXaa(fixture('xaa-dm-sent-native.json')));
        expect(message).toMatchObject({
            senderId: BUSINESS,
            recipientId: CUSTOMER,
            text: 'Hi Dana, this is Sam from the warehouse. Can you confirm the address?',
        });
        expect('sourceAppId' in message).toBe(false);
    });

    it('turns dm.indicate_typing into a typing event', () => {
        expect(onlyEvent(normalizeXaa(fixture('xaa-dm-indicate-typing.json')))).toEqual({
            kind: 'typing',
            accountId: BUSINESS,
            senderId: CUSTOMER,
            recipientId: BUSINESS,
            createdAt: 1746873590002,
            users: USERS,
        });
    });

    it('turns dm.read into a read event with the last read id', () => {
        expect(onlyEvent(normalizeXaa(fixture('xaa-dm-read.json')))).toEqual({
            kind: 'read',
            accountId: BUSINESS,
            senderId: CUSTOMER,
            recipientId: BUSINESS,
            createdAt: 1746873850773,
            lastReadEventId: '1921372055145967620',
        });
    });

    it('reports oauth.revoke as a revocation of the user, with its time', () => {
        expect(normalizeXaa(fixture('xaa-oauth-revoke.json'))).toEqual({
            events: [],
            ignored: [],
            control: { kind: 'revoke', userId: BUSINESS, appId: OUR_APP, at: Date.parse('2026-07-23T21:44:05Z') },
        });
    });

    it('ignores encrypted XChat events, saying so', () => {
        const result = normalizeXaa(fixture('xaa-chat-received.json'));
        expect(result.events).toEqual([]);
        expect(result.ignored).toEqual([{ reason: 'not-a-dm', detail: expect.stringContaining('XChat') }]);
    });

    it.each([
        // post.mention.create and post.create are public posts (test/unit/x/posts.test.ts); other post events are not read.
        ['post.repost.create', 'not-a-dm'],
        ['follow.follow', 'not-a-dm'],
        ['dm.deleted', 'unknown-event-type'],
        ['brand.new', 'unknown-event-type'],
    ])('ignores %s as %s', (eventType, reason) => {
        const result = normalizeXaa({ data: { event_type: eventType, filter: { user_id: BUSINESS }, payload: {} } });
        expect(result).toEqual({ events: [], ignored: [{ reason, detail: eventType }] });
    });

    it('reports a missing filter user, payload or DM array', () => {
        const base = fixture('xaa-dm-received-text.json') as { data: Record<string, unknown> };
        expect(normalizeXaa({ data: { ...base.data, filter: {} } }).ignored).toEqual([
            { reason: 'missing-field', detail: 'dm.received: data.filter.user_id' },
        ]);
        expect(normalizeXaa({ data: { ...base.data, payload: undefined } }).ignored).toEqual([
            { reason: 'missing-field', detail: 'dm.received: data.payload' },
        ]);
        expect(normalizeXaa({ data: { ...base.data, payload: { users: {} } } }).ignored).toEqual([
            { reason: 'missing-field', detail: 'dm.received: payload has no direct_message_* events' },
        ]);
    });

    it('reads v1.1-shaped users inside an XAA payload too', () => {
        const body = fixture('xaa-dm-received-text.json') as { data: { payload: Record<string, unknown> } };
        body.data.payload.users = (fixture('aaa-dm-text.json') as { users: unknown }).users;
        expect(onlyMessage(normalizeXaa(body)).users).toEqual(USERS);
    });
});

describe('normalizeAaa', () => {
    it.each([
        ['aaa-dm-text.json', 'xaa-dm-received-text.json'],
        ['aaa-dm-photo.json', 'xaa-dm-received-photo.json'],
        ['aaa-dm-gif.json', 'xaa-dm-received-gif.json'],
        ['aaa-dm-video.json', 'xaa-dm-received-video.json'],
        ['aaa-dm-echo.json', 'xaa-dm-sent-echo.json'],
        ['aaa-typing.json', 'xaa-dm-indicate-typing.json'],
        ['aaa-read.json', 'xaa-dm-read.json'],
    ])('gives %s the same event as its XAA twin %s', (aaaName, xaaName) => {
        const aaa = normalizeAaa(fixture(aaaName));
        expect(aaa.ignored).toEqual([]);
        expect(aaa.events).toHaveLength(1);
        expect(aaa.events).toEqual(normalizeXaa(fixture(xaaName)).events);
    });

    it('carries the native app id of a DM staff sent from twitter.com', () => {
        expect(onlyMessage(normalizeAaa(fixture('aaa-dm-native-sent.json')))).toMatchObject({
            senderId: BUSINESS,
            sourceAppId: WEB_APP,
        });
    });

    it('reports user_event.revoke as a revocation, with its time', () => {
        expect(normalizeAaa(fixture('aaa-user-event-revoke.json'))).toEqual({
            events: [],
            ignored: [],
            control: { kind: 'revoke', userId: BUSINESS, appId: OUR_APP, at: Date.parse('2026-05-10T09:48:12Z') },
        });
    });

    it('reports a replay job status', () => {
        expect(normalizeAaa(fixture('replay-job-status.json'))).toEqual({
            events: [],
            ignored: [],
            control: {
                kind: 'replay-status',
                jobState: 'Complete',
                webhookId: '1146654567674912769',
                jobId: '1592318392117100544',
            },
        });
    });

    it('reads a mention in tweet_create_events as a post, not a DM; other activity is not a DM', () => {
        const mention = normalizeAaa(fixture('aaa-tweet-create.json'));
        expect(mention.events).toEqual([]);
        expect(mention.ignored).toEqual([]);
        expect(mention.posts?.map((post) => [post.eventId, post.source, post.mentionsAccount])).toEqual([
            ['1921371587434487963', 'aaa', true],
        ]);
        expect(
            normalizeAaa({ for_user_id: BUSINESS, favorite_events: [], follow_events: [] }).ignored.map(
                (item) => item.detail,
            ),
        ).toEqual(['favorite_events', 'follow_events']);
    });

    it('reports a body with no activity at all', () => {
        expect(normalizeAaa({ for_user_id: BUSINESS }).ignored).toEqual([
            { reason: 'unknown-event-type', detail: 'no *_events array in the AAA body' },
        ]);
    });

    it('reports a missing for_user_id', () => {
        expect(normalizeAaa({ direct_message_events: [dmEvent()] })).toEqual({
            events: [],
            ignored: [{ reason: 'missing-field', detail: 'for_user_id' }],
        });
    });

    it('reports a DM array that is not an array', () => {
        expect(normalizeAaa({ for_user_id: BUSINESS, direct_message_events: {} }).ignored).toEqual([
            { reason: 'missing-field', detail: 'direct_message_events is not an array' },
        ]);
    });

    it('keeps good events next to broken ones', () => {
        const result = normalizeAaa({
            for_user_id: BUSINESS,
            direct_message_events: [dmEvent(), 'junk', dmEvent({ id: '7' })],
        });
        expect(result.events.map((event) => (event as InboundMessage).eventId)).toEqual(['1921371039318188036', '7']);
        expect(result.ignored).toEqual([{ reason: 'not-an-object', detail: 'direct_message_events item' }]);
    });
});

describe('ids and precision', () => {
    it('refuses an event id that only came as a rounded JSON number', () => {
        const body = JSON.parse(
            `{"for_user_id":"${BUSINESS}","direct_message_events":[{"type":"message_create","id":1921371039318188036,"created_timestamp":"1746873600123","message_create":{"target":{"recipient_id":"${BUSINESS}"},"sender_id":"${CUSTOMER}","message_data":{"text":"hi"}}}]}`,
        );
        expect(normalizeAaa(body)).toEqual({
            events: [],
            ignored: [{ reason: 'precision-lost', detail: 'direct message: id' }],
        });
    });

    it('accepts ids sent as exact JSON numbers, as strings', () => {
        const message = onlyMessage(normalizeAaa(aaaBody(dmEvent({ id: 123456789 }))));
        expect(message.eventId).toBe('123456789');
    });

    it('prefers the id_str twin over a rounded number', () => {
        const body = JSON.parse(
            `{"for_user_id":"${BUSINESS}","direct_message_events":[{"type":"message_create","id":1921371039318188036,"id_str":"1921371039318188036","created_timestamp":"1746873600123","message_create":{"target":{"recipient_id":"${BUSINESS}"},"sender_id":"${CUSTOMER}","message_data":{"text":"hi"}}}]}`,
        );
        expect(onlyMessage(normalizeAaa(body)).eventId).toBe('1921371039318188036');
    });

    it('refuses ids that are not decimal numbers', () => {
        const result = normalizeAaa(aaaBody(dmEvent({ id: '12ab' })));
        expect(result).toEqual({
            events: [],
            ignored: [{ reason: 'missing-field', detail: 'direct message: id is not a numeric id' }],
        });
    });

    it('recovers a rounded media id from the ton URL', () => {
        const body = JSON.parse(
            JSON.stringify(fixture('aaa-dm-photo.json')).replace('"id_str":"1921371152162615296",', ''),
        );
        expect(typeof body.direct_message_events[0].message_create.message_data.attachment.media.id).toBe('number');
        expect(onlyMessage(normalizeAaa(body)).media?.mediaId).toBe('1921371152162615296');
    });

    it('drops only the media when its rounded id cannot be recovered, and says why', () => {
        const body = JSON.parse(
            JSON.stringify(fixture('aaa-dm-gif.json')).replace('"id_str":"1921371287738564608",', ''),
        );
        const result = normalizeAaa(body);
        expect(result.events).toHaveLength(1);
        expect((result.events[0] as InboundMessage).media).toBeUndefined();
        expect(result.ignored).toEqual([
            { reason: 'precision-lost', detail: 'direct message 1921371301567184900: media id' },
        ]);
    });
});

describe('message edge cases', () => {
    it('reports a message with neither text nor media', () => {
        expect(normalizeAaa(aaaBody(dmEvent({}, { text: '' }))).ignored).toEqual([
            { reason: 'empty-message', detail: 'direct message 1921371039318188036' },
        ]);
    });

    it('reports missing sender, recipient, timestamp and message data', () => {
        const event = dmEvent();
        const create = event.message_create as Record<string, unknown>;
        const cases: [Record<string, unknown>, string][] = [
            [
                { ...event, message_create: { ...create, sender_id: undefined } },
                'direct message 1921371039318188036: sender_id',
            ],
            [
                { ...event, message_create: { ...create, target: {} } },
                'direct message 1921371039318188036: target: recipient_id',
            ],
            [{ ...event, created_timestamp: 'yesterday' }, 'direct message 1921371039318188036: created_timestamp'],
            [
                { ...event, message_create: { ...create, message_data: undefined } },
                'direct message 1921371039318188036: message_data',
            ],
            [{ ...event, message_create: undefined }, 'direct message 1921371039318188036: message_create'],
        ];
        for (const [broken, detail] of cases) {
            expect(normalizeAaa(aaaBody(broken))).toEqual({
                events: [],
                ignored: [{ reason: 'missing-field', detail }],
            });
        }
    });

    it('keeps ignore details log-sized whatever the delivery quotes', () => {
        const [item] = normalizeAaa(aaaBody(dmEvent({ type: 'x'.repeat(10000) }))).ignored;
        expect(item.reason).toBe('unknown-event-type');
        expect(item.detail?.length).toBeLessThanOrEqual(160);
        const [envelope] = normalizeWebhookBody({ ['k'.repeat(5000)]: 1 }).ignored;
        expect(envelope.detail?.length).toBeLessThanOrEqual(160);
    });

    it('reports an unknown legacy event type', () => {
        expect(normalizeAaa(aaaBody(dmEvent({ type: 'welcome_message' }))).ignored).toEqual([
            { reason: 'unknown-event-type', detail: 'direct_message_events type welcome_message' },
        ]);
    });

    it('keeps the text of a message whose attachment is not media', () => {
        const result = normalizeAaa(
            aaaBody(dmEvent({}, { text: 'here I am', attachment: { type: 'location', location: {} } })),
        );
        expect((result.events[0] as InboundMessage).text).toBe('here I am');
        expect(result.ignored).toEqual([
            { reason: 'unsupported-media', detail: 'direct message 1921371039318188036: attachment type location' },
        ]);
    });

    it('reports an unknown media type', () => {
        const attachment = {
            type: 'media',
            media: { id_str: '5', type: 'audio', media_url_https: 'https://ton.twitter.com/x.mp3' },
        };
        const result = normalizeAaa(aaaBody(dmEvent({}, { text: 'listen', attachment })));
        expect(result.ignored).toEqual([
            { reason: 'unsupported-media', detail: 'direct message 1921371039318188036: media type audio' },
        ]);
    });

    it('falls back to the trailing t.co link when no entity names the media link', () => {
        const attachment = {
            type: 'media',
            media: { id_str: '5', type: 'photo', media_url_https: 'https://ton.twitter.com/1.1/ton/data/dm/9/5/a.jpg' },
        };
        const message = onlyMessage(
            normalizeAaa(aaaBody(dmEvent({ id: '9' }, { text: 'look https://t.co/abc123', attachment }))),
        );
        expect(message.media).toMatchObject({ tcoUrl: 'https://t.co/abc123', mediaId: '5', resourceId: 'a.jpg' });
    });

    it('keeps user ids as plain keys, even a hostile __proto__', () => {
        const body = JSON.parse(
            `{"for_user_id":"${BUSINESS}","direct_message_events":[${JSON.stringify(dmEvent())}],"users":{"__proto__":{"name":"evil"},"42":{"name":"Ok"}}}`,
        );
        const users = onlyMessage(normalizeAaa(body)).users;
        expect(Object.keys(users)).toEqual(['42']);
        expect(users['42']).toEqual({ id: '42', name: 'Ok' });
        expect(({} as Record<string, unknown>).name).toBeUndefined();
    });
});

describe('normalizeDmEventsPage', () => {
    const result = normalizeDmEventsPage(fixture('dm-events-page.json'), BUSINESS);
    const messages = result.events as InboundMessage[];

    it('returns the 1:1 messages oldest first', () => {
        expect(messages.map((message) => message.eventId)).toEqual([
            '1921371039318188036',
            '1921371160244875268',
            '1921371301567184900',
            '1921371417766580228',
            '1921372311728201733',
        ]);
        expect(messages.map((message) => message.createdAt)).toEqual([
            1746873600123, 1746873629001, 1746873662448, 1746873686571, 1746873899182,
        ]);
    });

    it('orders by creation time whatever order the page lists', () => {
        const page = fixture('dm-events-page.json') as { data: unknown[] };
        const shuffled = { ...page, data: [page.data[2], page.data[4], page.data[0], page.data[3], page.data[1]] };
        const times = normalizeDmEventsPage(shuffled, BUSINESS).events.map((event) => event.createdAt);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(times).toHaveLength(5);
    });

    it('ignores participant changes and group conversations, with reasons', () => {
        expect(result.ignored).toEqual([
            { reason: 'participants-change', detail: 'dm event 1921370988000000001: ParticipantsJoin' },
            { reason: 'group-conversation', detail: 'dm event 1921370950000000002: conversation 1921370900000000000' },
        ]);
    });

    it('derives the recipient from the conversation id, both directions', () => {
        expect(messages[0]).toMatchObject({ senderId: CUSTOMER, recipientId: BUSINESS, accountId: BUSINESS });
        expect(messages[4]).toMatchObject({ senderId: BUSINESS, recipientId: CUSTOMER });
    });

    it('matches the webhook view of the same messages, apart from the source app', () => {
        const webhookText = onlyMessage(normalizeAaa(fixture('aaa-dm-text.json')));
        expect(messages[0]).toEqual(webhookText);
        const webhookPhoto = onlyMessage(normalizeAaa(fixture('aaa-dm-photo.json')));
        expect(messages[1]).toEqual(webhookPhoto);
    });

    it('reads media from includes by media key, with v2 bit_rate', () => {
        expect(messages[3].media).toEqual({
            mediaId: '1921371402918744064',
            kind: 'video',
            url: 'https://pbs.twimg.com/dm_video_preview/1921371402918744064/img/Xc3vB7nM.jpg',
            variants: [
                {
                    contentType: 'video/mp4',
                    url: 'https://video.twimg.com/dm_video/1921371402918744064/vid/640x360/Tz8wQ4.mp4',
                    bitrate: 832000,
                },
                {
                    contentType: 'application/x-mpegURL',
                    url: 'https://video.twimg.com/dm_video/1921371402918744064/pl/Hq2sKd.m3u8',
                },
                {
                    contentType: 'video/mp4',
                    url: 'https://video.twimg.com/dm_video/1921371402918744064/vid/1280x720/Rr5yU1.mp4',
                    bitrate: 2176000,
                },
            ],
            tcoUrl: 'https://t.co/Mn90Pq12Rs',
            dmEventId: '1921371417766580228',
        });
        // No URL entity on this one: the trailing t.co link stands for the media.
        expect(messages[2].media).toMatchObject({
            kind: 'animated_gif',
            mediaId: '1921371287738564608',
            tcoUrl: 'https://t.co/Gf56Hj78Kl',
        });
    });

    it('keeps the text when the media is missing from includes', () => {
        const page = {
            data: [
                {
                    id: '11',
                    event_type: 'MessageCreate',
                    text: 'see https://t.co/zz',
                    sender_id: CUSTOMER,
                    created_at: '2025-05-10T10:40:00.000Z',
                    dm_conversation_id: `${BUSINESS}-${CUSTOMER}`,
                    attachments: { media_keys: ['3_99'] },
                },
            ],
        };
        const outcome = normalizeDmEventsPage(page, BUSINESS);
        expect(outcome.events).toHaveLength(1);
        expect((outcome.events[0] as InboundMessage).media).toBeUndefined();
        expect(outcome.ignored).toEqual([
            { reason: 'media-unavailable', detail: 'dm event 11: 3_99 is not in includes.media' },
        ]);
    });

    it('infers the media kind from the key when type was not requested', () => {
        const page = {
            data: [
                {
                    id: '11',
                    event_type: 'MessageCreate',
                    text: '',
                    sender_id: CUSTOMER,
                    created_at: '2025-05-10T10:40:00.000Z',
                    dm_conversation_id: `${BUSINESS}-${CUSTOMER}`,
                    attachments: { media_keys: ['16_99'] },
                },
            ],
            includes: { media: [{ media_key: '16_99', preview_image_url: 'https://pbs.twimg.com/p.jpg' }] },
        };
        expect(onlyMessage(normalizeDmEventsPage(page, BUSINESS)).media).toMatchObject({
            kind: 'animated_gif',
            mediaId: '99',
        });
    });

    it('returns nothing for an empty page and reports partial errors', () => {
        expect(normalizeDmEventsPage({ meta: { result_count: 0 } }, BUSINESS)).toEqual({ events: [], ignored: [] });
        expect(
            normalizeDmEventsPage({ errors: [{ title: 'Not Found Error', detail: 'Could not find user' }] }, BUSINESS)
                .ignored,
        ).toEqual([{ reason: 'api-error', detail: 'Could not find user' }]);
    });

    it('reports a sender outside the conversation and a missing created_at', () => {
        const base = {
            id: '11',
            event_type: 'MessageCreate',
            text: 'x',
            sender_id: '5',
            created_at: '2025-05-10T10:40:00.000Z',
            dm_conversation_id: '1-2',
        };
        expect(normalizeDmEventsPage({ data: [base] }, '1').ignored).toEqual([
            { reason: 'missing-field', detail: 'dm event 11: sender 5 is not in conversation 1-2' },
        ]);
        expect(
            normalizeDmEventsPage({ data: [{ ...base, sender_id: '2', created_at: undefined }] }, '1').ignored,
        ).toEqual([{ reason: 'missing-field', detail: 'dm event 11: created_at' }]);
    });
});

describe('normalizeWebhookBody', () => {
    it.each(fixtureNames().filter((name) => name.startsWith('xaa-')))('routes %s as XAA', (name) => {
        expect(normalizeWebhookBody(fixture(name))).toEqual(normalizeXaa(fixture(name)));
    });

    it.each(fixtureNames().filter((name) => name.startsWith('aaa-') || name.startsWith('replay-')))(
        'routes %s as AAA',
        (name) => {
            expect(normalizeWebhookBody(fixture(name))).toEqual(normalizeAaa(fixture(name)));
        },
    );

    it('produces at least one event or one reason for every webhook fixture', () => {
        for (const name of fixtureNames().filter((file) => file !== 'dm-events-page.json')) {
            const result = normalizeWebhookBody(fixture(name));
            expect(
                result.events.length + (result.posts?.length ?? 0) + result.ignored.length + (result.control ? 1 : 0),
            ).toBeGreaterThan(0);
        }
    });

    it.each([
        ['a string', 'hello', 'not-an-object'],
        ['an array', [], 'not-an-object'],
        ['null', null, 'not-an-object'],
        ['an unknown object', { hello: 'world' }, 'unknown-envelope'],
    ])('reports %s', (_label, body, reason) => {
        expect(normalizeWebhookBody(body)).toMatchObject({ events: [], ignored: [{ reason }] });
    });
});

describe('robustness', () => {
    const normalizers: [string, (body: unknown) => NormalizeResult][] = [
        ['normalizeWebhookBody', normalizeWebhookBody],
        ['normalizeXaa', normalizeXaa],
        ['normalizeAaa', normalizeAaa],
        ['normalizeDmEventsPage', (body) => normalizeDmEventsPage(body, BUSINESS)],
    ];

    it.each(normalizers)('%s never throws on arbitrary input', (_name, normalize) => {
        fc.assert(
            fc.property(fc.anything(), (body) => {
                const result = normalize(body);
                expect(Array.isArray(result.events)).toBe(true);
                expect(Array.isArray(result.ignored)).toBe(true);
            }),
            { numRuns: 500 },
        );
    });

    /** Every path into a JSON value, so each field can be broken in turn. */
    function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
        if (typeof value !== 'object' || value === null) {
            return [prefix];
        }
        const entries: [string | number, unknown][] = Array.isArray(value)
            ? value.map((item, i) => [i, item])
            : Object.entries(value);
        return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))];
    }

    function withValueAt(root: unknown, path: (string | number)[], replacement: unknown): unknown {
        const copy = JSON.parse(JSON.stringify(root));
        if (path.length === 0) {
            return replacement;
        }
        let holder = copy;
        for (const key of path.slice(0, -1)) {
            holder = holder[key];
        }
        holder[path[path.length - 1]] = replacement;
        return copy;
    }

    it.each(fixtureNames())('survives every field of %s being broken, and never emits a non-numeric id', (name) => {
        const original = fixture(name);
        const normalize =
            name === 'dm-events-page.json'
                ? (body: unknown) => normalizeDmEventsPage(body, BUSINESS)
                : normalizeWebhookBody;
        for (const path of paths(original)) {
            for (const replacement of [null, 1e30, 'x', [], {}]) {
                const result = normalize(withValueAt(original, path, replacement));
                for (const event of result.events) {
                    const ids = [
                        event.accountId,
                        event.senderId,
                        event.recipientId,
                        ...(event.kind === 'message' ? [event.eventId] : []),
                    ];
                    for (const id of ids) {
                        expect(id).toMatch(/^\d+$/);
                    }
                }
            }
        }
    });
});
