/**
 * Omnichannel as Rocket.Chat's AppLivechatBridge behaves (apps/meteor/app/apps/server/bridges/livechat.ts):
 * visitors by token, open-room lookups, routing to an online agent of the department, the no-agent error
 * (or a queued room when the server accepts chats with no agents online), close with its event.
 */
import type { IExtraRoomParams } from '@rocket.chat/apps-engine/definition/accessors/ILivechatCreator';
import type {
    IDepartment,
    ILivechatMessage,
    ILivechatRoom,
    ILivechatTransferData,
    IVisitor,
} from '@rocket.chat/apps-engine/definition/livechat';
import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { LivechatBridge } from '@rocket.chat/apps-engine/server/bridges/LivechatBridge';
import type { HostStore } from '../store';
import { BridgeContext, unsupported } from './context';
import { fireAndForget } from './events';
import { saveMessage } from './messages';

/** Agents Rocket.Chat would route to: livechat-agent role, online, available for Omnichannel. */
export function onlineAgents(store: HostStore, departmentId?: string): IUser[] {
    const agents = [...store.users.values()].filter(
        (u) =>
            u.roles?.includes('livechat-agent') &&
            u.isEnabled &&
            u.status === 'online' &&
            (u as IUser & { statusLivechat?: string }).statusLivechat === 'available',
    );
    if (!departmentId) return agents;
    const department = store.departments.get(departmentId);
    return department ? agents.filter((a) => department.agentIds.includes(a.id)) : [];
}

/** Rocket.Chat throws a Meteor.Error; across the bridge the app sees its formatted message. */
export class NoAgentOnlineError extends Error {
    public readonly error = 'no-agent-online';

    constructor() {
        super('Sorry, no online agents [no-agent-online]');
    }
}

export class HostLivechatBridge extends LivechatBridge {
    private routingCursor = 0;

    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    private get store(): HostStore {
        return this.ctx.store;
    }

    protected isOnline(departmentId?: string): boolean {
        return onlineAgents(this.store, departmentId).length > 0;
    }

    protected async isOnlineAsync(departmentId?: string): Promise<boolean> {
        return this.isOnline(departmentId);
    }

    protected async createMessage(message: ILivechatMessage): Promise<string> {
        if (!message.token) throw new Error('Invalid token for livechat message');
        const room = this.store.rooms.get(message.room?.id) as ILivechatRoom | undefined;
        if (!room || !room.isOpen || room.visitor?.token !== message.token) {
            throw new Error('cannot-access-room');
        }
        const visitor = this.store.visitors.get(room.visitor.id!) ?? room.visitor;
        // Rocket.Chat stores the visitor as the message's `u`; apps then see a sender of unknown type.
        const sender = { id: visitor.id, username: visitor.username, name: visitor.name, type: 'unknown' } as unknown as IUser;
        return saveMessage(this.ctx, { ...message, sender, visitor, token: message.token } as IMessage).id!;
    }

    protected async getMessageById(messageId: string): Promise<ILivechatMessage> {
        return this.store.messages.get(messageId) as ILivechatMessage;
    }

    protected async updateMessage(message: ILivechatMessage): Promise<void> {
        const existing = message.id && this.store.messages.get(message.id);
        if (!existing) throw new Error(`Message ${message.id} not found`);
        this.store.messages.set(message.id!, { ...existing, ...message, editedAt: this.store.now() });
    }

    protected async createVisitor(visitor: IVisitor): Promise<string> {
        return (await this.registerGuest(visitor)).id!;
    }

    protected async createAndReturnVisitor(visitor: IVisitor): Promise<IVisitor | undefined> {
        return this.registerGuest(visitor);
    }

    /** Rocket.Chat's registerGuest: the token identifies the visitor; an existing one is updated, not duplicated. */
    private async registerGuest(visitor: IVisitor): Promise<IVisitor> {
        if (!visitor.token) throw new Error('error-invalid-token');
        const existing = [...this.store.visitors.values()].find((v) => v.token === visitor.token);
        const id = existing?.id ?? visitor.id ?? this.store.newId('v');
        const saved: IVisitor = {
            ...(existing ?? {}),
            id,
            token: visitor.token,
            username: visitor.username ?? existing?.username ?? `guest-${this.store.visitors.size + 1}`,
            name: visitor.name ?? existing?.name ?? '',
            department: visitor.department ?? existing?.department,
            phone: visitor.phone ?? existing?.phone,
            visitorEmails: visitor.visitorEmails ?? existing?.visitorEmails,
            livechatData: existing?.livechatData ?? {},
        } as IVisitor;
        this.store.visitors.set(id, saved);
        return saved;
    }

    protected async findVisitors(): Promise<IVisitor[]> {
        return [...this.store.visitors.values()];
    }

    protected async findVisitorById(id: string): Promise<IVisitor | undefined> {
        return this.store.visitors.get(id);
    }

    protected async findVisitorByEmail(email: string): Promise<IVisitor | undefined> {
        return [...this.store.visitors.values()].find((v) => v.visitorEmails?.some((e) => e.address === email));
    }

    protected async findVisitorByToken(token: string): Promise<IVisitor | undefined> {
        return [...this.store.visitors.values()].find((v) => v.token === token);
    }

    protected async findVisitorByPhoneNumber(phoneNumber: string): Promise<IVisitor | undefined> {
        return [...this.store.visitors.values()].find((v) => v.phone?.some((p) => p.phoneNumber === phoneNumber));
    }

    protected async resolveVisitor(): Promise<IVisitor | undefined> {
        return unsupported('LivechatBridge', 'resolveVisitor (Rocket.Chat ≥ 8.8 only)');
    }

    protected async updateVisitorExternalId(): Promise<IVisitor | undefined> {
        return unsupported('LivechatBridge', 'updateVisitorExternalId (Rocket.Chat ≥ 8.8 only)');
    }

    protected async transferVisitor(visitor: IVisitor, transferData: ILivechatTransferData): Promise<boolean> {
        const room = this.store.rooms.get(transferData.currentRoom.id) as ILivechatRoom | undefined;
        if (!room || !room.isOpen) throw new Error('Invalid room, cannot transfer');
        if (transferData.targetAgent?.id) {
            const agent = this.store.users.get(transferData.targetAgent.id);
            if (!agent) throw new Error('Invalid target agent, cannot transfer');
            this.assign(room, agent);
        } else if (transferData.targetDepartment) {
            const department = this.store.departments.get(transferData.targetDepartment);
            if (!department) throw new Error('Invalid department');
            const [agent] = onlineAgents(this.store, department.id);
            this.store.rooms.set(room.id, { ...room, department });
            if (agent) this.assign(this.store.rooms.get(room.id) as ILivechatRoom, agent);
        }
        void visitor;
        return true;
    }

    protected async createRoom(visitor: IVisitor, agent: IUser, appId: string, extraParams: IExtraRoomParams = {}): Promise<ILivechatRoom> {
        const { source, customFields } = extraParams as IExtraRoomParams & { customFields?: Record<string, unknown> };
        if (source?.type !== 'app') throw new Error('Invalid source type for livechat room');
        const store = this.store;
        const departmentId = visitor.department;
        const department = departmentId ? store.departments.get(departmentId) : undefined;
        if (departmentId && !department) throw new Error('error-invalid-department');

        let servingAgent: IUser | undefined;
        if (agent?.id) {
            servingAgent = store.users.get(agent.id);
            if (!servingAgent) throw new Error(`The agent with id "${agent.id}" was not found.`);
        } else {
            const candidates = onlineAgents(store, departmentId);
            if (candidates.length === 0 && !store.acceptChatsWithNoAgents) throw new NoAgentOnlineError();
            servingAgent = candidates.length > 0 ? candidates[this.routingCursor++ % candidates.length] : undefined;
        }

        const id = store.newId('r');
        const appName = this.ctx.manager().getOneById(appId)?.getName();
        const room = {
            id,
            type: RoomType.LIVE_CHAT,
            slugifiedName: id,
            displayName: visitor.name,
            creator: undefined as unknown as IUser,
            visitor: store.visitors.get(visitor.id!) ?? visitor,
            department,
            isOpen: true,
            isDefault: false,
            isReadOnly: false,
            closer: undefined,
            createdAt: store.now(),
            updatedAt: store.now(),
            source: {
                type: 'app',
                id: appId,
                alias: appName,
                label: source.label,
                sidebarIcon: source.sidebarIcon,
                defaultIcon: source.defaultIcon,
            },
            customFields: customFields ?? {},
            userIds: [] as string[],
        } as unknown as ILivechatRoom;
        store.rooms.set(id, room);
        store.roomMembers.set(id, new Set());
        fireAndForget(this.ctx, AppInterface.IPostLivechatRoomStarted, room);
        if (servingAgent) this.assign(room, servingAgent);
        return store.rooms.get(id) as ILivechatRoom;
    }

    private assign(room: ILivechatRoom, agent: IUser): void {
        const updated = { ...room, servedBy: agent } as ILivechatRoom;
        this.store.rooms.set(room.id, updated);
        this.store.roomMembers.get(room.id)?.add(agent.id);
        fireAndForget(this.ctx, AppInterface.IPostLivechatAgentAssigned, { room: updated, agent });
    }

    protected async closeRoom(room: ILivechatRoom, comment: string, closer: IUser | undefined): Promise<boolean> {
        const existing = this.store.rooms.get(room.id) as ILivechatRoom | undefined;
        if (!existing || !existing.isOpen) return false;
        const closed = {
            ...existing,
            isOpen: false,
            closedAt: this.store.now(),
            closer: closer ? 'user' : 'visitor',
            closedBy: closer ? { id: closer.id, username: closer.username } : { id: existing.visitor.id, username: existing.visitor.username },
        } as unknown as ILivechatRoom;
        this.store.rooms.set(room.id, closed);
        saveMessage(this.ctx, {
            room: closed,
            sender: closer ?? ({ id: existing.visitor.id, username: existing.visitor.username } as unknown as IUser),
            text: comment,
            t: 'livechat-close',
            groupable: false,
        } as IMessage);
        fireAndForget(this.ctx, AppInterface.IPostLivechatRoomClosed, closed);
        return true;
    }

    protected async countOpenRoomsByAgentId(agentId: string): Promise<number> {
        return (await this.findOpenRoomsByAgentId(agentId)).length;
    }

    protected async findOpenRoomsByAgentId(agentId: string): Promise<ILivechatRoom[]> {
        if (!agentId) throw new Error('Invalid agentId');
        return this.openRooms().filter((r) => r.servedBy?.id === agentId);
    }

    protected async findRooms(visitor: IVisitor, departmentId: string | null): Promise<ILivechatRoom[]> {
        if (!visitor) return [];
        return this.openRooms().filter((r) => r.visitor?.token === visitor.token && (!departmentId || r.department?.id === departmentId));
    }

    private openRooms(): ILivechatRoom[] {
        return [...this.store.rooms.values()].filter((r): r is ILivechatRoom => r.type === RoomType.LIVE_CHAT && (r as ILivechatRoom).isOpen);
    }

    protected async findDepartmentByIdOrName(value: string): Promise<IDepartment | undefined> {
        return [...this.store.departments.values()].find((d) => d.id === value || d.name === value);
    }

    protected async findDepartmentsEnabledWithAgents(): Promise<IDepartment[]> {
        return [...this.store.departments.values()].filter((d) => d.enabled && d.agentIds.length > 0);
    }

    protected async _fetchLivechatRoomMessages(_appId: string, roomId: string): Promise<IMessage[]> {
        return this.store.roomMessages(roomId);
    }

    protected async setCustomFields(data: { token: string; key: string; value: string; overwrite: boolean }): Promise<number> {
        const field = this.store.livechatCustomFields.get(data.key);
        if (!field) throw new Error('invalid-custom-field');
        const visitor = [...this.store.visitors.values()].find((v) => v.token === data.token);
        if (!visitor) return 0;
        const livechatData = (visitor.livechatData ?? {}) as Record<string, string>;
        if (!data.overwrite && livechatData[data.key]) return 0;
        this.store.visitors.set(visitor.id!, { ...visitor, livechatData: { ...livechatData, [data.key]: data.value } });
        return 1;
    }
}
