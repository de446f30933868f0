/**
 * Bundles TwitterApp.ts + src/ + twitter-api-v2 into one CommonJS file for the Apps-Engine Deno runtime,
 * and writes build/app.json with `implements` computed from the main class.
 * Fails when the bundle would require a module the runtime refuses.
 */
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../host/paths';
import { allowedBuiltins, findForbiddenImports, findRewriteTriggers } from './allowed-modules';
import { computeImplements } from './implements';

export const buildDir = path.join(repoRoot, 'build');

/** Setting labels and descriptions Rocket.Chat reads from the zip's i18n/*.json, never from app code. */
export const isSettingsUiKey = (key: string) => key.startsWith('section_') || (key.startsWith('setting_') && /_(label|description)$/.test(key));

/** The app bundles its catalogs to translate its own messages; it needs none of the settings-screen texts. */
const withoutSettingsUiTexts: esbuild.Plugin = {
    name: 'i18n-without-settings-ui',
    setup(build) {
        // The key list is written once (English order); each catalog is just its texts in that order.
        const KEYS = 'i18n-catalog-keys';
        const runtimeCatalog = (file: string) => {
            const catalog = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
            for (const key of Object.keys(catalog)) if (isSettingsUiKey(key)) delete catalog[key];
            return catalog;
        };
        const englishKeys = (dir: string) => Object.keys(runtimeCatalog(path.join(dir, 'en.json')));
        build.onResolve({ filter: new RegExp(`^${KEYS}$`) }, (args) => ({ path: path.join(args.resolveDir, KEYS), namespace: KEYS }));
        build.onLoad({ filter: /.*/, namespace: KEYS }, (args) => ({ contents: `module.exports=${JSON.stringify(englishKeys(path.dirname(args.path)))}`, loader: 'js' }));
        build.onLoad({ filter: /[\\/]i18n[\\/][^\\/]+\.json$/ }, (args) => {
            const catalog = runtimeCatalog(args.path);
            const texts = englishKeys(path.dirname(args.path)).map((key) => catalog[key] ?? null);
            return {
                contents: `const keys=require(${JSON.stringify(KEYS)});const texts=${JSON.stringify(texts)};const catalog={};keys.forEach((k,i)=>{if(texts[i]!==null)catalog[k]=texts[i]});module.exports=catalog;`,
                loader: 'js',
                resolveDir: path.dirname(args.path),
            };
        });
    },
};

export interface BuildResult {
    bundlePath: string;
    appJsonPath: string;
    bundleBytes: number;
    implementsList: string[];
    /** esbuild's account of what went into the bundle (sizes per input). */
    metafile: esbuild.Metafile;
}

export interface BuildOptions {
    /** The app's manifest; its classFile is resolved next to it (default: this repository's app.json). */
    manifestPath?: string;
    /** Where the bundle and the packaged app.json are written (default: build/); emptied first. */
    outDir?: string;
}

/** Builds this app (no options), or another app from its own manifest (the benchmarks' reference apps). */
export async function buildApp(options: BuildOptions = {}): Promise<BuildResult> {
    const manifestPath = options.manifestPath ?? path.join(repoRoot, 'app.json');
    const outDir = options.outDir ?? buildDir;
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    const classFile: string = manifest.classFile;
    const entry = path.join(path.dirname(manifestPath), classFile);
    const bundlePath = path.join(outDir, classFile.replace(/\.ts$/, '.js'));
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });

    const result = await esbuild.build({
        entryPoints: [entry],
        outfile: bundlePath,
        bundle: true,
        platform: 'node',
        // twitter-api-v2's ES module build lets esbuild drop what the app never calls (its CommonJS build cannot be tree-shaken).
        mainFields: ['module', 'main'],
        format: 'cjs',
        target: 'es2020',
        // No keepNames: the engine takes the bundle's first export as the app class, whatever its name.
        minify: true,
        legalComments: 'none',
        // Accented texts as they are (é is 2 bytes in UTF-8, 4 as an escape); the runtime reads the bundle as UTF-8.
        charset: 'utf8',
        metafile: true,
        logLevel: 'silent',
        plugins: [withoutSettingsUiTexts],
        external: ['@rocket.chat/apps-engine/*', ...allowedBuiltins, ...allowedBuiltins.map((m) => `node:${m}`)],
        // `events` is not on the runtime's allow-list but twitter-api-v2 needs it: bundle the userland copy.
        alias: { events: require.resolve('events/events.js', { paths: [repoRoot] }) },
    });

    const forbidden = findForbiddenImports(result.metafile);
    if (forbidden.length > 0) {
        throw new Error(`The bundle requires modules the Apps-Engine runtime refuses: ${forbidden.join(', ')}`);
    }
    const bundleText = fs.readFileSync(bundlePath, 'utf8');
    const triggers = findRewriteTriggers(bundleText);
    if (triggers.length > 0) {
        throw new Error(
            `The bundle contains ${triggers.join(', ')}, which makes the runtime AST-rewrite it on every start; use the async APIs.`,
        );
    }

    const implementsList = computeImplements(entry);
    const appJsonPath = path.join(outDir, 'app.json');
    fs.writeFileSync(appJsonPath, JSON.stringify({ ...manifest, implements: implementsList }, null, 4) + '\n');
    return { bundlePath, appJsonPath, bundleBytes: Buffer.byteLength(bundleText), implementsList, metafile: result.metafile };
}

if (require.main === module) {
    buildApp().then(
        (r) => {
            process.stdout.write(
                `built ${path.relative(repoRoot, r.bundlePath)} (${(r.bundleBytes / 1024).toFixed(1)} KiB), implements: ${
                    r.implementsList.join(', ') || '(none)'
                }\n`,
            );
        },
        (e: Error) => {
            process.stderr.write(`build failed: ${e.message}\n`);
            process.exit(1);
        },
    );
}
