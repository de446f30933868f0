/** The app's registrations as a Rocket.Chat instance keeps them: slash commands, API routes, status. */
import type { ISlashCommand } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { AppStatus } from '@rocket.chat/apps-engine/definition/AppStatus';
import { ApiBridge } from '@rocket.chat/apps-engine/server/bridges/ApiBridge';
import { AppActivationBridge } from '@rocket.chat/apps-engine/server/bridges/AppActivationBridge';
import { AppDetailChangesBridge } from '@rocket.chat/apps-engine/server/bridges/AppDetailChangesBridge';
import { CommandBridge } from '@rocket.chat/apps-engine/server/bridges/CommandBridge';
import type { AppApi } from '@rocket.chat/apps-engine/server/managers/AppApi';
import type { ProxiedApp } from '@rocket.chat/apps-engine/server/ProxiedApp';
import { BridgeContext } from './context';

export interface RegisteredRoute {
    appId: string;
    path: string;
    computedPath: string;
}

export class HostApiBridge extends ApiBridge {
    public readonly routes = new Map<string, RegisteredRoute[]>();

    constructor(_ctx: BridgeContext) {
        super();
    }

    protected async registerApi({ computedPath, endpoint }: AppApi, appId: string): Promise<void> {
        if (typeof endpoint.path !== 'string')
            throw new Error('Invalid Api parameter provided, it must be a valid IApi object.');
        const list = this.routes.get(appId) ?? [];
        list.push({ appId, path: endpoint.path.trim().replace(/^\//, ''), computedPath });
        this.routes.set(appId, list);
    }

    protected async unregisterApis(appId: string): Promise<void> {
        this.routes.delete(appId);
    }
}

export class HostCommandBridge extends CommandBridge {
    public readonly commands = new Map<string, { command: ISlashCommand; appId: string; enabled: boolean }>();

    constructor(_ctx: BridgeContext) {
        super();
    }

    protected async doesCommandExist(command: string): Promise<boolean> {
        return this.commands.has(command.toLowerCase());
    }

    protected async enableCommand(command: string): Promise<void> {
        const entry = this.commands.get(command.toLowerCase());
        if (!entry) throw new Error(`The command is not currently registered: "${command}"`);
        entry.enabled = true;
    }

    protected async disableCommand(command: string): Promise<void> {
        const entry = this.commands.get(command.toLowerCase());
        if (!entry) throw new Error(`The command is not currently registered: "${command}"`);
        entry.enabled = false;
    }

    protected async modifyCommand(command: ISlashCommand, appId: string): Promise<void> {
        this.commands.set(command.command.toLowerCase(), { command, appId, enabled: true });
    }

    protected async registerCommand(command: ISlashCommand, appId: string): Promise<void> {
        this.commands.set(command.command.toLowerCase(), { command, appId, enabled: true });
    }

    protected async unregisterCommand(command: string): Promise<void> {
        this.commands.delete(command.toLowerCase());
    }
}

export class HostAppActivationBridge extends AppActivationBridge {
    public readonly statusChanges: { appId: string; status: AppStatus }[] = [];

    constructor(_ctx: BridgeContext) {
        super();
    }

    protected async appAdded(): Promise<void> {
        return undefined;
    }

    protected async appUpdated(): Promise<void> {
        return undefined;
    }

    protected async appRemoved(): Promise<void> {
        return undefined;
    }

    protected async appStatusChanged(app: ProxiedApp, status: AppStatus): Promise<void> {
        this.statusChanges.push({ appId: app.getID(), status });
    }

    protected async actionsChanged(): Promise<void> {
        return undefined;
    }
}

export class HostAppDetailChangesBridge extends AppDetailChangesBridge {
    public readonly settingChanges: { appId: string; setting: ISetting }[] = [];

    constructor(_ctx: BridgeContext) {
        super();
    }

    protected onAppSettingsChange(appId: string, setting: ISetting): void {
        this.settingChanges.push({ appId, setting });
    }
}
