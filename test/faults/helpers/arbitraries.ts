/**
 * fast-check generators for what reaches the app from outside: X webhook bodies (XAA, AAA, control
 * messages), /2/dm_events pages, slash-command arguments and settings values. Each mixes near-valid
 * shapes (right keys, wrong or missing values) with arbitrary JSON, so both the deep paths and the
 * front doors get exercised.
 */
import fc from 'fast-check';

export const BUSINESS = '1600000000000000001';

const json = fc.jsonValue({ maxDepth: 3 });
const text = fc.oneof(
    fc.string(),
    fc.fullUnicodeString({ maxLength: 40 }),
    fc.constantFrom('', ' ', '&amp;&lt;&gt;', 'https://t.co/abc', 'a\u0000b', '\ud83d', 'x'.repeat(5000)),
);

/** A value that is usually right, sometimes anything, sometimes absent. */
export function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> {
    return fc.oneof(
        { weight: 6, arbitrary: arb },
        { weight: 2, arbitrary: json },
        { weight: 1, arbitrary: fc.constant(undefined) },
    );
}

export const xId = fc.oneof(
    { weight: 5, arbitrary: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String) },
    { weight: 1, arbitrary: fc.constant(BUSINESS) },
    { weight: 1, arbitrary: fc.constantFrom('0', '-1', '1e5', '01', ' 1', '123456789012345678901', 'NaN') },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60)) },
);

const timestamp = fc.oneof(
    fc.integer({ min: 0, max: 4_000_000_000_000 }).map(String),
    fc.integer().map(String),
    fc.constantFrom('', 'soon', '-1', '1e400'),
    fc.double(),
);

const users = fc.dictionary(
    fc.oneof(xId.map(String), fc.string()),
    fc.record(
        { id: maybe(xId), name: maybe(text), screen_name: maybe(text), profile_image_url_https: maybe(fc.webUrl()) },
        { requiredKeys: [] },
    ),
    { maxKeys: 3 },
);

const legacyAttachment = fc.record(
    {
        type: fc.constantFrom('media', 'location', 'other'),
        media: maybe(
            fc.record(
                {
                    id_str: maybe(xId),
                    type: maybe(fc.constantFrom('photo', 'animated_gif', 'video', 'sticker')),
                    media_url_https: maybe(
                        fc.oneof(fc.webUrl(), fc.constant('https://ton.twitter.com/1.1/ton/data/dm/1/2/abc.jpg')),
                    ),
                    url: maybe(fc.constant('https://t.co/media')),
                    video_info: maybe(
                        fc.record(
                            {
                                variants: maybe(
                                    fc.array(
                                        fc.record(
                                            {
                                                content_type: maybe(text),
                                                url: maybe(fc.webUrl()),
                                                bitrate: maybe(fc.integer()),
                                            },
                                            { requiredKeys: [] },
                                        ),
                                        { maxLength: 3 },
                                    ),
                                ),
                            },
                            { requiredKeys: [] },
                        ),
                    ),
                },
                { requiredKeys: [] },
            ),
        ),
    },
    { requiredKeys: [] },
);

const legacyMessage = fc.record(
    {
        type: maybe(fc.constantFrom('message_create', 'message_delete', 'other')),
        id: maybe(xId),
        created_timestamp: maybe(timestamp),
        message_create: maybe(
            fc.record(
                {
                    target: maybe(fc.record({ recipient_id: maybe(xId) }, { requiredKeys: [] })),
                    sender_id: maybe(xId),
                    source_app_id: maybe(xId),
                    message_data: maybe(
                        fc.record(
                            {
                                text: maybe(text),
                                entities: maybe(
                                    fc.record(
                                        {
                                            urls: maybe(
                                                fc.array(
                                                    fc.record(
                                                        {
                                                            url: maybe(text),
                                                            expanded_url: maybe(text),
                                                            display_url: maybe(text),
                                                            indices: maybe(fc.array(fc.integer())),
                                                        },
                                                        { requiredKeys: [] },
                                                    ),
                                                    { maxLength: 3 },
                                                ),
                                            ),
                                        },
                                        { requiredKeys: [] },
                                    ),
                                ),
                                attachment: maybe(legacyAttachment),
                            },
                            { requiredKeys: [] },
                        ),
                    ),
                },
                { requiredKeys: [] },
            ),
        ),
    },
    { requiredKeys: [] },
);

const legacyTyping = fc.record(
    {
        created_timestamp: maybe(timestamp),
        sender_id: maybe(xId),
        target: maybe(fc.record({ recipient_id: maybe(xId) }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
);
const legacyRead = fc.record(
    {
        created_timestamp: maybe(timestamp),
        sender_id: maybe(xId),
        target: maybe(fc.record({ recipient_id: maybe(xId) }, { requiredKeys: [] })),
        last_read_event_id: maybe(xId),
    },
    { requiredKeys: [] },
);

const legacyPayload = fc.record(
    {
        direct_message_events: maybe(fc.array(legacyMessage, { maxLength: 4 })),
        direct_message_indicate_typing_events: maybe(fc.array(legacyTyping, { maxLength: 2 })),
        direct_message_mark_read_events: maybe(fc.array(legacyRead, { maxLength: 2 })),
        users: maybe(users),
        apps: maybe(fc.dictionary(fc.string(), json, { maxKeys: 2 })),
    },
    { requiredKeys: [] },
);

export const aaaBody = fc
    .tuple(
        legacyPayload,
        fc.record(
            {
                for_user_id: maybe(fc.oneof(fc.constant(BUSINESS), xId)),
                user_event: maybe(
                    fc.record(
                        {
                            revoke: maybe(
                                fc.record(
                                    {
                                        source: maybe(fc.record({ user_id: maybe(xId) })),
                                        target: maybe(fc.record({ app_id: maybe(xId) })),
                                    },
                                    { requiredKeys: [] },
                                ),
                            ),
                        },
                        { requiredKeys: [] },
                    ),
                ),
                replay_job_status: maybe(
                    fc.record(
                        {
                            webhook_id: maybe(xId),
                            job_state: maybe(fc.constantFrom('Complete', 'Failed', 'x')),
                            job_id: maybe(xId),
                        },
                        { requiredKeys: [] },
                    ),
                ),
            },
            { requiredKeys: ['for_user_id'] },
        ),
    )
    .map(([payload, envelope]) => ({ ...payload, ...envelope }));

export const xaaBody = fc.record({
    data: fc.record(
        {
            event_type: maybe(
                fc.constantFrom(
                    'dm.received',
                    'dm.sent',
                    'dm.read',
                    'dm.indicate_typing',
                    'oauth.revoke',
                    'post.create',
                    'chat.received',
                    'unknown.kind',
                ),
            ),
            filter: maybe(fc.record({ user_id: maybe(fc.oneof(fc.constant(BUSINESS), xId)) }, { requiredKeys: [] })),
            payload: maybe(
                fc.oneof(legacyPayload, fc.record({ user_id: maybe(xId), app_id: maybe(xId) }, { requiredKeys: [] })),
            ),
            tag: maybe(text),
        },
        { requiredKeys: ['event_type'] },
    ),
});

// ---- valid shapes, then mutated: most inputs get deep into the parsers ----------------------------

const customerId = fc.bigInt({ min: 1_000_000_000_000_000_000n, max: 1_999_999_999_999_999_999n }).map(String);
const goodId = fc.bigInt({ min: 1_000_000_000_000_000_000n, max: 2n ** 63n - 1n }).map(String);
const goodTime = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });

const validLegacyMessage = fc
    .record({ id: goodId, sender: customerId, at: goodTime, text, media: fc.boolean(), outgoing: fc.boolean() })
    .map(({ id, sender, at, text: t, media, outgoing }) => ({
        type: 'message_create',
        id,
        created_timestamp: String(at),
        message_create: {
            target: { recipient_id: outgoing ? sender : BUSINESS },
            sender_id: outgoing ? BUSINESS : sender,
            ...(outgoing ? { source_app_id: '29820954' } : {}),
            message_data: {
                text: media ? `${t} https://t.co/m3d1a` : t,
                entities: {
                    hashtags: [],
                    symbols: [],
                    user_mentions: [],
                    urls: media
                        ? [
                              {
                                  url: 'https://t.co/m3d1a',
                                  expanded_url: 'https://x.com/messages/media/1',
                                  display_url: 'pic.x.com/m',
                                  indices: [0, 1],
                              },
                          ]
                        : [],
                },
                ...(media
                    ? {
                          attachment: {
                              type: 'media',
                              media: {
                                  id_str: id,
                                  type: 'photo',
                                  media_url_https: `https://ton.twitter.com/1.1/ton/data/dm/${id}/${id}/abc.jpg`,
                                  url: 'https://t.co/m3d1a',
                              },
                          },
                      }
                    : {}),
            },
        },
    }));

const validLegacyPayload = fc
    .record({
        messages: fc.array(validLegacyMessage, { minLength: 1, maxLength: 3 }),
        typing: fc.array(customerId, { maxLength: 1 }),
        at: goodTime,
    })
    .map(({ messages, typing, at }) => ({
        direct_message_events: messages,
        ...(typing.length
            ? {
                  direct_message_indicate_typing_events: typing.map((sender) => ({
                      created_timestamp: String(at),
                      sender_id: sender,
                      target: { recipient_id: BUSINESS },
                  })),
              }
            : {}),
        users: Object.fromEntries(
            messages.map((m) => [
                m.message_create.sender_id,
                { id: m.message_create.sender_id, name: 'Customer', screen_name: 'customer' },
            ]),
        ),
    }));

type Mutation = [number, 'delete' | 'json' | 'string' | 'number' | 'null' | 'array', unknown];

/** Applies each mutation at the n-th path of the value (deleting, or replacing with a wrong type). */
export function mutate<T>(value: T, mutations: Mutation[]): T {
    const copy = JSON.parse(JSON.stringify(value)) as T;
    for (const [n, op, payload] of mutations) {
        const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
        const walk = (v: unknown) => {
            if (!v || typeof v !== 'object') return;
            for (const key of Object.keys(v)) {
                const k = Array.isArray(v) ? Number(key) : key;
                paths.push({ parent: v as Record<string, unknown>, key: k });
                walk((v as Record<string, unknown>)[key]);
            }
        };
        walk(copy);
        if (paths.length === 0) continue;
        const { parent, key } = paths[n % paths.length];
        const target = parent as Record<string | number, unknown>;
        if (op === 'delete') {
            if (Array.isArray(parent)) parent.splice(key as number, 1);
            else delete target[key];
        } else
            target[key] =
                op === 'json'
                    ? payload
                    : op === 'string'
                      ? (JSON.stringify(payload) ?? '')
                      : op === 'number'
                        ? 2 ** 53 + 1
                        : op === 'null'
                          ? null
                          : [payload];
    }
    return copy;
}

const mutations = fc.array(
    fc.tuple(
        fc.nat(),
        fc.constantFrom('delete', 'json', 'string', 'number', 'null', 'array'),
        json,
    ) as fc.Arbitrary<Mutation>,
    { maxLength: 2 },
);

export const validAaaBody = fc
    .tuple(validLegacyPayload, mutations)
    .map(([payload, m]) => mutate({ for_user_id: BUSINESS, ...payload }, m));
export const validXaaBody = fc
    .tuple(validLegacyPayload, fc.constantFrom('dm.received', 'dm.sent', 'dm.indicate_typing'), mutations)
    .map(([payload, eventType, m]) =>
        mutate({ data: { event_type: eventType, filter: { user_id: BUSINESS }, payload } }, m),
    );

/** Anything a webhook POST body can be once Rocket.Chat parsed it. */
export const webhookBody = fc.oneof(
    { weight: 4, arbitrary: validAaaBody },
    { weight: 4, arbitrary: validXaaBody },
    { weight: 2, arbitrary: aaaBody },
    { weight: 2, arbitrary: xaaBody },
    { weight: 1, arbitrary: json },
    { weight: 1, arbitrary: fc.object() },
);

const v2Event = fc.record(
    {
        id: maybe(xId),
        event_type: maybe(fc.constantFrom('MessageCreate', 'ParticipantsJoin', 'ParticipantsLeave', 'Other')),
        text: maybe(text),
        created_at: maybe(
            fc.oneof(
                fc.date({ min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()),
                text,
            ),
        ),
        sender_id: maybe(xId),
        dm_conversation_id: maybe(
            fc.oneof(
                fc.tuple(xId, xId).map(([a, b]) => `${a}-${b}`),
                fc.constant(`${BUSINESS}-1700000000000000001`),
                text,
            ),
        ),
        participant_ids: maybe(fc.array(xId, { maxLength: 3 })),
        attachments: maybe(
            fc.record(
                {
                    media_keys: maybe(
                        fc.array(fc.oneof(fc.constant('3_1'), fc.constant('7_2'), text), { maxLength: 2 }),
                    ),
                },
                { requiredKeys: [] },
            ),
        ),
        entities: maybe(
            fc.record(
                {
                    urls: maybe(
                        fc.array(fc.record({ url: maybe(text), expanded_url: maybe(text) }, { requiredKeys: [] }), {
                            maxLength: 2,
                        }),
                    ),
                },
                { requiredKeys: [] },
            ),
        ),
    },
    { requiredKeys: [] },
);

const validV2Event = fc
    .record({ id: goodId, sender: customerId, at: goodTime, text, outgoing: fc.boolean(), media: fc.boolean() })
    .map(({ id, sender, at, text: t, outgoing, media }) => ({
        id,
        event_type: 'MessageCreate',
        text: media ? `${t} https://t.co/m3d1a` : t,
        created_at: new Date(at).toISOString(),
        sender_id: outgoing ? BUSINESS : sender,
        dm_conversation_id: `${sender}-${BUSINESS}`,
        participant_ids: [sender, BUSINESS],
        ...(media ? { attachments: { media_keys: ['3_1'] } } : {}),
    }));

export const validDmEventsPage = fc
    .tuple(fc.array(validV2Event, { minLength: 1, maxLength: 5 }), fc.boolean(), mutations)
    .map(([events, more, m]) =>
        mutate(
            {
                data: events,
                includes: {
                    users: events.map((e) => ({ id: e.sender_id, name: 'Customer', username: 'customer' })),
                    media: [
                        { media_key: '3_1', type: 'photo', url: 'https://ton.twitter.com/1.1/ton/data/dm/1/2/abc.jpg' },
                    ],
                },
                meta: { result_count: events.length, ...(more ? { next_token: 'abc' } : {}) },
            },
            m,
        ),
    );

/** /2/dm_events pages: near-valid and arbitrary. */
export const dmEventsPage = fc.oneof(
    { weight: 6, arbitrary: validDmEventsPage },
    {
        weight: 4,
        arbitrary: fc.record(
            {
                data: maybe(fc.array(v2Event, { maxLength: 5 })),
                includes: maybe(
                    fc.record(
                        {
                            users: maybe(
                                fc.array(
                                    fc.record(
                                        { id: maybe(xId), name: maybe(text), username: maybe(text) },
                                        { requiredKeys: [] },
                                    ),
                                    { maxLength: 3 },
                                ),
                            ),
                            media: maybe(
                                fc.array(
                                    fc.record(
                                        {
                                            media_key: maybe(fc.constantFrom('3_1', '7_2')),
                                            type: maybe(fc.constantFrom('photo', 'video', 'animated_gif')),
                                            url: maybe(fc.webUrl()),
                                            preview_image_url: maybe(fc.webUrl()),
                                            variants: maybe(fc.array(json, { maxLength: 2 })),
                                        },
                                        { requiredKeys: [] },
                                    ),
                                    { maxLength: 2 },
                                ),
                            ),
                        },
                        { requiredKeys: [] },
                    ),
                ),
                meta: maybe(
                    fc.record({ result_count: maybe(fc.integer()), next_token: maybe(text) }, { requiredKeys: [] }),
                ),
                errors: maybe(
                    fc.array(fc.record({ detail: maybe(text), title: maybe(text) }, { requiredKeys: [] }), {
                        maxLength: 2,
                    }),
                ),
            },
            { requiredKeys: [] },
        ),
    },
    { weight: 1, arbitrary: json },
);

/** What an admin (or anyone) types after `/twitter`. */
export const commandArgs = fc.array(
    fc.oneof(
        {
            weight: 3,
            arbitrary: fc.constantFrom(
                'help',
                'status',
                'support',
                'authorize',
                'unauthorize',
                'HELP',
                'Status',
                '',
                '--help',
                '-h',
                '?',
                'authorize!',
                'unauth',
            ),
        },
        { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
        { weight: 1, arbitrary: fc.fullUnicodeString({ minLength: 1, maxLength: 20 }) },
        {
            weight: 1,
            arbitrary: fc.constantFrom(
                '`code`',
                '*bold*',
                '<script>alert(1)</script>',
                '@all',
                '#general',
                'https://evil.example',
                '${x}',
                '{agent}',
                '%s%s%s',
            ),
        },
    ),
    { maxLength: 4 },
);

/** Values an admin can save (or a broken API client can send) for each kind of setting. */
export const settingValue = fc.oneof(
    fc.string(),
    fc.fullUnicodeString({ maxLength: 50 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constantFrom(
        null,
        undefined,
        '',
        ' ',
        '0',
        '-5',
        '59',
        '60',
        '1e9',
        'NaN',
        'Infinity',
        'true',
        'xaa',
        'aaa',
        'polling',
        'oauth2',
        'tokens',
        'name',
        'username',
        'none',
    ),
    fc.constantFrom(
        '{agent}: {text}',
        '{text}',
        'no placeholders',
        '{agent} {agent} {text} {unknown}',
        '{',
        '}{',
        'image/png,video/mp4',
        'application/pdf',
        'image/*',
        ',,,',
        'Support',
        'No Such Department',
    ),
    json,
);
