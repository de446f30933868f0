/**
 * Versions before the rename named both people `xUserId`: the business account on the linked account, the customer on
 * conversation records, mirror candidates, outbox items and in-doubt verification jobs. An app upgraded in
 * place still holds those records, so each record kind reads them through its `fromStored…` (which uses
 * this) and writes only the new shape. Association keys never changed: old records are found as before.
 */

/** A record as any version stored it: the new field, or the old `xUserId` in its place. */
export type Stored<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>> & { xUserId?: string };

/** The record with the old `xUserId` moved into `field` (a value already under `field` wins). */
export function renamedLegacyId<T, K extends keyof T & string>(stored: Stored<T, K>, field: K): T {
    const { xUserId, ...rest } = stored;
    const current = (rest as Partial<Pick<T, K>>)[field];
    return { ...rest, [field]: current ?? xUserId } as T;
}
