import {
    IAppAccessors,
    IConfigurationExtend,
    IConfigurationModify,
    IEnvironmentRead,
    IHttp,
    ILogger,
    IModify,
    IPersistence,
    IRead,
} from '@rocket.chat/apps-engine/definition/accessors';
import { ApiSecurity, ApiVisibility } from '@rocket.chat/apps-engine/definition/api';
import { App } from '@rocket.chat/apps-engine/definition/App';
import { IAppInstallationContext } from '@rocket.chat/apps-engine/definition/accessors/IAppInstallationContext';
import { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import {
    ILivechatEventContext,
    ILivechatRoom,
    IPostLivechatAgentAssigned,
    IPostLivechatRoomClosed,
} from '@rocket.chat/apps-engine/definition/livechat';
import {
    IMessage,
    IMessageDeleteContext,
    IPostMessageDeleted,
    IPostMessageSent,
    IPostMessageUpdated,
} from '@rocket.chat/apps-engine/definition/messages';
import { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import {
    IUIKitInteractionHandler,
    IUIKitResponse,
    UIKitBlockInteractionContext,
    UIKitViewSubmitInteractionContext,
} from '@rocket.chat/apps-engine/definition/uikit';
import { handleSetupAction, handleSetupViewSubmit, setUpAfterInstall } from './src/admin/install';
import { TwitterCommand } from './src/commands/TwitterCommand';
import { OAuthCallbackEndpoint } from './src/endpoints/OAuthCallbackEndpoint';
import { WebhookEndpoint } from './src/endpoints/WebhookEndpoint';
import { handleAgentMessage, wantsAgentMessage } from './src/handlers/agent-message';
import { handleMessageDeleted, handleMessageEdited } from './src/handlers/message-changed';
import { handleAgentAssigned, handleRoomClosed } from './src/handlers/room-lifecycle';
import { RECOVERY_JOB_ID, SETTINGS_JOB_ID } from './src/jobs/ids';
import { jobProcessors } from './src/jobs/processors';
import { unlink } from './src/admin/unlink';
import { IAppUninstallationContext } from '@rocket.chat/apps-engine/definition/accessors/IAppUninstallationContext';
import { settingDefinitions } from './src/settings/definitions';
import { invalidateSettings } from './src/settings/reader';

/** Composition root: registers what Rocket.Chat calls and delegates every hook into src/. */
export class TwitterApp
    extends App
    implements
        IUIKitInteractionHandler,
        IPostMessageSent,
        IPostMessageUpdated,
        IPostMessageDeleted,
        IPostLivechatRoomClosed,
        IPostLivechatAgentAssigned
{
    constructor(info: IAppInfo, logger: ILogger, accessors: IAppAccessors) {
        super(info, logger, accessors);
    }

    protected override async extendConfiguration(
        configuration: IConfigurationExtend,
        _environment: IEnvironmentRead,
    ): Promise<void> {
        await Promise.all(settingDefinitions.map((s) => configuration.settings.provideSetting(s)));
        await configuration.slashCommands.provideSlashCommand(new TwitterCommand(this));
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: [new WebhookEndpoint(this), new OAuthCallbackEndpoint(this)],
        });
        await configuration.scheduler.registerProcessors(jobProcessors(this));
    }

    public override async onInstall(
        context: IAppInstallationContext,
        read: IRead,
        _http: IHttp,
        persistence: IPersistence,
        modify: IModify,
    ): Promise<void> {
        await setUpAfterInstall(this.getID(), context.user, read, persistence, modify);
    }

    public override async onSettingUpdated(
        _setting: ISetting,
        configurationModify: IConfigurationModify,
        _read: IRead,
        _http: IHttp,
    ): Promise<void> {
        invalidateSettings();
        // Saving the settings form changes many settings at once: one review covers them all.
        await configurationModify.scheduler.cancelJob(SETTINGS_JOB_ID);
        await configurationModify.scheduler.scheduleOnce({ id: SETTINGS_JOB_ID, when: 'now' });
    }

    /** After a restart or an upgrade, ask X for what it could not deliver while this instance was away. */
    public override async onEnable(
        _environment: IEnvironmentRead,
        configurationModify: IConfigurationModify,
    ): Promise<boolean> {
        await configurationModify.scheduler.cancelJob(RECOVERY_JOB_ID);
        await configurationModify.scheduler.scheduleOnce({ id: RECOVERY_JOB_ID, when: 'now' });
        return true;
    }

    public override async onUninstall(
        _context: IAppUninstallationContext,
        read: IRead,
        http: IHttp,
        persistence: IPersistence,
        modify: IModify,
    ): Promise<void> {
        await unlink({ read, modify, persistence, http, appId: this.getID(), now: () => Date.now() });
    }

    public async executeBlockActionHandler(
        context: UIKitBlockInteractionContext,
        read: IRead,
        http: IHttp,
        persistence: IPersistence,
        modify: IModify,
    ): Promise<IUIKitResponse> {
        return handleSetupAction(this, context, read, http, persistence, modify);
    }

    public async executeViewSubmitHandler(
        context: UIKitViewSubmitInteractionContext,
        read: IRead,
        http: IHttp,
        persistence: IPersistence,
        modify: IModify,
    ): Promise<IUIKitResponse> {
        return handleSetupViewSubmit(this, context, read, http, persistence, modify);
    }

    // ---- outbound and conversation lifecycle (src/handlers) ----

    private get ref() {
        return { id: this.getID(), logger: this.getLogger() };
    }

    public async checkPostMessageSent(message: IMessage, _read: IRead, _http: IHttp): Promise<boolean> {
        return wantsAgentMessage(this.ref, message);
    }

    public async executePostMessageSent(
        message: IMessage,
        read: IRead,
        http: IHttp,
        persistence: IPersistence,
        modify: IModify,
    ): Promise<void> {
        return handleAgentMessage(this.ref, message, read, http, persistence, modify);
    }

    public async executePostMessageUpdated(
        message: IMessage,
        read: IRead,
        http: IHttp,
        persistence: IPersistence,
        modify: IModify,
    ): Promise<void> {
        return handleMessageEdited(this.ref, message, read, http, persistence, modify);
    }

    public async executePostMessageDeleted(
        message: IMessage,
        read: IRead,
        http: IHttp,
        persistence: IPersistence,
        modify: IModify,
        context: IMessageDeleteContext,
    ): Promise<void> {
        return handleMessageDeleted(this.ref, message, read, http, persistence, modify, context);
    }

    public async executePostLivechatRoomClosed(
        room: ILivechatRoom,
        read: IRead,
        http: IHttp,
        persistence: IPersistence,
        modify?: IModify,
    ): Promise<void> {
        return handleRoomClosed(this.ref, room, read, http, persistence, modify);
    }

    public async executePostLivechatAgentAssigned(
        context: ILivechatEventContext,
        read: IRead,
        http: IHttp,
        persistence: IPersistence,
        modify?: IModify,
    ): Promise<void> {
        return handleAgentAssigned(this.ref, context, read, http, persistence, modify);
    }
}
