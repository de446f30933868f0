/** What the Apps-Engine 1.62 Deno runtime lets app code require (deno-runtime/handlers/app/construct.ts). */
import type { Metafile } from 'esbuild';

export const allowedBuiltins = [
    'path',
    'url',
    'crypto',
    'buffer',
    'stream',
    'net',
    'http',
    'https',
    'zlib',
    'util',
    'punycode',
    'os',
    'querystring',
    'fs',
];

export function isAllowedRequire(specifier: string): boolean {
    const bare = specifier.replace(/^node:/, '');
    return allowedBuiltins.includes(bare) || specifier.startsWith('@rocket.chat/apps-engine/definition/');
}

/** Every external import esbuild left in the output that the runtime would refuse. */
export function findForbiddenImports(metafile: Metafile): string[] {
    const bad = new Set<string>();
    for (const output of Object.values(metafile.outputs)) {
        for (const imp of output.imports) {
            if (imp.external && !isAllowedRequire(imp.path)) bad.add(imp.path);
        }
    }
    return [...bad].sort();
}

/** The `require("...")` specifiers present in a CommonJS bundle's text. */
export function requiresInBundle(bundleText: string): string[] {
    const found = new Set<string>();
    for (const m of bundleText.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) found.add(m[1]);
    return [...found].sort();
}

/** Texts that make the runtime AST-rewrite the whole bundle before loading it (slower install). */
export function findRewriteTriggers(bundleText: string): string[] {
    return ['.usernames', '.isOnline(', '.createToken('].filter((t) => bundleText.includes(t));
}
