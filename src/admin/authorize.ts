import type { LayoutBlock } from '@rocket.chat/ui-kit';
import { AdminAccessors, linkWithTokens, startOAuth2 } from './link';
import { unlink } from './unlink';
import { explainAutomatic } from './delivery-explain';
import { deliveryModeLabel } from '../i18n/setting-labels';
import { Translate } from '../i18n/translate';
import { AuthMethod } from '../settings/ids';
import { readSettings } from '../settings/reader';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LinkOutcome } from './link';
import { unlinkByHandle } from './accounts';
import { describeUnlink, reportUnlink } from './account-actions';
import { listAccounts } from '../storage/accounts';

export interface CommandReply {
    text: string;
    blocks?: LayoutBlock[];
}

/** What the admin reads after a link attempt: who is linked, how DMs will arrive, or what to fix. */
export function describeLink(outcome: LinkOutcome, t: Translate): string {
    if (!outcome.ok) return t('link_failed', { reason: t(outcome.reasonKey) });
    const lines = [t('link_succeeded', { username: outcome.account.username, name: outcome.account.name })];
    const facts = outcome.automaticFacts;
    if (outcome.delivery && facts)
        lines.push(explainAutomatic(t, outcome.delivery, facts.volume, facts.pollingIntervalSeconds));
    else if (outcome.delivery)
        lines.push(t('link_delivery_ready', { mode: t(deliveryModeLabel(outcome.delivery.mode)) }));
    if (outcome.deliveryProblem) lines.push(t('link_delivery_problem', { reason: t(outcome.deliveryProblem) }));
    return lines.join('\n');
}

export async function authorize(a: AdminAccessors, sender: Pick<IUser, 'id'>, t: Translate): Promise<CommandReply> {
    const settings = await readSettings(a.read);
    if (settings.authMethod === AuthMethod.Tokens) return { text: describeLink(await linkWithTokens(a, sender), t) };
    const started = await startOAuth2(a, sender);
    if (!started.ok) return { text: t('link_failed', { reason: t(started.reasonKey) }) };
    const text = t('authorize_click_here_text');
    return {
        text: `${text} ${started.url}`,
        blocks: [
            { type: 'section', text: { type: 'mrkdwn', text } },
            {
                type: 'actions',
                elements: [
                    {
                        type: 'button',
                        appId: a.appId,
                        blockId: 'x-authorize',
                        actionId: 'x-authorize-link',
                        url: started.url,
                        text: { type: 'plain_text', text: t('authorize_button') },
                        style: 'primary',
                    },
                ],
            },
        ] as LayoutBlock[],
    };
}

/**
 * `/twitter unauthorize [@handle]`: the named account. Without a handle, the linked account as before
 * several accounts; with several linked, the admin is asked to name one (never all at once).
 */
export async function unauthorize(a: AdminAccessors, t: Translate, by: IUser, handle?: string): Promise<CommandReply> {
    if (handle === undefined) {
        const accounts = await listAccounts(a.read.getPersistenceReader());
        if (accounts.length > 1) return { text: t('unauthorize_name_account', { handle: accounts[0].username }) };
    }
    const result = handle === undefined ? await unlink(a) : await unlinkByHandle(a, handle);
    if (!result.ok) return { text: t(result.reasonKey, { handle: result.handle }) };
    if (handle !== undefined) await reportUnlink(a, by, result);
    return { text: describeUnlink(t, result) };
}
