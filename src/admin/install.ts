/** What happens when an admin installs the app, and when someone presses a button in the setup room. */
import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { App } from '@rocket.chat/apps-engine/definition/App';
import {
    IUIKitResponse,
    UIKitBlockInteractionContext,
    UIKitViewSubmitInteractionContext,
} from '@rocket.chat/apps-engine/definition/uikit';
import { isAccountView, pressAccountButton, submitAccountView } from './account-actions';
import { ACCOUNT_DEPARTMENT_ACTION, ACCOUNT_UNLINK_ACTION } from './accounts-view';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { authorize, CommandReply, describeLink } from './authorize';
import { isAdmin } from './roles';
import { translator } from '../i18n/translate';
import { notifyEphemeral } from '../lib/ephemeral';
import { languageOf } from '../lib/language';
import { ensureAppSecrets } from '../storage/app-secrets';
import {
    cancelPendingLink,
    CANCEL_LINK_ACTION,
    closeConfirmationMessage,
    confirmPendingLink,
    CONFIRM_LINK_ACTION,
} from './pending-link';
import {
    announceInSetupRoom,
    ensureSetupRoom,
    findSetupRoom,
    setupInstructions,
    START_AUTH_ACTION,
} from './setup-room';
import { oauthCallbackUrl, webhookUrl } from './urls';

export async function setUpAfterInstall(
    appId: string,
    installer: IUser,
    read: IRead,
    persistence: IPersistence,
    modify: IModify,
): Promise<void> {
    const secrets = await ensureAppSecrets(read.getPersistenceReader(), persistence);
    await ensureSetupRoom(read, modify, persistence, installer);
    const t = translator(await languageOf(read, installer));
    const { text, blocks } = setupInstructions(t, appId, {
        webhook: await webhookUrl(read, appId, secrets.webhookPath),
        callback: await oauthCallbackUrl(read, appId),
    });
    await announceInSetupRoom(read, modify, persistence, text, blocks);
}

/**
 * Buttons of the setup room: "Start Authentication" (the same as `/twitter authorize`), a pending link's
 * "Link @handle" / "Cancel", and each account's "Set department" / "Unlink" (`/twitter accounts`). Refusals
 * are answered to the presser only.
 */
export async function handleSetupAction(
    app: App,
    context: UIKitBlockInteractionContext,
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    modify: IModify,
): Promise<IUIKitResponse> {
    const data = context.getInteractionData();
    const done = context.getInteractionResponder().successResponse();
    const actions = [START_AUTH_ACTION, CONFIRM_LINK_ACTION, CANCEL_LINK_ACTION];
    const accountActions = [ACCOUNT_DEPARTMENT_ACTION, ACCOUNT_UNLINK_ACTION];
    if (![...actions, ...accountActions].includes(data.actionId)) return done;
    const a = { read, modify, persistence, http, appId: app.getID(), now: () => Date.now() };
    const t = translator(await languageOf(read, data.user));
    const tell = async (reply: CommandReply) => {
        const room = data.room ?? (await findSetupRoom(read, persistence));
        if (room) await notifyEphemeral(read, modify, data.user, room, reply.text, reply.blocks);
    };
    if (accountActions.includes(data.actionId))
        return pressAccountButton(a, data, context.getInteractionResponder(), t, (text) => tell({ text }));
    if (data.actionId === START_AUTH_ACTION) {
        await tell(
            isAdmin(data.user)
                ? await authorize(a, data.user, t)
                : { text: t('command_admins_only', { subcommand: 'authorize' }) },
        );
        return done;
    }
    const decided =
        data.actionId === CONFIRM_LINK_ACTION
            ? await confirmPendingLink(a, data.user, data.value)
            : await cancelPendingLink(a, data.user, data.value);
    const text = decided.ok
        ? describeLink(decided.link, t)
        : t(decided.reasonKey, { username: decided.account?.username ?? '' });
    // A decided link closes its message for everyone; a refused press changes nothing but tells the presser why.
    // When the message cannot be updated (an admin deleted it), the presser is told instead.
    const closed = decided.messageId
        ? await closeConfirmationMessage(a, decided.messageId, text).then(
              () => true,
              () => false,
          )
        : false;
    if (!closed) await tell({ text });
    return done;
}

/** A modal of the setup room's account buttons submitted (others are not this app's: accepted as they are). */
export async function handleSetupViewSubmit(
    app: App,
    context: UIKitViewSubmitInteractionContext,
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    modify: IModify,
): Promise<IUIKitResponse> {
    const data = context.getInteractionData();
    const responder = context.getInteractionResponder();
    if (!isAccountView(data.view?.id)) return responder.successResponse();
    const a = { read, modify, persistence, http, appId: app.getID(), now: () => Date.now() };
    const t = translator(await languageOf(read, data.user));
    const tell = async (text: string) => {
        const room = data.room ?? (await findSetupRoom(read, persistence));
        if (room) await notifyEphemeral(read, modify, data.user, room, text);
    };
    return submitAccountView(a, data, responder, t, tell);
}
