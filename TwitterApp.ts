import {
    IAppAccessors,
    IConfigurationExtend,
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
import { TwitterCommand } from './src/commands/TwitterCommand';
import { WebhookEndpoint } from './src/endpoints/WebhookEndpoint';
import { settingDefinitions } from './src/settings/definitions';
import { ensureAppSecrets } from './src/storage/app-secrets';

/** Composition root: registers what Rocket.Chat calls and delegates every hook into src/. */
export class TwitterApp extends App {
    constructor(info: IAppInfo, logger: ILogger, accessors: IAppAccessors) {
        super(info, logger, accessors);
    }

    protected override async extendConfiguration(configuration: IConfigurationExtend, _environment: IEnvironmentRead): Promise<void> {
        await Promise.all(settingDefinitions.map((s) => configuration.settings.provideSetting(s)));
        await configuration.slashCommands.provideSlashCommand(new TwitterCommand(this.getInfo()));
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: [new WebhookEndpoint(this)],
        });
    }

    public override async onInstall(_context: IAppInstallationContext, read: IRead, _http: IHttp, persistence: IPersistence, _modify: IModify): Promise<void> {
        await ensureAppSecrets(read.getPersistenceReader(), persistence);
    }
}
