/**
 * Real HTTP in front of a host's app endpoints, shaped like Rocket.Chat's app router
 * (apps/meteor/app/apps/server/bridges/api.ts): `/api/apps/public/:appId/*` and
 * `/api/apps/private/:appId/:hash/*`, bodies parsed by urlencoded + json body parsers, lower-cased
 * headers, the app's response sent as express would (objects as JSON).
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

const text = (status: number, body: string): FrontResponse => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(body) });

/** body-parser's behaviour: JSON and form bodies parsed, anything else left as an empty object. */
function parseBody(contentType: string, raw: Buffer): { ok: true; content: unknown } | { ok: false } {
    const type = contentType.split(';')[0].trim().toLowerCase();
    if (raw.length === 0) return { ok: true, content: {} };
    if (type === 'application/json' || type.endsWith('+json')) {
        try {
            return { ok: true, content: JSON.parse(raw.toString('utf8')) };
        } catch {
            return { ok: false };
        }
    }
    if (type === 'application/x-www-form-urlencoded') {
        return { ok: true, content: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) };
    }
    return { ok: true, content: {} };
}

async function handle(host: TestHost, req: http.IncomingMessage, raw: Buffer): Promise<FrontResponse> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/api\/apps\/(public)\/([^/]+)\/(.*)$/.exec(url.pathname) ?? /^\/api\/apps\/(private)\/([^/]+)\/([^/]+)\/(.*)$/.exec(url.pathname);
    if (!match) return text(404, 'Not Found');
    const [, visibility, appId] = match;
    const privateHash = visibility === 'private' ? match[3] : undefined;
    const subPath = visibility === 'private' ? match[4] : match[3];
    if (appId !== host.appId || !host.findRoute(subPath)) return text(404, 'Not Found');
    const parsed = parseBody(String(req.headers['content-type'] ?? ''), raw);
    if (!parsed.ok) return text(400, 'Bad Request: invalid JSON');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
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
    const out: Record<string, string> = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
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
