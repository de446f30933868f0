/**
 * Real HTTP in front of a host's app endpoints, shaped like Rocket.Chat's app router
 * (apps/meteor/app/apps/server/bridges/api.ts): `/api/apps/public/:appId/*` and
 * `/api/apps/private/:appId/:hash/*`, bodies parsed by body-parser's urlencoded() and json() with their
 * defaults (apps/meteor/app/apps/server/bridges/router.ts), lower-cased headers, the app's response sent
 * as express would (objects as JSON).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { TestHost } from './host';

export interface HttpFront {
    url: string;
    port: number;
    /** Replaces the hosts behind this address (e.g. a second instance joining the cluster). */
    setHosts(hosts: TestHost[]): void;
    close(): Promise<void>;
}

/** `hosts` may hold several hosts sharing a store: requests go round-robin, like a load balancer. */
export async function startHttpFront(hosts: TestHost | TestHost[], port = 0): Promise<HttpFront> {
    let pool = Array.isArray(hosts) ? hosts : [hosts];
    let next = 0;
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
            const host = pool[next++ % pool.length];
            handle(host, req, Buffer.concat(chunks))
                .then(({ status, headers, body }) => {
                    res.writeHead(status, headers);
                    res.end(body);
                })
                .catch((e: Error) => {
                    res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
                    res.end(e.message);
                });
        });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const actual = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${actual}`,
        port: actual,
        setHosts: (replacement) => {
            pool = [...replacement];
        },
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

interface FrontResponse {
    status: number;
    headers: Record<string, string>;
    body: Buffer;
}

const text = (status: number, body: string): FrontResponse => ({
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from(body),
});

/** body-parser's default `limit` for json() and urlencoded(): a larger body is refused with 413. */
export const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * body-parser's defaults: json() parses only `application/json` (not `+json` types) and, strict, only
 * objects and arrays (a bare string or number is a 400); urlencoded() parses forms; both refuse a body
 * over 100 KB (413); anything else is left as an empty object.
 */
function parseBody(
    contentType: string,
    raw: Buffer,
): { ok: true; content: unknown } | { ok: false; status: number; message: string } {
    const type = contentType.split(';')[0].trim().toLowerCase();
    if (raw.length === 0) return { ok: true, content: {} };
    const parsed = type === 'application/json' || type === 'application/x-www-form-urlencoded';
    if (parsed && raw.length > BODY_LIMIT_BYTES) return { ok: false, status: 413, message: 'request entity too large' };
    if (type === 'application/json') {
        const text = raw.toString('utf8');
        // eslint-disable-next-line no-control-regex -- JSON's whitespace (RFC 8259 §2) is these control characters
        const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
        if (first !== '{' && first !== '[')
            return {
                ok: false,
                status: 400,
                message: `Unexpected token ${first ?? 'end'} in JSON (strict mode: objects and arrays only)`,
            };
        try {
            return { ok: true, content: JSON.parse(text) };
        } catch {
            return { ok: false, status: 400, message: 'Bad Request: invalid JSON' };
        }
    }
    if (type === 'application/x-www-form-urlencoded') {
        return { ok: true, content: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) };
    }
    return { ok: true, content: {} };
}

async function handle(host: TestHost, req: http.IncomingMessage, raw: Buffer): Promise<FrontResponse> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match =
        /^\/api\/apps\/(public)\/([^/]+)\/(.*)$/.exec(url.pathname) ??
        /^\/api\/apps\/(private)\/([^/]+)\/([^/]+)\/(.*)$/.exec(url.pathname);
    if (!match) return text(404, 'Not Found');
    const [, visibility, appId] = match;
    const privateHash = visibility === 'private' ? match[3] : undefined;
    const subPath = visibility === 'private' ? match[4] : match[3];
    // The body parsers sit in front of every app's router, so a bad body is refused before any route matches.
    const parsed = parseBody(String(req.headers['content-type'] ?? ''), raw);
    if (!parsed.ok) return text(parsed.status, parsed.message);
    if (appId !== host.appId || !host.findRoute(subPath)) return text(404, 'Not Found');
    const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
    );
    const response = await host.callEndpoint(subPath, {
        method: (req.method ?? 'GET').toLowerCase() as never,
        headers,
        query: Object.fromEntries(url.searchParams),
        content: parsed.content,
        privateHash,
    });
    return toExpressResponse(response.status, response.headers ?? {}, response.content);
}

function toExpressResponse(status: number, headers: Record<string, string>, content: unknown): FrontResponse {
    const out: Record<string, string> = Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    let body: Buffer;
    if (content === undefined || content === null) body = Buffer.alloc(0);
    else if (Buffer.isBuffer(content)) {
        body = content;
        out['content-type'] ??= 'application/octet-stream';
    } else if (typeof content === 'string') {
        body = Buffer.from(content);
        out['content-type'] ??= 'text/html; charset=utf-8';
    } else {
        body = Buffer.from(JSON.stringify(content));
        out['content-type'] ??= 'application/json; charset=utf-8';
    }
    return { status, headers: out, body };
}
