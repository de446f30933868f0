import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import {
    findForbiddenImports,
    findRewriteTriggers,
    isAllowedRequire,
    requiresInBundle,
} from '../../tools/build/allowed-modules';
import { computeImplements } from '../../tools/build/implements';
import { isSettingsUiKey } from '../../tools/build/build';
import { satisfiesCaret } from '../../tools/deploy/versions';

describe('the runtime allow-list check', () => {
    it.each(['crypto', 'node:crypto', 'https', 'zlib', 'fs', '@rocket.chat/apps-engine/definition/App'])(
        'allows %s',
        (m) => {
            expect(isAllowedRequire(m)).toBe(true);
        },
    );

    it.each([
        'events',
        'node:events',
        'child_process',
        'worker_threads',
        'twitter-api-v2',
        '@rocket.chat/apps-engine/server/AppManager',
    ])('refuses %s', (m) => {
        expect(isAllowedRequire(m)).toBe(false);
    });

    it('reports every refused external import esbuild left in the bundle', () => {
        const metafile = {
            inputs: {},
            outputs: {
                'out.js': {
                    bytes: 1,
                    inputs: {},
                    exports: [],
                    imports: [
                        { path: 'crypto', kind: 'require-call' as const, external: true },
                        { path: 'events', kind: 'require-call' as const, external: true },
                        { path: 'child_process', kind: 'require-call' as const, external: true },
                        { path: './local.js', kind: 'require-call' as const },
                    ],
                },
            },
        };
        expect(findForbiddenImports(metafile)).toEqual(['child_process', 'events']);
    });

    it('lists the requires of a bundle text', () => {
        expect(requiresInBundle('var a=require("crypto"),b=require( "https" );require("crypto")')).toEqual([
            'crypto',
            'https',
        ]);
    });

    it('spots the texts that make the runtime rewrite the bundle', () => {
        expect(findRewriteTriggers('x.isOnline(); room.usernames')).toEqual(['.usernames', '.isOnline(']);
        expect(findRewriteTriggers('isOnlineAsync()')).toEqual([]);
    });
});

describe('implements computed from the main class', () => {
    const write = (code: string) => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'impl-')), 'App.ts');
        fs.writeFileSync(file, code);
        return file;
    };

    it('lists the interfaces of the exported class, sorted and unique', () => {
        const file = write(
            'export class A extends App implements IPostMessageSent, IPostLivechatRoomClosed, IPostMessageSent {}',
        );
        expect(computeImplements(file)).toEqual(['IPostLivechatRoomClosed', 'IPostMessageSent']);
    });

    it('is empty for a class that implements nothing', () => {
        expect(computeImplements(write('export class A extends App {}'))).toEqual([]);
    });

    it('refuses a file without exactly one exported class', () => {
        expect(() => computeImplements(write('class A {}'))).toThrow(/exactly one class/);
        expect(() => computeImplements(write('export class A {} export class B {}'))).toThrow(/found 2/);
    });

    it('matches the real TwitterApp.ts', () => {
        const source = fs.readFileSync(path.resolve(__dirname, '../../TwitterApp.ts'), 'utf8');
        const clause = /implements\s+([\w\s,]+)\{/.exec(source)?.[1] ?? '';
        const expected = clause
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
            .sort();
        expect(computeImplements(path.resolve(__dirname, '../../TwitterApp.ts'))).toEqual(expected);
    });
});

describe('which i18n keys the bundle leaves out', () => {
    it('drops setting labels, descriptions and sections (Rocket.Chat reads them from the zip), keeps choice labels the app shows', () => {
        expect(isSettingsUiKey('setting_api_key_label')).toBe(true);
        expect(isSettingsUiKey('setting_api_key_description')).toBe(true);
        expect(isSettingsUiKey('section_delivery')).toBe(true);
        expect(isSettingsUiKey('setting_delivery_mode_xaa')).toBe(false);
        expect(isSettingsUiKey('status_title')).toBe(false);
    });
});

describe('supported Apps-Engine versions', () => {
    const root = path.resolve(__dirname, '../..');
    const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
    const required: string = readJson('app.json').requiredApiVersion;

    it('app.json requires, as a caret range, the engine every e2e test runs in (the oldest supported)', () => {
        expect(required).toBe(`^${readJson('package.json').devDependencies['@rocket.chat/apps-engine']}`);
    });

    it('the newest definitions the type-check uses are newer than that and inside the range', () => {
        const latest: string = readJson('node_modules/apps-engine-latest/package.json').version;
        expect(readJson('package.json').devDependencies['apps-engine-latest']).toBe(
            `npm:@rocket.chat/apps-engine@${latest}`,
        );
        expect(satisfiesCaret(latest, required)).toBe(true);
        expect(latest).not.toBe(required.slice(1));
    });

    it("tsconfig.apps-engine-latest.json resolves the app's Apps-Engine imports to those newest definitions", () => {
        const config = ts.getParsedCommandLineOfConfigFile(
            path.join(root, 'tsconfig.apps-engine-latest.json'),
            {},
            {
                ...ts.sys,
                onUnRecoverableConfigFileDiagnostic: (d) => {
                    throw new Error(String(d.messageText));
                },
            },
        );
        const resolved = ts.resolveModuleName(
            '@rocket.chat/apps-engine/definition/App',
            path.join(root, 'TwitterApp.ts'),
            config!.options,
            ts.sys,
        );
        expect(resolved.resolvedModule?.resolvedFileName).toBe(
            path.join(root, 'node_modules/apps-engine-latest/definition/App.d.ts'),
        );
        expect(config!.fileNames).toContain(path.join(root, 'TwitterApp.ts'));
    });
});
