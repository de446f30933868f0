/**
 * Prepares Rocket.Chat's Apps-Engine 1.62 Deno runtime to run offline for tests and the sandbox.
 * Runs from `npm ci` (the `prepare` script); idempotent; fails within seconds saying what is missing.
 *
 * Steps (see shared/research/test-host.md §4–5):
 *  1. copy the JSR shims into <ae>/deno-runtime/shims (JSR is unreachable from build machines);
 *  2. patch deno.jsonc's import map from a pristine backup;
 *  3. write a deno.lock without JSR entries;
 *  4. fill the Deno module cache (npm: imports come from the npm registry);
 *  5. link the Deno binary into .deno-bin/ so the engine's plain `deno` spawn finds it.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { denoBinDir, findDenoExecutable, hostPaths } from './paths';

const paths = hostPaths();
const runtimeDir = path.join(paths.appsEngineDir, 'deno-runtime');
const shimsSourceDir = path.join(__dirname, 'deno-shims');
const stampFile = path.join(paths.appsEngineDir, '.offline-setup-stamp');

function fail(message: string): never {
    process.stderr.write(`\n[host setup] FAILED: ${message}\n\n`);
    process.exit(1);
}

function backupOnce(file: string): string {
    const orig = `${file}.orig`;
    if (!fs.existsSync(orig)) {
        fs.copyFileSync(file, orig);
    }
    return orig;
}

function installShims(): void {
    const target = path.join(runtimeDir, 'shims');
    fs.mkdirSync(target, { recursive: true });
    for (const name of fs.readdirSync(shimsSourceDir)) {
        fs.copyFileSync(path.join(shimsSourceDir, name), path.join(target, name));
    }
}

function patchImportMap(): void {
    const file = path.join(runtimeDir, 'deno.jsonc');
    const config = JSON.parse(fs.readFileSync(backupOnce(file), 'utf8'));
    const imports: Record<string, string> = config.imports;
    for (const key of Object.keys(imports)) {
        if (imports[key].startsWith('jsr:')) {
            delete imports[key];
        }
    }
    imports['@std/cli/parse-args'] = './shims/std-cli-parse-args.ts';
    imports['@std/io'] = './shims/std-io.ts';
    imports['@std/streams'] = './shims/std-streams.ts';
    // More specific than the '@rocket.chat/apps-engine/' prefix, which points at sources the package does not ship.
    imports['@rocket.chat/apps-engine/definition/exceptions/AppsEngineException.ts'] = './shims/AppsEngineException.ts';
    fs.writeFileSync(file, JSON.stringify(config, null, '\t'));
}

/** The shipped lock pins JSR packages (unreachable) and a ui-kit specifier that disagrees with the import map. */
function writeOfflineLock(): void {
    const file = path.join(runtimeDir, 'deno.lock');
    const lock = JSON.parse(fs.readFileSync(backupOnce(file), 'utf8'));
    const config = JSON.parse(fs.readFileSync(path.join(runtimeDir, 'deno.jsonc'), 'utf8'));
    const specifiers: Record<string, string> = {};
    const npmSpecOf = (spec: string) => spec.replace(/^npm:/, '').replace(/@[^@]*$/, '');
    for (const [spec, resolved] of Object.entries<string>(lock.specifiers)) {
        if (spec.startsWith('jsr:')) continue;
        specifiers[spec] = resolved;
    }
    // Add the exact specifiers the import map uses so `--frozen` sees no change.
    for (const target of Object.values<string>(config.imports)) {
        if (!target.startsWith('npm:') || specifiers[target]) continue;
        const name = npmSpecOf(target);
        const existing = Object.entries(specifiers).find(([spec]) => npmSpecOf(spec) === name);
        if (existing) specifiers[target] = existing[1];
    }
    delete lock.jsr;
    delete lock.remote;
    lock.specifiers = specifiers;
    if (lock.workspace) {
        lock.workspace.dependencies = Object.values<string>(config.imports)
            .filter((t) => t.startsWith('npm:'))
            .sort();
    }
    fs.writeFileSync(file, JSON.stringify(lock, null, 2));
}

function fillCache(deno: string): void {
    try {
        execFileSync(
            deno,
            ['install', '--frozen', `--config=${path.join(runtimeDir, 'deno.jsonc')}`, '--entrypoint', 'main.ts'],
            {
                cwd: runtimeDir,
                stdio: ['ignore', 'pipe', 'pipe'],
                timeout: 300_000,
                env: {
                    ...process.env,
                    DENO_DIR: paths.denoCacheDir,
                    DENO_NO_PACKAGE_JSON: '1',
                    DENO_NO_UPDATE_CHECK: '1',
                    // Build networks may intercept TLS with a CA only the system store knows.
                    DENO_TLS_CA_STORE: 'system,mozilla',
                },
            },
        );
    } catch (e) {
        const err = e as { stderr?: Buffer; message: string };
        fail(`could not fill the Deno cache from the npm registry:\n${err.stderr?.toString() || err.message}`);
    }
}

function linkBinary(deno: string): void {
    fs.mkdirSync(denoBinDir(), { recursive: true });
    const link = path.join(denoBinDir(), 'deno');
    fs.rmSync(link, { force: true });
    fs.symlinkSync(deno, link);
}

function inputsDigest(deno: string): string {
    const hash = createHash('sha256');
    hash.update(fs.readFileSync(__filename));
    for (const name of fs.readdirSync(shimsSourceDir).sort()) {
        hash.update(name).update(fs.readFileSync(path.join(shimsSourceDir, name)));
    }
    hash.update(execFileSync(deno, ['--version']).toString());
    return hash.digest('hex');
}

function main(): void {
    if (!fs.existsSync(runtimeDir)) {
        fail(`@rocket.chat/apps-engine's deno-runtime is missing at ${runtimeDir}; run npm ci first.`);
    }
    const deno = findDenoExecutable();
    if (!deno) {
        fail(
            'no Deno executable: @deno/linux-x64-glibc was not installed (other platform?) and no `deno` is on PATH. ' +
                'Install Deno 2.3.x and re-run `npm run prepare`.',
        );
    }
    const digest = inputsDigest(deno);
    if (
        fs.existsSync(stampFile) &&
        fs.readFileSync(stampFile, 'utf8') === digest &&
        fs.existsSync(paths.denoCacheDir)
    ) {
        linkBinary(deno);
        process.stdout.write('[host setup] Deno runtime already prepared.\n');
        return;
    }
    const started = Date.now();
    installShims();
    patchImportMap();
    writeOfflineLock();
    fillCache(deno);
    linkBinary(deno);
    fs.writeFileSync(stampFile, digest);
    process.stdout.write(`[host setup] Deno runtime prepared offline-ready in ${Date.now() - started} ms.\n`);
}

main();
