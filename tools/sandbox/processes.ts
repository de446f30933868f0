/** The Deno subprocesses of the engine: found in /proc (Linux) for the shutdown check, and kept out of terminal signals. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself: spawn is replaced below
import childProcess = require('child_process');
import * as fs from 'fs';
import * as path from 'path';

interface ProcInfo {
    pid: number;
    ppid: number;
    state: string;
    comm: string;
}

function procInfo(pid: number): ProcInfo | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // pid (comm) state ppid …; comm may itself contain spaces and parentheses.
        const close = stat.lastIndexOf(')');
        const comm = stat.slice(stat.indexOf('(') + 1, close);
        const [state, ppid] = stat.slice(close + 2).split(' ');
        return { pid, ppid: Number(ppid), state, comm };
    } catch {
        return undefined;
    }
}

/** Live (not zombie) Deno processes whose parent is `parentPid`. */
export function denoChildren(parentPid = process.pid): number[] {
    if (!fs.existsSync('/proc')) return [];
    const pids: number[] = [];
    for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const info = procInfo(Number(entry));
        if (info && info.ppid === parentPid && info.comm === 'deno' && info.state !== 'Z') pids.push(info.pid);
    }
    return pids;
}

/** Whether `pid` is still a running process (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
    const info = procInfo(pid);
    return !!info && info.state !== 'Z';
}

/** Waits up to `timeoutMs` for the processes to end; returns those still running. */
export async function waitForExit(pids: number[], timeoutMs: number): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    let left = pids.filter(isRunning);
    while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        left = left.filter(isRunning);
    }
    return left;
}

let isolated = false;

/**
 * Ctrl-C in a terminal signals the whole foreground process group. The engine's Deno process must not
 * get it: it would die before the sandbox unloads the engine, the engine would respawn it, and the unload
 * would then wait for the dead one. So Deno is started in a process group of its own (the engine spawns it
 * through `child_process.spawn`), and the sandbox's orderly shutdown stops it. Deno still ends with the
 * sandbox if the sandbox is killed outright: its stdin (the engine's pipe) closes.
 */
export function keepDenoOutOfTerminalSignals(): void {
    if (isolated) return;
    isolated = true;
    const original = childProcess.spawn;
    const spawn = (command: string, ...rest: unknown[]) => {
        if (path.basename(command) !== 'deno')
            return (original as (...a: unknown[]) => childProcess.ChildProcess)(command, ...rest);
        const [args, options] = Array.isArray(rest[0]) ? [rest[0] as string[], rest[1]] : [[], rest[0]];
        return original(command, args, { ...(options as childProcess.SpawnOptions), detached: true });
    };
    childProcess.spawn = spawn as typeof childProcess.spawn;
}
