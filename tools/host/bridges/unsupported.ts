/**
 * Bridges this app has no business calling (e-mail, video conferences, moderation, …). Each method refuses
 * loudly, so a test notices at once if the app ever starts depending on one.
 */
import { CloudWorkspaceBridge } from '@rocket.chat/apps-engine/server/bridges/CloudWorkspaceBridge';
import { ContactBridge } from '@rocket.chat/apps-engine/server/bridges/ContactBridge';
import { EmailBridge } from '@rocket.chat/apps-engine/server/bridges/EmailBridge';
import { EnvironmentalVariableBridge } from '@rocket.chat/apps-engine/server/bridges/EnvironmentalVariableBridge';
import { ExperimentalBridge } from '@rocket.chat/apps-engine/server/bridges/ExperimentalBridge';
import { InternalBridge } from '@rocket.chat/apps-engine/server/bridges/InternalBridge';
import { ModerationBridge } from '@rocket.chat/apps-engine/server/bridges/ModerationBridge';
import { OAuthAppsBridge } from '@rocket.chat/apps-engine/server/bridges/OAuthAppsBridge';
import { OutboundMessageBridge } from '@rocket.chat/apps-engine/server/bridges/OutboundMessagesBridge';
import { RoleBridge } from '@rocket.chat/apps-engine/server/bridges/RoleBridge';
import { ThreadBridge } from '@rocket.chat/apps-engine/server/bridges/ThreadBridge';
import { UiInteractionBridge } from '@rocket.chat/apps-engine/server/bridges/UiInteractionBridge';
import { VideoConferenceBridge } from '@rocket.chat/apps-engine/server/bridges/VideoConferenceBridge';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { SettingType } from '@rocket.chat/apps-engine/definition/settings';
import type { IUIKitInteraction } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { BridgeContext, unsupported } from './context';

const refuse = (bridge: string) => (method: string) => async (): Promise<never> => unsupported(bridge, method);

export class HostCloudWorkspaceBridge extends CloudWorkspaceBridge {
    protected getWorkspaceToken = refuse('CloudWorkspaceBridge')('getWorkspaceToken');
}

export class HostContactBridge extends ContactBridge {
    protected getById = refuse('ContactBridge')('getById');
    protected verifyContact = refuse('ContactBridge')('verifyContact');
    protected addContactEmail = refuse('ContactBridge')('addContactEmail');
}

export class HostEmailBridge extends EmailBridge {
    protected sendEmail = refuse('EmailBridge')('sendEmail');
}

/** Rocket.Chat lets apps read only a few environment variables; the test host exposes none. */
export class HostEnvironmentalVariableBridge extends EnvironmentalVariableBridge {
    protected async getValueByName(): Promise<string | undefined> {
        return undefined;
    }

    protected async isReadable(): Promise<boolean> {
        return false;
    }

    protected async isSet(): Promise<boolean> {
        return false;
    }
}

export class HostExperimentalBridge extends ExperimentalBridge {}

export class HostInternalBridge extends InternalBridge {
    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    protected getUsernamesOfRoomByIdSync(roomId: string): string[] {
        return [...(this.ctx.store.roomMembers.get(roomId) ?? [])]
            .map((id) => this.ctx.store.users.get(id)?.username)
            .filter((u): u is string => !!u);
    }

    protected async getUsernamesOfRoomById(roomId: string): Promise<string[]> {
        return this.getUsernamesOfRoomByIdSync(roomId);
    }

    protected async getWorkspacePublicKey(): Promise<ISetting> {
        const value = this.ctx.store.federationKeys.publicKey;
        return {
            id: 'Cloud_Workspace_PublicKey',
            type: SettingType.STRING,
            packageValue: value,
            value,
            required: false,
            public: false,
            i18nLabel: '',
        };
    }
}

export class HostModerationBridge extends ModerationBridge {
    protected report = refuse('ModerationBridge')('report');
    protected dismissReportsByMessageId = refuse('ModerationBridge')('dismissReportsByMessageId');
    protected dismissReportsByUserId = refuse('ModerationBridge')('dismissReportsByUserId');
}

export class HostOAuthAppsBridge extends OAuthAppsBridge {
    protected create = refuse('OAuthAppsBridge')('create');
    protected getById = refuse('OAuthAppsBridge')('getById');
    protected getByName = refuse('OAuthAppsBridge')('getByName');
    protected update = refuse('OAuthAppsBridge')('update');
    protected delete = refuse('OAuthAppsBridge')('delete');
    protected purge = refuse('OAuthAppsBridge')('purge');
}

export class HostOutboundMessageBridge extends OutboundMessageBridge {
    protected registerPhoneProvider = refuse('OutboundMessageBridge')('registerPhoneProvider');
    protected registerEmailProvider = refuse('OutboundMessageBridge')('registerEmailProvider');
    protected unRegisterProvider = refuse('OutboundMessageBridge')('unRegisterProvider');
}

export class HostRoleBridge extends RoleBridge {
    protected getOneByIdOrName = refuse('RoleBridge')('getOneByIdOrName');
    protected getCustomRoles = refuse('RoleBridge')('getCustomRoles');
}

export class HostThreadBridge extends ThreadBridge {
    protected getById = refuse('ThreadBridge')('getById');
}

/** UIKit interactions pushed to a user (modals, banners) are recorded for tests to read. */
export class HostUiInteractionBridge extends UiInteractionBridge {
    public readonly interactions: { user: IUser; interaction: IUIKitInteraction }[] = [];

    protected async notifyUser(user: IUser, interaction: IUIKitInteraction): Promise<void> {
        this.interactions.push({ user, interaction });
    }
}

export class HostVideoConferenceBridge extends VideoConferenceBridge {
    protected create = refuse('VideoConferenceBridge')('create');
    protected getById = refuse('VideoConferenceBridge')('getById');
    protected update = refuse('VideoConferenceBridge')('update');
    protected registerProvider = refuse('VideoConferenceBridge')('registerProvider');
    protected unRegisterProvider = refuse('VideoConferenceBridge')('unRegisterProvider');
}
