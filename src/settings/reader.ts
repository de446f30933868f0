import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { InstanceCopy } from '../lib/instance-state';
import {
    AgentDisplay,
    AuthMethod,
    ChallengeKeySetting,
    DEFAULT_AGENT_TEMPLATE,
    DEFAULT_RETENTION_DAYS,
    DeliveryMode,
    MIN_POLLING_INTERVAL_SECONDS,
    MIN_RETENTION_DAYS,
    PublicLongReplies,
    PublicMentions,
    PublicReposts,
    SettingId,
} from './ids';
import { BlockedList, parseBlockedList } from './blocked-list';

/** Every setting, typed and normalized (trimmed strings, numbers clamped to what X allows). */
export interface AppSettings {
    authMethod: AuthMethod;
    oauth2ClientId: string;
    oauth2ClientSecret: string;
    apiKey: string;
    apiKeySecret: string;
    accessToken: string;
    accessTokenSecret: string;
    bearerToken: string;
    deliveryMode: DeliveryMode;
    pollingIntervalSeconds: number;
    confirmUnverifiedEvents: boolean;
    webhookChallengeKey: ChallengeKeySetting;
    department: string;
    publicMentions: PublicMentions;
    /** Empty: the *Default department*. */
    publicMentionsDepartment: string;
    publicLongReplies: PublicLongReplies;
    publicReposts: PublicReposts;
    agentDisplay: AgentDisplay;
    agentTemplate: string;
    agentJoinedNotice: boolean;
    welcomeMessage: string;
    unavailableMessage: string;
    finishedMessage: string;
    fileUploadEnabled: boolean;
    fileMaxSizeMb: number;
    acceptedMediaTypes: string[];
    dailyCapUsd: number;
    blockedUsers: BlockedList;
    retentionDays: number;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v).trim());
const num = (v: unknown, fallback: number) =>
    typeof v === 'number' && Number.isFinite(v)
        ? v
        : Number.isFinite(Number(v)) && str(v) !== ''
          ? Number(v)
          : fallback;
const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
const oneOf = <T extends string>(v: unknown, allowed: Record<string, T>, fallback: T): T =>
    (Object.values(allowed) as string[]).includes(str(v)) ? (str(v) as T) : fallback;

export function normalizeSettings(raw: Record<string, unknown>): AppSettings {
    return {
        authMethod: oneOf(raw[SettingId.AuthMethod], AuthMethod, AuthMethod.OAuth2),
        oauth2ClientId: str(raw[SettingId.OAuth2ClientId]),
        oauth2ClientSecret: str(raw[SettingId.OAuth2ClientSecret]),
        apiKey: str(raw[SettingId.ApiKey]),
        apiKeySecret: str(raw[SettingId.ApiKeySecret]),
        accessToken: str(raw[SettingId.AccessToken]),
        accessTokenSecret: str(raw[SettingId.AccessTokenSecret]),
        bearerToken: str(raw[SettingId.BearerToken]),
        deliveryMode: oneOf(raw[SettingId.DeliveryMode], DeliveryMode, DeliveryMode.Auto),
        pollingIntervalSeconds: Math.max(
            MIN_POLLING_INTERVAL_SECONDS,
            Math.round(num(raw[SettingId.PollingIntervalSeconds], MIN_POLLING_INTERVAL_SECONDS)),
        ),
        confirmUnverifiedEvents: bool(raw[SettingId.ConfirmUnverifiedEvents], true),
        webhookChallengeKey: oneOf(raw[SettingId.WebhookChallengeKey], ChallengeKeySetting, ChallengeKeySetting.Auto),
        department: str(raw[SettingId.Department]),
        publicMentions: oneOf(raw[SettingId.PublicMentions], PublicMentions, PublicMentions.Off),
        publicMentionsDepartment: str(raw[SettingId.PublicMentionsDepartment]),
        publicLongReplies: oneOf(raw[SettingId.PublicLongReplies], PublicLongReplies, PublicLongReplies.Thread),
        publicReposts: oneOf(raw[SettingId.PublicReposts], PublicReposts, PublicReposts.Quotes),
        agentDisplay: oneOf(raw[SettingId.AgentDisplay], AgentDisplay, AgentDisplay.Name),
        agentTemplate: str(raw[SettingId.AgentTemplate]) || DEFAULT_AGENT_TEMPLATE,
        agentJoinedNotice: bool(raw[SettingId.AgentJoinedNotice], false),
        welcomeMessage: str(raw[SettingId.WelcomeMessage]),
        unavailableMessage: str(raw[SettingId.UnavailableMessage]),
        finishedMessage: str(raw[SettingId.FinishedMessage]),
        fileUploadEnabled: bool(raw[SettingId.FileUploadEnabled], true),
        fileMaxSizeMb: Math.max(0, num(raw[SettingId.FileMaxSizeMb], 15)),
        acceptedMediaTypes: str(raw[SettingId.AcceptedMediaTypes])
            .split(',')
            .map((t) => t.trim().toLowerCase())
            .filter(Boolean),
        dailyCapUsd: Math.max(0, num(raw[SettingId.DailyCapUsd], 0)),
        blockedUsers: parseBlockedList(str(raw[SettingId.BlockedUsers])),
        retentionDays: Math.max(
            MIN_RETENTION_DAYS,
            Math.round(num(raw[SettingId.RetentionDays], DEFAULT_RETENTION_DAYS)),
        ),
    };
}

/**
 * Settings are read on every event, and each read is a round trip to the server (about twenty of them):
 * keep them in memory. onSettingUpdated clears the cache on every instance (Rocket.Chat broadcasts an app
 * setting change and each instance's engine calls the hook), so the TTL is only a safety net.
 */
const copy = new InstanceCopy<AppSettings>(10 * 60_000);

/** The settings as this instance knows them: the copy in memory, read afresh when none is younger than the TTL. */
export async function readSettings(read: IRead): Promise<AppSettings> {
    return copy.get(Date.now()) ?? readSettingsFresh(read);
}

/** The settings read from the server now (and kept as this instance's copy). */
export async function readSettingsFresh(read: IRead): Promise<AppSettings> {
    const now = Date.now();
    const reader = read.getEnvironmentReader().getSettings();
    const ids = Object.values(SettingId);
    const values = await Promise.all(ids.map((id) => reader.getValueById(id)));
    const settings = normalizeSettings(Object.fromEntries(ids.map((id, i) => [id, values[i]])));
    return copy.keep(settings, now);
}

export function invalidateSettings(): void {
    copy.forget();
}
