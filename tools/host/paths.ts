/** Where the test host finds the engine, its Deno cache and the Deno executable. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const repoRoot = path.resolve(__dirname, '..', '..');

export interface HostPaths {
    appsEngineDir: string;
    denoCacheDir: string;
}

export function hostPaths(): HostPaths {
    const appsEngineDir = path.dirname(require.resolve('@rocket.chat/apps-engine/package.json', { paths: [repoRoot] }));
    return { appsEngineDir, denoCacheDir: path.join(appsEngineDir, '.deno-cache') };
}

export function denoBinDir(): string {
    return path.join(repoRoot, '.deno-bin');
}

/** The npm-installed Linux binary, else a `deno` already on PATH (other platforms). */
export function findDenoExecutable(): string | undefined {
    try {
        const pkgDir = path.dirname(require.resolve('@deno/linux-x64-glibc/package.json', { paths: [repoRoot] }));
        const bin = path.join(pkgDir, 'deno');
        if (fs.existsSync(bin)) return bin;
    } catch {
        // optional dependency not installed on this platform
    }
    try {
        const onPath = execFileSync('sh', ['-c', 'command -v deno'], { encoding: 'utf8' }).trim();
        if (onPath && !onPath.startsWith(denoBinDir())) return onPath;
    } catch {
        // not on PATH
    }
    return undefined;
}

/** Makes the engine's `spawn('deno')` resolve to our binary; throws a clear error when setup never ran. */
export function ensureDenoOnPath(): void {
    const link = path.join(denoBinDir(), 'deno');
    const { denoCacheDir } = hostPaths();
    if (!fs.existsSync(link) || !fs.existsSync(denoCacheDir)) {
        throw new Error(
            `The Apps-Engine Deno runtime is not prepared (${fs.existsSync(link) ? 'no Deno cache' : 'no .deno-bin/deno'}). ` +
                'Run `npm ci` (or `npm run prepare`) first.',
        );
    }
    const parts = (process.env.PATH || '').split(path.delimiter);
    if (parts[0] !== denoBinDir()) {
        process.env.PATH = [denoBinDir(), ...parts.filter((p) => p !== denoBinDir())].join(path.delimiter);
    }
}
