/** The Deno subprocesses this process started (the Apps-Engine runtime), read from /proc (Linux). */
import * as fs from 'fs';

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
