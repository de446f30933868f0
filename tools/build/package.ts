/**
 * Writes dist/twitter_<version>.zip: app.json (with computed implements), the bundle as the class
 * file's .js, the icon and i18n/*.json — what Rocket.Chat's "Upload private app" accepts.
 * Expects `npm run build` to have run (npm run package does both).
 */
import * as fs from 'fs';
import JSZip from 'jszip';
import * as path from 'path';
import { repoRoot } from '../host/paths';
import { buildDir } from './build';

export interface PackageResult {
    zipPath: string;
    zipBytes: number;
}

export interface PackageOptions {
    /** Where buildApp wrote the bundle and app.json (default: build/). */
    buildDir?: string;
    /** Directory holding the app's assets/ and i18n/ (default: this repository; either may be absent). */
    appDir?: string;
    /** Where the zip goes (default: dist/). */
    distDir?: string;
}

/** Packages this app (no options), or another app built with buildApp({ outDir }) (the benchmarks' reference apps). */
export async function packageApp(options: PackageOptions = {}): Promise<PackageResult> {
    const fromDir = options.buildDir ?? buildDir;
    const appDir = options.appDir ?? repoRoot;
    const appJson = JSON.parse(fs.readFileSync(path.join(fromDir, 'app.json'), 'utf8'));
    if (appDir === repoRoot && !options.buildDir) {
        const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
        if (appJson.version !== pkg.version) {
            throw new Error(`app.json version ${appJson.version} differs from package.json version ${pkg.version}`);
        }
    }
    const bundleName = String(appJson.classFile).replace(/\.ts$/, '.js');
    const zip = new JSZip();
    const fixedDate = new Date('2026-01-01T00:00:00Z'); // reproducible archives
    const add = (name: string, data: Buffer | string) => zip.file(name, data, { date: fixedDate, createFolders: false });
    add('app.json', fs.readFileSync(path.join(fromDir, 'app.json')));
    add(bundleName, fs.readFileSync(path.join(fromDir, bundleName)));
    const listed = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);
    const assetsDir = path.join(appDir, 'assets');
    for (const file of listed(assetsDir)) add(`assets/${file}`, fs.readFileSync(path.join(assetsDir, file)));
    const i18nDir = path.join(appDir, 'i18n');
    for (const file of listed(i18nDir).filter((f) => f.endsWith('.json'))) {
        add(`i18n/${file}`, fs.readFileSync(path.join(i18nDir, file)));
    }
    const data = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
    const distDir = options.distDir ?? path.join(repoRoot, 'dist');
    fs.mkdirSync(distDir, { recursive: true });
    const zipPath = path.join(distDir, `${appJson.nameSlug}_${appJson.version}.zip`);
    fs.writeFileSync(zipPath, data);
    return { zipPath, zipBytes: data.length };
}

if (require.main === module) {
    packageApp().then(
        (r) => process.stdout.write(`packaged ${path.relative(repoRoot, r.zipPath)} (${(r.zipBytes / 1024).toFixed(1)} KiB)\n`),
        (e: Error) => {
            process.stderr.write(`package failed: ${e.message}\n`);
            process.exit(1);
        },
    );
}
