/** What happens when an admin installs the app, and when someone presses "Start Authentication". */
import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { App } from '@rocket.chat/apps-engine/definition/App';
import { IUIKitResponse, UIKitBlockInteractionContext } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { authorize } from '../commands/authorize';
import { isAdmin } from '../commands/TwitterCommand';
import { translator } from '../i18n/translate';
import { notifyEphemeral } from '../lib/ephemeral';
import { languageOf } from '../lib/language';
import { ensureAppSecrets } from '../storage/app-secrets';
import { announceInSetupRoom, ensureSetupRoom, setupInstructions, START_AUTH_ACTION } from './setup-room';
import { oauthCallbackUrl, webhookUrl } from './urls';

export async function setUpAfterInstall(appId: string, installer: IUser, read: IRead, persistence: IPersistence, modify: IModify): Promise<void> {
    const secrets = await ensureAppSecrets(read.getPersistenceReader(), persistence);
    await ensureSetupRoom(read, modify, installer);
    const t = translator(await languageOf(read, installer));
    const { text, blocks } = setupInstructions(t, appId, { webhook: await webhookUrl(read, appId, secrets.webhookPath), callback: await oauthCallbackUrl(read, appId) });
    await announceInSetupRoom(read, modify, text, blocks);
}

/** "Start Authentication" in the setup room: the same as `/twitter authorize`, answered to the presser only. */
export async function handleSetupAction(app: App, context: UIKitBlockInteractionContext, read: IRead, http: IHttp, persistence: IPersistence, modify: IModify): Promise<IUIKitResponse> {
    const data = context.getInteractionData();
    if (data.actionId !== START_AUTH_ACTION) return context.getInteractionResponder().successResponse();
    const t = translator(await languageOf(read, data.user));
    const room = data.room;
    const reply = isAdmin(data.user)
        ? await authorize({ read, modify, persistence, http, appId: app.getID(), now: () => Date.now() }, data.user, t)
        : { text: t('command_admins_only', { subcommand: 'authorize' }) };
    if (room) await notifyEphemeral(read, modify, data.user, room, reply.text, 'blocks' in reply ? reply.blocks : undefined);
    return context.getInteractionResponder().successResponse();
}
