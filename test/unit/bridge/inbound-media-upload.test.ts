/**
 * The upload step on its own, against fake accessors: the room is checked before, the file message looked for
 * after, a refusal caught — three host calls, and a notice whenever the file is not in the room.
 */
import type { BridgeContext } from '../../../src/bridge/context';
import { uploadInboundMedia } from '../../../src/bridge/inbound-media';
import { translator } from '../../../src/i18n/translate';
import type { ConversationRecord } from '../../../src/storage/conversations';
import type { InboundMedia } from '../../../src/x/event-types';

const conversation = { roomId: 'r1', visitorToken: 'tok', visitorId: 'v1' } as ConversationRecord;
const media: InboundMedia = {
    mediaId: '42',
    kind: 'photo',
    url: 'https://ton.twitter.com/1.1/ton/data/dm/1/42/a.png',
    dmEventId: '1',
};
const file = { bytes: Buffer.from('89504e470d0a1a0a', 'hex'), contentType: 'image/png' };

function fakeContext(room: object | undefined, upload: () => Promise<{ id: string }>, newest: object[]) {
    const calls: string[] = [];
    const ctx = {
        read: {
            getRoomReader: () => ({
                getById: async () => (calls.push('room'), room),
                getMessages: async () => (calls.push('messages'), newest),
            }),
        },
        modify: {
            getCreator: () => ({
                getUploadCreator: () => ({ uploadBuffer: async () => (calls.push('upload'), upload()) }),
            }),
        },
        logger: { warn: () => undefined },
    } as unknown as BridgeContext;
    return { ctx, calls };
}

const openRoom = { id: 'r1', isOpen: true, visitor: { token: 'tok' } };
const translate = async () => translator('en');

describe('uploading a customer file', () => {
    it('posts it when the room is open and Rocket.Chat shows the file message', async () => {
        const { ctx, calls } = fakeContext(openRoom, async () => ({ id: 'f1' }), [{ id: 'm9', file: { _id: 'f1' } }]);
        expect(await uploadInboundMedia(ctx, conversation, media, file, translate)).toEqual({ posted: true });
        expect(calls).toEqual(['room', 'upload', 'messages']);
    });

    it.each([
        ['closed', { ...openRoom, isOpen: false }],
        ['another visitor’s', { ...openRoom, visitor: { token: 'other' } }],
        ['gone', undefined],
    ])('uploads nothing into a %s room, and says so', async (_what, room) => {
        const { ctx, calls } = fakeContext(room, async () => ({ id: 'f1' }), []);
        expect(await uploadInboundMedia(ctx, conversation, media, file, translate)).toEqual({
            posted: false,
            notice: 'Image sent by the customer was not added: this conversation was already closed.',
        });
        expect(calls).toEqual(['room']);
    });

    it.each([
        [
            'File upload is disabled [error-file-upload-disabled]',
            'file uploads are turned off in Rocket.Chat (Administration → Settings → File Upload).',
        ],
        [
            'File exceeds allowed size of 1 MB [error-file-too-large]',
            "it is larger than Rocket.Chat's maximum file size.",
        ],
        [
            'File type is not accepted [error-invalid-file-type]',
            "Rocket.Chat's File Upload settings do not accept image/png.",
        ],
        ['File does not match filter [invalid-file]', 'Rocket.Chat refused the file.'],
    ])('catches the refusal “%s”', async (message, reason) => {
        const { ctx } = fakeContext(openRoom, async () => Promise.reject(new Error(message)), []);
        expect(await uploadInboundMedia(ctx, conversation, media, file, translate)).toEqual({
            posted: false,
            notice: `Image sent by the customer could not be added to this conversation: ${reason}`,
        });
    });

    it('notices when Rocket.Chat reports success but posted nothing', async () => {
        const { ctx } = fakeContext(openRoom, async () => ({ id: 'f1' }), [
            { id: 'm8', text: 'hello' },
            { id: 'm7', file: { _id: 'f0' } },
        ]);
        const outcome = await uploadInboundMedia(ctx, conversation, media, file, translate);
        expect(outcome).toEqual({
            posted: false,
            notice: expect.stringMatching(/Rocket\.Chat stored the file but did not post it/),
        });
    });
});
