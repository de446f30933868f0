/**
 * Rocket.Chat's own file-upload settings, read so the app can tell an agent why a customer's file is not
 * shown before downloading it. Rocket.Chat enforces them itself on upload (the app catches that too), so a
 * copy a few minutes old is good enough to go ahead with: four reads per instance every five minutes, not per
 * file. A refusal they cause is confirmed with a fresh read (inbound-media.ts).
 */
import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { InstanceCopy } from '../lib/instance-state';

/**
 * Rocket.Chat's own upload settings, which its upload bridge enforces (FileUpload.validateFileUpload in
 * apps/meteor/app/file-upload/server/lib/FileUpload.ts); defaults from server/settings/file-upload.ts.
 */
export interface ServerFileRules {
    /** FileUpload_Enabled */
    enabled: boolean;
    /** FileUpload_MaxFileSize in bytes; negative = no limit. */
    maxFileSize: number;
    /** FileUpload_MediaTypeWhiteList: comma-separated, `type/*` wildcards; empty or `*` = any. */
    whiteList: string;
    /** FileUpload_MediaTypeBlackList */
    blackList: string;
}

export const ROCKET_CHAT_FILE_DEFAULTS: ServerFileRules = {
    enabled: true,
    maxFileSize: 104_857_600,
    whiteList: '',
    blackList: 'image/svg+xml',
};

const TTL_MS = 5 * 60_000;
const copy = new InstanceCopy<ServerFileRules>(TTL_MS);

/** The rules, from the copy when it is a few minutes old at most and was read at `notBefore` or later, else read afresh. */
export async function readServerFileRules(
    read: IRead,
    now: number,
    notBefore = now - TTL_MS,
): Promise<ServerFileRules> {
    const kept = copy.get(now, notBefore);
    if (kept) return kept;
    const settings = read.getEnvironmentReader().getServerSettings();
    // A setting the server does not have (or hides) keeps Rocket.Chat's default.
    const value = (id: string) => settings.getValueById(id).catch(() => undefined) as Promise<unknown>;
    const [enabled, maxFileSize, whiteList, blackList] = await Promise.all([
        value('FileUpload_Enabled'),
        value('FileUpload_MaxFileSize'),
        value('FileUpload_MediaTypeWhiteList'),
        value('FileUpload_MediaTypeBlackList'),
    ]);
    const size = typeof maxFileSize === 'number' ? maxFileSize : parseInt(String(maxFileSize), 10);
    const rules: ServerFileRules = {
        enabled: typeof enabled === 'boolean' ? enabled : ROCKET_CHAT_FILE_DEFAULTS.enabled,
        maxFileSize: Number.isFinite(size) ? size : ROCKET_CHAT_FILE_DEFAULTS.maxFileSize,
        whiteList: typeof whiteList === 'string' ? whiteList : ROCKET_CHAT_FILE_DEFAULTS.whiteList,
        blackList: typeof blackList === 'string' ? blackList : ROCKET_CHAT_FILE_DEFAULTS.blackList,
    };
    return copy.keep(rules, now);
}
