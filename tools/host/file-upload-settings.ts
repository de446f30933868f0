/**
 * Rocket.Chat's File Upload settings that its upload bridge enforces, with Rocket.Chat's defaults
 * (apps/meteor/server/settings/file-upload.ts). The store starts with them; tests change them in
 * `store.serverSettings` like an admin would.
 */
export const FILE_UPLOAD_SETTING_DEFAULTS: Readonly<Record<string, boolean | number | string>> = {
    FileUpload_Enabled: true,
    /** Bytes; -1 (any negative) = no limit. */
    FileUpload_MaxFileSize: 104_857_600,
    /** Comma-separated, `type/*` wildcards; empty or `*` = any. */
    FileUpload_MediaTypeWhiteList: '',
    FileUpload_MediaTypeBlackList: 'image/svg+xml',
};
