/** `npm start` as a child process, as a terminal runs it: its output, the console URL, its Deno process, Ctrl-C. */
import { spawn } from 'child_process';
import * as path from 'path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface SandboxExit {
    code: number | null;
    signal: NodeJS.Signals | null;
}

export interface SandboxProcess {
    output(): string;
    /** Resolves with the first match of `pattern` in the output (stdout and stderr). */
    waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
    /** Resolves when the process exits; rejects after `timeoutMs`. */
    exited(timeoutMs: number): Promise<SandboxExit>;
    /** The Apps-Engine runtime's Deno process ids the sandbox printed. */
    denoPids(): number[];
    /** Ctrl-C in the terminal: SIGINT to the whole process group. */
    interrupt(timeoutMs: number): Promise<SandboxExit>;
    /** Last resort after a failed test. */
    kill(): void;
}

/**
 * Runs `node --import tsx tools/sandbox/main.ts <args>` (what `npm start -- <args>` runs) in its own process group.
 * One Node process, no `tsx` CLI in front: the CLI relays Ctrl-C to its child and SIGKILLs it (exit 130, Deno
 * left behind) when the child does not acknowledge within 30 ms, which a loaded machine easily misses.
 */
export function startSandboxProcess(args: string[]): SandboxProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/sandbox/main.ts', ...args], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: { ...process.env, FORCE_COLOR: '0' },
    });
    let out = '';
    const listeners = new Set<() => void>();
    const append = (chunk: Buffer) => {
        out += chunk.toString('utf8');
        listeners.forEach((l) => l());
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const exit = new Promise<SandboxExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let done = false;
    void exit.then(() => {
        done = true;
        listeners.forEach((l) => l());
    });

    const exited = (timeoutMs: number) =>
        new Promise<SandboxExit>((resolve, reject) => {
            const timer = setTimeout(
                () => reject(new Error(`The sandbox did not exit within ${timeoutMs / 1000} s. Output:\n${out}`)),
                timeoutMs,
            );
            void exit.then((result) => {
                clearTimeout(timer);
                resolve(result);
            });
        });

    return {
        output: () => out,
        waitFor: (pattern, timeoutMs) =>
            new Promise((resolve, reject) => {
                const check = () => {
                    const match = pattern.exec(out);
                    if (match) finish(() => resolve(match));
                    else if (done)
                        finish(() =>
                            reject(new Error(`The sandbox exited before printing ${pattern}. Output:\n${out}`)),
                        );
                };
                const timer = setTimeout(
                    () =>
                        finish(() =>
                            reject(
                                new Error(
                                    `The sandbox did not print ${pattern} within ${timeoutMs / 1000} s. Output:\n${out}`,
                                ),
                            ),
                        ),
                    timeoutMs,
                );
                const finish = (settle: () => void) => {
                    clearTimeout(timer);
                    listeners.delete(check);
                    settle();
                };
                listeners.add(check);
                check();
            }),
        exited,
        denoPids: () => [...out.matchAll(/Deno pid (\d+)/g)].map((m) => Number(m[1])),
        interrupt: (timeoutMs) => {
            if (!done) process.kill(-child.pid!, 'SIGINT');
            return exited(timeoutMs);
        },
        kill: () => {
            if (done) return;
            try {
                process.kill(-child.pid!, 'SIGKILL');
            } catch {
                // already gone
            }
        },
    };
}
