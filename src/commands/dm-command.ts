/**
 * `/twitter dm @handle [--from @business] <text> [--confirm]`: its arguments checked (they are typed by a person and may be
 * anything), then the conversation is started by the bridge and the outcome told to the agent.
 */
import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import type { Translate } from '../i18n/translate';
import { failureReasonKey } from '../i18n/x-failures';
import { roomMessageMaxLength } from '../lib/server-settings';
import { buildBridgeContext } from '../bridge/build-context';
import { startConversation, StartOutcome } from '../bridge/agent-started';
import { isAdmin, maySeeStatus } from '../admin/roles';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { moveToDm } from '../bridge/move-to-dm';
import { parseThreadVisitorToken } from '../x/ids';
import { serverTranslator } from '../lib/language';
import { chooseSenderAccount } from '../admin/sender-account';
import { messageAndConfirm, parseDmArguments } from './dm-args';

export interface DmAccessors {
    read: IRead;
    modify: IModify;
    persistence: IPersistence;
    http: IHttp;
    logger: ILogger;
}

export async function runDmCommand(a: DmAccessors, sender: IUser, words: string[], t: Translate): Promise<string> {
    const args = parseDmArguments(words);
    if (!args.ok) {
        if (args.problem === 'bad-handle') return t('command_dm_bad_handle', { handle: args.handle ?? '' });
        if (args.problem === 'empty-text') return t('command_dm_empty_text', { handle: args.handle ?? '' });
        if (args.problem === 'bad-from') return t('command_dm_bad_from');
        return t('command_dm_usage');
    }
    // The agent's text is posted in the room as it is sent: the server's message size limit applies, as to a reply.
    const max = await roomMessageMaxLength(a.read, Date.now());
    if (args.text.length > max) return t('command_dm_too_long', { length: args.text.length, max });
    // Which business writes: named with --from, or the only one linked.
    const chosen = await chooseSenderAccount(a.read, args.from);
    if (!chosen.ok)
        return t(chosen.reasonKey, { handle: args.from ?? '', customer: args.handle, handles: chosen.handles });
    const built = await buildBridgeContext(a.read, a.modify, a.persistence, a.http, a.logger, chosen.account.accountId);
    if (!built.ok) return t('command_dm_not_linked');
    const outcome = await startConversation(built.ctx, sender, { ...args, mayExceedCap: isAdmin(sender) });
    return describe(outcome, t, await roomLink(a.read));
}

/**
 * `/twitter move-to-dm [message] [--confirm]` in a public thread's room: the author gets the message (or a
 * default one, in the server's language) by DM and the conversation continues in a DM room.
 */
export async function runMoveToDmCommand(
    a: DmAccessors,
    sender: IUser,
    roomId: string | undefined,
    words: string[],
    t: Translate,
): Promise<string> {
    const { text: typed, confirmed } = messageAndConfirm(words);
    const max = await roomMessageMaxLength(a.read, Date.now());
    if (typed.length > max) return t('command_dm_too_long', { length: typed.length, max });
    // The public room's account: its visitor token names it (checked against the thread's record in moveToDm).
    const room = roomId ? await a.read.getRoomReader().getById(roomId) : undefined;
    const token = (room as ILivechatRoom | undefined)?.visitor?.token;
    const accountId = parseThreadVisitorToken(token)?.accountId;
    if (!roomId || !accountId) return t('command_move_to_dm_not_public');
    // Moving closes the public room: only whoever serves it, or a manager/administrator, decides that.
    if ((room as ILivechatRoom).servedBy?.id !== sender.id && !maySeeStatus(sender))
        return t('command_move_to_dm_not_serving');
    const built = await buildBridgeContext(a.read, a.modify, a.persistence, a.http, a.logger, accountId);
    if (!built.ok) return t('command_dm_not_linked');
    const text = typed || (await serverTranslator(a.read, Date.now()))('move_to_dm_default_text');
    const moved = await moveToDm(built.ctx, sender, roomId, { text, confirmed, mayExceedCap: isAdmin(sender) });
    if (moved.kind === 'not-public') return t('command_move_to_dm_not_public');
    if (moved.kind === 'no-handle') return t('command_move_to_dm_no_handle');
    return describe(moved.outcome, t, await roomLink(a.read));
}

/** Rocket.Chat's address of an Omnichannel room: `<Site URL>/live/<room id>`. */
async function roomLink(read: IRead): Promise<(roomId: string) => string> {
    const siteUrl = String((await read.getEnvironmentReader().getServerSettings().getValueById('Site_Url')) ?? '');
    return (roomId) => `${siteUrl.replace(/\/+$/, '')}/live/${encodeURIComponent(roomId)}`;
}

function describe(outcome: StartOutcome, t: Translate, link: (roomId: string) => string): string {
    const handle = outcome.handle;
    switch (outcome.kind) {
        case 'sent':
            return t('command_dm_sent', { handle, link: link(outcome.roomId) });
        case 'queued':
            return t('command_dm_queued', { handle, link: link(outcome.roomId) });
        case 'already-open':
            return t('command_dm_already_open', { handle, link: link(outcome.roomId) });
        case 'opening-elsewhere':
            return t('command_dm_opening_elsewhere', { handle });
        case 'not-found':
            return t('command_dm_not_found', { handle });
        case 'other-user':
            return t('command_move_to_dm_other_user', { handle });
        case 'own-account':
            return t('command_dm_own_account', { handle });
        case 'refuses-dms':
            return t('command_dm_refuses_dms', { handle });
        case 'blocked':
            return t('command_dm_blocked', { handle });
        case 'send-refused': {
            const kind = outcome.reason === 'file-unreadable' ? 'invalid-request' : outcome.reason;
            return t('command_dm_send_refused', { handle, reason: t(failureReasonKey(kind)) });
        }
        case 'lookup-failed':
            return t('command_dm_lookup_failed', { handle, reason: t(failureReasonKey(outcome.reason)) });
        case 'agent-unavailable':
            return t('command_dm_agent_unavailable', { handle });
        case 'over-cap':
            return t('command_dm_over_cap', {
                cost: outcome.costUsd.toFixed(3),
                today: outcome.todayUsd.toFixed(2),
                cap: outcome.capUsd.toFixed(2),
            });
        case 'confirm':
            return t('command_dm_confirm', {
                cost: outcome.costUsd.toFixed(3),
                today: outcome.todayUsd.toFixed(2),
                cap: outcome.capUsd.toFixed(2),
            });
    }
}
