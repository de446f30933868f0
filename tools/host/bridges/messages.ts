import type { IMessage, Reaction } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { ITypingDescriptor, MessageBridge } from '@rocket.chat/apps-engine/server/bridges/MessageBridge';
import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import { BridgeContext } from './context';
import { fireAndForget, fireMessageEvent } from './events';
import { checkCustomFields, checkUserMessage, MeteorError } from './send-message';

/** Stores a message as Rocket.Chat would (id, timestamps, full room and sender) and fires its event. */
export function saveMessage(ctx: BridgeContext, message: IMessage): IMessage {
    const store = ctx.store;
    const room = store.rooms.get(message.room?.id);
    if (!room) throw new Error(`Room ${message.room?.id} not found`);
    const saved: IMessage = {
        ...message,
        id: message.id ?? store.newId('m'),
        room,
        createdAt: message.createdAt ?? store.now(),
        updatedAt: store.now(),
    };
    store.messages.set(saved.id!, saved);
    (room as IRoom & { lastMessageAt?: Date }).lastMessageAt = saved.createdAt;
    fireMessageEvent(ctx, saved);
    return saved;
}

export class HostMessageBridge extends MessageBridge {
    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    /**
     * AppMessageBridge.create (apps/meteor/app/apps/server/bridges/messages.ts): the converter needs an
     * existing room, then executeSendMessage's and validateMessage's rules apply (./send-message.ts).
     */
    protected async create(message: IMessage): Promise<string> {
        const sender = message.sender ?? undefined;
        if (!sender) throw new Error('Invalid sender assigned to the message.');
        if (!this.ctx.store.rooms.has(message.room?.id)) throw new Error('Invalid room provided on the message.');
        const createdAt = checkUserMessage(this.ctx.store, message);
        if (!this.ctx.store.users.get(sender.id)?.username) throw new MeteorError('error-invalid-user', 'Invalid user');
        checkCustomFields(this.ctx.store, message as IMessage & { customFields?: unknown });
        return saveMessage(this.ctx, { ...message, createdAt }).id!;
    }

    protected async update(message: IMessage): Promise<void> {
        const existing = message.id && this.ctx.store.messages.get(message.id);
        if (!existing) throw new Error(`Message ${message.id} not found`);
        const updated = { ...existing, ...message, editedAt: this.ctx.store.now(), updatedAt: this.ctx.store.now() };
        this.ctx.store.messages.set(updated.id!, updated);
        fireAndForget(this.ctx, AppInterface.IPostMessageUpdated, updated);
    }

    protected async notifyUser(user: IUser, message: IMessage): Promise<void> {
        this.ctx.store.ephemeral.push({
            at: this.ctx.store.clock.now(),
            user,
            room: message.room,
            text: message.text,
            message,
        });
    }

    protected async notifyRoom(room: IRoom, message: IMessage): Promise<void> {
        for (const userId of this.ctx.store.roomMembers.get(room.id) ?? []) {
            const user = this.ctx.store.users.get(userId);
            if (user) await this.notifyUser(user, { ...message, room });
        }
    }

    protected async typing(options: ITypingDescriptor): Promise<void> {
        this.ctx.store.typing.push({
            roomId: options.id,
            username: options.username ?? '',
            isTyping: options.isTyping,
            at: this.ctx.store.clock.now(),
        });
    }

    protected async getById(messageId: string): Promise<IMessage> {
        return this.ctx.store.messages.get(messageId) as IMessage;
    }

    protected async delete(message: IMessage): Promise<void> {
        this.ctx.store.messages.delete(message.id!);
    }

    protected async addReaction(_messageId: string, _userId: string, _reaction: Reaction): Promise<void> {
        throw new Error('Test host: reactions are not supported');
    }

    protected async removeReaction(): Promise<void> {
        throw new Error('Test host: reactions are not supported');
    }
}
