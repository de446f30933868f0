/**
 * The link to the business account stopped working: X announced a revocation (AAA `user_event.revoke`,
 * X Activity `oauth.revoke`) or answered a user-context call with 401 even after a token refresh. The
 * account is marked (`/twitter status` says so) and the admins are told once, across instances, until
 * the account is linked again.
 */
import { IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { serverTranslator } from '../lib/language';
import { accountRecord, readAccount } from '../storage/account';
import { invalidateAccount } from '../storage/account-cache';
import { claimIncident } from '../storage/incidents';
import { announceInSetupRoom } from './setup-room';

export interface LinkAccessors {
    read: IRead;
    modify: IModify;
    persistence: IPersistence;
}

/** Marks the linked account broken (if it is `xUserId`, when given) and alerts once. Returns whether it was news. */
export async function markLinkBroken(a: LinkAccessors, now: number, xUserId?: string): Promise<boolean> {
    const account = await readAccount(a.read.getPersistenceReader());
    if (!account || account.revokedAt || (xUserId !== undefined && account.xUserId !== xUserId)) return false;
    await accountRecord.write(a.persistence, { ...account, revokedAt: now });
    invalidateAccount();
    // One incident per link: linking again writes a new account record (a new linkedAt).
    if (
        await claimIncident(
            a.read.getPersistenceReader(),
            a.persistence,
            `link-broken:${account.xUserId}:${account.linkedAt}`,
            now,
        )
    ) {
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
