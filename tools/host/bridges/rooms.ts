import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { GetMessagesOptions } from '@rocket.chat/apps-engine/server/bridges/RoomBridge';
import { RoomBridge } from '@rocket.chat/apps-engine/server/bridges/RoomBridge';
import { BridgeContext, unsupported } from './context';

export class HostRoomBridge extends RoomBridge {
    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    protected async create(room: IRoom, members: string[]): Promise<string> {
        const store = this.ctx.store;
        if (room.slugifiedName && [...store.rooms.values()].some((r) => r.slugifiedName === room.slugifiedName)) {
            throw new Error(`A room named ${room.slugifiedName} already exists`);
        }
        const id = store.newId('r');
        store.rooms.set(id, { ...room, id, createdAt: store.now() });
        const memberIds = new Set<string>();
        if (room.creator?.id) memberIds.add(room.creator.id);
        for (const username of members) {
            const user = store.userByUsername(username);
            if (!user) throw new Error(`User ${username} not found`);
            memberIds.add(user.id);
        }
        store.roomMembers.set(id, memberIds);
        return id;
    }

    protected async getById(roomId: string): Promise<IRoom> {
        return this.ctx.store.rooms.get(roomId) as IRoom;
    }

    protected async getByName(roomName: string): Promise<IRoom> {
        return [...this.ctx.store.rooms.values()].find((r) => r.slugifiedName === roomName) as IRoom;
    }

    protected async getCreatorById(roomId: string): Promise<IUser | undefined> {
        return this.ctx.store.rooms.get(roomId)?.creator;
    }

    protected async getCreatorByName(roomName: string): Promise<IUser | undefined> {
        return (await this.getByName(roomName))?.creator;
    }

    protected async getDirectByUsernames(): Promise<IRoom | undefined> {
        return undefined;
    }

    protected async getMembers(roomId: string): Promise<IUser[]> {
        return [...(this.ctx.store.roomMembers.get(roomId) ?? [])]
            .map((id) => this.ctx.store.users.get(id))
            .filter((u): u is IUser => !!u);
    }

    protected async getAllRooms(): Promise<never> {
        return unsupported('RoomBridge', 'getAllRooms');
    }

    protected async update(room: IRoom, members: string[]): Promise<void> {
        const store = this.ctx.store;
        const existing = store.rooms.get(room.id);
        if (!existing) throw new Error(`Room ${room.id} not found`);
        store.rooms.set(room.id, { ...existing, ...room });
        const memberIds = store.roomMembers.get(room.id) ?? new Set<string>();
        for (const username of members) {
            const user = store.userByUsername(username);
            if (user) memberIds.add(user.id);
        }
        store.roomMembers.set(room.id, memberIds);
    }

    protected async createDiscussion(): Promise<string> {
        return unsupported('RoomBridge', 'createDiscussion');
    }

    protected async delete(roomId: string): Promise<void> {
        this.ctx.store.rooms.delete(roomId);
    }

    protected async getModerators(): Promise<IUser[]> {
        return [];
    }

    protected async getOwners(roomId: string): Promise<IUser[]> {
        const creator = this.ctx.store.rooms.get(roomId)?.creator;
        return creator ? [creator] : [];
    }

    protected async getLeaders(): Promise<IUser[]> {
        return [];
    }

    /**
     * AppRoomBridge.getMessages (apps/meteor/app/apps/server/bridges/rooms.ts): at most `limit` messages
     * (the accessor caps it at 100), after `skip`, sorted by timestamp only when asked (else in insertion
     * order), never system messages (`t`) or hidden ones, thread replies only with showThreadMessages;
     * each converted to the raw shape (convertMessageRaw: `roomId`, `sender` as a lookup, no room object).
     */
    protected async getMessages(roomId: string, options: Partial<GetMessagesOptions> = {}): Promise<never> {
        const { limit, skip = 0, sort, showThreadMessages } = options;
        let messages = this.ctx.store
            .roomMessages(roomId)
            .filter(
                (m) =>
                    !(m as IMessage & { t?: string }).t &&
                    !(m as { _hidden?: boolean })._hidden &&
                    (showThreadMessages || !m.threadId),
            );
        const direction = sort?.createdAt;
        if (direction) {
            const sign = direction === 'desc' ? -1 : 1;
            messages = [...messages].sort((a, b) => sign * (+new Date(a.createdAt!) - +new Date(b.createdAt!)));
        }
        messages = messages.slice(skip, limit ? skip + limit : undefined);
        return messages.map(toRawMessage) as never;
    }

    protected async removeUsers(roomId: string, usernames: string[]): Promise<void> {
        const members = this.ctx.store.roomMembers.get(roomId);
        for (const username of usernames) {
            const user = this.ctx.store.userByUsername(username);
            if (user) members?.delete(user.id);
        }
    }

    protected async getUnreadByUser(): Promise<never> {
        return unsupported('RoomBridge', 'getUnreadByUser');
    }

    protected async getUserUnreadMessageCount(): Promise<number> {
        return 0;
    }
}

/** The apps' message converter's raw shape (convertMessageRaw in apps/meteor/app/apps/server/converters/messages.ts). */
function toRawMessage(message: IMessage): Record<string, unknown> {
    const { room, sender, ...rest } = message as IMessage & Record<string, unknown>;
    return {
        ...rest,
        roomId: room?.id,
        sender: sender ? { _id: sender.id, username: sender.username, name: sender.name } : undefined,
    };
}
