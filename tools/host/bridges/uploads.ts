/**
 * Uploads as Rocket.Chat's AppUploadBridge handles them (apps/meteor/app/apps/server/bridges/uploads.ts):
 *
 * 1. The type comes from determineFileType (the name's extension first, see file-type.ts).
 * 2. `FileUpload.getStore('Uploads').insert` runs the store's filter (apps/meteor/server/ufs/ufs-filter.ts), whose
 *    `onCheck` is FileUpload.validateFileUpload (apps/meteor/app/file-upload/server/lib/FileUpload.ts): an empty
 *    file, a missing room, a visitor who may not access the room (roomAccessValidator.compatibility.ts), uploads
 *    turned off, a file over FileUpload_MaxFileSize and a type the white/black lists refuse
 *    (apps/meteor/app/utils/lib/restrictions.ts) all throw, and nothing is stored.
 * 3. The file is stored, then posted: as the visitor by sendFileLivechatMessage
 *    (apps/meteor/app/livechat/server/methods/sendFileLivechatMessage.ts), which returns false and posts nothing
 *    when the token's visitor or an open room with that token is missing; as the user by sendFileMessage.
 *    The bridge ignores that result: the app is told the upload succeeded either way.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IUpload } from '@rocket.chat/apps-engine/definition/uploads';
import type { IUploadDetails } from '@rocket.chat/apps-engine/definition/uploads/IUploadDetails';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { UploadBridge } from '@rocket.chat/apps-engine/server/bridges/UploadBridge';
import type { HostStore } from '../store';
import { BridgeContext } from './context';
import { determineFileType } from './file-type';
import { saveMessage } from './messages';

export class HostUploadBridge extends UploadBridge {
    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    protected async getById(id: string): Promise<IUpload> {
        return this.ctx.store.uploads.get(id)?.upload as IUpload;
    }

    protected async getBuffer(upload: IUpload): Promise<Buffer> {
        const stored = this.ctx.store.uploads.get(upload.id);
        if (!stored) throw new Error(`Upload ${upload.id} not found`);
        return stored.buffer;
    }

    protected async createUpload(details: IUploadDetails, buffer: Buffer): Promise<IUpload> {
        if (!details.userId && !details.visitorToken) throw new Error('Missing user to perform the upload operation');
        const bytes = Buffer.from(buffer);
        // A visitor upload carries no user (getUploadDetails drops userId when a visitor token is given).
        const uploadDetails = details.visitorToken ? { ...details, userId: undefined as unknown as string } : details;
        return storeUpload(
            this.ctx,
            { ...uploadDetails, size: bytes.length, type: determineFileType(bytes, details.name) },
            bytes,
        );
    }
}

/** A Meteor.Error as it reaches the app: its message is `reason [error]`. */
class MeteorError extends Error {
    constructor(
        readonly error: string,
        readonly reason: string,
    ) {
        super(`${reason} [${error}]`);
        this.name = 'Meteor.Error';
    }
}

const serverSetting = (store: HostStore, id: string) => store.serverSettings.get(id);

const typeList = (value: unknown) =>
    String(value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
const onList = (type: string, list: string[]) => list.includes(type) || list.includes(type.replace(/(\/.*)$/, '/*'));

/** fileUploadIsValidContentTypeFromSettings (apps/meteor/app/utils/lib/restrictions.ts). */
export function isValidContentType(store: HostStore, type: string | undefined): boolean {
    const black = typeList(serverSetting(store, 'FileUpload_MediaTypeBlackList'));
    const whiteSetting = String(serverSetting(store, 'FileUpload_MediaTypeWhiteList') ?? '');
    const white = !whiteSetting || whiteSetting === '*' ? undefined : typeList(whiteSetting);
    if (!type && black.length > 0) return false;
    if (black.length > 0 && onList(type ?? '', black)) return false;
    if (!white) return true;
    return onList(type ?? '', white);
}

/** The store filter's check and FileUpload.validateFileUpload, in their order; throws what Rocket.Chat throws. */
function validateFileUpload(store: HostStore, details: IUploadDetails): void {
    const fileDoesNotMatch = () => new MeteorError('invalid-file', 'File does not match filter');
    if (!(details.size > 0))
        throw new MeteorError('file-too-small', `File size (size = ${details.size}) is too small (min = 1)`);
    const room = store.rooms.get(details.rid) as ILivechatRoom | undefined;
    if (!room) throw fileDoesNotMatch();
    const user = details.userId ? store.users.get(details.userId) : undefined;
    if (!user) {
        // Only the livechat validator can admit a visitor: the room's visitor token (and, newer, an open room).
        const tokenMatches = !!details.visitorToken && room.visitor?.token === details.visitorToken;
        const openEnough = store.visitorUploadCheck === 'token' || room.isOpen === true;
        if (!tokenMatches || !openEnough) throw fileDoesNotMatch();
    }
    if (serverSetting(store, 'FileUpload_Enabled') === false)
        throw new MeteorError('error-file-upload-disabled', 'File upload is disabled');
    const maxFileSize = parseInt(String(serverSetting(store, 'FileUpload_MaxFileSize')), 10);
    if (maxFileSize > -1 && details.size > maxFileSize) {
        throw new MeteorError('error-file-too-large', `File exceeds allowed size of ${maxFileSize} bytes`);
    }
    if (!isValidContentType(store, details.type))
        throw new MeteorError('error-invalid-file-type', 'File type is not accepted');
}

/** Saves the file and posts the message that shows it, as Rocket.Chat does for uploads. */
export function storeUpload(ctx: BridgeContext, details: IUploadDetails, buffer: Buffer, text?: string): IUpload {
    const store = ctx.store;
    validateFileUpload(store, { ...details, size: buffer.length });
    const room = store.rooms.get(details.rid)!;
    const id = store.newId('f');
    const visitor = details.visitorToken
        ? [...store.visitors.values()].find((v) => v.token === details.visitorToken)
        : undefined;
    const user = details.userId ? store.users.get(details.userId) : undefined;
    const upload = {
        id,
        name: details.name,
        size: String(buffer.length),
        type: details.type,
        extension: details.name.includes('.') ? details.name.split('.').pop() : '',
        etag: id,
        path: `/ufs/GridFS:Uploads/${id}/${encodeURIComponent(details.name)}`,
        token: id.slice(-8),
        url: `/file-upload/${id}/${encodeURIComponent(details.name)}`,
        progress: 1,
        uploading: false,
        complete: true,
        updatedAt: store.now(),
        uploadedAt: store.now(),
        store: 'GridFS:Uploads',
        room,
        visitor,
        user,
    } as unknown as IUpload;
    store.uploads.set(id, { upload, buffer });
    if (details.visitorToken) {
        // sendFileLivechatMessage: no visitor for the token, or no open room with it → false, nothing posted.
        const livechat = room as ILivechatRoom;
        if (!visitor || !livechat.isOpen || livechat.visitor?.token !== details.visitorToken) return upload;
    }
    const kind = details.type.startsWith('image/')
        ? 'image'
        : details.type.startsWith('video/')
          ? 'video'
          : details.type.startsWith('audio/')
            ? 'audio'
            : 'file';
    const attachment = {
        title: { value: details.name, link: upload.url },
        type: 'file',
        description: text,
        ...(kind === 'image' ? { imageUrl: upload.url } : {}),
        ...(kind === 'video' ? { videoUrl: upload.url } : {}),
    };
    const sender = visitor
        ? ({ id: visitor.id, username: visitor.username, name: visitor.name, type: 'unknown' } as unknown as IUser)
        : (user ?? ([...store.users.values()].find((u) => u.type === 'app') as IUser));
    saveMessage(ctx, {
        room,
        sender,
        text: text ?? '',
        file: { _id: id, name: details.name, type: details.type },
        attachments: [attachment],
        ...(visitor ? { token: visitor.token, visitor } : {}),
    } as unknown as IMessage);
    return upload;
}
