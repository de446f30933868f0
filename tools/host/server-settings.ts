/**
 * Rocket.Chat's server settings as a fresh 8.x server has them: the defaults the host's rules read, in one
 * table. A test changes one with `host.store.serverSettings.set(id, value)` (an admin saving it), e.g. message
 * custom fields on with a schema. Each entry names the Rocket.Chat file that defines it.
 */
import { FILE_UPLOAD_SETTING_DEFAULTS } from './file-upload-settings';
import type { HostStore } from './store';

/** The default of Message_CustomFields (apps/meteor/server/settings/message.ts): a required `priority`. */
export const DEFAULT_MESSAGE_CUSTOM_FIELDS_SCHEMA = JSON.stringify({
    properties: { priority: { type: 'string', nullable: false, enum: ['low', 'medium', 'high'] } },
    required: ['priority'],
});

export const ROCKET_CHAT_SETTING_DEFAULTS: Readonly<Record<string, unknown>> = {
    // apps/meteor/server/settings/general.ts
    Site_Url: 'http://localhost:3000',
    Language: 'en',
    // apps/meteor/server/settings/message.ts
    Message_CustomFields_Enabled: false,
    Message_CustomFields: DEFAULT_MESSAGE_CUSTOM_FIELDS_SCHEMA,
    Message_MaxAllowedSize: 5000,
    // apps/meteor/server/settings/omnichannel.ts
    Livechat_enabled: true,
    Livechat_accept_chats_with_no_agents: false,
    Livechat_Routing_Method: 'Auto_Selection',
    // apps/meteor/server/settings/file-upload.ts
    ...FILE_UPLOAD_SETTING_DEFAULTS,
};

/** A setting's current value, as `settings.get(id)` answers it on the server. */
export function rcSetting<T>(store: HostStore, id: string): T {
    return store.serverSettings.get(id) as T;
}
