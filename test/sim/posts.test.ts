import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ManualClock, startXSim, type XSim, type XUser } from '../../tools/x-sim';
import { specDocument } from '../../tools/x-sim/openapi/spec';
import { nodeSender } from '../../tools/x-sim/node-sender';
import { AuthMethod } from '../../src/settings/ids';
import { TwitterXClient } from '../../src/x/client';
import { XFailure } from '../../src/x/client-types';
import type { InboundPost } from '../../src/x/event-types';
import { normalizeWebhookBody } from '../../src/x/events/envelopes';
import { createTransportPlugin } from '../../src/x/transport';
import { appOnlyClient, oauth2Client } from './helpers/clients';
import { rejection } from './helpers/errors';
import { fakeMp4, TINY_PNG } from './helpers/media';
import type { WebhookReceiver } from './helpers/receiver';
import { registeredReceiver, subscribeAccountActivity, subscribeActivity } from './helpers/webhooks';

type Json = Record<string, any>;

/**
 * Public posts in the simulator, read back through the app's own X client and parsers: what X delivers for a
 * mention (XAA and AAA), the mentions timeline, and X's answers to public replies.
 */
describe('public posts', () => {
    let sim: XSim;
    let clock: ManualClock;
    let business: XUser;
    let customer: XUser;
    let receiver: WebhookReceiver;
    let webhookId: string;

    /** The app's client as the business, with OAuth 2.0 scopes that allow posting. */
    const appClient = (reads: number[] = [], creates: boolean[] = []) =>
        new TwitterXClient({
            credentials: {
                method: AuthMethod.OAuth2,
                user: async () => ({
                    kind: 'oauth2',
                    accessToken: sim.linkOAuth2(sim.defaultApp!.id, business.id, [
                        'tweet.read',
                        'tweet.write',
                        'users.read',
                        'media.write',
                    ]).access_token,
                }),
                refreshAfterRejection: async () => undefined,
                appBearer: async () => sim.defaultApp!.bearerToken,
            },
            plugins: [createTransportPlugin(nodeSender(sim))],
            now: () => clock.now(),
            sleep: (ms) => clock.advance(ms),
            onPostsRead: (count) => void reads.push(count),
            onContentCreated: (withUrl) => void creates.push(withUrl),
        });

    /** The posts the app reads from every delivery received so far. */
    const receivedPosts = (): InboundPost[] =>
        receiver.deliveries.flatMap((delivery) => normalizeWebhookBody(delivery.json).posts ?? []);

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
        business = sim.business!;
        customer = sim.createUser({ username: 'dana', name: 'Dana Rivera' });
        ({ receiver, webhookId } = await registeredReceiver(sim));
    });
    afterEach(async () => {
        await sim.close();
        await receiver.close();
    });

    test('a mention reaches post.mention.create subscribers in the XAA shape, billed once per post', async () => {
        await subscribeActivity(sim, webhookId, business.id, 'post.mention.create', 'mentions');
        sim.faults.once({ delivery: { duplicate: 2 } });
        const { post } = await sim.customerMentions(
            customer.id,
            business.id,
            'my parcel is late https://example.com/t/1',
            {
                media: [
                    { type: 'photo', bytes: TINY_PNG, contentType: 'image/png' },
                    { type: 'photo', bytes: TINY_PNG, contentType: 'image/png' },
                ],
            },
        );
        expect(post.text.startsWith('@AcmeSupport my parcel is late https://t.co/')).toBe(true);
        expect(receiver.deliveries.length).toBeGreaterThanOrEqual(2);
        expect(new Set(receiver.deliveries.map((d) => d.rawBody.toString()))).toEqual(
            new Set([receiver.deliveries[0].rawBody.toString()]),
        );
        const { data } = receiver.deliveries[0].json as Json;
        expect(data).toMatchObject({
            event_type: 'post.mention.create',
            filter: { user_id: business.id },
            tag: 'mentions',
            payload: {
                id: post.id,
                author_id: customer.id,
                conversation_id: post.id,
                edit_history_tweet_ids: [post.id],
            },
        });
        expect(data.payload.entities.mentions).toEqual([
            { start: 0, end: 12, username: 'AcmeSupport', id: business.id },
        ]);
        expect(data.includes.users.map((u: Json) => u.username).sort()).toEqual(['AcmeSupport', 'dana']);

        // The event's payload is the spec's Post and its `includes` its Expansions (the activity payload mapping).
        const ajv = new Ajv({ strict: false, allErrors: true });
        addFormats(ajv);
        for (const format of ['int32', 'int64', 'double', 'float', 'binary', 'byte']) ajv.addFormat(format, true);
        ajv.addSchema(specDocument(), 'x-spec');
        const isPost = ajv.compile({ $ref: 'x-spec#/components/schemas/Post' });
        const isExpansions = ajv.compile({ $ref: 'x-spec#/components/schemas/Expansions' });
        expect([isPost(data.payload), isPost.errors]).toEqual([true, null]);
        expect([isExpansions(data.includes), isExpansions.errors]).toEqual([true, null]);
        expect(isPost({ ...data.payload, id: 5 })).toBe(false); // the check is not vacuous

        const inbound = receivedPosts()[0];
        expect(inbound).toMatchObject({
            kind: 'post',
            eventId: post.id,
            accountId: business.id,
            authorId: customer.id,
            authorUsername: 'dana',
            source: 'xaa',
            mentionsAccount: true,
            byAccount: false,
            isRetweet: false,
            conversationId: post.id,
        });
        expect(inbound.urls.map((u) => u.expandedUrl)).toContain('https://example.com/t/1');
        expect(inbound.media.map((m) => [m.kind, m.url])).toEqual(post.media.map((m) => ['photo', m.url]));
        expect(inbound.media[0].tcoUrl).toBe(post.urls[post.urls.length - 1].url);

        // The duplicate delivery is not billed again; the business's own posts are not mentions.
        const deliveredBefore = receiver.deliveries.length;
        await sim.postFromApp(business.id, 'Our opening hours changed');
        expect(receiver.deliveries).toHaveLength(deliveredBefore);
        const ledger = sim.ledger({ appId: sim.defaultApp!.id });
        expect(ledger.totals.postEventDeliveries).toBe(1);
        expect(ledger.items.find((i) => i.kind === 'post_event_delivery')).toMatchObject({
            eventId: post.id,
            usd: 0.005,
        });
    });

    test("post.mention.create is private: only the account's own OAuth 2.0 token subscribes, and a revocation ends it", async () => {
        const refused = await rejection(
            appOnlyClient(sim).v2.post('activity/subscriptions', {
                event_type: 'post.mention.create',
                filter: { user_id: business.id },
                webhook_id: webhookId,
            }),
        );
        expect(refused.code).toBe(403);
        await subscribeActivity(sim, webhookId, business.id, 'post.mention.create');
        sim.revokeUserTokens(business.id);
        await sim.settle();
        const before = receiver.deliveries.length;
        await sim.customerMentions(customer.id, business.id, 'anyone there?');
        expect(receiver.deliveries).toHaveLength(before);
        expect(sim.ledger().totals.postEventDeliveries).toBe(0);
    });

    test("post.create brings the business's own replies (typed in X's app) as byAccount posts", async () => {
        await subscribeActivity(sim, webhookId, business.id, 'post.create');
        const { post: mention } = await sim.customerMentions(customer.id, business.id, 'hello?');
        expect(receiver.deliveries).toHaveLength(0);
        const { post: reply } = await sim.postFromApp(business.id, 'Hi Dana, looking into it', {
            inReplyTo: mention.id,
        });
        expect(reply.text).toBe('@dana Hi Dana, looking into it');
        const [inbound] = receivedPosts();
        expect(inbound).toMatchObject({
            eventId: reply.id,
            byAccount: true,
            conversationId: mention.id,
            inReplyToPostId: mention.id,
            inReplyToUserId: customer.id,
            context: { relation: 'replied-to', postId: mention.id, authorId: customer.id, authorUsername: 'dana' },
        });
    });

    test('AAA tweet_create_events: mentions, long posts via extended_tweet, reposts and quotes, user_has_blocked', async () => {
        await subscribeAccountActivity(sim, webhookId, business.id);
        const long = `${'a very long complaint '.repeat(11)}the end`;
        const { post: first } = await sim.customerMentions(customer.id, business.id, long);
        const { post: own } = await sim.postFromApp(business.id, 'We are open on Sunday');
        await sim.customerMentions(customer.id, business.id, '', { retweet: own.id });
        await sim.customerMentions(customer.id, business.id, 'is this true?', { quote: own.id });
        sim.block(business.id, customer.id);
        await sim.customerMentions(customer.id, business.id, 'hello again', {
            media: [{ type: 'video', bytes: fakeMp4(2000), contentType: 'video/mp4' }],
        });

        const bodies = receiver.bodies<Json>();
        expect(bodies.every((b) => b.for_user_id === business.id)).toBe(true);
        expect(bodies[0].tweet_create_events[0]).toMatchObject({ id_str: first.id, truncated: true });
        expect(bodies[0].tweet_create_events[0].extended_tweet.full_text).toBe(first.text);
        expect(bodies[0].user_has_blocked).toBe(false);
        expect(bodies[1].user_has_blocked).toBeUndefined();
        expect(bodies[4].user_has_blocked).toBe(true);

        const posts = receivedPosts();
        expect(posts.map((p) => [p.source, p.byAccount, p.isRetweet, p.isQuote, p.authorBlocked])).toEqual([
            ['aaa', false, false, false, false],
            ['aaa', true, false, false, undefined],
            ['aaa', false, true, false, false],
            ['aaa', false, false, true, false],
            ['aaa', false, false, false, true],
        ]);
        expect(posts[0].text).toBe(first.text);
        expect(posts[3].context).toMatchObject({ relation: 'quoted', postId: own.id, authorUsername: 'AcmeSupport' });
        expect(posts[4].media[0]).toMatchObject({ kind: 'video' });
        expect(posts[4].media[0].variants?.[0].url).toMatch(/^https:\/\/video\.twimg\.com\/ext_tw_video\//);
        // AAA deliveries are free.
        expect(sim.ledger().totals.postEventDeliveries).toBe(0);
    });

    test('the mentions timeline: newest first at X, oldest first to the app, since_id, pages, billed per post', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
            ids.push((await sim.customerMentions(customer.id, business.id, `question ${i}`)).post.id);
            clock.advance(1000);
        }
        await sim.postFromApp(customer.id, 'not about the business');
        const reads: number[] = [];
        const client = appClient(reads);
        const first = await client.mentions(business.id, { maxResults: 5 });
        expect(first.posts.map((p) => p.eventId)).toEqual(ids.slice(2));
        expect(first.posts.every((p) => p.source === 'poll' && p.mentionsAccount)).toBe(true);
        expect(first.newestId).toBe(ids[6]);
        expect(first.resultCount).toBe(5);
        const older = await client.mentions(business.id, { maxResults: 5, paginationToken: first.nextToken });
        expect(older.posts.map((p) => p.eventId)).toEqual(ids.slice(0, 2));
        expect(older.nextToken).toBeUndefined();
        const newer = await client.mentions(business.id, { maxResults: 500, sinceId: ids[5] });
        expect(newer.posts.map((p) => p.eventId)).toEqual([ids[6]]);
        expect(reads).toEqual([5, 2, 1]);
        expect(sim.ledger().totals.postReads).toBe(8);
        // X refuses max_results under 5; the client clamps instead of asking.
        const raw = oauth2Client(sim, business.id);
        expect(
            (await rejection(raw.v2.get('users/:id/mentions', { max_results: 4 }, { params: { id: business.id } })))
                .code,
        ).toBe(400);
        await client.mentions(business.id, { maxResults: 1 });
        expect(sim.requests().at(-1)?.query).toContain('max_results=5');
    });

    test("public replies: posted in the thread, billed as content creates, and X's refusals typed", async () => {
        const creates: boolean[] = [];
        const client = appClient([], creates);
        const { post: mention } = await sim.customerMentions(customer.id, business.id, 'where is my order?');
        const { postId } = await client.createReply('Sorry! It ships today.', mention.id);
        expect(sim.post(postId)).toMatchObject({
            authorId: business.id,
            inReplyToPostId: mention.id,
            conversationId: mention.id,
            text: '@dana Sorry! It ships today.',
            sourceAppId: sim.defaultApp!.id,
        });
        const photo = await client.uploadPostMedia(TINY_PNG, 'image/png');
        await client.createReply('Here is the label https://example.com/label', mention.id, [photo]);
        expect(sim.post(sim.postsBy(business.id).at(-1)!.id)?.media).toHaveLength(1);
        expect(creates).toEqual([false, true]);
        expect(
            sim
                .ledger()
                .items.filter((i) => i.kind.startsWith('content_create'))
                .map((i) => i.usd),
        ).toEqual([0.015, 0.2]);

        const refusal = (promise: Promise<unknown>) =>
            promise.then(
                () => {
                    throw new Error('expected a refusal');
                },
                (e: XFailure) => [e.kind, e.status, e.refusal],
            );
        expect(await refusal(client.createReply('Sorry! It ships today.', mention.id))).toEqual([
            'forbidden',
            403,
            'duplicate-content',
        ]);
        // Too long: refused before any request.
        const before = sim.requests().length;
        expect(await refusal(client.createReply('界'.repeat(141), mention.id))).toEqual([
            'invalid-request',
            0,
            'too-long',
        ]);
        expect(sim.requests()).toHaveLength(before);
        const { post: unrelated } = await sim.postFromApp(customer.id, 'lunch was great');
        expect(await refusal(client.createReply('Glad you liked it', unrelated.id))).toEqual([
            'forbidden',
            403,
            'reply-not-allowed',
        ]);
        const { post: restricted } = await sim.postFromApp(customer.id, 'only my friends may answer', {
            replySettings: 'mentionedUsers',
        });
        expect(await refusal(client.createReply('We can help', restricted.id))).toEqual([
            'forbidden',
            403,
            'reply-not-allowed',
        ]);
        sim.deletePost(mention.id);
        expect(await refusal(client.createReply('Still there?', mention.id))).toEqual([
            'forbidden',
            403,
            'post-unavailable',
        ]);
        expect(await client.getPost(business.id, mention.id)).toBeUndefined();
        // A post that neither comes from nor concerns the account is none of its business.
        expect(await client.getPost(business.id, unrelated.id)).toBeUndefined();
        // Refusals cost nothing.
        expect(sim.ledger().totals.contentCreates).toBe(2);
    });

    test('a thread: the customer answers the business, the app finds the thread root in the lookup', async () => {
        await subscribeActivity(sim, webhookId, business.id, 'post.mention.create');
        const { post: mention } = await sim.customerMentions(customer.id, business.id, 'help');
        const client = appClient();
        const { postId } = await client.createReply('How can we help?', mention.id);
        const { post: answer } = await sim.customerMentions(customer.id, business.id, 'my order 42', {
            inReplyTo: postId,
        });
        expect(answer.text).toBe('@AcmeSupport my order 42');
        const inbound = receivedPosts().at(-1)!;
        expect(inbound).toMatchObject({ eventId: answer.id, conversationId: mention.id, inReplyToPostId: postId });
        expect(await client.getPost(business.id, answer.id)).toMatchObject({
            conversationId: mention.id,
            context: { relation: 'replied-to', postId, authorId: business.id },
        });
    });
});
