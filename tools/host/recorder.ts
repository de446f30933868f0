/**
 * Wraps a bridge so every call the engine makes into it is recorded (for tests and the round-trip
 * benchmarks), and refuses to start when a method the engine may call is missing.
 */
export interface BridgeCall {
    seq: number;
    at: number;
    bridge: string;
    method: string;
    args: unknown[];
}

/**
 * A call's name for counts and assertions: the bridge method, and for persistence what it touched (the record type
 * written, else the first association's name), for a server setting its id — so that, say, the claim
 * read-back and a re-read of the linked account are told apart.
 */
export function callName(c: BridgeCall): string {
    const base = `${c.bridge}.${c.method}`;
    if (c.bridge === 'ServerSettingBridge' && typeof c.args[0] === 'string') return `${base}(${c.args[0]})`;
    if (c.bridge !== 'PersistenceBridge') return base;
    const record = c.args.find((a) => !!a && typeof a === 'object' && !Array.isArray(a) && 'type' in a) as
        { type?: unknown } | undefined;
    if (typeof record?.type === 'string') return `${base}(${record.type})`;
    const associations = c.args.find(Array.isArray) as { id?: unknown }[] | undefined;
    const first = associations?.[0]?.id;
    return typeof first === 'string' ? `${base}(${first.split(':')[0]})` : base;
}

/** Runs before a bridge call is carried out (a test's way to make something happen at that exact point). */
export type BridgeHook = (args: unknown[]) => void | Promise<void>;

export class CallLog {
    public readonly calls: BridgeCall[] = [];
    private seq = 0;
    private readonly hooks: { bridge: string; method: string; hook: BridgeHook }[] = [];

    /** Calls `hook` before every `bridge.method` call until the returned function removes it. */
    public before(bridge: string, method: string, hook: BridgeHook): () => void {
        const entry = { bridge, method, hook };
        this.hooks.push(entry);
        return () => {
            const at = this.hooks.indexOf(entry);
            if (at >= 0) this.hooks.splice(at, 1);
        };
    }

    public hooksFor(bridge: string, method: string): BridgeHook[] {
        return this.hooks.filter((h) => h.bridge === bridge && h.method === method).map((h) => h.hook);
    }

    public record(bridge: string, method: string, args: unknown[]): void {
        this.calls.push({ seq: ++this.seq, at: Date.now(), bridge, method, args });
    }

    /** Index to pass to `since` later: calls made after this point. */
    public mark(): number {
        return this.calls.length;
    }

    public since(mark: number): BridgeCall[] {
        return this.calls.slice(mark);
    }

    public clear(): void {
        this.calls.length = 0;
    }
}

function functionNames(bridge: object): string[] {
    const names = new Set<string>([...Object.getOwnPropertyNames(bridge)]);
    for (
        let proto = Object.getPrototypeOf(bridge);
        proto && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto)
    ) {
        for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
    }
    return [...names].filter(
        (n) => n !== 'constructor' && typeof (bridge as Record<string, unknown>)[n] === 'function',
    );
}

/**
 * The engine's bridges call `this.x(...)` from `doX(...)` after checking permissions, so every x must
 * exist (matched without case: the engine itself pairs `doGetByid` with `getById`).
 */
export function instrument<T extends object>(name: string, bridge: T, log: CallLog): T {
    const all = functionNames(bridge);
    const implemented = new Map(
        all.filter((n) => !/^do[A-Z]/.test(n)).map((n) => [n.toLowerCase().replace(/^_/, ''), n]),
    );
    const required = all.filter((n) => /^do[A-Z]/.test(n)).map((n) => n.slice(2).toLowerCase());
    const missing = required.filter((m) => !implemented.has(m));
    if (missing.length > 0) {
        throw new Error(`Test host: ${name} does not implement ${missing.join(', ')}`);
    }
    const recorded = new Set(required.map((m) => implemented.get(m)!));
    const wrapped = new Map<PropertyKey, unknown>();
    return new Proxy(bridge, {
        get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (typeof value !== 'function' || typeof prop !== 'string' || !recorded.has(prop)) {
                return value;
            }
            if (!wrapped.has(prop)) {
                wrapped.set(prop, function (this: unknown, ...args: unknown[]) {
                    log.record(name, prop, args);
                    const hooks = log.hooksFor(name, prop);
                    if (hooks.length === 0) return (value as (...a: unknown[]) => unknown).apply(this, args);
                    return (async () => {
                        for (const hook of hooks) await hook(args);
                        return (value as (...a: unknown[]) => unknown).apply(this, args);
                    })();
                });
            }
            return wrapped.get(prop);
        },
    });
}
