/** The linked account, cached per instance: it is read on every event, and each read is a round trip. */
import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { LinkedAccount, readAccount } from './account';

const ACCOUNT_TTL_MS = 30_000;
let accountCache: { account: LinkedAccount | undefined; at: number } | undefined;

export async function cachedAccount(read: IRead, now: number): Promise<LinkedAccount | undefined> {
    if (accountCache && now - accountCache.at < ACCOUNT_TTL_MS) return accountCache.account;
    const account = await readAccount(read.getPersistenceReader());
    accountCache = { account, at: now };
    return account;
}

/** After linking, unlinking or marking the link broken on this instance; other instances follow within the TTL. */
export function invalidateAccount(): void {
    accountCache = undefined;
}
