/**
 * Unlinking: one account (its delivery at X, its token, its records), or every account (the app's uninstall,
 * and `/twitter unauthorize` on a single-account install). Other accounts keep working.
 */
import { invalidateAccount, xClientFor } from '../bridge/build-context';
import { readSettings } from '../settings/reader';
import {
    LinkedAccount,
    listAccounts,
    migrateLegacyAccount,
    readAccount,
    readForAccount,
    removeAccount,
    tokensRecords,
} from '../storage/accounts';
import { forgetCachedCredentials } from '../x/credentials';
import { toXFailure } from '../x/errors';
import { unregisterDelivery } from './delivery';
import { AdminAccessors, revokeTokens } from './link';

export interface UnlinkOutcome {
    ok: true;
    account?: LinkedAccount;
    problems: string[];
}

/**
 * Unlinks one account: stops its delivery at X (its subscriptions; the webhook only when no other account
 * uses it), revokes its OAuth 2.0 token, forgets its records and credentials. Other accounts are untouched.
 */
export async function unlinkAccount(a: AdminAccessors, accountId: string): Promise<UnlinkOutcome> {
    const reader = a.read.getPersistenceReader();
    // An install not upgraded yet keeps the account under the old keys: moved first, so all of it goes.
    await migrateLegacyAccount(reader, a.persistence);
    const account = await readAccount(reader, accountId);
    const settings = await readSettings(a.read);
    const problems: string[] = [];
    if (account) {
        const x = xClientFor(a.read, a.http, a.persistence, settings, a.now, { account });
        try {
            await unregisterDelivery({ x, reader, persistence: a.persistence, modify: a.modify, account, now: a.now });
        } catch (e) {
            problems.push(`delivery: ${toXFailure(e, a.now()).kind}`);
        }
        const tokens = await readForAccount(reader, tokensRecords, accountId);
        if (tokens && settings.oauth2ClientId) {
            const problem = await revokeTokens(a, tokens);
            if (problem) problems.push(`revoke: ${problem}`);
        }
    }
    await removeAccount(a.persistence, accountId);
    forgetCachedCredentials(accountId);
    invalidateAccount();
    return { ok: true, account, problems };
}

/**
 * `/twitter unauthorize` as before several accounts, and the app's uninstall: unlinks every linked
 * account (the one, on a single-account install). Returns the first account's outcome with every problem.
 */
export async function unlink(a: AdminAccessors): Promise<UnlinkOutcome> {
    await migrateLegacyAccount(a.read.getPersistenceReader(), a.persistence);
    const accounts = await listAccounts(a.read.getPersistenceReader());
    const outcomes: UnlinkOutcome[] = [];
    for (const account of accounts) outcomes.push(await unlinkAccount(a, account.accountId));
    forgetCachedCredentials();
    return { ok: true, account: outcomes[0]?.account, problems: outcomes.flatMap((o) => o.problems) };
}
