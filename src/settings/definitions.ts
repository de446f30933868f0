import { ISetting, SettingType } from '@rocket.chat/apps-engine/definition/settings';
import {
    AgentDisplay,
    AuthMethod,
    ChallengeKeySetting,
    DEFAULT_ACCEPTED_MEDIA_TYPES,
    DEFAULT_AGENT_TEMPLATE,
    DEFAULT_RETENTION_DAYS,
    DeliveryMode,
    MIN_POLLING_INTERVAL_SECONDS,
    PublicLongReplies,
    PublicMentions,
    PublicReposts,
    SettingId,
} from './ids';

type Section = 'connection' | 'delivery' | 'routing' | 'mentions' | 'messages' | 'files' | 'cost' | 'privacy';

/** One setting; its label and description keys are derived from the id so they cannot drift. */
function setting(
    id: SettingId,
    section: Section,
    type: SettingType,
    packageValue: unknown,
    extra: Partial<ISetting> = {},
): ISetting {
    return {
        id,
        type,
        packageValue,
        required: false,
        public: false,
        section: `section_${section}`,
        i18nLabel: `setting_${id}_label`,
        i18nDescription: `setting_${id}_description`,
        ...extra,
    };
}

const choices = (id: SettingId, values: Record<string, string>) =>
    Object.values(values).map((key) => ({ key, i18nLabel: `setting_${id}_${key}` }));

export const settingDefinitions: ISetting[] = [
    setting(SettingId.AuthMethod, 'connection', SettingType.SELECT, AuthMethod.OAuth2, {
        values: choices(SettingId.AuthMethod, AuthMethod),
    }),
    setting(SettingId.OAuth2ClientId, 'connection', SettingType.STRING, ''),
    setting(SettingId.OAuth2ClientSecret, 'connection', SettingType.PASSWORD, ''),
    setting(SettingId.ApiKey, 'connection', SettingType.STRING, ''),
    setting(SettingId.ApiKeySecret, 'connection', SettingType.PASSWORD, ''),
    setting(SettingId.AccessToken, 'connection', SettingType.PASSWORD, ''),
    setting(SettingId.AccessTokenSecret, 'connection', SettingType.PASSWORD, ''),
    setting(SettingId.BearerToken, 'connection', SettingType.PASSWORD, ''),

    setting(SettingId.DeliveryMode, 'delivery', SettingType.SELECT, DeliveryMode.Auto, {
        values: choices(SettingId.DeliveryMode, DeliveryMode),
    }),
    setting(SettingId.PollingIntervalSeconds, 'delivery', SettingType.NUMBER, MIN_POLLING_INTERVAL_SECONDS),
    setting(SettingId.ConfirmUnverifiedEvents, 'delivery', SettingType.BOOLEAN, true),
    setting(SettingId.WebhookChallengeKey, 'delivery', SettingType.SELECT, ChallengeKeySetting.Auto, {
        values: choices(SettingId.WebhookChallengeKey, ChallengeKeySetting),
    }),

    setting(SettingId.Department, 'routing', SettingType.STRING, ''),
    setting(SettingId.AgentDisplay, 'routing', SettingType.SELECT, AgentDisplay.Name, {
        values: choices(SettingId.AgentDisplay, AgentDisplay),
    }),
    setting(SettingId.AgentTemplate, 'routing', SettingType.STRING, DEFAULT_AGENT_TEMPLATE),
    setting(SettingId.AgentJoinedNotice, 'routing', SettingType.BOOLEAN, false),

    setting(SettingId.PublicMentions, 'mentions', SettingType.SELECT, PublicMentions.Off, {
        values: choices(SettingId.PublicMentions, PublicMentions),
    }),
    setting(SettingId.PublicMentionsDepartment, 'mentions', SettingType.STRING, ''),
    setting(SettingId.PublicLongReplies, 'mentions', SettingType.SELECT, PublicLongReplies.Thread, {
        values: choices(SettingId.PublicLongReplies, PublicLongReplies),
    }),
    setting(SettingId.PublicReposts, 'mentions', SettingType.SELECT, PublicReposts.Quotes, {
        values: choices(SettingId.PublicReposts, PublicReposts),
    }),

    setting(SettingId.WelcomeMessage, 'messages', SettingType.STRING, '', { multiline: true }),
    setting(SettingId.UnavailableMessage, 'messages', SettingType.STRING, '', { multiline: true }),
    setting(SettingId.FinishedMessage, 'messages', SettingType.STRING, '', { multiline: true }),

    setting(SettingId.FileUploadEnabled, 'files', SettingType.BOOLEAN, true),
    setting(SettingId.FileMaxSizeMb, 'files', SettingType.NUMBER, 15),
    setting(SettingId.AcceptedMediaTypes, 'files', SettingType.STRING, DEFAULT_ACCEPTED_MEDIA_TYPES),

    setting(SettingId.DailyCapUsd, 'cost', SettingType.NUMBER, 0),

    setting(SettingId.BlockedUsers, 'privacy', SettingType.STRING, '', { multiline: true }),
    setting(SettingId.RetentionDays, 'privacy', SettingType.NUMBER, DEFAULT_RETENTION_DAYS),
];
