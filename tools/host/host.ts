/**
 * An in-memory Rocket.Chat around the real Apps-Engine 1.62 server runtime: the engine parses, signs and
 * runs the packaged app in its Deno subprocess exactly as Rocket.Chat 8.x does, while every bridge is an
 * in-memory implementation over a HostStore. Several hosts may share one store (a simulated cluster).
 */
import type { IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { UserStatusConnection, UserType } from '@rocket.chat/apps-engine/definition/users';
import { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import { AppBridges } from '@rocket.chat/apps-engine/server/bridges';
import type { ProxiedApp } from '@rocket.chat/apps-engine/server/ProxiedApp';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BridgeContext } from './bridges/context';
import { settle } from './bridges/events';
import { HostHttpBridge } from './bridges/http';
import { HostLivechatBridge } from './bridges/livechat';
import { HostMessageBridge, saveMessage } from './bridges/messages';
import { HostPersistenceBridge } from './bridges/persistence';
import {
    HostApiBridge,
    HostAppActivationBridge,
    HostAppDetailChangesBridge,
    HostCommandBridge,
    RegisteredRoute,
} from './bridges/registry';
import { HostRoomBridge } from './bridges/rooms';
import { HostSchedulerBridge, JobRun } from './bridges/scheduler';
import { HostServerSettingBridge } from './bridges/settings';
import {
    HostCloudWorkspaceBridge,
    HostContactBridge,
    HostEmailBridge,
    HostEnvironmentalVariableBridge,
    HostExperimentalBridge,
    HostInternalBridge,
    HostModerationBridge,
    HostOAuthAppsBridge,
    HostOutboundMessageBridge,
    HostRoleBridge,
    HostThreadBridge,
    HostUiInteractionBridge,
    HostVideoConferenceBridge,
} from './bridges/unsupported';
import { HostUploadBridge, storeUpload } from './bridges/uploads';
import { HostUserBridge } from './bridges/users';
import { ensureDenoOnPath } from './paths';
import { CallLog, instrument } from './recorder';
import { captureDenoStderr, captureEngineConsole } from './runtime-output';
import { matchRoute } from './routes';
import { HostLogStorage, HostMetadataStorage, HostSourceStorage } from './storages';
import { HostStore, StoreOptions } from './store';

export interface HostOptions extends StoreOptions {
    /** Share a store with other hosts to simulate a Rocket.Chat cluster. */
    store?: HostStore;
    hostId?: string;
    /** X hostname → local base URL, e.g. { 'api.x.com': 'http://127.0.0.1:8787' }. */
    httpHostMap?: Record<string, string>;
    /** How long the engine waits for the Deno subprocess (ms). */
    runtimeTimeoutMs?: number;
}

export interface EndpointCall {
    method?: 'get' | 'post' | 'put' | 'delete' | 'patch' | 'head' | 'options';
    query?: Record<string, string>;
    headers?: Record<string, string>;
    content?: unknown;
    privateHash?: string;
}

let hostCounter = 0;

class HostBridges extends AppBridges {
    public readonly command: HostCommandBridge;
    public readonly api: HostApiBridge;
    public readonly activation: HostAppActivationBridge;
    public readonly details: HostAppDetailChangesBridge;
    public readonly http: HostHttpBridge;
    public readonly scheduler: HostSchedulerBridge;
    public readonly uiInteraction: HostUiInteractionBridge;
    private readonly wrapped: Record<string, unknown> = {};

    constructor(
        private readonly ctx: BridgeContext,
        log: CallLog,
    ) {
        super();
        const add = <T extends object>(name: string, bridge: T): T => {
            this.wrapped[name] = instrument(name, bridge, log);
            return bridge;
        };
        this.command = add('CommandBridge', new HostCommandBridge(ctx));
        this.api = add('ApiBridge', new HostApiBridge(ctx));
        this.activation = add('AppActivationBridge', new HostAppActivationBridge(ctx));
        this.details = add('AppDetailChangesBridge', new HostAppDetailChangesBridge(ctx));
        this.http = add('HttpBridge', new HostHttpBridge(ctx));
        this.scheduler = add('SchedulerBridge', new HostSchedulerBridge(ctx));
        this.uiInteraction = add('UiInteractionBridge', new HostUiInteractionBridge());
        add('LivechatBridge', new HostLivechatBridge(ctx));
        add('MessageBridge', new HostMessageBridge(ctx));
        add('PersistenceBridge', new HostPersistenceBridge(ctx));
        add('RoomBridge', new HostRoomBridge(ctx));
        add('ServerSettingBridge', new HostServerSettingBridge(ctx));
        add('UploadBridge', new HostUploadBridge(ctx));
        add('UserBridge', new HostUserBridge(ctx));
        add('InternalBridge', new HostInternalBridge(ctx));
        add('EnvironmentalVariableBridge', new HostEnvironmentalVariableBridge());
        add('CloudWorkspaceBridge', new HostCloudWorkspaceBridge());
        add('ContactBridge', new HostContactBridge());
        add('EmailBridge', new HostEmailBridge());
        add('ExperimentalBridge', new HostExperimentalBridge());
        add('ModerationBridge', new HostModerationBridge());
        add('OAuthAppsBridge', new HostOAuthAppsBridge());
        add('OutboundMessageBridge', new HostOutboundMessageBridge());
        add('RoleBridge', new HostRoleBridge());
        add('ThreadBridge', new HostThreadBridge());
        add('VideoConferenceBridge', new HostVideoConferenceBridge());
    }

    private get<T>(name: string): T {
        return this.wrapped[name] as T;
    }

    public getCommandBridge = () => this.get<never>('CommandBridge');
    public getContactBridge = () => this.get<never>('ContactBridge');
    public getApiBridge = () => this.get<never>('ApiBridge');
    public getAppDetailChangesBridge = () => this.get<never>('AppDetailChangesBridge');
    public getEnvironmentalVariableBridge = () => this.get<never>('EnvironmentalVariableBridge');
    public getHttpBridge = () => this.get<never>('HttpBridge');
    public getLivechatBridge = () => this.get<never>('LivechatBridge');
    public getMessageBridge = () => this.get<never>('MessageBridge');
    public getPersistenceBridge = () => this.get<never>('PersistenceBridge');
    public getAppActivationBridge = () => this.get<never>('AppActivationBridge');
    public getRoomBridge = () => this.get<never>('RoomBridge');
    public getInternalBridge = () => this.get<never>('InternalBridge');
    public getServerSettingBridge = () => this.get<never>('ServerSettingBridge');
    public getUploadBridge = () => this.get<never>('UploadBridge');
    public getEmailBridge = () => this.get<never>('EmailBridge');
    public getUserBridge = () => this.get<never>('UserBridge');
    public getUiInteractionBridge = () => this.get<never>('UiInteractionBridge');
    public getSchedulerBridge = () => this.get<never>('SchedulerBridge');
    public getCloudWorkspaceBridge = () => this.get<never>('CloudWorkspaceBridge');
    public getVideoConferenceBridge = () => this.get<never>('VideoConferenceBridge');
    public getOAuthAppsBridge = () => this.get<never>('OAuthAppsBridge');
    public getModerationBridge = () => this.get<never>('ModerationBridge');
    public getThreadBridge = () => this.get<never>('ThreadBridge');
    public getRoleBridge = () => this.get<never>('RoleBridge');
    public getOutboundMessageBridge = () => this.get<never>('OutboundMessageBridge');
    public getExperimentalBridge = () => this.get<never>('ExperimentalBridge');

    /** Rocket.Chat's listener bridge forwards server events to the engine; so does this one. */
    public getListenerBridge = () => {
        const listeners = () => this.ctx.manager().getListenerManager();
        const forward = (int: AppInterface, data: unknown) => listeners().executeListener(int as never, data as never);
        return {
            messageEvent: forward,
            roomEvent: forward,
            uiKitInteractionEvent: forward,
            livechatEvent: forward,
            videoConferenceEvent: forward,
            upsertRoomEvent: forward,
        } as never;
    };

    public getInternalFederationBridge = () =>
        ({
            getPrivateKey: async () => this.ctx.store.federationKeys.privateKey,
            getPublicKey: async () => this.ctx.store.federationKeys.publicKey,
        }) as never;
}

export class TestHost {
    public readonly calls = new CallLog();
    public readonly hostId: string;
    public readonly manager: AppManager;
    private readonly bridges: HostBridges;
    private readonly ctx: BridgeContext;
    private readonly tempDir: string;
    private installedAppId?: string;

    private constructor(
        public readonly store: HostStore,
        private readonly options: HostOptions,
    ) {
        ensureDenoOnPath();
        if (options.runtimeTimeoutMs) process.env.APPS_ENGINE_RUNTIME_TIMEOUT = String(options.runtimeTimeoutMs);
        this.hostId = options.hostId ?? `h${++hostCounter}`;
        this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), `rc-host-${this.hostId}-`));
        const hostMap = new Map(Object.entries(options.httpHostMap ?? {}));
        this.ctx = { store, hostId: this.hostId, manager: () => this.manager, httpHostMap: hostMap };
        this.bridges = new HostBridges(this.ctx, this.calls);
        captureEngineConsole(store.runtimeOutput);
        // The engine insists on one AppManager per process; hosts sharing a store each get their own.
        (AppManager as unknown as { Instance?: AppManager }).Instance = undefined;
        this.manager = new AppManager({
            metadataStorage: new HostMetadataStorage(store),
            logStorage: new HostLogStorage(store.appLogEntries),
            bridges: this.bridges,
            sourceStorage: new HostSourceStorage(store),
            tempFilePath: this.tempDir,
        });
    }

    /** A host over a new store (or `options.store`), with apps already in that store loaded and enabled. */
    public static async start(options: HostOptions = {}): Promise<TestHost> {
        const host = new TestHost(options.store ?? new HostStore(options), options);
        await host.store.spawningApps(() => host.manager.load());
        if (host.store.appMetadata.size > 0) {
            await host.store.spawningApps(() => host.manager.enableAll());
            host.installedAppId = [...host.store.appMetadata.keys()][0];
        }
        host.guardRuntimePipes();
        host.store.instances.add(host);
        return host;
    }

    // ---- apps ---------------------------------------------------------------------------------

    /** Installs and enables a packaged app as an admin would upload it; throws with the engine's reasons. */
    public async install(zip: Buffer, installer?: IUser): Promise<string> {
        const user = installer ?? this.firstAdmin() ?? this.createUser({ username: 'admin', roles: ['admin', 'user'] });
        const result = await this.store.spawningApps(() => this.manager.add(zip, { enable: true, user }));
        const app = result.getApp();
        if (!app) {
            const reasons = {
                storage: result.getStorageError(),
                appUser: result.getAppUserError(),
                license: result.getLicenseValidationResult()?.getErrors?.(),
            };
            throw new Error(`Installing the app failed: ${JSON.stringify(reasons)}`);
        }
        this.installedAppId = app.getID();
        this.guardRuntimePipes();
        return this.installedAppId;
    }

    /**
     * Upgrades the installed app in place with another package of the same app id, as an admin's "Update"
     * does: Rocket.Chat's POST /api/apps/:id calls `manager.update(buff, permissionsGranted, { user,
     * loadApp: true })` (apps/meteor/ee/server/apps/communication/rest.ts). The engine keeps the app's
     * persistence, settings and scheduled jobs, stops the old runtime and starts the new code over them.
     */
    public async update(zip: Buffer, updater?: IUser): Promise<void> {
        const user = updater ?? this.firstAdmin();
        // A private upload grants no explicit permission list: the engine then applies the app's defaults.
        const result = await this.store.spawningApps(() =>
            this.manager.update(zip, undefined as never, { user, loadApp: true }),
        );
        const app = result.getApp();
        if (!app || result.hasStorageError() || result.hasAppUserError()) {
            throw new Error(
                `Updating the app failed: ${JSON.stringify({ storage: result.getStorageError(), appUser: result.getAppUserError() })}`,
            );
        }
        this.installedAppId = app.getID();
        this.guardRuntimePipes();
    }

    public get appId(): string {
        if (!this.installedAppId) throw new Error('No app installed on this host');
        return this.installedAppId;
    }

    public app(): ProxiedApp {
        const app = this.manager.getOneById(this.appId);
        if (!app) throw new Error(`App ${this.appId} is not loaded`);
        return app;
    }

    public async appStatus(): Promise<string> {
        return this.app().getStatus();
    }

    public async isEnabled(): Promise<boolean> {
        return ['auto_enabled', 'manually_enabled'].includes(await this.appStatus());
    }

    public appUser(): IUser {
        const user = [...this.store.users.values()].find(
            (u) => u.type === UserType.APP && (u as IUser & { appId?: string }).appId === this.appId,
        );
        if (!user) throw new Error('The app user does not exist');
        return user;
    }

    /**
     * The engine's liveness ping writes to each app's Deno stdin; once a process is gone that write fails
     * with EPIPE, and without a listener Node turns it into an uncaught error that kills the test run.
     */
    private guardRuntimePipes(): void {
        const app = this.installedAppId ? this.manager.getOneById(this.installedAppId) : undefined;
        const deno = (
            app?.getRuntimeController() as unknown as
                { deno?: { stdin?: NodeJS.WritableStream; stderr?: NodeJS.ReadableStream } } | undefined
        )?.deno;
        if (deno?.stdin && deno.stdin.listenerCount('error') === 0) deno.stdin.on('error', () => undefined);
        captureDenoStderr(deno?.stderr, this.store.runtimeOutput);
    }

    private stopped = false;

    /** Stops the engine and its Deno subprocess; the store (the "database") survives. */
    public async stop(): Promise<void> {
        if (this.stopped) return;
        this.stopped = true;
        this.store.instances.delete(this);
        this.guardRuntimePipes();
        this.stopAutoJobs();
        this.bridges.scheduler.stop();
        await settle(this.hostId);
        const runtime = this.installedAppId
            ? this.manager.getOneById(this.installedAppId)?.getRuntimeController()
            : undefined;
        await this.manager.unload(false);
        failRequestsInFlight(runtime);
        (AppManager as unknown as { Instance?: AppManager }).Instance = undefined;
        fs.rmSync(this.tempDir, { recursive: true, force: true });
    }

    /** A Rocket.Chat restart: a new engine over the same store loads and enables the stored app. */
    public async restart(): Promise<TestHost> {
        await this.stop();
        return TestHost.start({ ...this.options, store: this.store, hostId: this.hostId });
    }

    // ---- people and places --------------------------------------------------------------------

    public createUser(fields: Partial<IUser> & { username: string }): IUser {
        const id = this.store.newId('u');
        const user = {
            id,
            name: fields.username,
            emails: [],
            type: UserType.USER,
            isEnabled: true,
            roles: ['user'],
            status: 'online',
            statusConnection: UserStatusConnection.ONLINE,
            utcOffset: 0,
            createdAt: this.store.now(),
            updatedAt: this.store.now(),
            lastLoginAt: this.store.now(),
            ...fields,
        } as IUser;
        this.store.users.set(id, user);
        return user;
    }

    public createAgent(
        username: string,
        options: { departments?: string[]; online?: boolean; name?: string } = {},
    ): IUser {
        const agent = this.createUser({ username, name: options.name ?? username, roles: ['user', 'livechat-agent'] });
        this.setAgentOnline(agent.id, options.online ?? true);
        for (const departmentId of options.departments ?? [])
            this.store.departments.get(departmentId)?.agentIds.push(agent.id);
        return agent;
    }

    public setAgentOnline(agentId: string, online: boolean): void {
        const agent = this.store.users.get(agentId);
        if (!agent) throw new Error(`No agent ${agentId}`);
        this.store.users.set(agentId, {
            ...agent,
            status: online ? 'online' : 'offline',
            statusConnection: online ? UserStatusConnection.ONLINE : UserStatusConnection.OFFLINE,
            statusLivechat: online ? 'available' : 'not-available',
        } as IUser);
    }

    public createDepartment(name: string, agentIds: string[] = []): string {
        const id = this.store.newId('d');
        this.store.departments.set(id, {
            id,
            name,
            enabled: true,
            agentIds: [...agentIds],
            showOnRegistration: true,
            showOnOfflineForm: true,
        } as never);
        return id;
    }

    public createChannel(name: string, members: IUser[] = []): IRoom {
        const id = this.store.newId('r');
        const room = {
            id,
            slugifiedName: name,
            displayName: name,
            type: RoomType.CHANNEL,
            creator: members[0],
            isDefault: false,
            isReadOnly: false,
            createdAt: this.store.now(),
        } as unknown as IRoom;
        this.store.rooms.set(id, room);
        this.store.roomMembers.set(id, new Set(members.map((m) => m.id)));
        return room;
    }

    private firstAdmin(): IUser | undefined {
        return [...this.store.users.values()].find((u) => u.roles?.includes('admin'));
    }

    // ---- what people do ---------------------------------------------------------------------

    /** `/command args…` typed by `sender` in `room`, dispatched through the engine like Rocket.Chat does. */
    public async runCommand(text: string, sender: IUser, room?: IRoom): Promise<void> {
        const [command, ...args] = text.replace(/^\//, '').trim().split(/\s+/);
        const where = room ?? this.createChannel(`general-${this.store.newId()}`, [sender]);
        await this.manager.getCommandManager().executeCommand(command, new SlashCommandContext(sender, where, args));
        await this.settle();
    }

    /**
     * `user` pressing a button of an app's UIKit blocks: Rocket.Chat's POST /api/apps/ui.interaction/:appId
     * (apps/meteor/ee/server/apps/communication/uikit.ts) takes the user from the request's authentication and
     * everything else (actionId, blockId, value, rid, mid) from the client's body, unchecked; the room and the
     * message are looked up by id (undefined when unknown) and the engine calls executeBlockActionHandler.
     * Tests pass any of it, as a crafted request could — except the user: the authentication middleware
     * (apps/meteor/app/api/server/middlewares/authentication.ts) reads it from the database by the login token,
     * so the app sees the user's current roles, and a request without a known user is refused with 401. (A
     * request carrying a visitor token goes to IUIKitLivechatInteractionHandler instead, which this app does
     * not implement.)
     */
    public async blockAction(
        user: IUser,
        action: { actionId: string; blockId?: string; value?: string; roomId?: string; messageId?: string },
    ): Promise<unknown> {
        const authenticated = this.store.users.get(user.id);
        if (!authenticated) throw new Error('401: You must be logged in to do this.');
        const room = action.roomId ? this.store.rooms.get(action.roomId) : undefined;
        const message = action.messageId ? this.store.messages.get(action.messageId) : undefined;
        const result = await this.manager.getListenerManager().executeListener(AppInterface.IUIKitInteractionHandler, {
            type: 'blockAction',
            appId: this.appId,
            actionId: action.actionId,
            triggerId: this.store.newId('t'),
            payload: { blockId: action.blockId, value: action.value },
            container: action.messageId ? { type: 'message', id: action.messageId } : undefined,
            user: authenticated,
            room,
            message,
        } as never);
        await this.settle();
        return result;
    }

    /**
     * `user` submitting an app's modal: the same route (type `viewSubmit`) hands the engine `payload.view`
     * exactly as the client sent it — its id and its `state` ({ blockId: { actionId: value } }) — so tests may
     * pass any view, as a crafted request could; only the user comes from the login, as for blockAction. The
     * engine calls executeViewSubmitHandler (AppListenerManager, UIKitIncomingInteractionType.VIEW_SUBMIT).
     */
    public async viewSubmit(
        user: IUser,
        view: { id: string; state?: Record<string, Record<string, unknown>>; [field: string]: unknown },
    ): Promise<unknown> {
        const authenticated = this.store.users.get(user.id);
        if (!authenticated) throw new Error('401: You must be logged in to do this.');
        const result = await this.manager.getListenerManager().executeListener(AppInterface.IUIKitInteractionHandler, {
            type: 'viewSubmit',
            appId: this.appId,
            actionId: 'submit',
            triggerId: this.store.newId('t'),
            payload: { view: { appId: this.appId, type: 'modal', ...view } },
            user: authenticated,
        } as never);
        await this.settle();
        return result;
    }

    /**
     * A request to one of the app's endpoints, shaped as Rocket.Chat's router passes it. It does not wait
     * for background work: the app's own jobs may be waiting on this very request (X's CRC check).
     */
    public async callEndpoint(subPath: string, call: EndpointCall = {}): Promise<IApiResponse> {
        const match = this.findRoute(subPath);
        if (!match) return { status: 404 };
        const request = {
            method: call.method ?? 'get',
            headers: Object.fromEntries(Object.entries(call.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
            query: call.query ?? {},
            params: match.params,
            content: call.content ?? {},
            privateHash: call.privateHash,
        };
        const response = await this.manager.getApiManager().executeApi(this.appId, match.route.path, request as never);
        this.store.endpointAnswers.push({
            at: this.store.clock.now(),
            appId: this.appId,
            route: match.route.path,
            status: response.status,
            headers: { ...(response.headers ?? {}) },
            content: response.content,
        });
        return response;
    }

    public routes(): RegisteredRoute[] {
        return this.bridges.api.routes.get(this.appId) ?? [];
    }

    public findRoute(subPath: string): { route: RegisteredRoute; params: Record<string, string> } | undefined {
        for (const route of this.routes()) {
            const params = matchRoute(route.path, subPath);
            if (params) return { route, params };
        }
        return undefined;
    }

    /** An admin changing an app setting in Administration → Apps (fires onSettingUpdated). */
    /** An admin saves an app setting on this instance; Rocket.Chat's broadcast applies it on the others. */
    public async setSetting(id: string, value: unknown): Promise<void> {
        const settings = this.manager.getSettingsManager();
        const current = settings.getAppSetting(this.appId, id);
        const updated = { ...current, value };
        await settings.updateAppSetting(this.appId, updated);
        for (const other of this.store.instances)
            if (other !== this) await other.receiveAppSetting(this.appId, updated);
        await this.settle();
    }

    /** The broadcast of a setting saved on another instance (AppServerListener.onAppSettingUpdated). */
    public async receiveAppSetting(appId: string, setting: object): Promise<void> {
        await this.manager.getSettingsManager().updateAppSetting(appId, setting as ISetting);
        await this.settle();
    }

    public settingValue(id: string): unknown {
        return this.appSetting(id).value;
    }

    /** The setting as registered by the app (throws for an id the app never provided). */
    public appSetting(id: string): ISetting {
        return this.manager.getSettingsManager().getAppSetting(this.appId, id);
    }

    /** An agent typing a reply in a livechat room (Rocket.Chat then fires IPostMessageSent). */
    public postAgentMessage(roomId: string, agent: IUser, text: string, extra: Partial<IMessage> = {}): IMessage {
        const room = this.store.rooms.get(roomId);
        if (!room) throw new Error(`No room ${roomId}`);
        return saveMessage(this.ctx, { room, sender: agent, text, groupable: true, ...extra } as IMessage);
    }

    /** An agent attaching a file (with an optional caption) in a room. */
    public uploadAsUser(
        roomId: string,
        user: IUser,
        file: { name: string; type: string; buffer: Buffer },
        caption?: string,
    ): string {
        return storeUpload(
            this.ctx,
            { name: file.name, type: file.type, size: file.buffer.length, rid: roomId, userId: user.id },
            file.buffer,
            caption,
        ).id;
    }

    /** Closes a livechat room the way Rocket.Chat's UI does for an agent (or the visitor, without `closer`). */
    public async closeRoom(roomId: string, closer?: IUser, comment = ''): Promise<boolean> {
        const room = this.store.rooms.get(roomId) as ILivechatRoom | undefined;
        if (!room) throw new Error(`No room ${roomId}`);
        const bridge = this.bridges.getLivechatBridge() as unknown as {
            closeRoom(r: ILivechatRoom, c: string, u: IUser | undefined, a: string): Promise<boolean>;
        };
        const closed = await bridge.closeRoom(room, comment, closer, this.appId);
        await this.settle();
        return closed;
    }

    /**
     * An agent or manager blocks a visitor's contact channel (`omnichannel/contacts.block`,
     * ee/app/livechat-enterprise/server/api/lib/contacts.ts): the channel is marked blocked and the visitor's
     * open room is closed with the comment "This channel has been blocked" (close-blocked-room-comment).
     */
    public async blockContact(visitorId: string, by: IUser): Promise<void> {
        this.store.blockedContactChannels.add(visitorId);
        const open = this.livechatRooms().find((r) => r.isOpen && r.visitor?.id === visitorId);
        if (open) await this.closeRoom(open.id, by, 'This channel has been blocked');
    }

    /** An agent forwarding a livechat room to another agent (Rocket.Chat's transfer: the room stays, the agent changes). */
    public async transferRoom(roomId: string, targetAgent: IUser): Promise<boolean> {
        const room = this.store.rooms.get(roomId) as ILivechatRoom | undefined;
        if (!room) throw new Error(`No room ${roomId}`);
        const bridge = this.bridges.getLivechatBridge() as unknown as {
            transferVisitor(v: unknown, d: unknown, a: string): Promise<boolean>;
        };
        const done = await bridge.transferVisitor(room.visitor, { currentRoom: room, targetAgent }, this.appId);
        await this.settle();
        return done;
    }

    public livechatRooms(): ILivechatRoom[] {
        return [...this.store.rooms.values()].filter((r): r is ILivechatRoom => r.type === RoomType.LIVE_CHAT);
    }

    public messagesIn(roomId: string): IMessage[] {
        return this.store.roomMessages(roomId);
    }

    public ephemeralFor(user: IUser): string[] {
        return this.store.ephemeral.filter((e) => e.user.id === user.id).map((e) => e.text ?? '');
    }

    // ---- time and background work -------------------------------------------------------------

    /** Runs the scheduler jobs due by the store's clock on this host. */
    public async runDueJobs(): Promise<JobRun[]> {
        const runs = await this.bridges.scheduler.runDueJobs();
        await this.settle();
        return runs;
    }

    /**
     * Makes the app's jobs of `processorId` due now and runs them (instead of waiting for their time). A
     * one-time job that failed stays unrun, as in Agenda; a locked one waits for its lock.
     */
    public async runJobNow(processorId: string): Promise<JobRun[]> {
        const now = this.store.clock.now();
        for (const job of this.store.jobs.values()) {
            if (
                (job.processorId === processorId || job.processorId.startsWith(`${processorId}_`)) &&
                Number.isFinite(job.nextRunAt)
            )
                job.nextRunAt = Math.min(job.nextRunAt, now);
        }
        return this.runDueJobs();
    }

    public jobRuns(): JobRun[] {
        return this.bridges.scheduler.runs;
    }

    private jobTimer?: NodeJS.Timeout;

    /**
     * Scans for due jobs every `everyMs` of real time, like Agenda's processEvery (the sandbox and long
     * tests); a scan does not wait for the jobs of the one before, whose names are still running.
     */
    public startAutoJobs(everyMs = 250): void {
        this.stopAutoJobs();
        this.jobTimer = setInterval(() => void this.bridges.scheduler.runDueJobs(), everyMs);
    }

    public stopAutoJobs(): void {
        if (this.jobTimer) clearInterval(this.jobTimer);
        this.jobTimer = undefined;
    }

    /** Waits until every event listener and job this host started has finished. */
    public async settle(): Promise<void> {
        await settle(this.hostId);
    }

    public httpExchanges() {
        return this.bridges.http.exchanges;
    }

    public setHttpHostMap(map: Record<string, string>): void {
        this.ctx.httpHostMap.clear();
        for (const [k, v] of Object.entries(map)) this.ctx.httpHostMap.set(k, v);
        this.options.httpHostMap = map;
    }

    public uiInteractions() {
        return this.bridges.uiInteraction.interactions;
    }
}

/**
 * A stopping Rocket.Chat fails the requests its app process had not answered (a killed process never
 * will): they fail now, not when the engine's 30-second timeout fires during some later test.
 */
function failRequestsInFlight(runtime: unknown): void {
    const emitter = runtime as
        | { eventNames?: () => (string | symbol)[]; emit?: (name: string | symbol, ...args: unknown[]) => boolean }
        | undefined;
    for (const name of emitter?.eventNames?.() ?? []) {
        if (String(name).startsWith('result:'))
            emitter!.emit!(name, undefined, new Error('Rocket.Chat stopped while the request was in flight'));
    }
}
