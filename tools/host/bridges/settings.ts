import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { SettingType } from '@rocket.chat/apps-engine/definition/settings';
import { ServerSettingBridge } from '@rocket.chat/apps-engine/server/bridges/ServerSettingBridge';
import { BridgeContext } from './context';

/** Server-wide settings (Site_Url, Language, …) from the shared store. */
export class HostServerSettingBridge extends ServerSettingBridge {
    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    private toSetting(id: string): ISetting {
        const value = this.ctx.store.serverSettings.get(id);
        return {
            id,
            type:
                typeof value === 'boolean'
                    ? SettingType.BOOLEAN
                    : typeof value === 'number'
                      ? SettingType.NUMBER
                      : SettingType.STRING,
            packageValue: value,
            value,
            required: false,
            public: true,
            i18nLabel: id,
        };
    }

    protected async getAll(): Promise<ISetting[]> {
        return [...this.ctx.store.serverSettings.keys()].map((id) => this.toSetting(id));
    }

    protected async getOneById(id: string): Promise<ISetting> {
        if (!this.ctx.store.serverSettings.has(id)) throw new Error(`Setting "${id}" does not exist.`);
        return this.toSetting(id);
    }

    protected async hideGroup(): Promise<void> {
        return undefined;
    }

    protected async hideSetting(): Promise<void> {
        return undefined;
    }

    protected async isReadableById(id: string): Promise<boolean> {
        return this.ctx.store.serverSettings.has(id);
    }

    protected async updateOne(setting: ISetting): Promise<void> {
        this.ctx.store.serverSettings.set(setting.id, setting.value);
    }

    protected async incrementValue(id: string, value: number): Promise<void> {
        const current = Number(this.ctx.store.serverSettings.get(id) ?? 0);
        this.ctx.store.serverSettings.set(id, current + value);
    }
}
