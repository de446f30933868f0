import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IUser } from '@rocket.chat/apps-engine/definition/users';

/** The user's chosen language, else the server's default (one settings read only when needed). */
export async function languageOf(read: IRead, user: IUser | undefined): Promise<string> {
    const own = user?.settings?.preferences?.language;
    if (own) return own;
    try {
        const server = await read.getEnvironmentReader().getServerSettings().getValueById('Language');
        return typeof server === 'string' && server ? server : 'en';
    } catch {
        return 'en';
    }
}
