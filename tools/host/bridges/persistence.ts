/**
 * App persistence with Rocket.Chat's exact semantics (apps/meteor/app/apps/server/bridges/persistence.ts):
 * reads match associations with `$all` (any order, subset); updateByAssociations matches the association
 * array exactly and updates one record; update-by-id is not implemented in Rocket.Chat, so it throws here too;
 * removeByAssociations is a find, then a delete — not atomic: two callers at once both get the records back.
 */
import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import { PersistenceBridge } from '@rocket.chat/apps-engine/server/bridges/PersistenceBridge';
import type { Association, PersistedRecords } from '../persisted-records';
import type { PersistedRecord } from '../store';
import { BridgeContext } from './context';

const plain = (a: RocketChatAssociationRecord | Association): Association => ({
    model: (a as RocketChatAssociationRecord).getModel?.() ?? (a as Association).model,
    id: (a as RocketChatAssociationRecord).getID?.() ?? (a as Association).id,
});
const same = (a: Association, b: Association) => a.model === b.model && a.id === b.id;
const exactly = (record: PersistedRecord, wanted: Association[]) =>
    record.associations.length === wanted.length && wanted.every((w, i) => same(record.associations[i], w));

function assertObject(data: unknown): asserts data is Record<string, unknown> {
    if (typeof data !== 'object' || data === null) {
        throw new Error('Attempted to store an invalid data type, it must be an object.');
    }
}

/** Stored data is a copy, as after a round trip through MongoDB. */
const copy = <T>(value: T): T => structuredClone(value);

export class HostPersistenceBridge extends PersistenceBridge {
    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    private records(appId: string): PersistedRecords {
        return this.ctx.store.appPersistence(appId);
    }

    /** Inserts under a fresh id; an existing id is MongoDB's duplicate-key error, never a silent overwrite. */
    private insert(appId: string, record: Omit<PersistedRecord, 'id'>): string {
        const id = this.ctx.store.newObjectId();
        const records = this.records(appId);
        if (records.has(id))
            throw new Error(
                `E11000 duplicate key error collection: rocketchat_apps_persistence index: _id_ dup key: { _id: "${id}" }`,
            );
        records.set(id, { id, ...record });
        return id;
    }

    protected async purge(appId: string): Promise<void> {
        this.ctx.store.persistence.delete(appId);
    }

    protected async create(data: object, appId: string): Promise<string> {
        assertObject(data);
        return this.insert(appId, { data: copy(data), associations: [] });
    }

    protected async createWithAssociations(
        data: object,
        associations: RocketChatAssociationRecord[],
        appId: string,
    ): Promise<string> {
        assertObject(data);
        return this.insert(appId, { data: copy(data), associations: associations.map(plain) });
    }

    protected async readById(id: string, appId: string): Promise<object> {
        return copy(this.records(appId).get(id)?.data ?? {});
    }

    protected async readByAssociations(associations: RocketChatAssociationRecord[], appId: string): Promise<object[]> {
        const wanted = associations.map(plain);
        return this.records(appId)
            .withAll(wanted)
            .map((r) => copy(r.data));
    }

    protected async remove(id: string, appId: string): Promise<object | undefined> {
        const record = this.records(appId).get(id);
        if (!record) return undefined;
        this.records(appId).delete(id);
        return record.data;
    }

    protected async removeByAssociations(
        associations: RocketChatAssociationRecord[],
        appId: string,
    ): Promise<object[] | undefined> {
        const wanted = associations.map(plain);
        const matching = this.records(appId).withAll(wanted);
        if (matching.length === 0) return undefined;
        // Rocket.Chat awaits the find before its deleteMany: another instance's removal may run in between.
        await new Promise((resolve) => setImmediate(resolve));
        for (const r of matching) this.records(appId).delete(r.id);
        return matching.map((r) => copy(r.data));
    }

    protected async update(_id: string, data: object): Promise<string> {
        assertObject(data);
        throw new Error('Not implemented.');
    }

    protected async updateByAssociations(
        associations: RocketChatAssociationRecord[],
        data: object,
        upsert: boolean,
        appId: string,
    ): Promise<string> {
        assertObject(data);
        const wanted = associations.map(plain);
        const existing = this.records(appId)
            .withAll(wanted)
            .find((r) => exactly(r, wanted));
        if (existing) {
            existing.data = copy(data);
            return existing.id;
        }
        if (!upsert) return '';
        return this.insert(appId, { data: copy(data), associations: wanted });
    }
}
