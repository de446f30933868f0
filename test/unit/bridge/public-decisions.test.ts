import { classifyPost, contextSnippet, planPublicReply, postUrl } from '../../../src/bridge/public-decisions';
import { classifyAgentMessage, classifyRoom, classifyThreadRoom } from '../../../src/bridge/outbound-filter';
import { PublicLongReplies, PublicMentions, PublicReposts } from '../../../src/settings/ids';
import type { InboundPost } from '../../../src/x/event-types';
import {
    isOurThreadVisitorToken,
    isOurVisitorToken,
    parseThreadVisitorToken,
    parseVisitorToken,
    threadVisitorToken,
    threadVisitorUsername,
    visitorToken,
    visitorUsername,
} from '../../../src/x/ids';
import { POST_MAX_WEIGHTED_LENGTH, postWeightedLength } from '../../../src/x/post-length';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';

const ACCOUNT = '1600000000000000001';
const CUSTOMER = '2000000000000000002';
const THREAD = '3000000000000000003';
const KEY = 'install-key';
const SIBLING = '1600000000000000009';
const LINKED: ReadonlySet<string> = new Set([ACCOUNT, SIBLING]);

function post(overrides: Partial<InboundPost> = {}): InboundPost {
    return {
        kind: 'post',
        eventId: '4000000000000000004',
        accountId: ACCOUNT,
        authorId: CUSTOMER,
        text: '@acme hello',
        urls: [],
        createdAt: 1_800_000_000_000,
        conversationId: THREAD,
        media: [],
        isRetweet: false,
        isQuote: false,
        mentionsAccount: true,
        byAccount: false,
        source: 'xaa',
        users: {},
        ...overrides,
    };
}

const on = { publicMentions: PublicMentions.On, publicReposts: PublicReposts.Quotes };

describe('which public posts become conversations', () => {
    it('none at all while Public mentions is off', () => {
        expect(classifyPost(post(), ACCOUNT, { ...on, publicMentions: PublicMentions.Off }, LINKED)).toEqual({
            kind: 'skip',
            reason: 'mentions-off',
        });
        expect(
            classifyPost(post({ byAccount: true }), ACCOUNT, { ...on, publicMentions: PublicMentions.Off }, LINKED),
        ).toEqual({ kind: 'skip', reason: 'mentions-off' });
    });

    it("a customer's mention; never the business's own posts, however they are marked", () => {
        expect(classifyPost(post(), ACCOUNT, on, LINKED)).toEqual({ kind: 'customer' });
        expect(classifyPost(post({ byAccount: true }), ACCOUNT, on, LINKED)).toEqual({ kind: 'business' });
        expect(classifyPost(post({ authorId: ACCOUNT }), ACCOUNT, on, LINKED)).toEqual({ kind: 'business' });
        expect(classifyPost(post({ accountId: '9' }), ACCOUNT, on, LINKED)).toEqual({
            kind: 'skip',
            reason: 'other-account',
        });
        expect(classifyPost(post({ mentionsAccount: false }), ACCOUNT, on, LINKED)).toEqual({
            kind: 'skip',
            reason: 'not-a-mention',
        });
    });

    it("another linked account's post is never a customer's conversation (issue 17)", () => {
        // Its reply in this account's thread, or its own mention of this account.
        expect(classifyPost(post({ authorId: SIBLING }), ACCOUNT, on, LINKED)).toEqual({
            kind: 'skip',
            reason: 'linked-account',
        });
        expect(classifyPost(post({ authorId: SIBLING }), ACCOUNT, on, new Set([ACCOUNT]))).toEqual({
            kind: 'customer',
        });
    });

    it.each([
        [PublicReposts.None, { kind: 'skip', reason: 'repost' }, { kind: 'skip', reason: 'quote' }],
        [PublicReposts.Quotes, { kind: 'skip', reason: 'repost' }, { kind: 'customer' }],
        [PublicReposts.All, { kind: 'customer' }, { kind: 'customer' }],
    ])('reposts and quotes as the admin chose (%s)', (publicReposts, repost, quote) => {
        const settings = { ...on, publicReposts };
        expect(classifyPost(post({ isRetweet: true, mentionsAccount: false }), ACCOUNT, settings, LINKED)).toEqual(
            repost,
        );
        expect(classifyPost(post({ isQuote: true }), ACCOUNT, settings, LINKED)).toEqual(quote);
    });
});

describe("an agent's public answer and X's 280 weighted characters", () => {
    it('one reply when it fits; nothing for an empty answer', () => {
        expect(planPublicReply('  Thanks!  ', PublicLongReplies.Thread)).toEqual({ ok: true, parts: ['Thanks!'] });
        expect(planPublicReply('   ', PublicLongReplies.Thread)).toEqual({ ok: false, reason: 'empty' });
        const exact = 'a'.repeat(POST_MAX_WEIGHTED_LENGTH);
        expect(planPublicReply(exact, PublicLongReplies.Refuse)).toEqual({ ok: true, parts: [exact] });
    });

    it('refused with its weighted length when the admin chose so (emoji weigh 2, links 23)', () => {
        const text = `${'😀'.repeat(139)} https://example.com/a/very/long/path`;
        expect(postWeightedLength(text)).toBe(139 * 2 + 1 + 23);
        expect(planPublicReply(text, PublicLongReplies.Refuse)).toEqual({ ok: false, reason: 'too-long', length: 302 });
    });

    it('split at word boundaries into parts that each fit, losing no word', () => {
        const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
        const plan = planPublicReply(words.join(' '), PublicLongReplies.Thread);
        if (!plan.ok) throw new Error('refused');
        expect(plan.parts.length).toBeGreaterThan(1);
        for (const part of plan.parts) expect(postWeightedLength(part)).toBeLessThanOrEqual(POST_MAX_WEIGHTED_LENGTH);
        expect(plan.parts.join(' ').split(' ')).toEqual(words);
    });

    it('cuts a single word longer than a post by code points, never splitting an emoji', () => {
        const plan = planPublicReply('😀'.repeat(300), PublicLongReplies.Thread);
        if (!plan.ok) throw new Error('refused');
        expect(plan.parts.map((p) => [...p].length)).toEqual([140, 140, 20]);
        expect(plan.parts.join('')).toBe('😀'.repeat(300));
    });

    it('takes time linear in the text (a 20,000-character answer)', () => {
        const started = Date.now();
        const plan = planPublicReply('word '.repeat(4000), PublicLongReplies.Thread);
        expect(plan.ok && plan.parts.length).toBeGreaterThan(60);
        // A hard bound against quadratic work (seconds), not a timing assertion about speed.
        expect(Date.now() - started).toBeLessThan(2000);
    });
});

describe('the context line and links', () => {
    it("one line, X's reply @handles left out, cut with an ellipsis", () => {
        expect(contextSnippet('@acme @bob  Thanks\nfor the help')).toBe('Thanks for the help');
        const long = contextSnippet('x'.repeat(500));
        expect([...long].length).toBe(140);
        expect(long.endsWith('…')).toBe(true);
        expect(contextSnippet(undefined)).toBe('');
    });

    it("a post's address, with a handle that cannot change the path", () => {
        expect(postUrl('pia', '123')).toBe('https://x.com/pia/status/123');
        expect(postUrl(undefined, '123')).toBe('https://x.com/i/status/123');
        expect(postUrl('../evil', '1')).toBe('https://x.com/..%2Fevil/status/1');
    });
});

describe("a public thread's visitor token", () => {
    const token = threadVisitorToken(KEY, ACCOUNT, CUSTOMER, THREAD);

    it('names the account, customer and thread, and is checked by its MAC', () => {
        expect(parseThreadVisitorToken(token)).toEqual({ accountId: ACCOUNT, customerId: CUSTOMER, threadId: THREAD });
        expect(isOurThreadVisitorToken(KEY, token)).toBe(true);
        expect(isOurThreadVisitorToken('another-key', token)).toBe(false);
        const forged = token.replace(THREAD, '3000000000000000004');
        expect(isOurThreadVisitorToken(KEY, forged)).toBe(false);
        expect(threadVisitorUsername(CUSTOMER, THREAD)).not.toBe(visitorUsername(CUSTOMER));
    });

    it('is never taken for a DM token, nor a DM token for it', () => {
        const dm = visitorToken(KEY, ACCOUNT, CUSTOMER);
        expect(parseVisitorToken(token)).toBeUndefined();
        expect(isOurVisitorToken(KEY, token)).toBe(false);
        expect(parseThreadVisitorToken(dm)).toBeUndefined();
        expect(isOurThreadVisitorToken(KEY, dm)).toBe(false);
    });

    it('makes its room a public room to the outbound filter, never a DM room', () => {
        const room = { id: 'r1', type: 'l', isOpen: true, visitor: { token }, source: { type: 'app', id: 'app' } };
        expect(classifyRoom(room as never, 'app')).toEqual({ ours: false, reason: 'not-our-room' });
        expect(classifyThreadRoom(room as never, 'app')).toEqual({
            ours: true,
            open: true,
            ref: { accountId: ACCOUNT, customerId: CUSTOMER, threadId: THREAD, roomId: 'r1', visitorToken: token },
        });
        const message = {
            room,
            text: 'hi',
            sender: { id: 'u1', username: 'agent', type: 'user' },
        } as unknown as IMessage;
        expect(classifyAgentMessage(message, 'app')).toMatchObject({ act: false, reason: 'not-our-room' });
        expect(classifyAgentMessage(message, 'app', classifyThreadRoom)).toMatchObject({ act: true });
    });
});
