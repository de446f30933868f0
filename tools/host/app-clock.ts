/**
 * A host whose scheduler runs on a manual clock shares that clock with the app: the engine spawns the app's
 * Deno runtime through a wrapper that starts it with a shim (deno-shims/test-clock.ts) replacing Date, which
 * reads the time this link writes whenever the clock moves. So the app's Date.now() is the scheduler's time,
 * as on Rocket.Chat, where both read the machine's clock; the app needs no notion of a test clock.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Clock } from './clock';
import { findDenoExecutable, hostPaths } from './paths';

/** A clock that says when it moved: the host's ManualClock (onChange), the simulator's (quiesce hooks). */
type ObservableClock = Clock & {
    onChange?(listener: () => void): void;
    addQuiesceHook?(hook: () => Promise<void>): void;
};

let links = 0;

/** The shims normally come with `npm run prepare` (setup.ts); a checkout that has not run it since gets them here. */
function installShims(appsEngineDir: string): void {
    for (const name of ['test-clock.ts', 'test-clock-main.ts']) {
        const source = fs.readFileSync(path.join(__dirname, 'deno-shims', name));
        const target = path.join(appsEngineDir, 'deno-runtime', 'shims', name);
        if (!fs.existsSync(target) || !fs.readFileSync(target).equals(source)) fs.writeFileSync(target, source);
    }
}

export class AppClockLink {
    private readonly dir: string;
    private readonly file: string;

    constructor(private readonly clock: ObservableClock) {
        // Under node_modules: the engine lets the runtime read there (--allow-read), and nowhere of ours else.
        const { appsEngineDir } = hostPaths();
        this.dir = path.join(path.dirname(path.dirname(appsEngineDir)), '.test-clocks', `${process.pid}-${++links}`);
        this.file = path.join(this.dir, 'now.json');
        fs.mkdirSync(this.dir, { recursive: true });
        installShims(appsEngineDir);
        this.writeWrapper();
        this.write();
        clock.onChange?.(() => this.write());
        clock.addQuiesceHook?.(async () => this.write());
        process.once('exit', () => fs.rmSync(this.dir, { recursive: true, force: true }));
    }

    private written?: number;

    /** The time and the real moment it was set: only when the clock moved (a write with the same time would restart it). */
    private write(): void {
        const manualAt = this.clock.now();
        if (manualAt === this.written) return;
        this.written = manualAt;
        const temp = `${this.file}.${process.pid}`;
        fs.writeFileSync(temp, JSON.stringify({ manualAt, realAt: Date.now() }));
        fs.renameSync(temp, this.file);
    }

    /** `deno` for the engine's spawn: the runtime's entry becomes the shim's, told where the time is. */
    private writeWrapper(): void {
        const deno = findDenoExecutable();
        if (!deno) throw new Error('No Deno executable (run `npm ci`)');
        const script = [
            '#!/usr/bin/env bash',
            'args=()',
            'entry=""',
            'for a in "$@"; do',
            '  if [[ "$a" == */deno-runtime/main.ts ]]; then a="${a%/main.ts}/shims/test-clock-main.ts"; entry=1; fi',
            '  args+=("$a")',
            'done',
            `if [[ -n "$entry" ]]; then args+=(${JSON.stringify(`--test-clock=${this.file}`)}); fi`,
            `exec ${JSON.stringify(deno)} "\${args[@]}"`,
            '',
        ].join('\n');
        fs.writeFileSync(path.join(this.dir, 'deno'), script, { mode: 0o755 });
    }

    /** Runs `spawning` (engine work that may start the app's runtime) with the wrapper first on PATH. */
    public async whileSpawning<T>(spawning: () => Promise<T>): Promise<T> {
        const before = process.env.PATH;
        process.env.PATH = [this.dir, before].join(path.delimiter);
        this.write();
        try {
            return await spawning();
        } finally {
            process.env.PATH = before;
        }
    }
}
