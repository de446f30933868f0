import fc from 'fast-check';
import {
    AGENT_TEMPLATE_MAX_LENGTH,
    formatAgentMessage,
    inboundText,
    renderForX,
    splitForDm,
    validateAgentTemplate,
} from '../../../src/bridge/format';
import { DEFAULT_AGENT_TEMPLATE } from '../../../src/settings/ids';
import type { InboundMessage } from '../../../src/x/event-types';
import { normalizeWebhookBody } from '../../../src/x/events/envelopes';
import { fixture } from '../helpers/x-fixtures';

function messageFrom(name: string): InboundMessage {
    const [event] = normalizeWebhookBody(fixture(name)).events;
    if (event?.kind !== 'message') {
        throw new Error(`${name} holds no message`);
    }
    return event;
}

describe('inboundText', () => {
    it('unescapes X entities and expands t.co links of a real message', () => {
        expect(inboundText(messageFrom('xaa-dm-received-text.json'))).toBe(
            'Hi! My order #4411 arrived damaged & the box was open <again> — tracking: https://track.example.com/parcel?id=4411&lang=en 📦',
        );
    });

    it.each([
        ['xaa-dm-received-photo.json', 'Here is the damage'],
        ['aaa-dm-video.json', 'Video of the unboxing, sorry it’s shaky'],
        ['xaa-dm-received-gif.json', ''],
    ])('removes the media link of %s', (name, expected) => {
        expect(inboundText(messageFrom(name))).toBe(expected);
    });

    it('unescapes &amp; last, so an escaped entity stays literal', () => {
        expect(inboundText({ text: 'write &amp;lt;b&amp;gt; for bold &amp;amp; more', urls: [] })).toBe(
            'write &lt;b&gt; for bold &amp; more',
        );
        expect(inboundText({ text: 'a &lt; b &amp;&amp; c &gt; d', urls: [] })).toBe('a < b && c > d');
    });

    it('leaves other entities alone, since X only escapes & < >', () => {
        expect(inboundText({ text: 'it&#39;s &quot;fine&quot;', urls: [] })).toBe('it&#39;s &quot;fine&quot;');
    });

    it('inserts expanded URLs verbatim, not unescaped', () => {
        const urls = [{ url: 'https://t.co/a1', expandedUrl: 'https://e.example/?q=&amp;' }];
        expect(inboundText({ text: 'x &amp; https://t.co/a1', urls })).toBe('x & https://e.example/?q=&amp;');
    });

    it('expands every occurrence and never a link inside a longer one', () => {
        const urls = [
            { url: 'https://t.co/abc', expandedUrl: 'https://short.example' },
            { url: 'https://t.co/abcd', expandedUrl: 'https://long.example' },
        ];
        expect(
            inboundText({ text: 'https://t.co/abc https://t.co/abcd https://t.co/abc https://t.co/abcde', urls }),
        ).toBe('https://short.example https://long.example https://short.example https://t.co/abcde');
    });

    it('closes the gap where a media link sat mid-text', () => {
        const media = {
            mediaId: '1',
            kind: 'photo' as const,
            url: 'https://ton.twitter.com/p.jpg',
            tcoUrl: 'https://t.co/m',
            dmEventId: '2',
        };
        expect(inboundText({ text: 'before https://t.co/m after', urls: [], media })).toBe('before after');
        expect(inboundText({ text: 'https://t.co/m\nafter', urls: [], media })).toBe('after');
    });

    it('expands the media page link when the media could not be kept', () => {
        const urls = [{ url: 'https://t.co/m', expandedUrl: 'https://twitter.com/messages/media/2' }];
        expect(inboundText({ text: ' https://t.co/m', urls })).toBe('https://twitter.com/messages/media/2');
    });

    it('trims the ends and keeps inner whitespace', () => {
        expect(inboundText({ text: '  line one\n\nline two  ', urls: [] })).toBe('line one\n\nline two');
    });
});

describe('validateAgentTemplate', () => {
    it.each([DEFAULT_AGENT_TEMPLATE, '{text}', '{text}\n— {agent}', '[{agent} @ Acme] {text}', 'Reply {} {text}'])(
        'accepts %p',
        (template) => {
            expect(validateAgentTemplate(template)).toEqual({ ok: true });
        },
    );

    it('requires the {text} placeholder', () => {
        expect(validateAgentTemplate('*{agent}*:')).toEqual({ ok: false, reason: 'missing-text' });
    });

    it('names an unknown placeholder', () => {
        expect(validateAgentTemplate('{agent} ({department}): {text}')).toEqual({
            ok: false,
            reason: 'unknown-placeholder',
            detail: '{department}',
        });
    });

    it('limits the length', () => {
        const template = `${'x'.repeat(AGENT_TEMPLATE_MAX_LENGTH)}{text}`;
        expect(validateAgentTemplate(template)).toEqual({
            ok: false,
            reason: 'too-long',
            detail: `${template.length} > ${AGENT_TEMPLATE_MAX_LENGTH}`,
        });
    });
});

describe('the agent template', () => {
    it.each(['', '   '])('drops the agent part cleanly when the name is %p', (agent) => {
        expect(formatAgentMessage(DEFAULT_AGENT_TEMPLATE, { agent, text: 'Hello' })).toBe('Hello');
    });

    it('drops only the stretches that mention the agent', () => {
        expect(formatAgentMessage('{text}\n— {agent}', { agent: '', text: 'Hi' })).toBe('Hi');
        expect(formatAgentMessage('[{agent}] {text} (Acme)', { agent: '', text: 'Hi' })).toBe('Hi (Acme)');
        expect(formatAgentMessage('Acme: {text}', { agent: '', text: 'Hi' })).toBe('Acme: Hi');
    });

    it('falls back to the default for an unusable template', () => {
        expect(formatAgentMessage('{agent} only', { agent: 'Bo', text: 'Hi' })).toBe('Bo: Hi');
    });

    it('never substitutes inside the name or the message', () => {
        expect(formatAgentMessage(DEFAULT_AGENT_TEMPLATE, { agent: '{text}', text: 'use {agent} and $& here' })).toBe(
            '{text}: use {agent} and $& here',
        );
    });
});

describe('formatAgentMessage', () => {
    it('gives the customer plain text', () => {
        expect(formatAgentMessage(DEFAULT_AGENT_TEMPLATE, { agent: 'Alice', text: 'Hello' })).toBe('Alice: Hello');
        expect(formatAgentMessage('_{agent}_ says: {text}', { agent: 'Alice', text: '**Thanks** :wave:' })).toBe(
            'Alice says: Thanks 👋',
        );
    });

    it('has no prefix left when agent names are hidden', () => {
        expect(formatAgentMessage(DEFAULT_AGENT_TEMPLATE, { agent: '', text: 'Hello *there*' })).toBe('Hello there');
    });

    it('shows the agent name exactly as it is', () => {
        expect(formatAgentMessage(DEFAULT_AGENT_TEMPLATE, { agent: '_Anna_ *Lee*', text: 'Hi' })).toBe(
            '_Anna_ *Lee*: Hi',
        );
    });

    it('equals the rendered message alone for any text when names are hidden', () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 200 }), (text) => {
                expect(formatAgentMessage(DEFAULT_AGENT_TEMPLATE, { agent: '', text })).toBe(renderForX(text).trim());
            }),
        );
    });

    it('fits the split: a long formatted message becomes parts within the limit', () => {
        const text = formatAgentMessage(DEFAULT_AGENT_TEMPLATE, { agent: 'Alice', text: 'All good. '.repeat(2500) });
        const parts = splitForDm(text);
        expect(parts).toHaveLength(3);
        expect(parts[0].startsWith('Alice: All good.')).toBe(true);
        expect(parts.every((part) => part.length <= 10000)).toBe(true);
    });
});
