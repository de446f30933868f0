// Offline stand-in for jsr:@std/cli/parse-args (only the runtime's unused lib/parseArgs.ts imports it).
export function parseArgs(args: string[]): Record<string, unknown> & { _: string[] } {
    const out: Record<string, unknown> & { _: string[] } = { _: [] };
    const coerce = (v: string): unknown => (v !== '' && !isNaN(Number(v)) ? Number(v) : v);
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (!arg.startsWith('--')) {
            out._.push(arg);
            continue;
        }
        const body = arg.slice(2);
        const eq = body.indexOf('=');
        if (eq >= 0) {
            out[body.slice(0, eq)] = coerce(body.slice(eq + 1));
        } else if (i + 1 < args.length && !args[i + 1].startsWith('--')) {
            out[body] = coerce(args[++i]);
        } else {
            out[body] = true;
        }
    }
    return out;
}
