import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import { ISlashCommand, SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import { I18nKey, translator } from '../i18n/translate';
import { notifyEphemeral } from '../lib/ephemeral';
import { languageOf } from '../lib/language';

export const SUBCOMMANDS = ['authorize', 'unauthorize', 'status', 'support', 'help'] as const;
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

    constructor(private readonly appInfo: IAppInfo) {}

    public async executor(context: SlashCommandContext, read: IRead, modify: IModify, _http: IHttp, _persis: IPersistence): Promise<void> {
        const sender = context.getSender();
        const t = translator(await languageOf(read, sender));
        const { subcommand, unknown } = parseSubcommand(context.getArguments());
        const lines: string[] = [];
        if (unknown) lines.push(t('command_unknown_subcommand', { subcommand: unknown }));
        switch (subcommand) {
            case 'help':
                lines.push(t('command_help'));
                break;
            case 'support':
                lines.push(
                    t('command_support', {
                        version: this.appInfo.version,
                        homepage: this.appInfo.author.homepage,
                        support: this.appInfo.author.support,
                    }),
                );
                break;
            default:
                lines.push(t('command_not_available', { subcommand }));
        }
        await notifyEphemeral(read, modify, sender, context.getRoom(), lines.join('\n\n'));
    }
}
