/**
 * The registry of linked accounts, cached per instance: every event asks which account it is for, and each
 * read is a round trip. One read lists every account, so one copy serves them all.
 */
import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { InstanceCopy } from '../lib/instance-state';
import { LinkedAccount, listAccounts } from './accounts';

const copy = new InstanceCopy<LinkedAccount[]>(30_000);

export async function cachedAccounts(read: IRead, now: number): Promise<LinkedAccount[]> {
    return copy.get(now) ?? copy.keep(await listAccounts(read.getPersistenceReader()), now);
}

/**
 * The linked account `accountId`. Without one (data stored by versions that served one account names
 * none): the account linked longest, the one such a version served when it is still linked.
 */
export function accountNamed(accounts: LinkedAccount[], accountId: string | undefined): LinkedAccount | undefined {
    if (accountId === undefined) return accounts[0];
    return accounts.find((a) => a.accountId === accountId);
}

/** After linking, unlinking, a change to an account or a broken link on this instance; others follow within the TTL. */
export function invalidateAccount(): void {
    copy.forget();
}

/** How many accounts share the X app's daily send budget: those whose link works (a revoked one sends nothing). */
export function sendingAccountCount(accounts: LinkedAccount[]): number {
    return Math.max(1, accounts.filter((account) => account.revokedAt === undefined).length);
}
