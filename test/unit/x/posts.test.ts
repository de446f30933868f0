import fc from 'fast-check';
import type { InboundPost, NormalizeResult } from '../../../src/x/event-types';
import { XFailure } from '../../../src/x/client-types';
import { withPostRefusal } from '../../../src/x/errors';
import { normalizeAaa, normalizeWebhookBody, normalizeXaa } from '../../../src/x/events/envelopes';
import { normalizePostsPage } from '../../../src/x/events/posts-v2';
import { classifyMediaUrl } from '../../../src/x/media-hosts';
import { POST_MAX_WEIGHTED_LENGTH, postWeightedLength } from '../../../src/x/post-length';
import { fixture } from '../helpers/x-fixtures';

const BUSINESS = '2244994945';
const CUSTOMER = '1205290247124217856';

function onlyPost(result: NormalizeResult): InboundPost {
    expect(result.ignored).toEqual([]);
    expect(result.events).toEqual([]);
    expect(result.posts).toHaveLength(1);
    return result.posts![0];
}

/** A v1.1 Tweet as AAA's `tweet_create_events` carry it (docs: x-api/account-activity; research/x-api.md §4). */
function tweet(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        created_at: 'Sat May 10 10:41:07 +0000 2025',
        // JSON.parse rounds X's numeric ids as a receiver's parser does; the `_str` twins are exact.
        id: JSON.parse('1921371587434487963') as number,
        id_str: '1921371587434487963',
        text: '@AcmeSupport my parcel is late',
        truncated: false,
        in_reply_to_status_id: null,
        in_reply_to_status_id_str: null,
        in_reply_to_user_id: 2244994945,
        in_reply_to_user_id_str: BUSINESS,
        in_reply_to_screen_name: 'AcmeSupport',
        user: { id: JSON.parse(CUSTOMER) as number, id_str: CUSTOMER, name: 'Dana Rivera', screen_name: 'danarivera' },
        is_quote_status: false,
        entities: {
            hashtags: [],
            urls: [],
            user_mentions: [{ screen_name: 'AcmeSupport', id: 2244994945, id_str: BUSINESS, indices: [0, 12] }],
            symbols: [],
        },
        timestamp_ms: '1746873667000',
        ...overrides,
    };
}

const aaa = (...tweets: unknown[]) => ({ for_user_id: BUSINESS, user_has_blocked: false, tweet_create_events: tweets });

/** A v2 Post as `GET /2/users/:id/mentions` answers it (the spec's Post; the docs' timeline sample). */
function v2Post(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        id: '1301573587187331074',
        text: 'Hey @AcmeSupport, love the new API!',
        author_id: CUSTOMER,
        created_at: '2024-01-15T10:30:00.000Z',
        conversation_id: '1301573587187331074',
        entities: { mentions: [{ start: 4, end: 16, username: 'AcmeSupport', id: BUSINESS }] },
        ...overrides,
    };
}

describe('public posts: XAA post.mention.create (docs: x-api/activity/event-payloads.mdx)', () => {
    it("reads X's sample delivery as one mention with the author's profile", () => {
        const post = onlyPost(normalizeWebhookBody(fixture('xaa-post-mention.json')));
        expect(post).toEqual({
            kind: 'post',
            eventId: '2080765813578191303',
            accountId: BUSINESS,
            authorId: CUSTOMER,
            authorUsername: 'danarivera',
            authorName: 'Dana Rivera 🌿',
            text: 'hey @AcmeSupport',
            urls: [],
            createdAt: Date.parse('2026-07-24T21:23:23.000Z'),
            conversationId: '2080765813578191303',
            media: [],
            isRetweet: false,
            isQuote: false,
            mentionsAccount: true,
            byAccount: false,
            source: 'xaa',
            users: expect.objectContaining({ [CUSTOMER]: expect.objectContaining({ username: 'danarivera' }) }),
        });
    });

    it('reads a long post from note_tweet, and a reply and a quote with their one-line context', () => {
        const body = (payload: Record<string, unknown>, includes: Record<string, unknown> = {}) => ({
            data: {
                event_type: 'post.mention.create',
                filter: { user_id: BUSINESS },
                payload,
                includes: { users: [{ id: CUSTOMER, username: 'danarivera', name: 'Dana' }], ...includes },
            },
        });
        const long = 'x'.repeat(400);
        expect(
            onlyPost(normalizeXaa(body(v2Post({ text: 'x'.repeat(270) + '…', note_tweet: { text: long } })))).text,
        ).toBe(long);
        const reply = onlyPost(
            normalizeXaa(
                body(
                    v2Post({
                        conversation_id: '100',
                        in_reply_to_user_id: BUSINESS,
                        referenced_tweets: [{ type: 'replied_to', id: '101' }],
                    }),
                    { tweets: [{ id: '101', author_id: BUSINESS, text: 'How can we help?' }] },
                ),
            ),
        );
        expect(reply).toMatchObject({
            conversationId: '100',
            inReplyToPostId: '101',
            inReplyToUserId: BUSINESS,
            context: { relation: 'replied-to', postId: '101', authorId: BUSINESS, text: 'How can we help?' },
        });
        const quote = onlyPost(
            normalizeXaa(
                body(v2Post({ referenced_posts: [{ type: 'quoted', id: '55' }] }), {
                    posts: [{ id: '55', author_id: CUSTOMER, text: 'q' }],
                }),
            ),
        );
        expect(quote).toMatchObject({
            isQuote: true,
            context: { relation: 'quoted', postId: '55', authorUsername: 'danarivera' },
        });
    });

    it("reads post.create of the account's own post as byAccount, and of another's not at all", () => {
        const own = normalizeXaa({
            data: {
                event_type: 'post.create',
                filter: { user_id: BUSINESS },
                payload: v2Post({ author_id: BUSINESS, text: '@danarivera on its way', entities: {} }),
            },
        });
        expect(onlyPost(own)).toMatchObject({ byAccount: true, mentionsAccount: false });
        const stranger = normalizeXaa({
            data: {
                event_type: 'post.create',
                filter: { user_id: BUSINESS },
                payload: v2Post({ text: 'lunch', entities: {} }),
            },
        });
        expect(stranger.posts).toBeUndefined();
        expect(stranger.ignored).toEqual([{ reason: 'not-a-mention', detail: 'post 1301573587187331074' }]);
    });

    it('other post.* events stay ignored as not DMs', () => {
        expect(
            normalizeXaa({ data: { event_type: 'post.delete', filter: { user_id: BUSINESS }, payload: {} } }),
        ).toEqual({
            events: [],
            ignored: [{ reason: 'not-a-dm', detail: 'post.delete' }],
        });
    });
});

describe('public posts: AAA tweet_create_events (v1.1 Tweets)', () => {
    it('reads a mention with its author; conversationId is the post itself when it answers none', () => {
        expect(onlyPost(normalizeAaa(aaa(tweet())))).toMatchObject({
            eventId: '1921371587434487963',
            authorId: CUSTOMER,
            authorUsername: 'danarivera',
            conversationId: '1921371587434487963',
            inReplyToUserId: BUSINESS,
            createdAt: 1746873667000,
            source: 'aaa',
            mentionsAccount: true,
            authorBlocked: false,
        });
    });

    it('reads a truncated post from extended_tweet (full text, entities, media)', () => {
        const full = `@AcmeSupport ${'word '.repeat(50)}https://t.co/abc https://t.co/pic`;
        const post = onlyPost(
            normalizeAaa(
                aaa(
                    tweet({
                        text: `${full.slice(0, 137)}…`,
                        truncated: true,
                        entities: { urls: [], user_mentions: [] },
                        extended_tweet: {
                            full_text: full,
                            entities: {
                                user_mentions: [{ id_str: BUSINESS, screen_name: 'AcmeSupport' }],
                                urls: [{ url: 'https://t.co/abc', expanded_url: 'https://example.com/order/42' }],
                            },
                            extended_entities: {
                                media: [
                                    {
                                        id_str: '77',
                                        type: 'photo',
                                        url: 'https://t.co/pic',
                                        media_url_https: 'https://pbs.twimg.com/media/Abc.jpg',
                                    },
                                ],
                            },
                        },
                    }),
                ),
            ),
        );
        expect(post.text).toBe(full);
        expect(post.urls).toEqual([{ url: 'https://t.co/abc', expandedUrl: 'https://example.com/order/42' }]);
        expect(post.media).toEqual([
            {
                mediaId: '77',
                kind: 'photo',
                url: 'https://pbs.twimg.com/media/Abc.jpg',
                tcoUrl: 'https://t.co/pic',
                dmEventId: '1921371587434487963',
            },
        ]);
    });

    it("flags reposts, quotes (with context), the account's own posts, and a blocked author", () => {
        const own = { user: { id_str: BUSINESS, screen_name: 'AcmeSupport' }, id_str: '9', text: 'We are open' };
        const posts = normalizeAaa({
            for_user_id: BUSINESS,
            user_has_blocked: true,
            tweet_create_events: [
                tweet({ id_str: '1', text: 'RT @AcmeSupport: We are open', retweeted_status: own }),
                tweet({
                    id_str: '2',
                    text: 'really?',
                    entities: {},
                    in_reply_to_user_id_str: null,
                    is_quote_status: true,
                    quoted_status: own,
                }),
                tweet({ id_str: '3', user: { id_str: BUSINESS, screen_name: 'AcmeSupport' }, entities: {} }),
            ],
        }).posts!;
        expect(
            posts.map((p) => [p.eventId, p.isRetweet, p.isQuote, p.byAccount, p.mentionsAccount, p.authorBlocked]),
        ).toEqual([
            ['1', true, false, false, true, true],
            ['2', false, true, false, true, true],
            ['3', false, false, true, true, undefined],
        ]);
        expect(posts[1].context).toEqual({
            relation: 'quoted',
            postId: '9',
            authorId: BUSINESS,
            authorUsername: 'AcmeSupport',
            text: 'We are open',
        });
    });

    it('leaves out posts that neither come from nor concern the account, with a reason', () => {
        const result = normalizeAaa(
            aaa(tweet({ in_reply_to_user_id_str: null, in_reply_to_user_id: null, entities: {} })),
        );
        expect(result.posts).toBeUndefined();
        expect(result.ignored).toEqual([{ reason: 'not-a-mention', detail: 'tweet 1921371587434487963' }]);
    });
});

describe('public posts: the mentions timeline (GET /2/users/:id/mentions)', () => {
    it('reads a page oldest first, media from includes, and X partial errors as reasons', () => {
        const page = {
            data: [
                v2Post({
                    id: '20',
                    created_at: '2024-01-15T10:31:00.000Z',
                    attachments: { media_keys: ['3_5', '3_6'] },
                }),
                v2Post({ id: '19' }),
            ],
            includes: {
                users: [{ id: CUSTOMER, username: 'danarivera', name: 'Dana' }],
                media: [
                    { media_key: '3_5', type: 'photo', url: 'https://pbs.twimg.com/media/A.jpg' },
                    { media_key: '3_6', type: 'photo', url: 'https://pbs.twimg.com/media/B.jpg' },
                ],
            },
            errors: [{ detail: 'Could not find tweet with referenced_tweets.id: [1].', title: 'Not Found Error' }],
            meta: { newest_id: '20', oldest_id: '19', result_count: 2 },
        };
        const result = normalizePostsPage(page, BUSINESS, 'poll');
        expect(result.posts.map((p) => p.eventId)).toEqual(['19', '20']);
        expect(result.posts[1].media.map((m) => [m.mediaId, m.url])).toEqual([
            ['5', 'https://pbs.twimg.com/media/A.jpg'],
            ['6', 'https://pbs.twimg.com/media/B.jpg'],
        ]);
        expect(result.ignored).toEqual([
            { reason: 'api-error', detail: 'Could not find tweet with referenced_tweets.id: [1].' },
        ]);
        // A media key X did not include costs that attachment only.
        const partial = normalizePostsPage(
            { data: [v2Post({ attachments: { media_keys: ['3_9'] } })] },
            BUSINESS,
            'poll',
        );
        expect(partial.posts[0].media).toEqual([]);
        expect(partial.ignored.map((i) => i.reason)).toEqual(['media-unavailable']);
    });
});

describe('hostile post payloads', () => {
    const postReasons = new Set([
        'not-an-object',
        'missing-field',
        'precision-lost',
        'empty-message',
        'unsupported-media',
        'media-unavailable',
        'not-a-mention',
        'api-error',
        'unknown-envelope',
        'unknown-event-type',
        'not-a-dm',
    ]);
    const ID = /^\d{1,20}$/;
    const wellFormed = (result: NormalizeResult) => {
        for (const post of result.posts ?? []) {
            for (const id of [post.eventId, post.accountId, post.authorId]) expect(id).toMatch(ID);
            expect(Number.isFinite(post.createdAt)).toBe(true);
            expect(typeof post.text).toBe('string');
            expect(post.byAccount || post.mentionsAccount).toBe(true);
            for (const media of post.media) expect(media.mediaId.length).toBeGreaterThan(0);
        }
        for (const item of result.ignored) expect(postReasons).toContain(item.reason);
    };
    const anything = fc.anything({ withNullPrototype: true, withObjectString: true, maxDepth: 3 });
    const field = (base: Record<string, unknown>) =>
        fc
            .record({
                key: fc.constantFrom(...Object.keys(base), '__proto__', 'note_tweet', 'referenced_tweets'),
                value: anything,
            })
            .map(({ key, value }) => ({ ...base, [key]: value }));

    it('never throw, and everything they yield is well formed or has a reason', () => {
        fc.assert(
            fc.property(field(v2Post()), field(tweet()), anything, (post, v1, junk) => {
                wellFormed(
                    normalizeXaa({
                        data: {
                            event_type: 'post.mention.create',
                            filter: { user_id: BUSINESS },
                            payload: post,
                            includes: junk,
                        },
                    }),
                );
                wellFormed(normalizeAaa(aaa(v1, junk)));
                wellFormed(normalizePostsPage({ data: [post, junk], includes: junk }, BUSINESS, 'poll'));
                wellFormed(normalizeAaa({ for_user_id: BUSINESS, tweet_create_events: junk }));
            }),
            { seed: 19, numRuns: 400 },
        );
    });
});

describe("X's counting of a post's length (twitter-text config v3)", () => {
    it.each([
        ['plain Latin', 'hello', 5],
        ['CJK weighs 2', '日本語', 6],
        ['an emoji sequence weighs 2 once', '👨‍👩‍👧 👍🏽', 5],
        ['a link weighs 23 whatever its length', `see https://example.com/${'a'.repeat(80)}`, 4 + 23],
        ['trailing punctuation is not part of the link', '(https://x.com).', 26],
        ['NFC: a decomposed é counts once', 'cafe\u0301', 4],
        ['a bare domain counts at least 23 and never less than its text', 'acme.example.org', 23],
    ])('%s', (_, text, weight) => {
        expect(postWeightedLength(text)).toBe(weight);
    });

    it('puts the limit where X does', () => {
        expect(POST_MAX_WEIGHTED_LENGTH).toBe(280);
        expect(postWeightedLength('a'.repeat(280))).toBe(280);
        expect(postWeightedLength('界'.repeat(141))).toBe(282);
    });

    it('cannot be stalled by a long hostile text (a ReDoS bound, not a speed test)', () => {
        const started = process.hrtime.bigint();
        postWeightedLength('a.'.repeat(20_000) + 'https://'.repeat(5_000));
        expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2_000);
    });
});

describe("X's refusals of a public reply", () => {
    it.each([
        [
            'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.',
            'reply-not-allowed',
        ],
        ['You are not allowed to create a Tweet with duplicate content.', 'duplicate-content'],
        ['You attempted to reply to a Tweet that is deleted or not visible to you.', 'post-unavailable'],
        ['Tweet needs to be a bit shorter.', 'too-long'],
        ['Forbidden', undefined],
    ])('%s', (detail, refusal) => {
        const typed = withPostRefusal(new XFailure('forbidden', 403, undefined, detail));
        expect(typed.refusal).toBe(refusal);
        expect(typed.kind).toBe('forbidden');
    });
});

describe("public posts' media locations", () => {
    it.each([
        ['https://pbs.twimg.com/media/FxYz_12-a.jpg', true],
        ['https://video.twimg.com/ext_tw_video/1/pu/vid/avc1/1280x720/a.mp4?tag=12', true],
        ['https://video.twimg.com/amplify_video/1/vid/a.mp4', true],
        ['https://video.twimg.com/tweet_video/AbC.mp4', true],
        ['https://pbs.twimg.com/media/a.jpg?name=orig', false],
        ['https://pbs.twimg.com/profile_images/1/a.jpg', false],
        ['https://ton.twitter.com/1.1/ton/data/dm/1/2/a.jpg', false],
        ['http://pbs.twimg.com/media/a.jpg', false],
    ])('%s: %s, never with credentials', (url, allowed) => {
        const source = classifyMediaUrl(url, true);
        expect(source === undefined ? false : source.kind === 'video-cdn').toBe(allowed);
    });

    it("does not take a post's CDN for a DM's", () => {
        expect(classifyMediaUrl('https://pbs.twimg.com/media/a.jpg')).toBeUndefined();
    });
});
