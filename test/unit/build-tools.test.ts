import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findForbiddenImports, findRewriteTriggers, isAllowedRequire, requiresInBundle } from '../../tools/build/allowed-modules';
import { computeImplements } from '../../tools/build/implements';
import { isSettingsUiKey } from '../../tools/build/build';

describe('the runtime allow-list check', () => {
    it.each(['crypto', 'node:crypto', 'https', 'zlib', 'fs', '@rocket.chat/apps-engine/definition/App'])('allows %s', (m) => {
        expect(isAllowedRequire(m)).toBe(true);
    });

    it.each(['events', 'node:events', 'child_process', 'worker_threads', 'twitter-api-v2', '@rocket.chat/apps-engine/server/AppManager'])('refuses %s', (m) => {
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
        expect(requiresInBundle('var a=require("crypto"),b=require( "https" );require("crypto")')).toEqual(['crypto', 'https']);
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
        const file = write('export class A extends App implements IPostMessageSent, IPostLivechatRoomClosed, IPostMessageSent {}');
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
        const expected = clause.split(',').map((s) => s.trim()).filter(Boolean).sort();
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
