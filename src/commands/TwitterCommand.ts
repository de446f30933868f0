import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { App } from '@rocket.chat/apps-engine/definition/App';
import { ISlashCommand, SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { I18nKey, Translate, translator } from '../i18n/translate';
import { notifyEphemeral } from '../lib/ephemeral';
import { languageOf } from '../lib/language';
import { authorize, CommandReply, unauthorize } from '../admin/authorize';
import { isAdmin, mayStartConversation, maySeeStatus } from '../admin/roles';
import { runDmCommand, runMoveToDmCommand } from './dm-command';
import { accountsReply, changeDepartment, describeDepartment, statusCommand } from '../admin/account-actions';
import { forgetCustomer } from '../admin/forget';
import { parseDepartmentArguments, parseOptionalHandle } from './account-args';

const ADMIN_ONLY: Subcommand[] = ['authorize', 'unauthorize', 'forget', 'accounts', 'department'];

export const SUBCOMMANDS = [
    'authorize',
    'unauthorize',
    'status',
    'accounts',
    'department',
    'dm',
    'move-to-dm',
    'support',
    'help',
    'forget',
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export function parseSubcommand(args: string[]): { subcommand: Subcommand; unknown?: string } {
    const word = (args[0] ?? '').trim().toLowerCase();
    if ((SUBCOMMANDS as readonly string[]).includes(word)) return { subcommand: word as Subcommand };
    return { subcommand: 'help', unknown: word || undefined };
}

/** `/twitter <subcommand>`: every answer is ephemeral, in the sender's language. */
export class TwitterCommand implements ISlashCommand {
    public command = 'twitter';
    public i18nParamsExample: I18nKey = 'command_params_example';
    public i18nDescription: I18nKey = 'command_description';
    public providesPreview = false;

    constructor(private readonly app: App) {}

    public async executor(
        context: SlashCommandContext,
        read: IRead,
        modify: IModify,
        http: IHttp,
        persistence: IPersistence,
    ): Promise<void> {
        const sender = context.getSender();
        const t = translator(await languageOf(read, sender));
        const args = context.getArguments();
        const { subcommand, unknown } = parseSubcommand(args);
        const reply = await this.answer(
            subcommand,
            unknown,
            sender,
            t,
            { read, modify, persistence, http },
            args.slice(1),
            context.getRoom()?.id,
        );
        await notifyEphemeral(read, modify, sender, context.getRoom(), reply.text, reply.blocks);
    }

    private async answer(
        subcommand: Subcommand,
        unknown: string | undefined,
        sender: IUser,
        t: Translate,
        a: { read: IRead; modify: IModify; persistence: IPersistence; http: IHttp },
        rest: string[],
        roomId?: string,
    ): Promise<CommandReply> {
        if (ADMIN_ONLY.includes(subcommand) && !isAdmin(sender))
            return { text: t('command_admins_only', { subcommand }) };
        // The status names the account and the bill, and asks X: refused before anything is read.
        if (subcommand === 'status' && !maySeeStatus(sender)) return { text: t('command_status_refused') };
        if ((subcommand === 'dm' || subcommand === 'move-to-dm') && !mayStartConversation(sender))
            return { text: t('command_dm_refused') };
        const admin = { ...a, appId: this.app.getID(), now: () => Date.now() };
        const info = this.app.getInfo();
        switch (subcommand) {
            case 'authorize':
                return authorize(admin, sender, t);
            case 'unauthorize': {
                const named = parseOptionalHandle(rest);
                if (!named.ok) return { text: t('command_bad_account_handle', { handle: named.shown }) };
                return unauthorize(admin, t, sender, named.handle);
            }
            case 'accounts':
                return accountsReply(admin, t);
            case 'department': {
                const args = parseDepartmentArguments(rest);
                if (!args.ok && args.problem === 'usage') return { text: t('command_department_usage') };
                if (!args.ok && args.problem === 'bad-handle')
                    return { text: t('command_bad_account_handle', { handle: args.shown }) };
                if (!args.ok) return { text: t('accounts_department_bad', { department: args.shown }) };
                return {
                    text: describeDepartment(t, await changeDepartment(admin, sender, args.handle, args.department)),
                };
            }
            case 'support':
                return {
                    text: t('command_support', {
                        version: info.version,
                        homepage: info.author.homepage,
                        support: info.author.support,
                    }),
                };
            case 'forget':
                return forgetCustomer(admin, rest, t);
            case 'status': {
                const named = parseOptionalHandle(rest);
                if (!named.ok) return { text: t('command_bad_account_handle', { handle: named.shown }) };
                return { text: await statusCommand(admin, t, named.handle) };
            }
            case 'dm':
                return { text: await runDmCommand({ ...a, logger: this.app.getLogger() }, sender, rest, t) };
            case 'move-to-dm':
                return {
                    text: await runMoveToDmCommand({ ...a, logger: this.app.getLogger() }, sender, roomId, rest, t),
                };
            case 'help':
                return {
                    text: [unknown && t('command_unknown_subcommand', { subcommand: unknown }), t('command_help')]
                        .filter(Boolean)
                        .join('\n\n'),
                };
        }
    }
}
