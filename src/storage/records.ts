import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import { miscKey } from './associations';

/**
 * A record stored under exactly one MISC key. Rocket.Chat's updateByAssociations matches the association
 * list exactly and its update-by-id is not implemented, so single-key records are the reliable shape.
 */
export class KeyedRecord<T extends object> {
    constructor(public readonly key: RocketChatAssociationRecord) {}

    public static named<T extends object>(name: string): KeyedRecord<T> {
        return new KeyedRecord<T>(miscKey(name));
    }

    public async read(reader: IPersistenceRead): Promise<T | undefined> {
        const [record] = (await reader.readByAssociation(this.key)) as unknown as T[];
        return record;
    }

    public async write(persistence: IPersistence, value: T): Promise<void> {
        await persistence.updateByAssociation(this.key, value, true);
    }

    public async remove(persistence: IPersistence): Promise<void> {
        await persistence.removeByAssociation(this.key);
    }
}

/**
 * A record kind kept once per linked account, under `<name>:<accountId>`. Versions that served one account
 * kept it under `<name>` alone: `legacy` is that record, read only for the account it belonged to
 * (storage/accounts.ts) until the upgrade moved it.
 */
export class PerAccountRecord<T extends object> {
    public readonly legacy: KeyedRecord<T>;

    constructor(public readonly name: string) {
        this.legacy = KeyedRecord.named<T>(name);
    }

    public of(accountId: string): KeyedRecord<T> {
        return KeyedRecord.named<T>(`${this.name}:${accountId}`);
    }
}

export const roomKey = (roomId: string) => new RocketChatAssociationRecord(RocketChatAssociationModel.ROOM, roomId);
