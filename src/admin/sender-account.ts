/**
 * Which linked business account writes a conversation an agent starts (`/twitter dm … --from @business`): the
 * one named, or the only one linked; with several linked and none named, nobody guesses.
 */
import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { I18nKey } from '../i18n/translate';
import { LinkedAccount, listAccounts } from '../storage/accounts';

export type SenderChoice = { ok: true; account: LinkedAccount } | { ok: false; reasonKey: I18nKey; handles: string };

export async function chooseSenderAccount(read: IRead, from: string | undefined): Promise<SenderChoice> {
    const accounts = await listAccounts(read.getPersistenceReader());
    const handles = accounts.map((account) => `@${account.username}`).join(', ');
    if (accounts.length === 0) return { ok: false, reasonKey: 'command_dm_not_linked', handles };
    const wanted = from?.toLowerCase();
    const account = wanted ? accounts.find((a) => a.username.toLowerCase() === wanted) : accounts[0];
    if (!account) return { ok: false, reasonKey: 'command_dm_unknown_from', handles };
    if (!wanted && accounts.length > 1) return { ok: false, reasonKey: 'command_dm_name_from', handles };
    return { ok: true, account };
}
