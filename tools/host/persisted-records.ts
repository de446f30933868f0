/**
 * One app's persistence records, indexed by association like Rocket.Chat's `apps_persistence` collection
 * (compound index `{ appId: 1, associations: 1 }`: apps/meteor/server/models/raw/AppsPersistence.ts; migration
 * v248). Without it every read scanned every record, so a long run slowed down with its own history — a cost
 * production does not have. Tests may still set and delete records directly: the index follows.
 */
import type { PersistedRecord } from './store';

export type Association = { model: string; id: string };

const keyOf = (a: Association) => `${a.model}\u0000${a.id}`;
const sameAssociations = (a: Association[], b: Association[]) =>
    a.length === b.length && a.every((x, i) => x.model === b[i].model && x.id === b[i].id);

export class PersistedRecords extends Map<string, PersistedRecord> {
    private readonly byAssociation = new Map<string, Set<string>>();

    public override set(id: string, record: PersistedRecord): this {
        const previous = super.get(id);
        super.set(id, record);
        if (previous && sameAssociations(previous.associations, record.associations)) return this;
        if (previous) this.unindex(id, previous);
        for (const a of record.associations) {
            const key = keyOf(a);
            let ids = this.byAssociation.get(key);
            if (!ids) this.byAssociation.set(key, (ids = new Set()));
            ids.add(id);
        }
        return this;
    }

    public override delete(id: string): boolean {
        const previous = super.get(id);
        if (previous) this.unindex(id, previous);
        return super.delete(id);
    }

    public override clear(): void {
        this.byAssociation.clear();
        super.clear();
    }

    /** Records carrying every one of `wanted` (MongoDB's `$all`), looked up through the rarest association. */
    public withAll(wanted: Association[]): PersistedRecord[] {
        if (wanted.length === 0) return [...this.values()];
        let rarest: Set<string> | undefined;
        for (const a of wanted) {
            const ids = this.byAssociation.get(keyOf(a));
            if (!ids) return [];
            if (!rarest || ids.size < rarest.size) rarest = ids;
        }
        const wantedKeys = wanted.map(keyOf);
        const found: PersistedRecord[] = [];
        for (const id of rarest!) {
            const record = super.get(id);
            if (!record) continue;
            const keys = new Set(record.associations.map(keyOf));
            if (wantedKeys.every((k) => keys.has(k))) found.push(record);
        }
        return found;
    }

    private unindex(id: string, record: PersistedRecord): void {
        for (const a of record.associations) {
            const key = keyOf(a);
            const ids = this.byAssociation.get(key);
            ids?.delete(id);
            if (ids?.size === 0) this.byAssociation.delete(key);
        }
    }
}
