/**
 * The link to the business account stopped working: X announced a revocation (AAA `user_event.revoke`,
 * X Activity `oauth.revoke`) or answered a user-context call with 401 even after a token refresh. The
 * account is marked (`/twitter status` says so, the poller stops) and the admins are told once, across
 * instances. A 401 can also be X's passing mistake: when the health check finds the token working again,
 * the mark is lifted and the admins are told that too — otherwise a working link would stay "broken" until
 * someone linked it again.
 */
import { IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { serverTranslator } from '../lib/language';
import { LinkedAccount, readAccount, writeAccount } from '../storage/accounts';
import { invalidateAccount } from '../storage/account-cache';
import { claimIncident } from '../storage/incidents';
import { announceInSetupRoom } from './setup-room';

export interface LinkAccessors {
    read: IRead;
    modify: IModify;
    persistence: IPersistence;
}

/** Marks the linked account `accountId` broken and alerts once. Returns whether it was news. */
export async function markLinkBroken(a: LinkAccessors, now: number, accountId: string): Promise<boolean> {
    const account = await readAccount(a.read.getPersistenceReader(), accountId);
    if (!account || account.revokedAt) return false;
    await writeAccount(a.persistence, { ...account, revokedAt: now });
    invalidateAccount();
    // One incident per break: linking again writes a new account record (a new linkedAt), lifting the mark a
    // new restoredAt. (Records from before restoredAt existed keep their original key.)
    const breakKey = `link-broken:${account.accountId}:${account.linkedAt}${account.restoredAt ? `:${account.restoredAt}` : ''}`;
    if (await claimIncident(a.read.getPersistenceReader(), a.persistence, breakKey, now)) {
        const t = await serverTranslator(a.read, now);
        await announceInSetupRoom(
            a.read,
            a.modify,
            a.persistence,
            t('link_broken_alert', { username: account.username }),
        );
    }
    return true;
}

/**
 * Lifts the mark when X accepts the account's token again (a successful user-context call after it was
 * marked). Only the same link is touched: an account unlinked or linked anew meanwhile is left alone.
 * Returns whether this call lifted it.
 */
export async function markLinkRestored(a: LinkAccessors, now: number, marked: LinkedAccount): Promise<boolean> {
    const reader = a.read.getPersistenceReader();
    const account = await readAccount(reader, marked.accountId);
    if (!account?.revokedAt || account.linkedAt !== marked.linkedAt) return false;
    const { revokedAt, ...working } = account;
    await writeAccount(a.persistence, { ...working, restoredAt: now });
    invalidateAccount();
    if (
        await claimIncident(
            reader,
            a.persistence,
            `link-restored:${account.accountId}:${account.linkedAt}:${revokedAt}`,
            now,
        )
    ) {
        const t = await serverTranslator(a.read, now);
        await announceInSetupRoom(
            a.read,
            a.modify,
            a.persistence,
            t('link_restored_notice', { username: account.username }),
        );
    }
    return true;
}
