import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import {
    agentDisplayName,
    classifyAgentChange,
    classifyAgentMessage,
    classifyRoom,
    internalContent,
    messageFiles,
    messageText,
    planDms,
} from '../../../src/bridge/outbound-filter';
import { AgentDisplay } from '../../../src/settings/ids';

const APP = 'app-1';
const TOKEN = 'x1.1600000000000000001.42.abcdefghijklmnopqrstuv';
const agent = { id: 'u1', username: 'agent.smith', name: 'Agent Smith', type: 'user' };

function room(fields: Record<string, unknown> = {}) {
    return {
        id: 'r1',
        type: 'l',
        isOpen: true,
        visitor: { token: TOKEN },
        source: { type: 'app', id: APP },
        ...fields,
    };
}

function message(fields: Record<string, unknown> = {}): IMessage {
    return { id: 'm1', room: room(), sender: agent, text: 'Hello', ...fields } as unknown as IMessage;
}

describe('which messages become DMs', () => {
    it('acts on an agent message in an open room this app opened, naming the customer from the visitor token', () => {
        const verdict = classifyAgentMessage(message(), APP);
        expect(verdict).toEqual({
            act: true,
            agent,
            ref: { accountId: '1600000000000000001', customerId: '42', roomId: 'r1', visitorToken: TOKEN },
        });
    });

    it('accepts a bot serving as an agent', () => {
        expect(classifyAgentMessage(message({ sender: { ...agent, type: 'bot' } }), APP).act).toBe(true);
    });

    it.each([
        [
            'a visitor message (it carries the token)',
            message({ token: TOKEN, sender: { id: 'v1', type: 'unknown' } }),
            'visitor-message',
        ],
        ["the app's own notice", message({ sender: { id: 'app', type: 'app' } }), 'app-message'],
        ['a system message', message({ t: 'livechat-close' }), 'system-message'],
        ['a system message typed by the engine', message({ type: 'uj' }), 'system-message'],
        ['an edit', message({ editedAt: new Date() }), 'edited'],
        ['a message in a closed room', message({ room: room({ isOpen: false }) }), 'room-closed'],
        ['an empty message', message({ text: '  ' }), 'empty'],
        ['a channel message', message({ room: { id: 'c1', type: 'c' } }), 'not-livechat'],
        ['a widget livechat room', message({ room: room({ visitor: { token: 'a1b2c3' } }) }), 'not-our-room'],
        [
            "another app's room with a token shaped like ours",
            message({ room: room({ source: { type: 'app', id: 'other-app' } }) }),
            'not-our-room',
        ],
        [
            'a widget room with a token shaped like ours',
            message({ room: room({ source: { type: 'widget' } }) }),
            'not-our-room',
        ],
    ])('skips %s', (_label, msg, reason) => {
        expect(classifyAgentMessage(msg, APP)).toMatchObject({ act: false, reason });
    });

    it('treats a room without a source (older servers) as ours when the token is', () => {
        expect(classifyRoom(room({ source: undefined }) as never, APP)).toMatchObject({ ours: true });
    });

    it('sees an edit of an agent message in our room as a change to report, not a reply', () => {
        expect(classifyAgentChange(message({ editedAt: new Date() }), APP).act).toBe(true);
        expect(classifyAgentChange(message({ token: TOKEN }), APP).act).toBe(false);
    });
});

describe('message content', () => {
    it('takes a file caption from the text, or from the attachment description on older servers', () => {
        const file = { _id: 'f1', name: 'a.png', type: 'image/png' };
        expect(messageText(message({ text: 'caption', file }))).toBe('caption');
        expect(messageText(message({ text: '', file, attachments: [{ description: 'old caption' }] }))).toBe(
            'old caption',
        );
        expect(messageText(message({ text: '', attachments: [{ description: 'a quote, not a file' }] }))).toBe('');
    });

    it('lists files without the thumbnails Rocket.Chat adds, each once', () => {
        const files = [
            { _id: 'f1', name: 'a.png', type: 'image/png' },
            { _id: 't1', name: 'thumb-a.png', type: 'image/png', typeGroup: 'thumb' },
            { _id: 'f1', name: 'a.png', type: 'image/png' },
        ];
        expect(messageFiles(message({ files })).map((f) => f._id)).toEqual(['f1']);
        expect(messageFiles(message({ file: files[0] })).map((f) => f._id)).toEqual(['f1']);
    });

    it('names the agent as the setting says', () => {
        expect(agentDisplayName(AgentDisplay.Name, agent)).toBe('Agent Smith');
        expect(agentDisplayName(AgentDisplay.Name, { username: 'bob', name: '' })).toBe('bob');
        expect(agentDisplayName(AgentDisplay.Username, agent)).toBe('agent.smith');
        expect(agentDisplayName(AgentDisplay.None, agent)).toBe('');
    });
});

describe('planning the DMs of one message', () => {
    const img = { id: 'f1', name: 'a.png', type: 'image/png' };
    const vid = { id: 'f2', name: 'b.mp4', type: 'video/mp4' };

    it('splits long text into ordered parts', () => {
        const dms = planDms('aaaa bbbb cccc', [], 9);
        expect(dms).toEqual([
            { part: 0, text: 'aaaa bbbb' },
            { part: 1, text: 'cccc' },
        ]);
    });

    it('sends the first file with the first part of the text, then the other parts, then further files alone', () => {
        expect(planDms('aaaa bbbb cccc', [img, vid], 9)).toEqual([
            { part: 0, text: 'aaaa bbbb', file: img },
            { part: 1, text: 'cccc' },
            { part: 2, file: vid },
        ]);
    });

    it('sends a file without text as a DM of its own', () => {
        expect(planDms('', [img])).toEqual([{ part: 0, file: img }]);
    });
});

describe('what in an agent message is meant for colleagues (public answers, issue 19)', () => {
    const QUOTE = '[ ](https://chat.acme.internal/live/ROOMID?msg=abc123)';

    it('a Rocket.Chat thread reply, a quote (by its link or its attachment)', () => {
        expect(internalContent(message({ threadId: 'parent' }), 'maria')).toBe('thread-reply');
        expect(internalContent(message({ _unmappedProperties_: { tmid: 'parent' } }), 'maria')).toBe('thread-reply');
        expect(internalContent(message({ text: `${QUOTE}\nSure, done` }), 'maria')).toBe('quote');
        const attachments = [{ text: 'the quoted words', message_link: 'https://chat.acme.internal/live/R?msg=a' }];
        expect(internalContent(message({ text: 'Sure', attachments }), 'maria')).toBe('quote');
        const unmapped = [{ _unmappedProperties_: { message_link: 'https://chat.acme.internal/live/R?msg=a' } }];
        expect(internalContent(message({ text: 'Sure', attachments: unmapped }), 'maria')).toBe('quote');
    });

    it('@all, @here and Rocket.Chat user mentions; the customer handle is fine', () => {
        expect(internalContent(message({ text: '@here anyone?' }), 'maria')).toBe('mention');
        expect(internalContent(message({ text: 'Ping @ALL.' }), 'maria')).toBe('mention');
        const mentions = [{ _id: 'u9', username: 'bob' }];
        expect(internalContent(message({ text: '@bob can you check?', mentions }), 'maria')).toBe('mention');
        expect(
            internalContent(message({ text: '@bob can you check?', _unmappedProperties_: { mentions } }), 'maria'),
        ).toBe('mention');
        // A Rocket.Chat user who happens to be the customer's handle too: the customer is who the answer is for.
        const both = [{ _id: 'u8', username: 'maria' }];
        expect(internalContent(message({ text: '@Maria thanks!', mentions: both }), 'maria')).toBeUndefined();
        // Rocket.Chat says which @words are its users: another X user named in the answer is not one.
        expect(internalContent(message({ text: 'See @acme_help, @maria', mentions: [] }), 'maria')).toBeUndefined();
        expect(internalContent(message({ text: 'mail me at a@b.example' }), 'maria')).toBeUndefined();
        expect(internalContent(message({ text: 'Hello' }), undefined)).toBeUndefined();
    });

    it('without a mention list from the event, any @word but the customer handle counts (strict)', () => {
        expect(internalContent(message({ text: '@maria thanks, @bob check this' }), 'maria')).toBe('mention');
        expect(internalContent(message({ text: '@maria thanks' }), 'maria')).toBeUndefined();
        expect(internalContent(message({ text: '@maria thanks' }), undefined)).toBe('mention');
    });

    it('a DM never carries the quote link to the customer: it is taken out of the text', () => {
        expect(messageText(message({ text: `${QUOTE}\nSure, done` }))).toBe('Sure, done');
        expect(messageText(message({ text: ` ${QUOTE} ${QUOTE}\nSure` }))).toBe('Sure');
        expect(messageText(message({ text: 'See https://example.com/a?msg=1' }))).toBe(
            'See https://example.com/a?msg=1',
        );
    });
});
