import type { IUser, IUserCreationOptions } from '@rocket.chat/apps-engine/definition/users';
import { UserStatusConnection, UserType } from '@rocket.chat/apps-engine/definition/users';
import { UserBridge } from '@rocket.chat/apps-engine/server/bridges/UserBridge';
import { BridgeContext } from './context';

export class HostUserBridge extends UserBridge {
    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    protected async getById(id: string): Promise<IUser> {
        return this.ctx.store.users.get(id) as IUser;
    }

    protected async getByUsername(username: string): Promise<IUser> {
        return this.ctx.store.userByUsername(username) as IUser;
    }

    protected async getAppUser(appId?: string): Promise<IUser | undefined> {
        return [...this.ctx.store.users.values()].find(
            (u) => u.type === UserType.APP && (u as IUser & { appId?: string }).appId === appId,
        );
    }

    protected async getActiveUserCount(): Promise<number> {
        return [...this.ctx.store.users.values()].filter((u) => u.isEnabled && u.type === UserType.USER).length;
    }

    protected async getUserUnreadMessageCount(): Promise<number> {
        return 0;
    }

    protected async getUserRoomIds(userId: string): Promise<string[]> {
        return [...this.ctx.store.roomMembers.entries()]
            .filter(([, members]) => members.has(userId))
            .map(([roomId]) => roomId);
    }

    protected async create(data: Partial<IUser>, appId: string, _options?: IUserCreationOptions): Promise<string> {
        const store = this.ctx.store;
        const id = store.newId('u');
        const user = {
            id,
            username: data.username ?? id,
            name: data.name ?? data.username ?? id,
            emails: data.emails ?? [],
            type: data.type ?? UserType.USER,
            isEnabled: true,
            roles: data.roles ?? (data.type === UserType.APP ? ['app'] : ['user']),
            status: 'online',
            statusConnection: UserStatusConnection.ONLINE,
            utcOffset: 0,
            createdAt: store.now(),
            updatedAt: store.now(),
            lastLoginAt: store.now(),
            appId: data.type === UserType.APP ? appId : undefined,
        } as IUser & { appId?: string };
        store.users.set(id, user);
        return id;
    }

    protected async remove(user: IUser): Promise<boolean> {
        return this.ctx.store.users.delete(user.id);
    }

    protected async update(user: IUser, updates: Partial<IUser>): Promise<boolean> {
        const existing = this.ctx.store.users.get(user.id);
        if (!existing) return false;
        this.ctx.store.users.set(user.id, { ...existing, ...updates, updatedAt: this.ctx.store.now() });
        return true;
    }

    protected async deleteUsersCreatedByApp(appId: string, type: UserType.APP | UserType.BOT): Promise<boolean> {
        for (const [id, u] of this.ctx.store.users) {
            if (u.type === type && (u as IUser & { appId?: string }).appId === appId) this.ctx.store.users.delete(id);
        }
        return true;
    }

    protected async deactivate(userId: string): Promise<boolean> {
        return this.update({ id: userId } as IUser, { isEnabled: false });
    }
}
