import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IUser } from '@rocket.chat/apps-engine/definition/users';
import { Translate, translator } from '../i18n/translate';
import { serverSetting } from './server-settings';

/** The server's default language (read through the server-settings cache). */
async function serverLanguage(read: IRead, now: number): Promise<string> {
    const language = await serverSetting<unknown>(read, 'Language', 'en', now);
    return typeof language === 'string' && language ? language : 'en';
}

/** Text every reader shares (rooms agents of any language share, admin notices): the server's language. */
export async function serverTranslator(read: IRead, now: number): Promise<Translate> {
    return translator(await serverLanguage(read, now));
}

/** The user's chosen language, else the server's default (one settings read only when needed). */
export async function languageOf(read: IRead, user: IUser | undefined): Promise<string> {
    return user?.settings?.preferences?.language || serverLanguage(read, Date.now());
}
