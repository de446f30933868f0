// Lint rules for the whole tree; `npm run lint` (part of `npm test`). Formatting is Prettier's job
// (eslint-config-prettier keeps ESLint's formatting rules off). Layer rules: docs/ARCHITECTURE.md.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ts = ['**/*.ts'];

/**
 * Layers of src/, lowest first; a folder imports only from folders below it (docs/ARCHITECTURE.md):
 * i18n/ → lib/ → settings/ → x/ → storage/ → services (bridge/, admin/) → jobs/ → handlers (commands/,
 * endpoints/, handlers/) → TwitterApp.ts. i18n/ takes only types from above; storage/ takes from x/ only
 * types and the id helpers (x/ids.ts); services take only the ids from jobs/ (jobs/ids.ts names the
 * schedule, the processors call the services); handlers reach storage/ and x/ only through the services
 * (types and x/ids.ts excepted) and never import each other.
 */
const folders = (...names) => `^(\\.\\./)+(${names.join('|')})/`;
const above = (...names) => ({
    regex: folders(...names),
    message: 'Layer rule (docs/ARCHITECTURE.md): this folder does not import from that one.',
});
const typesOnly = (...names) => ({
    // x/ids.ts: the id strings derived from X's ids, shared by every layer that keys records by them.
    regex: `${folders(...names)}(?!ids$)`,
    allowTypeImports: true,
    message: 'Layer rule (docs/ARCHITECTURE.md): only types come from that folder here.',
});
const processors = {
    regex: '^(\\.\\./)+jobs/(?!ids$)',
    message:
        'Layer rule (docs/ARCHITECTURE.md): job processors call services, not the other way round (ids: jobs/ids.ts).',
};
const handlers = ['commands', 'endpoints', 'handlers'];
const layers = {
    i18n: [above('storage', 'bridge', 'admin', 'jobs', ...handlers), typesOnly('lib', 'settings', 'x')],
    lib: [above('settings', 'x', 'storage', 'bridge', 'admin', 'jobs', ...handlers)],
    settings: [above('x', 'storage', 'bridge', 'admin', 'jobs', ...handlers)],
    x: [above('storage', 'bridge', 'admin', 'jobs', ...handlers)],
    storage: [above('bridge', 'admin', 'jobs', ...handlers), typesOnly('x')],
    bridge: [above(...handlers), processors],
    admin: [above(...handlers), processors],
    jobs: [above(...handlers)],
    ...Object.fromEntries(
        handlers.map((h) => [
            h,
            [above('jobs', ...handlers.filter((other) => other !== h)), typesOnly('storage', 'x')],
        ]),
    ),
};

export default tseslint.config(
    {
        ignores: [
            'node_modules/',
            'dist/',
            'build/',
            'coverage/',
            'test-artifacts/',
            '.deno-bin/',
            '.scratch/',
            'test/fixtures/',
            'tools/host/deno-shims/',
        ],
    },
    { files: ts, extends: [js.configs.recommended, ...tseslint.configs.recommended] },
    {
        files: ts,
        plugins: { 'import-x': importX },
        settings: {
            'import-x/extensions': ['.ts', '.js'],
            'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
        },
        rules: {
            // Unused names are the compiler's job (noUnusedLocals/noUnusedParameters), with the same exceptions.
            '@typescript-eslint/no-unused-vars': 'off',
            // A variable a callback reads before its single assignment (a server's handler) cannot be const.
            'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
            'import-x/no-cycle': ['error', { ignoreExternal: true }],
            'import-x/no-self-import': 'error',
        },
    },
    {
        // Type-aware rules cost a TypeScript program (about 40 s on two cores), so only the shipped code
        // gets them, and only those that catch real faults: a promise nobody awaits or handles.
        files: ['TwitterApp.ts', 'src/**/*.ts'],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            '@typescript-eslint/await-thenable': 'error',
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-misused-promises': 'error',
        },
    },
    {
        // Tests may use loose JSON and the module objects jest spies on.
        files: ['test/**/*.ts'],
        rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
    },
    ...Object.entries(layers).map(([folder, patterns]) => ({
        files: [`src/${folder}/**/*.ts`],
        rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
    })),
    prettier,
);
