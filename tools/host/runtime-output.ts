/**
 * What the Apps-Engine runtime prints outside an app's log, captured for the secrets audit: the Deno
 * process's stderr (Rocket.Chat's server log shows it as "Subprocess stderr") and the engine's own
 * console lines (apps-engine/server/runtime/deno/AppsEngineDenoRuntime.js: "Error executing handler" with
 * the message it could not handle, "SUBPROCESS LOG", failed starts). Rocket.Chat writes both to its server
 * log, which admins read and paste into bug reports.
 */
import type { RuntimeOutput } from './store';

const ENGINE_CODE = /[\\/]@rocket\.chat[\\/]apps-engine[\\/]server[\\/]/;
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
const sinks = new Set<RuntimeOutput[]>();
let tapped = false;

/** Copies every console line printed from the Apps-Engine's server code into `sink` (the console still prints it). */
export function captureEngineConsole(sink: RuntimeOutput[]): void {
    sinks.add(sink);
    if (tapped) return;
    tapped = true;
    for (const method of METHODS) {
        const original = console[method].bind(console);
        console[method] = (...args: unknown[]) => {
            // Only lines whose call comes from the engine: the tests' and the simulator's own output is not Rocket.Chat's.
            if (ENGINE_CODE.test(new Error().stack ?? '')) {
                const text = args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ');
                for (const s of sinks) s.push({ source: 'engine console', text });
            }
            original(...args);
        };
    }
}

/** Records what a Deno process writes to stderr, once per stream. */
export function captureDenoStderr(stderr: NodeJS.ReadableStream | undefined, sink: RuntimeOutput[]): void {
    if (!stderr || watched.has(stderr)) return;
    watched.add(stderr);
    stderr.on('data', (chunk: Buffer | string) => sink.push({ source: 'deno stderr', text: chunk.toString() }));
}

const watched = new WeakSet<object>();

function safeJson(value: unknown): string {
    if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`;
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
