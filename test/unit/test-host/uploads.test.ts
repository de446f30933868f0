/**
 * The test host's upload bridge enforces what Rocket.Chat's does (tools/host/bridges/uploads.ts cites each
 * rule): the server's file settings and the visitor's access throw, and a visitor's file for a room that has no
 * open conversation with that visitor is stored, not posted, and reported as a success.
 */
import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUpload } from '@rocket.chat/apps-engine/definition/uploads';
import type { IUploadDetails } from '@rocket.chat/apps-engine/definition/uploads/IUploadDetails';
import type { BridgeContext } from '../../../tools/host/bridges/context';
import { determineFileType } from '../../../tools/host/bridges/file-type';
import { HostUploadBridge } from '../../../tools/host/bridges/uploads';
import { ManualClock } from '../../../tools/host/clock';
import { HostStore, VisitorUploadCheck } from '../../../tools/host/store';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(20, 1)]);

function setup(visitorUploadCheck?: VisitorUploadCheck) {
    const store = new HostStore({ clock: new ManualClock(Date.UTC(2026, 10, 21)), visitorUploadCheck });
    const visitor = { id: 'v1', token: 'tok-1', username: 'x-1', name: 'Ann' } as IVisitor;
    store.visitors.set(visitor.id!, visitor);
    const room = { id: 'r1', type: 'l', isOpen: true, visitor, slugifiedName: 'ann' } as unknown as ILivechatRoom;
    store.rooms.set(room.id, room);
    // No app is installed: the message events Rocket.Chat fires reach no listener.
    const noListeners = {
        getListenerManager: () => ({ isEventBlocked: () => true, executeListener: async () => undefined }),
    };
    const ctx = { store, hostId: 'h1', manager: () => noListeners, httpHostMap: new Map() } as unknown as BridgeContext;
    const bridge = new HostUploadBridge(ctx) as unknown as {
        createUpload(details: Partial<IUploadDetails>, buffer: Buffer, appId: string): Promise<IUpload>;
    };
    const upload = (bytes: Buffer, details: Partial<IUploadDetails> = {}) =>
        bridge.createUpload(
            { name: 'x-1.png', rid: room.id, visitorToken: visitor.token, size: bytes.length, ...details },
            bytes,
            'app',
        );
    const fileMessages = () => [...store.messages.values()].filter((m) => (m as { file?: unknown }).file);
    return { store, room, visitor, upload, fileMessages };
}

describe("test host uploads (Rocket.Chat's AppUploadBridge)", () => {
    it('starts with Rocket.Chat’s File Upload defaults', () => {
        const { store } = setup();
        expect(
            [
                'FileUpload_Enabled',
                'FileUpload_MaxFileSize',
                'FileUpload_MediaTypeWhiteList',
                'FileUpload_MediaTypeBlackList',
            ].map((id) => store.serverSettings.get(id)),
        ).toEqual([true, 104_857_600, '', 'image/svg+xml']);
    });

    it('stores a visitor’s file and posts it as the visitor, typed by its name first', async () => {
        const { upload, store, fileMessages } = setup();
        const stored = await upload(PNG);
        expect(store.uploads.get(stored.id)?.upload.type).toBe('image/png');
        expect(fileMessages()).toHaveLength(1);
        expect((fileMessages()[0] as { file: { _id: string } }).file._id).toBe(stored.id);
        const misnamed = await upload(JPEG, { name: 'x-2.bin' });
        expect(store.uploads.get(misnamed.id)?.upload.type).toBe('application/octet-stream');
        expect(determineFileType(JPEG, 'x-3')).toBe('image/jpeg');
    });

    it.each<[string, (store: HostStore) => void, RegExp]>([
        ['uploads turned off', (s) => s.serverSettings.set('FileUpload_Enabled', false), /error-file-upload-disabled/],
        [
            'a file over FileUpload_MaxFileSize',
            (s) => s.serverSettings.set('FileUpload_MaxFileSize', PNG.length - 1),
            /error-file-too-large/,
        ],
        [
            'a type on the black list',
            (s) => s.serverSettings.set('FileUpload_MediaTypeBlackList', 'image/png'),
            /error-invalid-file-type/,
        ],
        [
            'a type off the white list',
            (s) => s.serverSettings.set('FileUpload_MediaTypeWhiteList', 'video/*'),
            /error-invalid-file-type/,
        ],
    ])('refuses %s, storing nothing', async (_what, configure, error) => {
        const { upload, store, fileMessages } = setup();
        configure(store);
        await expect(upload(PNG)).rejects.toThrow(error);
        expect([store.uploads.size, fileMessages().length]).toEqual([0, 0]);
    });

    it('takes any size when FileUpload_MaxFileSize is negative, and no empty file', async () => {
        const { upload, store } = setup();
        store.serverSettings.set('FileUpload_MaxFileSize', -1);
        await expect(upload(PNG)).resolves.toBeDefined();
        await expect(upload(Buffer.alloc(0))).rejects.toThrow(/file-too-small/);
    });

    it('refuses a visitor token that is not the room’s', async () => {
        const { upload, store } = setup();
        await expect(upload(PNG, { visitorToken: 'someone-else' })).rejects.toThrow(/invalid-file/);
        expect(store.uploads.size).toBe(0);
    });

    it('a closed room: stored, not posted, reported as success (validator without the open check)', async () => {
        const { upload, room, store, fileMessages } = setup('token');
        room.isOpen = false;
        const stored = await upload(PNG);
        expect(store.uploads.has(stored.id)).toBe(true);
        expect(fileMessages()).toHaveLength(0);
    });

    it('a closed room: refused (validator with the open check)', async () => {
        const { upload, room, store } = setup('token-and-open');
        room.isOpen = false;
        await expect(upload(PNG)).rejects.toThrow(/invalid-file/);
        expect(store.uploads.size).toBe(0);
    });

    it('a visitor who no longer exists: stored, not posted, reported as success', async () => {
        const { upload, visitor, store, fileMessages } = setup('token-and-open');
        store.visitors.delete(visitor.id!);
        const stored = await upload(PNG);
        expect(store.uploads.has(stored.id)).toBe(true);
        expect(fileMessages()).toHaveLength(0);
    });
});
