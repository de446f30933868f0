/**
 * What app code may `require`, in both runtimes Rocket.Chat runs apps in:
 * - Deno (Rocket.Chat 8.4 and later, unless the Node runtime is selected): apps-engine
 *   `deno-runtime/handlers/app/construct.ts` (1.62) — these built-ins by exact name (a `node:` prefix is stripped
 *   first), `uuid`, and `@rocket.chat/apps-engine/*`;
 * - Node (from 8.9, chosen by APPS_ENGINE_RUNTIME_BACKEND, whose default differs between releases): Rocket.Chat
 *   `packages/apps/node-runtime/src/lib/require.ts` — any specifier starting with one of its names.
 * The build allows only what both accept.
 */
import type { Metafile } from 'esbuild';

const denoRuntimeBuiltins = ['path', 'url', 'crypto', 'buffer', 'stream', 'net', 'http', 'https', 'zlib', 'util', 'punycode', 'os', 'querystring', 'fs'];
const nodeRuntimeModules = ['path', 'url', 'crypto', 'buffer', 'stream', 'net', 'http', 'https', 'zlib', 'util', 'punycode', 'os', 'querystring', 'fs', 'uuid', '@rocket.chat/apps-engine'];

export const allowedBuiltins = denoRuntimeBuiltins.filter((m) => nodeRuntimeModules.some((allowed) => m.startsWith(allowed)));

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
