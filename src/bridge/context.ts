import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { AppSettings } from '../settings/reader';
import type { LinkedAccount } from '../storage/accounts';
import type { AppSecrets } from '../storage/app-secrets';
import { ConversationStore } from '../storage/conversations';
import type { XClient } from '../x/client-types';

/** What the core needs for one unit of work (a webhook call, a job run, an event hook). */
export interface BridgeContext {
    read: IRead;
    modify: IModify;
    persistence: IPersistence;
    http: IHttp;
    settings: AppSettings;
    account: LinkedAccount;
    secrets: AppSecrets;
    conversations: ConversationStore;
    /** Built on first use: many events never talk to X. */
    x(): Promise<XClient>;
    now(): number;
    logger: ILogger;
}
