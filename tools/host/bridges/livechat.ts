/**
 * Omnichannel as Rocket.Chat's AppLivechatBridge behaves (apps/meteor/app/apps/server/bridges/livechat.ts):
 * visitors by token, open-room lookups, routing to an online agent of the department, the no-agent error
 * (or a queued room when the server accepts chats with no agents online), a visitor message into a closed
 * room opening a new one, close with its event.
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
import { rcSetting } from '../server-settings';
import { fireAndForget } from './events';
import { saveMessage } from './messages';
import { checkCustomFields, MeteorError } from './send-message';
import { contactCustomField, contactForRoom, contactNameFromVisitor } from './contacts';

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

    /**
     * service-status.ts online(): with Livechat_accept_chats_with_no_agents on, the answer is true whoever
     * is online; otherwise whether an agent (of the department, when given) is online.
     */
    protected isOnline(departmentId?: string): boolean {
        if (rcSetting<boolean>(this.store, 'Livechat_accept_chats_with_no_agents')) return true;
        return onlineAgents(this.store, departmentId).length > 0;
    }

    protected async isOnlineAsync(departmentId?: string): Promise<boolean> {
        return this.isOnline(departmentId);
    }

    /**
     * createMessage → livechat sendMessage (apps/meteor/app/livechat/server/lib/messages.ts) → getRoom
     * (apps/meteor/app/livechat/server/lib/rooms.ts). A room that no longer exists fails in the message
     * converter; a CLOSED room is no error: Rocket.Chat opens a new room for the visitor — its source the
     * app without label or icons, its department the one on the visitor the app passed (the bridge converts
     * `message.visitor` with convertAppVisitor, apps/meteor/app/apps/server/converters/visitors.ts, and never
     * reads the stored visitor's) or else the first with an agent online — and posts the message there. The
     * visitor's timestamp is kept (no executeSendMessage on this path).
     */
    protected async createMessage(message: ILivechatMessage, appId: string): Promise<string> {
        if (!message.token) throw new Error('Invalid token for livechat message');
        const existing = this.store.rooms.get(message.room?.id) as ILivechatRoom | undefined;
        if (!existing) throw new Error('Invalid room provided on the message.');
        const guest = { ...(message.visitor ?? {}), token: message.visitor?.token ?? message.token } as IVisitor;
        let room = existing;
        if (!room.isOpen) {
            const appName = this.ctx.manager().getOneById(appId)?.getNameSlug();
            room = this.requestRoom(guest, undefined, appId, { type: 'app', id: appId, alias: appName });
        } else if (room.visitor?.token !== guest.token) {
            throw new MeteorError('cannot-access-room', 'cannot-access-room');
        }
        checkCustomFields(this.store, message as ILivechatMessage & { customFields?: unknown });
        const visitor = this.store.visitors.get(room.visitor.id!) ?? room.visitor;
        // Rocket.Chat stores the visitor as the message's `u`; apps then see a sender of unknown type.
        const sender = {
            id: visitor.id,
            username: visitor.username,
            name: visitor.name,
            type: 'unknown',
        } as unknown as IUser;
        return saveMessage(this.ctx, { ...message, room, sender, visitor, token: guest.token } as IMessage).id!;
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

    /**
     * Rocket.Chat's registerGuest: the token identifies the visitor; an existing one is updated, not duplicated,
     * and so is its contact's name (contacts/registerGuestData.ts).
     */
    private async registerGuest(visitor: IVisitor): Promise<IVisitor> {
        if (!visitor.token) throw new Error('error-invalid-token');
        const existing = [...this.store.visitors.values()].find((v) => v.token === visitor.token);
        const id = existing?.id ?? visitor.id ?? this.store.newId('v');
        if (existing) contactNameFromVisitor(this.store, id, visitor.name);
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

    protected async createRoom(
        visitor: IVisitor,
        agent: IUser,
        appId: string,
        extraParams: IExtraRoomParams = {},
    ): Promise<ILivechatRoom> {
        const { source, customFields } = extraParams as IExtraRoomParams & { customFields?: Record<string, unknown> };
        if (source?.type !== 'app') throw new Error('Invalid source type for livechat room');
        let servingAgent: IUser | undefined;
        if (agent?.id) {
            servingAgent = this.store.users.get(agent.id);
            if (!servingAgent) throw new Error(`The agent with id "${agent.id}" was not found.`);
        }
        // rooms.ts createRoom (apps/meteor/app/livechat/server/lib/rooms.ts, 7.x/8.x): a blocked contact
        // channel gets no room — LivechatContacts.isChannelBlocked → Error('error-contact-channel-blocked').
        if (visitor.id && this.store.blockedContactChannels.has(visitor.id))
            throw new Error('error-contact-channel-blocked');
        const appName = this.ctx.manager().getOneById(appId)?.getName();
        const roomSource = {
            type: 'app',
            id: appId,
            alias: appName,
            label: source.label,
            sidebarIcon: source.sidebarIcon,
            defaultIcon: source.defaultIcon,
        };
        // The converter takes the visitor the app passes (its department included) over what is stored.
        return this.requestRoom(
            { ...(this.store.visitors.get(visitor.id!) ?? {}), ...visitor },
            servingAgent,
            appId,
            roomSource,
            customFields,
        );
    }

    /**
     * rooms.ts createRoom → QueueManager.requestRoom (apps/meteor/app/livechat/server/lib/QueueManager.ts):
     * without a department the visitor gets the first enabled department shown on registration that has
     * an agent online (departmentsLib.ts getRequiredDepartment); unless the server accepts chats with no
     * agents, no agent online (in the department, or at all) is the no-agent-online error; the room starts
     * with a `livechat-started` system message and is routed (Auto_Selection: to an online agent).
     */
    private requestRoom(
        visitor: IVisitor,
        agent: IUser | undefined,
        appId: string,
        source: Record<string, unknown>,
        customFields?: Record<string, unknown>,
    ): ILivechatRoom {
        const store = this.store;
        if (!rcSetting<boolean>(store, 'Livechat_enabled'))
            throw new MeteorError('error-omnichannel-is-disabled', 'error-omnichannel-is-disabled');
        let departmentId = visitor.department;
        if (!agent && !departmentId) departmentId = this.requiredDepartment()?.id;
        const department = departmentId ? store.departments.get(departmentId) : undefined;
        if (departmentId && !department) throw new Error('error-invalid-department');
        const candidates = agent
            ? [agent].filter((a) => onlineAgents(store).some((o) => o.id === a.id))
            : onlineAgents(store, departmentId);
        if (candidates.length === 0 && !rcSetting<boolean>(store, 'Livechat_accept_chats_with_no_agents'))
            throw new NoAgentOnlineError();
        const autoAssign = rcSetting<string>(store, 'Livechat_Routing_Method') !== 'Manual_Selection';
        const servingAgent =
            agent ??
            (autoAssign && candidates.length > 0 ? candidates[this.routingCursor++ % candidates.length] : undefined);

        const id = store.newId('r');
        const roomVisitor = store.visitors.get(visitor.id!) ?? visitor;
        // QueueManager.requestRoom → migrateVisitorIfMissingContact: the visitor's contact for this source.
        const contactId = contactForRoom(store, roomVisitor, source as { type: string; id?: string });
        const room = {
            id,
            type: RoomType.LIVE_CHAT,
            slugifiedName: id,
            displayName: roomVisitor.name,
            creator: undefined as unknown as IUser,
            visitor: roomVisitor,
            department,
            isOpen: true,
            isDefault: false,
            isReadOnly: false,
            closer: undefined,
            createdAt: store.now(),
            updatedAt: store.now(),
            source,
            customFields: customFields ?? {},
            contactId,
            userIds: [] as string[],
        } as unknown as ILivechatRoom;
        store.rooms.set(id, room);
        store.roomMembers.set(id, new Set());
        saveMessage(this.ctx, {
            room,
            sender: { id: roomVisitor.id, username: roomVisitor.username, type: 'unknown' } as unknown as IUser,
            text: '',
            t: 'livechat-started',
            groupable: false,
            token: roomVisitor.token,
        } as IMessage);
        fireAndForget(this.ctx, AppInterface.IPostLivechatRoomStarted, room);
        void appId;
        if (servingAgent) this.assign(room, servingAgent);
        return store.rooms.get(id) as ILivechatRoom;
    }

    /** departmentsLib.ts getRequiredDepartment(): enabled, shown on registration, with an agent online. */
    private requiredDepartment(): (IDepartment & { agentIds: string[] }) | undefined {
        return [...this.store.departments.values()].find(
            (d) =>
                d.enabled &&
                d.agentIds.length > 0 &&
                (d as { showOnRegistration?: boolean }).showOnRegistration !== false &&
                onlineAgents(this.store, d.id).length > 0,
        );
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
            closedBy: closer
                ? { id: closer.id, username: closer.username }
                : { id: existing.visitor.id, username: existing.visitor.username },
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
        return this.openRooms().filter(
            (r) => r.visitor?.token === visitor.token && (!departmentId || r.department?.id === departmentId),
        );
    }

    private openRooms(): ILivechatRoom[] {
        return [...this.store.rooms.values()].filter(
            (r): r is ILivechatRoom => r.type === RoomType.LIVE_CHAT && (r as ILivechatRoom).isOpen,
        );
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

    /**
     * apps/meteor/app/livechat/server/lib/custom-fields.ts setCustomFields: the key must be a custom field an
     * admin defined (`invalid-custom-field`), the value must match its regular expression; a room-scope field is
     * written on the visitor's open rooms, a visitor-scope one on the visitor and every contact of the visitor.
     */
    protected async setCustomFields(data: {
        token: string;
        key: string;
        value: string;
        overwrite: boolean;
    }): Promise<number> {
        const field = this.store.livechatCustomFields.get(data.key);
        if (!field) throw new Error('invalid-custom-field');
        if (field.regexp && !new RegExp(field.regexp).test(data.value))
            throw new Error(`Invalid value for ${data.key} field`);
        if (field.scope === 'room') {
            // LivechatRooms.updateDataByToken: the visitor's open rooms.
            let updated = 0;
            for (const room of this.openRooms().filter((r) => r.visitor?.token === data.token)) {
                const livechatData = ((room as { livechatData?: Record<string, string> }).livechatData ?? {}) as Record<
                    string,
                    string
                >;
                if (!data.overwrite && livechatData[data.key]) continue;
                this.store.rooms.set(room.id, {
                    ...room,
                    livechatData: { ...livechatData, [data.key]: data.value },
                } as ILivechatRoom);
                updated++;
            }
            return updated;
        }
        const visitor = [...this.store.visitors.values()].find((v) => v.token === data.token);
        if (!visitor) return 0;
        const livechatData = (visitor.livechatData ?? {}) as Record<string, string>;
        // LivechatVisitors.updateLivechatDataByToken leaves an existing value alone unless told to overwrite; the
        // contacts are updated either way (a conflict when not overwriting).
        const changed = data.overwrite || !livechatData[data.key];
        if (changed)
            this.store.visitors.set(visitor.id!, {
                ...visitor,
                livechatData: { ...livechatData, [data.key]: data.value },
            });
        contactCustomField(this.store, visitor.id!, data.key, data.value, data.overwrite);
        return changed ? 1 : 0;
    }
}
