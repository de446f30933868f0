/** Where Rocket.Chat keeps installed apps: metadata, the package itself, and the apps' logs. */
import type { AppStatus } from '@rocket.chat/apps-engine/definition/AppStatus';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type { IMarketplaceInfo } from '@rocket.chat/apps-engine/server/marketplace';
import { AppLogStorage, AppMetadataStorage, IAppStorageItem } from '@rocket.chat/apps-engine/server/storage';
import { AppSourceStorage } from '@rocket.chat/apps-engine/server/storage/AppSourceStorage';
import type { HostStore } from './store';

export class HostMetadataStorage extends AppMetadataStorage {
    constructor(private readonly store: HostStore) {
        super('memory');
    }

    private byStorageId(_id: string): IAppStorageItem | undefined {
        return [...this.store.appMetadata.values()].find((i) => i._id === _id);
    }

    public async create(item: IAppStorageItem): Promise<IAppStorageItem> {
        if (this.store.appMetadata.has(item.id)) throw new Error('App already exists.');
        const created = {
            ...item,
            _id: item._id ?? `st${item.id.replace(/-/g, '').slice(0, 15)}`,
            createdAt: this.store.now(),
            updatedAt: this.store.now(),
        };
        this.store.appMetadata.set(item.id, structuredClone(created));
        return structuredClone(created);
    }

    public async retrieveOne(id: string): Promise<IAppStorageItem | null> {
        const item = this.store.appMetadata.get(id);
        return item ? structuredClone(item) : null;
    }

    public async retrieveAll(): Promise<Map<string, IAppStorageItem>> {
        return new Map([...this.store.appMetadata.entries()].map(([k, v]) => [k, structuredClone(v)]));
    }

    public async retrieveAllPrivate(): Promise<Map<string, IAppStorageItem>> {
        return new Map([...(await this.retrieveAll()).entries()].filter(([, v]) => !v.marketplaceInfo));
    }

    public async remove(id: string): Promise<{ success: boolean }> {
        return { success: this.store.appMetadata.delete(id) };
    }

    public async updatePartialAndReturnDocument(
        item: Partial<IAppStorageItem>,
        options: { unsetPermissionsGranted?: boolean } = {},
    ): Promise<IAppStorageItem> {
        const existing = item._id ? this.byStorageId(item._id) : undefined;
        if (!existing) throw new Error(`App storage item ${item._id} not found`);
        const updated = { ...existing, ...structuredClone(item), updatedAt: this.store.now() } as IAppStorageItem;
        if (options.unsetPermissionsGranted) delete updated.permissionsGranted;
        this.store.appMetadata.set(updated.id, updated);
        return structuredClone(updated);
    }

    private patch(_id: string, change: (item: IAppStorageItem) => void): boolean {
        const item = this.byStorageId(_id);
        if (!item) return false;
        change(item);
        item.updatedAt = this.store.now();
        return true;
    }

    public async updateStatus(_id: string, status: AppStatus): Promise<boolean> {
        return this.patch(_id, (i) => (i.status = status));
    }

    public async updateSetting(_id: string, setting: ISetting): Promise<boolean> {
        return this.patch(_id, (i) => (i.settings[setting.id] = structuredClone(setting)));
    }

    public async updateAppInfo(_id: string, info: IAppInfo): Promise<boolean> {
        return this.patch(_id, (i) => (i.info = structuredClone(info)));
    }

    public async updateMarketplaceInfo(_id: string, marketplaceInfo: IMarketplaceInfo[]): Promise<boolean> {
        return this.patch(_id, (i) => (i.marketplaceInfo = structuredClone(marketplaceInfo)));
    }
}

export class HostSourceStorage extends AppSourceStorage {
    constructor(private readonly storeRef: HostStore) {
        super();
    }

    public async store(item: IAppStorageItem, zip: Buffer): Promise<string> {
        this.store_().appSources.set(item.id, Buffer.from(zip));
        return `memory:${item.id}`;
    }

    public async fetch(item: IAppStorageItem): Promise<Buffer> {
        const zip = this.store_().appSources.get(item.id);
        if (!zip) throw new Error(`No package stored for app ${item.id}`);
        return zip;
    }

    public async update(item: IAppStorageItem, zip: Buffer): Promise<string> {
        return this.store(item, zip);
    }

    public async remove(item: IAppStorageItem): Promise<void> {
        this.store_().appSources.delete(item.id);
    }

    private store_(): HostStore {
        return this.storeRef;
    }
}

export class HostLogStorage extends AppLogStorage {
    constructor(private readonly entries: ILoggerStorageEntry[]) {
        super('memory');
    }

    public async findPaginated(
        query: Record<string, unknown>,
        options: { skip?: number; limit?: number } = {},
    ): Promise<{ logs: ILoggerStorageEntry[]; total: number }> {
        const matching = this.entries.filter((e) => !query.appId || e.appId === query.appId);
        const skip = options.skip ?? 0;
        return { logs: matching.slice(skip, options.limit ? skip + options.limit : undefined), total: matching.length };
    }

    public async storeEntries(logEntry: ILoggerStorageEntry): Promise<ILoggerStorageEntry> {
        this.entries.push(logEntry);
        return logEntry;
    }

    public async getEntriesFor(appId: string): Promise<ILoggerStorageEntry[]> {
        return this.entries.filter((e) => e.appId === appId);
    }

    public async removeEntriesFor(appId: string): Promise<void> {
        for (let i = this.entries.length - 1; i >= 0; i--)
            if (this.entries[i].appId === appId) this.entries.splice(i, 1);
    }
}
