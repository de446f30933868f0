/**
 * The packaged zip, installed into Rocket.Chat's real Apps-Engine runtime (Deno subprocess): it enables,
 * registers its settings, command and webhook endpoint, answers X's CRC challenge, refuses bad input
 * without ever disabling itself, and survives a server restart.
 */
import * as fs from 'fs';
import JSZip from 'jszip';
import * as path from 'path';
import { isAllowedRequire, requiresInBundle } from '../../tools/build/allowed-modules';
import { startHttpFront } from '../../tools/host/http-front';
import type { TestHost } from '../../tools/host/host';
import { settingDefinitions } from '../../src/settings/definitions';
import { packagedZip, startAppHost, webhookSecret } from './helpers/app-host';

// A crc_token as X sends it (base64 of a UUID, from a 2026 server log; see src/endpoints/crc.ts).
const CRC_KNOWN_TOKEN = 'M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0';
const CRC_KNOWN_SECRET = 'apiSecret';
// HMAC-SHA256(apiSecret, token), computed with openssl/node outside the app.
const CRC_KNOWN_ANSWER = 'sha256=m8/cnIOsOTqf4hRCKGwLaUMmBE7wtq+t04EV+zjFZzw=';

describe('the packaged app in the real Apps-Engine runtime', () => {
    let host: TestHost;
    let admin: Awaited<ReturnType<typeof startAppHost>>['admin'];

    beforeAll(async () => {
        ({ host, admin } = await startAppHost());
    });

    afterAll(async () => {
        await host?.stop();
    });

    afterEach(async () => {
        // Whatever a test threw at the app, it must still be running.
        expect(await host.appStatus()).toBe('manually_enabled');
    });

    it('is a zip Rocket.Chat accepts: manifest, bundle, icon and five languages', async () => {
        const zip = await JSZip.loadAsync(packagedZip());
        const names = Object.keys(zip.files).sort();
        expect(names).toEqual([
            'TwitterApp.js',
            'app.json',
            'assets/icon.png',
            'assets/x-public-sidebar.svg',
            'assets/x-sidebar.svg',
            'i18n/de.json',
            'i18n/en.json',
            'i18n/es.json',
            'i18n/fr.json',
            'i18n/pt-BR.json',
        ]);
        const manifest = JSON.parse(await zip.file('app.json')!.async('string'));
        expect(manifest).toMatchObject({
            name: 'Twitter',
            nameSlug: 'twitter',
            classFile: 'TwitterApp.ts',
            requiredApiVersion: '^1.62.0',
        });
        expect(Array.isArray(manifest.implements)).toBe(true);
    });

    it('bundles twitter-api-v2 and requires nothing the Deno runtime refuses', async () => {
        const zip = await JSZip.loadAsync(packagedZip());
        const bundle = await zip.file('TwitterApp.js')!.async('string');
        // The library's own base URL and its warning prefix travel inside the bundle, not as a require.
        expect(bundle).toContain('https://api.x.com/2/');
        expect(bundle).toContain('[twitter-api-v2]');
        const requires = requiresInBundle(bundle);
        expect(requires).not.toContain('twitter-api-v2');
        expect(requires.filter((m) => !isAllowedRequire(m))).toEqual([]);
    });

    it('runs enabled in a Deno subprocess, with its app user', async () => {
        expect(await host.isEnabled()).toBe(true);
        expect(host.appUser().username).toBe('twitter.bot');
        const runtime = host.app().getRuntimeController() as unknown as { deno?: { pid?: number } };
        expect(runtime.deno?.pid).toBeGreaterThan(0);
    });

    it('registers every setting with its type and default', () => {
        for (const definition of settingDefinitions) {
            const registered = host.appSetting(definition.id);
            expect(registered).toMatchObject({
                id: definition.id,
                type: definition.type,
                packageValue: definition.packageValue,
            });
        }
    });

    it('answers /twitter help with the list of subcommands, only to the sender, from the app user', async () => {
        const before = host.store.ephemeral.length;
        await host.runCommand('/twitter help', admin);
        const notices = host.store.ephemeral.slice(before);
        expect(notices).toHaveLength(1);
        expect(notices[0].user.id).toBe(admin.id);
        expect(notices[0].message.sender?.id).toBe(host.appUser().id);
        for (const sub of ['authorize', 'unauthorize', 'status', 'support', 'help'])
            expect(notices[0].text).toContain(`/twitter ${sub}`);
    });

    it.each([
        ['de', 'für'],
        ['pt-BR', 'vincula'],
        ['fr', 'délier'],
        ['es', 'vincula'],
    ])('answers in the language the user chose (%s), accents intact', async (language, word) => {
        const catalog = JSON.parse(
            fs.readFileSync(path.join(__dirname, '..', '..', 'i18n', `${language}.json`), 'utf8'),
        ) as Record<string, string>;
        const reader = { ...admin, settings: { preferences: { language } } } as typeof admin;
        const before = host.store.ephemeral.length;
        await host.runCommand('/twitter help', reader);
        const [notice] = host.store.ephemeral.slice(before);
        expect(notice.text).toBe(catalog.command_help);
        expect(notice.text).toContain(word);
    });

    it.each([['/twitter'], ['/twitter   '], ['/twitter frobnicate'], ['/twitter HELP']])(
        'answers %j with the help text',
        async (command) => {
            const before = host.store.ephemeral.length;
            await host.runCommand(command, admin);
            const [notice] = host.store.ephemeral.slice(before);
            expect(notice.text).toContain('/twitter authorize');
            if (command.includes('frobnicate')) expect(notice.text).toContain('Unknown subcommand `frobnicate`');
        },
    );

    it('answers /twitter support with the version and where to get help', async () => {
        const before = host.store.ephemeral.length;
        await host.runCommand('/twitter support', admin);
        const [notice] = host.store.ephemeral.slice(before);
        expect(notice.text).toContain('0.1.0');
        expect(notice.text).toMatch(/https:\/\/\S+\/issues/);
    });

    describe('the webhook CRC challenge', () => {
        it('answers with the known HMAC-SHA256 of the token under the API key secret', async () => {
            await host.setSetting('api_key_secret', CRC_KNOWN_SECRET);
            const response = await host.callEndpoint(`webhook/${webhookSecret(host)}`, {
                query: { crc_token: CRC_KNOWN_TOKEN },
            });
            expect(response.status).toBe(200);
            expect(response.content).toEqual({ response_token: CRC_KNOWN_ANSWER });
        });

        it('answers over real HTTP through the Rocket.Chat router shape', async () => {
            await host.setSetting('api_key_secret', CRC_KNOWN_SECRET);
            const front = await startHttpFront(host);
            try {
                const url = `${front.url}/api/apps/public/${host.appId}/webhook/${webhookSecret(host)}?crc_token=${encodeURIComponent(CRC_KNOWN_TOKEN)}`;
                const response = await fetch(url);
                expect(response.status).toBe(200);
                expect(response.headers.get('content-type')).toContain('application/json');
                expect(await response.json()).toEqual({ response_token: CRC_KNOWN_ANSWER });
            } finally {
                await front.close();
            }
        });

        it('refuses a request without crc_token with 400 saying so', async () => {
            const response = await host.callEndpoint(`webhook/${webhookSecret(host)}`);
            expect(response.status).toBe(400);
            expect(response.content).toMatchObject({ error: 'missing_crc_token' });
        });

        it('refuses with 400 when the API key secret is not set, saying which setting', async () => {
            await host.setSetting('api_key_secret', '');
            const response = await host.callEndpoint(`webhook/${webhookSecret(host)}`, {
                query: { crc_token: CRC_KNOWN_TOKEN },
            });
            expect(response.status).toBe(400);
            expect(response.content).toMatchObject({ error: 'api_key_secret_not_set' });
            expect(JSON.stringify(response.content)).toContain('API Key Secret');
        });

        it('answers 404 on a wrong secret path segment, without revealing anything', async () => {
            await host.setSetting('api_key_secret', CRC_KNOWN_SECRET);
            const response = await host.callEndpoint('webhook/not-the-secret', {
                query: { crc_token: CRC_KNOWN_TOKEN },
            });
            expect(response.status).toBe(404);
            expect(JSON.stringify(response.content)).not.toContain('sha256=');
        });
    });

    it('after a server restart, loads the app from storage, enables it and still answers', async () => {
        await host.setSetting('api_key_secret', CRC_KNOWN_SECRET);
        const secret = webhookSecret(host);
        host = await host.restart();
        expect(await host.isEnabled()).toBe(true);
        const response = await host.callEndpoint(`webhook/${secret}`, { query: { crc_token: CRC_KNOWN_TOKEN } });
        expect(response.content).toEqual({ response_token: CRC_KNOWN_ANSWER });
        const before = host.store.ephemeral.length;
        await host.runCommand('/twitter help', admin);
        expect(host.store.ephemeral.length).toBe(before + 1);
    });
});
