import fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ManualClock, startXSim, type RequestLogEntry, type XSim } from '../../tools/x-sim';
import { nodeSender } from '../../tools/x-sim/node-sender';
import { extractFromFile, simulatorOperationIds, subsetText } from '../../tools/x-sim/openapi/extract-openapi';
import { specDocument, specOperation, type SpecParameter } from '../../tools/x-sim/openapi/spec';
import { FULL_SPEC_PATH, SUBSET_PATH } from '../../tools/x-sim/openapi/subset-path';
import { AuthMethod } from '../../src/settings/ids';
import { TwitterXClient } from '../../src/x/client';
import { DM_EVENT_QUERY } from '../../src/x/client-wire';
import { createTransportPlugin } from '../../src/x/transport';
import { appOnlyClient, oauth1Client, oauth2Client, xClient } from './helpers/clients';
import { fakeMp4, TINY_PNG, uploadViaJson } from './helpers/media';
import { registeredReceiver, subscribeAccountActivity, subscribeActivity } from './helpers/webhooks';
import { WebhookReceiver } from './helpers/receiver';

/**
 * Requests and answers of scripted sessions against the simulator, checked against X's OpenAPI spec — the subset
 * of it this repository uses, checked in at tools/x-sim/openapi/x-openapi-subset.json (`npm run spec:extract`
 * refreshes it from ../shared/x-api/openapi.json), so this runs in any clone:
 * - every request the app's own X client makes conforms: declared query parameters with values the spec allows
 *   (the `*.fields` / `expansions` enums), path parameters, JSON bodies and content types;
 * - the simulator never accepts a request the spec refuses, and refuses unknown fields and expansions as X does;
 * - every JSON answer conforms for its operation, status and content type, error bodies included.
 */

/**
 * Endpoints exempt from schema validation, and why.
 * - Non-JSON answers: DM media bytes (v2 download and ton.twitter.com), the OAuth 1.0a form
 *   answers, and the authorization pages (redirects / HTML).
 * - The OAuth 2.0 token endpoints, which the spec does not describe.
 */
const EXEMPT_ROUTES: Array<{ path: RegExp; reason: string }> = [
    { path: /^\/2\/dm_conversations\/media\//, reason: 'binary DM media (200); errors are still validated' },
    { path: /^\/1\.1\/ton\/data\/dm\//, reason: 'binary DM media on ton.twitter.com (not in the v2 spec)' },
    {
        path: /^\/oauth\/(request_token|access_token|authorize|authenticate)$/,
        reason: 'OAuth 1.0a: form-encoded answers and redirects',
    },
    { path: /^\/i\/oauth2\/authorize$/, reason: 'OAuth 2.0 authorization page: redirects / HTML' },
    { path: /^\/(2\/)?oauth2\/(token|revoke)$/, reason: 'OAuth 2.0 token endpoints are not in the spec' },
    {
        path: /^\/(media|ext_tw_video|tweet_video)\//,
        reason: "public posts' media files on pbs.twimg.com / video.twimg.com (not in the v2 spec)",
    },
];

/**
 * Error bodies the spec's Problem union does not list, checked against their own shapes: generic RFC 7807
 * problems (`type: about:blank`: 401, 403 Forbidden, 429, 5xx; RFC 7807 §3.1 members, as X sends them) and X's
 * `unsupported-authentication` problem; v1-style `{"errors":[{code,message}]}` bodies (e.g. code 93, no DM
 * permission), whose items are the spec's own `Error` schema.
 */
const GENERIC_PROBLEM_SCHEMA = {
    type: 'object',
    required: ['type', 'title', 'detail', 'status'],
    properties: {
        type: { enum: ['about:blank', 'https://api.twitter.com/2/problems/unsupported-authentication'] },
        title: { type: 'string', minLength: 1 },
        detail: { type: 'string', minLength: 1 },
        status: { type: 'integer', minimum: 400, maximum: 599 },
    },
};
/**
 * X's 402 when prepaid credits are used up, as captured in 2026 (research/x-api.md §12): the spec's Problem union
 * does not list the `credits-depleted` type, so it is checked against its own shape.
 */
const CREDITS_DEPLETED_SCHEMA = {
    type: 'object',
    required: ['type', 'title'],
    properties: {
        type: { const: 'https://api.x.com/2/problems/credits-depleted' },
        title: { const: 'Payment Required' },
    },
};

/**
 * Request values X documents beyond the spec's enums (spec 2.167): `oauth.revoke` is an X Activity event type with
 * no filter (docs: x-api/activity/introduction.mdx, "OAuth events"; x-api/activity/event-payloads.mdx), which the
 * CreateActivitySubscriptionRequest `event_type` enum does not list yet. Such a body is checked as the same body
 * with a listed event type, so everything else in it is still validated.
 */
const DOCUMENTED_BEYOND_SPEC: Partial<Record<string, (body: Json) => Json>> = {
    createActivitySubscription: (body) =>
        body.event_type === 'oauth.revoke' ? { ...body, event_type: 'dm.received' } : body,
};

const V1_ERROR_LIST_SCHEMA = {
    type: 'object',
    required: ['errors'],
    properties: { errors: { type: 'array', minItems: 1, items: { $ref: 'x-spec#/components/schemas/Error' } } },
};

type Json = Record<string, unknown>;

/**
 * A schema from the spec with its local references pointed at the spec document registered as `x-spec`, and its
 * enums without the repeated values the spec has (e.g. `attachments.media_keys` twice), which JSON Schema forbids.
 */
function absolutized(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(absolutized);
    if (!schema || typeof schema !== 'object') return schema;
    return Object.fromEntries(
        Object.entries(schema as Json).map(([k, v]) => {
            if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) return [k, `x-spec${v}`];
            if (k === 'enum' && Array.isArray(v)) return [k, [...new Set(v)]];
            return [k, absolutized(v)];
        }),
    );
}

class SpecValidator {
    private readonly ajv = new Ajv({ strict: false, allErrors: true });
    private readonly compiled = new Map<string, ValidateFunction>();
    readonly isGenericProblem: ValidateFunction;
    readonly isV1ErrorList: ValidateFunction;
    readonly isCreditsDepleted: ValidateFunction;

    constructor() {
        addFormats(this.ajv);
        for (const format of ['int32', 'int64', 'double', 'float', 'binary', 'byte']) this.ajv.addFormat(format, true);
        this.ajv.addSchema(specDocument(), 'x-spec');
        this.isGenericProblem = this.ajv.compile(GENERIC_PROBLEM_SCHEMA);
        this.isV1ErrorList = this.ajv.compile(V1_ERROR_LIST_SCHEMA);
        this.isCreditsDepleted = this.ajv.compile(CREDITS_DEPLETED_SCHEMA);
    }

    /** Problems with one logged request: its path and query parameters, body and content type. */
    checkRequest(entry: RequestLogEntry): string[] {
        const operation = specOperation(entry.operationId!);
        if (!operation) return [`operation ${entry.operationId} is not in the spec`];
        const problems: string[] = [];
        const template = operation.path.split('/');
        const actual = entry.path.split('/');
        for (let i = 0; i < template.length; i++) {
            const name = /^\{(.+)\}$/.exec(template[i])?.[1];
            const parameter = name && operation.parameters.find((p) => p.in === 'path' && p.name === name);
            if (parameter) problems.push(...this.checkParameter(parameter, decodeURIComponent(actual[i] ?? '')));
        }
        const pairs = entry.query
            ? entry.query
                  .split('&')
                  .map((pair) => pair.split('=').map((x) => decodeURIComponent(x)) as [string, string?])
            : [];
        for (const [name, value = ''] of pairs) {
            const parameter = operation.parameters.find((p) => p.in === 'query' && p.name === name);
            if (!parameter) problems.push(`query parameter ${name} is not defined for ${operation.operationId}`);
            else problems.push(...this.checkParameter(parameter, value));
        }
        for (const parameter of operation.parameters.filter((p) => p.in === 'query' && p.required)) {
            if (!pairs.some(([name]) => name === parameter.name))
                problems.push(`required query parameter ${parameter.name} is missing`);
        }
        const mediaType = entry.requestContentType?.split(';')[0].trim();
        const body = operation.requestBody;
        if (!body) {
            if (
                mediaType &&
                !(
                    entry.requestBody &&
                    typeof entry.requestBody === 'object' &&
                    Object.keys(entry.requestBody).length === 0
                )
            ) {
                problems.push(`${operation.operationId} takes no body, got ${mediaType}`);
            }
        } else if (!mediaType) {
            // No body at all (X's Account Activity examples send none): read as `{}`, which the schema must accept.
            const schema = body.content?.['application/json']?.schema;
            if (body.required && !schema) problems.push(`${operation.operationId} needs a body`);
            else if (schema) problems.push(...this.validate(schema, {}, 'absent body read as {}'));
        } else if (!body.content?.[mediaType]) {
            problems.push(
                `${mediaType} is not a request content type of ${operation.operationId} (${Object.keys(body.content ?? {}).join(', ')})`,
            );
        } else if (mediaType === 'application/json') {
            if (entry.requestBody === undefined) problems.push('the JSON body does not parse');
            else {
                const beyond = DOCUMENTED_BEYOND_SPEC[operation.operationId];
                const checked =
                    beyond && typeof entry.requestBody === 'object'
                        ? beyond(entry.requestBody as Json)
                        : entry.requestBody;
                problems.push(...this.validate(body.content[mediaType].schema, checked, 'body'));
            }
        }
        return problems;
    }

    /** Problems with one logged JSON answer: documented status, content type and schema. */
    checkResponse(entry: RequestLogEntry): string[] {
        const operation = specOperation(entry.operationId!);
        if (!operation) return [`operation ${entry.operationId} is not in the spec`];
        const statusKey = String(entry.status) in operation.responses ? String(entry.status) : 'default';
        const response = operation.responses[statusKey];
        if (!response) return [`status ${entry.status} is not documented for ${entry.operationId}`];
        const mediaType = entry.responseContentType?.split(';')[0].trim() ?? '';
        if (!response.content?.[mediaType])
            return [`${mediaType || 'no content type'} is not documented for ${entry.operationId} ${statusKey}`];
        return this.validate(response.content[mediaType].schema, entry.responseBody, 'response');
    }

    private checkParameter(parameter: SpecParameter, raw: string): string[] {
        const schema = this.resolved(parameter.schema);
        let value: unknown = raw;
        if (schema?.type === 'array') value = raw.split(',');
        else if ((schema?.type === 'integer' || schema?.type === 'number') && /^-?\d+(\.\d+)?$/.test(raw))
            value = Number(raw);
        else if (schema?.type === 'boolean' && (raw === 'true' || raw === 'false')) value = raw === 'true';
        return this.validate(parameter.schema, value, `${parameter.in} parameter ${parameter.name}=${raw}`);
    }

    private resolved(schema: unknown): Json | undefined {
        let node = schema as Json | undefined;
        while (node && typeof node.$ref === 'string') {
            node = (node.$ref as string)
                .slice(2)
                .split('/')
                .reduce<unknown>((at, key) => (at as Json)[key], specDocument()) as Json;
        }
        return node;
    }

    private validate(schema: unknown, value: unknown, what: string): string[] {
        const key = JSON.stringify(schema ?? {});
        let validate = this.compiled.get(key);
        if (!validate) {
            validate = this.ajv.compile(absolutized(schema ?? {}) as object);
            this.compiled.set(key, validate);
        }
        return validate(value) ? [] : (validate.errors ?? []).map((e) => `${what}: ${e.instancePath} ${e.message}`);
    }
}

async function scriptedSession(sim: XSim, clock: ManualClock): Promise<void> {
    const business = sim.business!;
    const customer = sim.createUser({ username: 'conf_customer', name: 'Conformance' });
    const closed = sim.createUser({ username: 'closed_dms', acceptsDmsFrom: 'nobody' });
    const oauth2 = oauth2Client(sim, business.id);
    const oauth1 = oauth1Client(sim, business.id);
    const app = appOnlyClient(sim);
    const ignore = () => undefined;

    // Public posts: a mention, the timeline (and X's refusal of max_results 4), lookups (found, then gone), a
    // reply, and X's refusals: a duplicate, too long, a post that does not mention the account, a deleted one.
    const mention = await sim.customerMentions(customer.id, business.id, 'where is my order?');
    const unrelated = await sim.postFromApp(customer.id, 'just a post about lunch');
    const mentionsOf = (query: Record<string, string | number>) =>
        oauth2.v2.get('users/:id/mentions', query, { params: { id: business.id } });
    await mentionsOf({
        'post.fields': 'created_at,conversation_id,entities',
        expansions: 'author_id,referenced_posts',
    });
    await mentionsOf({ max_results: 4 }).catch(ignore);
    await app.v2.get('tweets/:id', { 'post.fields': 'created_at' }, { params: { id: mention.post.id } });
    const writer = oauth2Client(sim, business.id, ['tweet.read', 'tweet.write', 'users.read']);
    const reply = (text: string, to: string) => writer.v2.post('tweets', { text, reply: { in_reply_to_tweet_id: to } });
    await reply('Sorry about that!', mention.post.id);
    await reply('Sorry about that!', mention.post.id).catch(ignore);
    await reply('x'.repeat(281), mention.post.id).catch(ignore);
    await reply('Hello', unrelated.post.id).catch(ignore);
    sim.deletePost(mention.post.id);
    await reply('Still there?', mention.post.id).catch(ignore);
    await app.v2.get('tweets/:id', undefined, { params: { id: mention.post.id } });

    // Users.
    await oauth2.v2.me({
        'user.fields': ['profile_image_url', 'protected', 'verified', 'created_at', 'description', 'receives_your_dm'],
    });
    await app.v2.user(customer.id, { 'user.fields': ['profile_image_url'] });
    await app.v2.userByUsername('conf_customer');
    await app.v2.user('1234567');
    await app.v2.get('users/by/username/:username', undefined, { params: { username: 'not-valid!' } }).catch(ignore);
    await app.v2.me().catch(ignore);
    await xClient(sim, 'not-a-real-token').v2.me().catch(ignore);

    // Webhooks and subscriptions.
    const { receiver, webhookId } = await registeredReceiver(sim);
    try {
        await app.v2.get('webhooks');
        await app.v2.put('webhooks/:webhook_id', undefined, { params: { webhook_id: webhookId } });
        await app.v2.post('webhooks', { url: receiver.url }).catch(ignore);
        await subscribeActivity(sim, webhookId, business.id, 'dm.received', 'inbound');
        const sentSubscription = await subscribeActivity(sim, webhookId, business.id, 'dm.sent');
        await app.v2
            .post('activity/subscriptions', {
                event_type: 'dm.received',
                filter: { user_id: business.id },
                webhook_id: webhookId,
            })
            .catch(ignore);
        await oauth2.v2.post('activity/subscriptions', { event_type: 'not-an-event', filter: {} }).catch(ignore);
        await app.v2.get('activity/subscriptions');
        await subscribeAccountActivity(sim, webhookId, business.id);
        await oauth1.v2
            .post('account_activity/webhooks/:webhook_id/subscriptions/all', undefined, {
                params: { webhook_id: webhookId },
            })
            .catch(ignore);
        await oauth1.v2.get('account_activity/webhooks/:webhook_id/subscriptions/all', undefined, {
            params: { webhook_id: webhookId },
        });
        await app.v2.get('account_activity/webhooks/:webhook_id/subscriptions/all/list', undefined, {
            params: { webhook_id: webhookId },
        });

        // DMs both ways, with media.
        await sim.sendDm({
            from: customer.id,
            to: business.id,
            text: 'hello https://example.com/x',
            media: { type: 'photo', bytes: TINY_PNG, contentType: 'image/png' },
        });
        await sim.sendDm({ from: customer.id, to: business.id, text: 'second' });
        const image = await uploadViaJson(oauth2, TINY_PNG, { mediaType: 'image/png', category: 'dm_image' });
        await oauth2.v2.sendDmToParticipant(customer.id, { text: 'reply', attachments: [{ media_id: image.id }] });
        await oauth2.v2.sendDmToParticipant(customer.id, { text: 'x'.repeat(10_001) }).catch(ignore);
        await oauth2.v2.sendDmToParticipant(closed.id, { text: 'hi' }).catch(ignore);
        await oauth2.v2
            .post(
                'dm_conversations/with/:participant_id/messages',
                { text: 'hi', extra: true },
                { params: { participant_id: customer.id } },
            )
            .catch(ignore);
        const conversationId = sim.conversation(customer.id, business.id)[0].conversationId;
        await oauth2.v2.post(
            'dm_conversations/:dm_conversation_id/messages',
            { text: 'in conversation' },
            { params: { dm_conversation_id: conversationId } },
        );

        const page = await oauth2.v2.listDmEvents({
            max_results: 2,
            'dm_event.fields': [
                'attachments',
                'created_at',
                'dm_conversation_id',
                'entities',
                'event_type',
                'id',
                'text',
            ],
            expansions: ['attachments.media_keys', 'sender_id'],
            'media.fields': ['url', 'variants', 'width', 'height', 'preview_image_url'],
            'user.fields': ['profile_image_url'],
        });
        await page.fetchNext();
        await oauth2.v2.listDmEvents({ max_results: 500 }).catch(ignore);
        await oauth2.v2.get('dm_events', { pagination_token: 'not-a-token-at-all' }).catch(ignore);
        await oauth2.v2.listDmEventsWithParticipant(customer.id, { expansions: ['sender_id'] });
        await oauth2.v2.get('dm_conversations/:dm_conversation_id/dm_events', undefined, {
            params: { dm_conversation_id: conversationId },
        });
        const inbound = sim.conversation(customer.id, business.id)[0];
        await oauth2.v2.get(
            'dm_events/:event_id',
            { expansions: 'attachments.media_keys' },
            { params: { event_id: inbound.id } },
        );
        await oauth2.v2.get('dm_events/:event_id', undefined, { params: { event_id: '1' } });
        await app.v2.listDmEvents().catch(ignore);
        await oauth2Client(sim, business.id, ['users.read']).v2.listDmEvents().catch(ignore);
        const noDmApp = sim.createApp({ oauth1AccessLevel: 'read' });
        const noDmLink = sim.linkOAuth1(noDmApp.id, business.id);
        await xClient(sim, noDmLink).v2.listDmEvents().catch(ignore);

        // DM media download (the 200 is binary and exempt; the 404 is validated).
        const media = inbound.media!;
        const file = media.url.split('/').pop();
        await oauth2.v2.get('dm_conversations/media/:dm_id/:media_id/:file', undefined, {
            params: { dm_id: inbound.id, media_id: media.mediaId, file },
            forceParseMode: 'buffer',
        });
        await oauth2.v2
            .get('dm_conversations/media/:dm_id/:media_id/:file', undefined, {
                params: { dm_id: inbound.id, media_id: media.mediaId, file: 'missing.png' },
            })
            .catch(ignore);

        // Media upload: chunked video with processing, one-shot, errors.
        const video = await uploadViaJson(oauth1, fakeMp4(3000), { mediaType: 'video/mp4', category: 'dm_video' });
        await oauth1.v2.get('media/upload', { command: 'STATUS', media_id: video.id });
        await clock.advance(2_000);
        await oauth1.v2.get('media/upload', { command: 'STATUS', media_id: video.id });
        await clock.advance(10_000);
        await oauth1.v2.get('media/upload', { command: 'STATUS', media_id: video.id });
        await oauth1.v2.post('media/upload', { media: TINY_PNG.toString('base64'), media_category: 'dm_image' });
        await oauth1.v2
            .post('media/upload/initialize', {
                media_type: 'image/png',
                total_bytes: 6 * 1024 * 1024,
                media_category: 'dm_image',
            })
            .catch(ignore);
        await oauth1.v2.get('media/upload', { command: 'STATUS', media_id: '42' }).catch(ignore);

        // Rate limit.
        sim.setRateLimit('users.me', { perUser: { limit: 1, windowMs: 60_000 } });
        await oauth1.v2.me();
        await oauth1.v2.me().catch(ignore);

        // Replay, unsubscribe, delete.
        const replayDate = (ago: number) =>
            new Date(clock.now() - ago).toISOString().replace(/[-T:]/g, '').slice(0, 12);
        const now = replayDate(0);
        await app.v2.post('webhooks/replay', {
            webhook_id: webhookId,
            from_date: replayDate(40 * 60_000),
            to_date: replayDate(15 * 60_000),
        });
        await app.v2.post('webhooks/replay', { webhook_id: webhookId, from_date: '2020', to_date: now }).catch(ignore);
        await sim.settle();
        await app.v2
            .delete('activity/subscriptions', undefined, { query: { ids: `${sentSubscription},999` } })
            .catch(ignore);
        const remaining = await app.v2.get<{ data: Array<{ subscription_id: string }> }>('activity/subscriptions');
        await app.v2.delete('activity/subscriptions/:subscription_id', undefined, {
            params: { subscription_id: remaining.data[0].subscription_id },
        });
        await app.v2
            .delete('activity/subscriptions/:subscription_id', undefined, { params: { subscription_id: '77' } })
            .catch(ignore);
        await app.v2.delete('account_activity/webhooks/:webhook_id/subscriptions/:user_id/all', undefined, {
            params: { webhook_id: webhookId, user_id: business.id },
        });
        await app.v2.delete('webhooks/:webhook_id', undefined, { params: { webhook_id: webhookId } });
        await app.v2.put('webhooks/:webhook_id', undefined, { params: { webhook_id: webhookId } }).catch(ignore);
        const wrong = await WebhookReceiver.start('not the secret');
        try {
            await app.v2.post('webhooks', { url: wrong.url }).catch(ignore);
        } finally {
            await wrong.close();
        }
        // An injected outage.
        sim.faults.once({ api: { status: 503 } });
        await app.v2.get('webhooks').catch(ignore);
    } finally {
        await receiver.close();
    }
}

/** The app's own X client (src/x/client.ts), through every call it makes, over the app's transport plugin. */
async function appSession(sim: XSim, clock: ManualClock): Promise<void> {
    const business = sim.business!;
    const app = sim.defaultApp!;
    const customer = sim.createUser({ username: 'app_customer', name: 'App Customer' });
    const oauth2Token = sim.linkOAuth2(app.id, business.id).access_token;
    const link = sim.linkOAuth1(app.id, business.id);
    const clientWith = (auth: 'oauth2' | 'oauth1') =>
        new TwitterXClient({
            credentials: {
                method: auth === 'oauth2' ? AuthMethod.OAuth2 : AuthMethod.Tokens,
                user: async () =>
                    auth === 'oauth2'
                        ? { kind: 'oauth2', accessToken: oauth2Token }
                        : {
                              kind: 'oauth1',
                              appKey: link.appKey,
                              appSecret: link.appSecret,
                              accessToken: link.accessToken,
                              accessSecret: link.accessSecret,
                          },
                refreshAfterRejection: async () => undefined,
                appBearer: async () => app.bearerToken,
            },
            plugins: [createTransportPlugin(nodeSender(sim))],
            now: () => clock.now(),
            sleep: (ms) => clock.advance(ms),
        });
    const client = clientWith('oauth2');
    const tokens = clientWith('oauth1');

    await client.me();
    expect(await client.userByUsername(customer.username)).toMatchObject({ id: customer.id, receivesYourDm: true });
    expect(await tokens.userByUsername('nobody_has_this')).toBeUndefined();
    await sim.sendDm({
        from: customer.id,
        to: business.id,
        text: 'hello https://example.com/x',
        media: { type: 'photo', bytes: TINY_PNG, contentType: 'image/png' },
    });
    await sim.sendDm({ from: customer.id, to: business.id, text: 'second' });
    const page = await client.listDmEvents({ maxResults: 1 });
    if (page.nextToken) await client.listDmEvents({ maxResults: 1, paginationToken: page.nextToken });
    const inbound = sim.conversation(customer.id, business.id)[0];
    await client.getDmEvent(inbound.id);
    const media = inbound.media!;
    const location = {
        dmEventId: inbound.id,
        mediaId: media.mediaId,
        url: media.url,
        resourceId: media.url.split('/').pop(),
    };
    await client.downloadDmMedia(location, 5 * 1024 * 1024);
    await tokens.downloadDmMedia(location, 5 * 1024 * 1024);
    const image = await client.uploadDmMedia(TINY_PNG, 'image/png');
    await client.sendDm(customer.id, 'reply', image);
    await tokens.uploadDmMedia(fakeMp4(3000), 'video/mp4');
    await tokens.sendDm(customer.id, 'text only');

    // Public mentions: the timeline (then only what is newer), a lookup, the post's photo from X's CDN, a reply
    // with a photo (OAuth 1.0a: the linked OAuth 2.0 token here has no tweet.write).
    const mention = await sim.customerMentions(customer.id, business.id, 'my parcel https://example.com/p', {
        media: [{ type: 'photo', bytes: TINY_PNG, contentType: 'image/png' }],
    });
    const timeline = await client.mentions(business.id, { maxResults: 5 });
    expect(timeline.posts.map((post) => post.eventId)).toEqual([mention.post.id]);
    expect((await client.mentions(business.id, { maxResults: 5, sinceId: timeline.newestId })).posts).toEqual([]);
    const found = await client.getPost(business.id, mention.post.id);
    expect(found?.media).toHaveLength(1);
    const postPhoto = { dmEventId: mention.post.id, mediaId: found!.media[0].mediaId, url: found!.media[0].url };
    expect(await client.downloadDmMedia({ ...postPhoto, ofPost: true }, 5 * 1024 * 1024)).toEqual({
        ok: true,
        bytes: TINY_PNG,
    });
    const replyPhoto = await tokens.uploadPostMedia(TINY_PNG, 'image/png');
    await tokens.createReply('Sorry about that!', mention.post.id, [replyPhoto]);

    const receiver = await WebhookReceiver.start(app.consumerSecret);
    try {
        const webhook = await client.createWebhook(receiver.url);
        await client.listWebhooks();
        await client.revalidateWebhook(webhook.id);
        const subscription = await client.createActivitySubscription('dm.received', business.id, webhook.id);
        await client.createAppActivitySubscription('oauth.revoke', webhook.id);
        await client.listActivitySubscriptions();
        await client.deleteActivitySubscription(subscription.id);
        await tokens.subscribeAccountActivity(webhook.id);
        await client.listAccountActivitySubscriptions(webhook.id);
        await client.unsubscribeAccountActivity(webhook.id, business.id);
        await client.replayWebhook(webhook.id, clock.now() - 3 * 3_600_000, clock.now() - 2 * 3_600_000);
        // Credits used up: X's 402 (checked against its captured shape).
        sim.setCredits(0);
        await client.me().catch(() => undefined);
        sim.setCredits(undefined);
        await sim.settle();
        await client.deleteWebhook(webhook.id);
    } finally {
        await receiver.close();
    }
}

interface LogCheck {
    failures: string[];
    /** `operationId status` of every answer validated against the spec. */
    validated: Set<string>;
    statuses: Set<number>;
}

/** Checks a session's request log; `appMade`: every request came from the app and must conform. */
function checkLog(validator: SpecValidator, entries: RequestLogEntry[], appMade: boolean): LogCheck {
    const result: LogCheck = { failures: [], validated: new Set(), statuses: new Set() };
    for (const entry of entries) {
        const exemption = EXEMPT_ROUTES.find((route) => route.path.test(entry.path));
        const label = `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ''} → ${entry.status}`;
        if (entry.status === 0) continue; // dropped or hung by an injected fault: no answer
        if (!entry.operationId) {
            if (!exemption) result.failures.push(`${label}: no operation and no exemption`);
            continue;
        }
        const requestProblems = validator.checkRequest(entry);
        if (requestProblems.length > 0 && appMade)
            result.failures.push(`the app sent ${label}, which the spec refuses: ${requestProblems.join('; ')}`);
        if (requestProblems.length > 0 && entry.status < 400)
            result.failures.push(
                `the simulator accepted ${label}, which the spec refuses: ${requestProblems.join('; ')}`,
            );
        if (entry.responseBody === undefined) {
            if (!exemption) result.failures.push(`${label}: non-JSON answer from a non-exempt route`);
            continue;
        }
        const body = entry.responseBody as Json;
        let problems: string[];
        if (GENERIC_PROBLEM_SCHEMA.properties.type.enum.includes(body?.type as string)) {
            problems = validator.isGenericProblem(body)
                ? []
                : (validator.isGenericProblem.errors ?? []).map(
                      (e) => `generic problem: ${e.instancePath} ${e.message}`,
                  );
        } else if (entry.status === 402) {
            problems = validator.isCreditsDepleted(body)
                ? []
                : (validator.isCreditsDepleted.errors ?? []).map(
                      (e) => `credits-depleted problem: ${e.instancePath} ${e.message}`,
                  );
        } else if (Array.isArray(body?.errors) && typeof (body.errors as Json[])[0]?.code === 'number') {
            problems = validator.isV1ErrorList(body)
                ? []
                : (validator.isV1ErrorList.errors ?? []).map((e) => `v1 error list: ${e.instancePath} ${e.message}`);
        } else {
            problems = validator.checkResponse(entry);
            result.validated.add(`${entry.operationId} ${entry.status}`);
        }
        if (problems.length > 0)
            result.failures.push(
                `${label} (${entry.operationId}): ${problems.join('; ')} ${JSON.stringify(entry.responseBody).slice(0, 300)}`,
            );
        result.statuses.add(entry.status);
    }
    return result;
}

describe("OpenAPI conformance (the checked-in subset of X's spec)", () => {
    let validator: SpecValidator;
    beforeAll(() => {
        validator = new SpecValidator();
    });

    test("every request the app's X client makes conforms to the spec, and so does every answer", async () => {
        const clock = new ManualClock();
        const sim = await startXSim({ clock });
        try {
            await appSession(sim, clock);
            const check = checkLog(validator, sim.requests(), true);
            expect(check.failures).toEqual([]);
            expect(check.statuses).toContain(402);
            expect(
                sim
                    .requests()
                    .filter(
                        (r) =>
                            r.operationId === 'createActivitySubscription' &&
                            (r.requestBody as Json)?.event_type === 'oauth.revoke',
                    )
                    .map((r) => r.status),
            ).toEqual([200]);
            const operations = new Set(
                sim
                    .requests()
                    .map((entry) => entry.operationId)
                    .filter(Boolean),
            );
            // Every operation the app's client uses went through the checks.
            for (const id of [
                'getUsersMe',
                'getDirectMessagesEvents',
                'getDirectMessagesEventsById',
                'dmConversationsMediaDownload',
                'initializeMediaUpload',
                'appendMediaUpload',
                'finalizeMediaUpload',
                'getMediaUploadStatus',
                'createDirectMessagesByParticipantId',
                'createWebhooks',
                'getWebhooks',
                'validateWebhooks',
                'createActivitySubscription',
                'getActivitySubscriptions',
                'deleteActivitySubscription',
                'createAccountActivitySubscription',
                'getAccountActivitySubscriptions',
                'deleteAccountActivitySubscription',
                'createWebhookReplayJob',
                'deleteWebhooks',
                'getUsersMentions',
                'getPostsById',
                'createPosts',
            ]) {
                expect(operations).toContain(id);
            }
        } finally {
            await sim.close();
        }
    });

    test('the simulator never accepts what the spec refuses, and every answer of a scripted session conforms', async () => {
        const clock = new ManualClock();
        const sim = await startXSim({ clock });
        try {
            await scriptedSession(sim, clock);
            const check = checkLog(validator, sim.requests(), false);
            expect(check.failures).toEqual([]);
            for (const status of [200, 201, 400, 401, 403, 404, 429, 503]) expect(check.statuses).toContain(status);
            const operations = new Set([...check.validated].map((key) => key.split(' ')[0]));
            expect([...operations].sort()).toEqual(simulatorOperationIds());
        } finally {
            await sim.close();
        }
    });

    test("unknown fields, expansions and query parameters get X's invalid-request answer; the app's query is accepted", async () => {
        const clock = new ManualClock();
        const sim = await startXSim({ clock });
        try {
            const business = sim.business!;
            const customer = sim.createUser({ username: 'enum_customer' });
            await sim.sendDm({ from: customer.id, to: business.id, text: 'hi' });
            const client = oauth2Client(sim, business.id);
            const refusal = async (path: string, query: Record<string, string>) => {
                const error = await client.v2.get(path, query).then(
                    () => undefined,
                    (e: { code?: number; data?: Json }) => e,
                );
                expect(error?.code).toBe(400);
                return error!.data as {
                    errors: Array<{ message: string; parameters: Record<string, string[]> }>;
                    title: string;
                    type: string;
                };
            };
            const dmFields = await refusal('dm_events', { 'dm_event.fields': 'id,sender_id' });
            expect(dmFields.errors[0]).toEqual({
                message:
                    'The `dm_event.fields` query parameter value [sender_id] is not one of [attachments,created_at,dm_conversation_id,entities,event_type,id,text]',
                parameters: { 'dm_event.fields': ['sender_id'] },
            });
            expect(dmFields).toMatchObject({
                title: 'Invalid Request',
                type: 'https://api.x.com/2/problems/invalid-request',
            });
            expect((await refusal('dm_events', { expansions: 'referenced_tweets.id' })).errors[0].parameters).toEqual({
                expansions: ['referenced_tweets.id'],
            });
            expect((await refusal('users/me', { 'user.fields': 'id,pinned_tweet_id' })).errors[0].parameters).toEqual({
                'user.fields': ['pinned_tweet_id'],
            });
            expect((await refusal('dm_events', { 'media.fields': 'url,bogus' })).errors[0].parameters).toEqual({
                'media.fields': ['bogus'],
            });
            expect((await refusal('users/me', { 'tweet.fields': 'id' })).errors[0].message).toBe(
                'The query parameter [tweet.fields] is not one of [user.fields,expansions,post.fields]',
            );
            expect((await refusal('dm_events', { since_id: '1' })).errors[0].message).toMatch(
                /^The query parameter \[since_id\] is not one of \[max_results,pagination_token,event_types,/,
            );
            expect((await refusal('dm_events', { 'dm_event.fields': '' })).errors[0].message).toBe(
                'The dm_event.fields query parameter can not be empty',
            );

            // What the app asks for is accepted, and the sender still arrives (through the sender_id expansion).
            const page = await client.v2.get<{ data: Array<{ sender_id?: string }> }>('dm_events', {
                ...DM_EVENT_QUERY,
                event_types: 'MessageCreate',
                max_results: 5,
            });
            expect(page.data[0].sender_id).toBe(customer.id);
            const check = checkLog(validator, sim.requests(), false);
            expect(check.failures).toEqual([]);
            expect(sim.requests().filter((entry) => entry.status === 400)).toHaveLength(7);
        } finally {
            await sim.close();
        }
    });

    test("the checked-in subset covers every simulator operation, and is what spec:extract writes from X's spec", () => {
        const subset = JSON.parse(fs.readFileSync(SUBSET_PATH, 'utf8'));
        expect(subset['x-extracted'].operations).toEqual(simulatorOperationIds());
        expect(subset['x-extracted'].specVersion).toBe(subset.info.version);
        expect(subset['x-extracted'].sha256).toMatch(/^[0-9a-f]{64}$/);
        for (const id of simulatorOperationIds()) expect(specOperation(id)).toBeDefined();
        // Self-contained: every reference (and discriminator mapping) resolves inside the subset.
        const refs: string[] = [];
        const walk = (node: unknown): void => {
            if (Array.isArray(node)) node.forEach(walk);
            else if (node && typeof node === 'object') {
                for (const [key, value] of Object.entries(node as Json)) {
                    if (key === '$ref' && typeof value === 'string') refs.push(value);
                    if (key === 'mapping' && value && typeof value === 'object')
                        refs.push(...(Object.values(value as Json) as string[]));
                    walk(value);
                }
            }
        };
        walk(subset);
        expect(refs.length).toBeGreaterThan(100);
        const unresolved = refs.filter(
            (ref) =>
                ref
                    .slice(2)
                    .split('/')
                    .reduce<unknown>(
                        (at, key) => (at as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
                        subset,
                    ) === undefined,
        );
        expect(unresolved).toEqual([]);
        // Beside a checkout that has X's full spec, the subset must be what the script writes from it today.
        if (fs.existsSync(FULL_SPEC_PATH))
            expect(subsetText(extractFromFile(FULL_SPEC_PATH))).toBe(fs.readFileSync(SUBSET_PATH, 'utf8'));
    });
});
