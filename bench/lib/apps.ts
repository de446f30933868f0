/**
 * The three apps a benchmark run installs, built the same way (tools/build: esbuild bundle, zip):
 * the app itself (unless BENCH_SKIP_PACKAGE=1 reuses dist/), and two reference apps built into a
 * temporary directory — the "floor" (bench/floor-app) and a hello-world (bench/hello-app).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Metafile } from 'esbuild';
import { buildApp } from '../../tools/build/build';
import { packageApp } from '../../tools/build/package';
import { repoRoot } from '../../tools/host/paths';
import { packagedZipPath } from '../../test/e2e/helpers/app-host';

export interface BuiltApp {
    zip: Buffer;
    bundleBytes: number;
    zipBytes: number;
    metafile?: Metafile;
}

export interface BenchApps {
    app: BuiltApp;
    floor: BuiltApp;
    hello: BuiltApp;
}

async function referenceApp(name: string, tmp: string): Promise<BuiltApp> {
    const dir = path.join(repoRoot, 'bench', name);
    const outDir = path.join(tmp, name, 'build');
    const built = await buildApp({ manifestPath: path.join(dir, 'app.json'), outDir });
    // The same icon as the app, so install times compare like with like.
    const packaged = await packageApp({ buildDir: outDir, appDir: repoRoot, distDir: path.join(tmp, name, 'dist') });
    const zip = fs.readFileSync(packaged.zipPath);
    return { zip, bundleBytes: built.bundleBytes, zipBytes: zip.length, metafile: built.metafile };
}

export async function buildBenchApps(): Promise<BenchApps> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-apps-'));
    try {
        let app: BuiltApp;
        if (process.env.BENCH_SKIP_PACKAGE === '1' && fs.existsSync(packagedZipPath())) {
            // Measure the bundle the zip was built from, without rebuilding.
            const bundle = path.join(repoRoot, 'build', 'TwitterApp.js');
            const zip = fs.readFileSync(packagedZipPath());
            app = { zip, bundleBytes: fs.statSync(bundle).size, zipBytes: zip.length };
        } else {
            const built = await buildApp();
            const packaged = await packageApp();
            const zip = fs.readFileSync(packaged.zipPath);
            app = { zip, bundleBytes: built.bundleBytes, zipBytes: zip.length, metafile: built.metafile };
        }
        return { app, floor: await referenceApp('floor-app', tmp), hello: await referenceApp('hello-app', tmp) };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** The largest contributors to the bundle, by package (what to cut to shrink it). */
export function bundleComposition(metafile: Metafile | undefined, top = 6): { source: string; bytes: number }[] {
    if (!metafile) return [];
    const byPackage = new Map<string, number>();
    for (const output of Object.values(metafile.outputs)) {
        for (const [input, info] of Object.entries(output.inputs)) {
            const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
            const key = match ? match[1] : input.startsWith('src/') ? 'src/' : input;
            byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
        }
    }
    return [...byPackage.entries()]
        .map(([source, bytes]) => ({ source, bytes }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, top);
}
