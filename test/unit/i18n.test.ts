import * as fs from 'fs';
import * as path from 'path';
import { interpolate, resolveLanguage, supportedLanguages, translator } from '../../src/i18n/translate';
import { settingDefinitions } from '../../src/settings/definitions';

const repoRoot = path.resolve(__dirname, '../..');
const i18nDir = path.join(repoRoot, 'i18n');
const catalog = (lang: string): Record<string, string> =>
    JSON.parse(fs.readFileSync(path.join(i18nDir, `${lang}.json`), 'utf8'));
const en = catalog('en');

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
    });
}

/** Keys the code uses: quoted literals naming a key, plus those derived from setting definitions. */
function keysUsedByCode(): Set<string> {
    const used = new Set<string>();
    const code = [path.join(repoRoot, 'TwitterApp.ts'), ...sourceFiles(path.join(repoRoot, 'src'))]
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n');
    for (const m of code.matchAll(/['"`]([a-z][a-z0-9_]+)['"`]/g)) if (m[1] in en) used.add(m[1]);
    for (const s of settingDefinitions) {
        for (const key of [s.i18nLabel, s.i18nDescription, s.section, ...(s.values ?? []).map((v) => v.i18nLabel)])
            if (key) used.add(key);
    }
    return used;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
    const used = keysUsedByCode();

    it('ship the five languages the app promises', () => {
        expect(fs.readdirSync(i18nDir).sort()).toEqual(['de.json', 'en.json', 'es.json', 'fr.json', 'pt-BR.json']);
        expect(supportedLanguages.sort()).toEqual(['de', 'en', 'es', 'fr', 'pt-BR']);
    });

    it.each(['en', 'pt-BR', 'es', 'de', 'fr'])('%s has every key the code uses', (lang) => {
        const missing = [...used].filter((k) => !(k in catalog(lang)));
        expect(missing).toEqual([]);
    });

    it.each(['en', 'pt-BR', 'es', 'de', 'fr'])('%s carries no key the code does not use', (lang) => {
        const unused = Object.keys(catalog(lang)).filter((k) => !used.has(k));
        expect(unused).toEqual([]);
    });

    it.each(['pt-BR', 'es', 'de', 'fr'])('%s keeps every placeholder of the English text', (lang) => {
        const translated = catalog(lang);
        const broken = Object.keys(en).filter(
            (k) => k in translated && placeholders(translated[k]).join() !== placeholders(en[k]).join(),
        );
        expect(broken).toEqual([]);
    });

    it.each(['pt-BR', 'es', 'de', 'fr'])('%s is actually translated (not a copy of English)', (lang) => {
        const translated = catalog(lang);
        const same = Object.keys(en).filter(
            (k) => translated[k] === en[k] && /[a-z]{4,}/i.test(en[k].replace(/\{\w+\}|`[^`]*`|https?:\S+/g, '')),
        );
        // Brand names and commands may stay as they are; whole sentences may not.
        expect(same.length).toBeLessThan(Object.keys(en).length * 0.1);
    });
});

describe('the translator', () => {
    it('resolves Rocket.Chat language codes to a catalog', () => {
        expect(resolveLanguage('pt-BR')).toBe('pt-BR');
        expect(resolveLanguage('pt_BR')).toBe('pt-BR');
        expect(resolveLanguage('pt')).toBe('pt-BR');
        expect(resolveLanguage('de-AT')).toBe('de');
        expect(resolveLanguage('ja')).toBe('en');
        expect(resolveLanguage(undefined)).toBe('en');
    });

    it('fills placeholders and leaves unknown ones visible', () => {
        expect(interpolate('a {x} b {y}', { x: 1 })).toBe('a 1 b {y}');
    });

    it('falls back to English for a key a language lacks', () => {
        const t = translator('de');
        expect(t('command_unknown_subcommand', { subcommand: 'x' })).toContain('`x`');
    });
});
