import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { languageOf, serverTranslator } from '../../../src/lib/language';

/** A reader whose server answers `Language` with `language` and counts the reads. */
function serverWith(language: unknown) {
    let reads = 0;
    const read = {
        getEnvironmentReader: () => ({
            getServerSettings: () => ({
                getValueById: async (id: string) => {
                    reads++;
                    if (id !== 'Language') throw new Error(`unexpected setting ${id}`);
                    return language;
                },
            }),
        }),
    } as unknown as IRead;
    return { read, reads: () => reads };
}

// The server-settings cache is per process and keyed by setting: each case uses its own point in time.
let clock = 0;
const later = () => (clock += 3_600_000);

describe('server and user languages', () => {
    it('translates shared texts in the server language', async () => {
        const server = serverWith('de');
        const t = await serverTranslator(server.read, later());
        expect(t('command_help')).toBe((await import('../../../i18n/de.json')).default.command_help);
    });

    it('reads the server language once a minute at most', async () => {
        const server = serverWith('fr');
        const at = later();
        await serverTranslator(server.read, at);
        await serverTranslator(server.read, at + 59_000);
        expect(server.reads()).toBe(1);
    });

    it('falls back to English when the server has no usable language', async () => {
        const server = serverWith(42);
        const t = await serverTranslator(server.read, later());
        expect(t('command_help')).toBe((await import('../../../i18n/en.json')).default.command_help);
    });

    it('prefers the user’s own language and reads nothing then', async () => {
        const server = serverWith('de');
        const user = { settings: { preferences: { language: 'es' } } } as unknown as IUser;
        expect(await languageOf(server.read, user)).toBe('es');
        expect(server.reads()).toBe(0);
    });
});
