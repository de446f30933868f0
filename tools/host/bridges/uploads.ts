/**
 * Uploads as Rocket.Chat's AppUploadBridge stores them: the file is kept and a message carrying it is
 * posted — as the visitor when a visitor token is given (sendFileLivechatMessage), else as the user.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IUpload } from '@rocket.chat/apps-engine/definition/uploads';
import type { IUploadDetails } from '@rocket.chat/apps-engine/definition/uploads/IUploadDetails';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { UploadBridge } from '@rocket.chat/apps-engine/server/bridges/UploadBridge';
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
        return storeUpload(this.ctx, { ...details, type: determineFileType(bytes, details.name) }, bytes);
    }
}

/** Saves the file and posts the message that shows it, as Rocket.Chat does for uploads. */
export function storeUpload(ctx: BridgeContext, details: IUploadDetails, buffer: Buffer, text?: string): IUpload {
    const store = ctx.store;
    const room = store.rooms.get(details.rid);
    if (!room) throw new Error(`Room ${details.rid} not found`);
    const id = store.newId('f');
    const visitor = details.visitorToken ? [...store.visitors.values()].find((v) => v.token === details.visitorToken) : undefined;
    if (details.visitorToken && (!visitor || (room as ILivechatRoom).visitor?.token !== details.visitorToken)) {
        throw new Error('error-invalid-visitor');
    }
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
    const kind = details.type.startsWith('image/') ? 'image' : details.type.startsWith('video/') ? 'video' : details.type.startsWith('audio/') ? 'audio' : 'file';
    const attachment = { title: { value: details.name, link: upload.url }, type: 'file', description: text, ...(kind === 'image' ? { imageUrl: upload.url } : {}), ...(kind === 'video' ? { videoUrl: upload.url } : {}) };
    const sender = visitor
        ? ({ id: visitor.id, username: visitor.username, name: visitor.name, type: 'unknown' } as unknown as IUser)
        : user ?? ([...store.users.values()].find((u) => u.type === 'app') as IUser);
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
