/** Setting ids: stable storage keys (renaming one loses admins' values). */
export const SettingId = {
    AuthMethod: 'auth_method',
    OAuth2ClientId: 'oauth2_client_id',
    OAuth2ClientSecret: 'oauth2_client_secret',
    ApiKey: 'api_key',
    ApiKeySecret: 'api_key_secret',
    AccessToken: 'access_token',
    AccessTokenSecret: 'access_token_secret',
    BearerToken: 'bearer_token',
    DeliveryMode: 'delivery_mode',
    PollingIntervalSeconds: 'polling_interval_seconds',
    ConfirmUnverifiedEvents: 'confirm_unverified_events',
    WebhookChallengeKey: 'webhook_challenge_key',
    Department: 'department',
    PublicMentions: 'public_mentions',
    PublicMentionsDepartment: 'public_mentions_department',
    PublicLongReplies: 'public_long_replies',
    PublicReposts: 'public_reposts',
    AgentDisplay: 'agent_display',
    AgentTemplate: 'agent_template',
    AgentJoinedNotice: 'agent_joined_notice',
    WelcomeMessage: 'welcome_message',
    UnavailableMessage: 'unavailable_message',
    FinishedMessage: 'finished_message',
    FileUploadEnabled: 'file_upload_enabled',
    FileMaxSizeMb: 'file_max_size_mb',
    AcceptedMediaTypes: 'accepted_media_types',
    DailyCapUsd: 'daily_cap_usd',
    BlockedUsers: 'blocked_users',
    RetentionDays: 'retention_days',
} as const;

export type SettingId = (typeof SettingId)[keyof typeof SettingId];

export const AuthMethod = { OAuth2: 'oauth2', Tokens: 'tokens' } as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

/** Automatic picks one of the three others and changes it as X can or cannot reach the webhook (admin/auto-delivery.ts). */
export const DeliveryMode = {
    Auto: 'auto',
    ActivityApi: 'xaa',
    AccountActivityApi: 'aaa',
    Polling: 'polling',
} as const;
export type DeliveryMode = (typeof DeliveryMode)[keyof typeof DeliveryMode];
/** A mode that delivers: what is registered at X at a time (Automatic is a choice among these). */
export type ActiveDeliveryMode = Exclude<DeliveryMode, 'auto'>;
export type WebhookDeliveryMode = Exclude<ActiveDeliveryMode, 'polling'>;

/** Which secret answers X's webhook challenge (CRC): X has used both (research/x-api.md §12). */
export const ChallengeKeySetting = {
    Auto: 'auto',
    ApiKeySecret: 'api_key_secret',
    OAuth2ClientSecret: 'oauth2_client_secret',
} as const;
export type ChallengeKeySetting = (typeof ChallengeKeySetting)[keyof typeof ChallengeKeySetting];

/** Public mentions become conversations only when an admin turns them on: X bills every mention it delivers. */
export const PublicMentions = { Off: 'off', On: 'on' } as const;
export type PublicMentions = (typeof PublicMentions)[keyof typeof PublicMentions];

/** An agent's public reply over X's 280 weighted characters: a thread of replies, or refused with a notice. */
export const PublicLongReplies = { Thread: 'thread', Refuse: 'refuse' } as const;
export type PublicLongReplies = (typeof PublicLongReplies)[keyof typeof PublicLongReplies];

/** Which reposts of the business count as conversations: quotes carry the customer's words, plain reposts none. */
export const PublicReposts = { None: 'none', Quotes: 'quotes', All: 'all' } as const;
export type PublicReposts = (typeof PublicReposts)[keyof typeof PublicReposts];

export const AgentDisplay = { Name: 'name', Username: 'username', None: 'none' } as const;
export type AgentDisplay = (typeof AgentDisplay)[keyof typeof AgentDisplay];

/** X allows 15 dm_events reads per 15 minutes per user: one a minute is the fastest sustainable poll. */
export const MIN_POLLING_INTERVAL_SECONDS = 60;
export const DEFAULT_AGENT_TEMPLATE = '*{agent}*: {text}';
export const DEFAULT_ACCEPTED_MEDIA_TYPES = 'image/jpeg,image/png,image/gif,image/webp,video/mp4';

/**
 * The shortest retention an admin may choose: dedupe markers must outlive DEDUPE_HORIZON (storage/retention.ts,
 * which takes its marker lifetime from here), or a redelivered DM would be taken for a new one.
 */
export const MIN_RETENTION_DAYS = 7;
export const DEFAULT_RETENTION_DAYS = 30;
