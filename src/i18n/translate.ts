/**
 * The app's own messages (help, notices, pages) in the reader's language. Rocket.Chat translates only
 * setting labels from i18n/*.json, so the app bundles the same files and translates everything else itself.
 */
import de from '../../i18n/de.json';
import en from '../../i18n/en.json';
import es from '../../i18n/es.json';
import fr from '../../i18n/fr.json';
import ptBR from '../../i18n/pt-BR.json';

export type I18nKey = keyof typeof en;
export type I18nVars = Record<string, string | number>;
export type Translate = (key: I18nKey, vars?: I18nVars) => string;

const catalogs: Record<string, Partial<Record<I18nKey, string>>> = { en, de, es, fr, 'pt-BR': ptBR };

export const supportedLanguages = Object.keys(catalogs);

/** 'pt-BR', 'pt_BR', 'pt' → 'pt-BR'; 'de-AT' → 'de'; anything unknown → 'en'. */
export function resolveLanguage(requested: string | undefined): string {
    if (!requested) return 'en';
    const normalized = requested.replace('_', '-');
    const exact = supportedLanguages.find((l) => l.toLowerCase() === normalized.toLowerCase());
    if (exact) return exact;
    const base = normalized.split('-')[0].toLowerCase();
    return supportedLanguages.find((l) => l.split('-')[0].toLowerCase() === base) ?? 'en';
}

export function interpolate(template: string, vars: I18nVars = {}): string {
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function translator(language: string | undefined): Translate {
    const catalog = catalogs[resolveLanguage(language)];
    return (key, vars) => interpolate(catalog[key] ?? en[key] ?? key, vars);
}
