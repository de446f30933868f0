/**
 * The console's web server (localhost only): the static page in console/, a JSON API for what the
 * customer, the agent and the admin do, the state as JSON and as server-sent events, and the files
 * both sides see (DM media on X, uploads in Rocket.Chat).
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { Sandbox, UploadedFile } from './sandbox';

export interface ConsoleServer {
    url: string;
    port: number;
    close(): Promise<void>;
}

const STATIC: Record<string, { file: string; type: string }> = {
    '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
    '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
    '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
    '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};
const STATIC_DIR = path.join(__dirname, 'console');
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const PUSH_EVERY_MS = 300;

class HttpError extends Error {
    constructor(
        public readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

type Json = Record<string, unknown>;
type Handler = (params: string[], body: Json) => Promise<unknown> | unknown;

export async function startConsoleServer(sandbox: Sandbox, port = 0): Promise<ConsoleServer> {
    const streams = new Set<http.ServerResponse>();
    let lastPushed = '';

    const routes: { method: string; pattern: RegExp; handle: Handler }[] = [
        { method: 'GET', pattern: /^\/api\/state$/, handle: () => sandbox.state() },
        {
            method: 'POST',
            pattern: /^\/api\/customers$/,
            handle: (_p, body) => sandbox.createCustomer(requireString(body, 'username'), optionalString(body, 'name')),
        },
        {
            method: 'POST',
            pattern: /^\/api\/customers\/([^/]+)\/dms$/,
            handle: async ([id], body) => {
                const text = optionalString(body, 'text');
                const file = optionalFile(body);
                if (!text && !file) throw new HttpError(400, 'Write something or attach an image');
                const dm = await sandbox.customerSends(id, { text, file, to: optionalString(body, 'to') });
                // Automatic may be polling (X cannot reach the webhook): the poller does nothing otherwise.
                if ((sandbox.mode === 'polling' || sandbox.mode === 'auto') && body.pollNow === true)
                    await sandbox.pollNow();
                return { id: dm.id };
            },
        },
        {
            method: 'POST',
            pattern: /^\/api\/rooms\/([^/]+)\/messages$/,
            handle: ([id], body) => ({ id: sandbox.agentReplies(id, requireString(body, 'text')).id }),
        },
        {
            method: 'POST',
            pattern: /^\/api\/rooms\/([^/]+)\/files$/,
            handle: ([id], body) => {
                const file = optionalFile(body);
                if (!file) throw new HttpError(400, 'No file');
                return { id: sandbox.agentUploads(id, file, optionalString(body, 'caption')) };
            },
        },
        {
            method: 'POST',
            pattern: /^\/api\/rooms\/([^/]+)\/close$/,
            handle: async ([id]) => ({ closed: await sandbox.closeRoom(id) }),
        },
        {
            method: 'POST',
            pattern: /^\/api\/agent$/,
            handle: (_p, body) => {
                if (typeof body.online !== 'boolean') throw new HttpError(400, '"online" must be true or false');
                const agentId = optionalString(body, 'agentId');
                sandbox.setAgentOnline(body.online, agentId);
                return { online: sandbox.agentOnline(agentId) };
            },
        },
        { method: 'POST', pattern: /^\/api\/status$/, handle: async () => ({ text: await sandbox.twitterStatus() }) },
        {
            method: 'POST',
            pattern: /^\/api\/faults\/([^/]+)$/,
            handle: ([name], body) => {
                sandbox.setFault(name, body.on !== false);
                return { active: sandbox.activeFaultNames() };
            },
        },
        {
            method: 'POST',
            pattern: /^\/api\/jobs\/([^/]+)\/run$/,
            handle: async ([processorId]) => {
                await sandbox.runJobNow(processorId);
                return { ran: processorId };
            },
        },
    ];

    const server = http.createServer((req, res) => {
        void serve(req, res).catch((e: unknown) => {
            const status = e instanceof HttpError ? e.status : 400;
            if (!res.headersSent) sendJson(res, status, { error: (e as Error)?.message ?? String(e) });
            else res.end();
        });
    });

    async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const method = req.method ?? 'GET';
        const asset = STATIC[url.pathname];
        if (asset && method === 'GET') {
            res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
            res.end(fs.readFileSync(path.join(STATIC_DIR, asset.file)));
            return;
        }
        if (url.pathname === '/api/events' && method === 'GET') return openStream(res);
        const media = /^\/files\/(x|rc)\/([^/]+)$/.exec(url.pathname);
        if (media && method === 'GET') {
            const file = media[1] === 'x' ? sandbox.dmMedia(media[2]) : sandbox.upload(media[2]);
            if (!file) throw new HttpError(404, 'No such file');
            res.writeHead(200, {
                'content-type': file.contentType,
                'content-length': String(file.bytes.length),
                'cache-control': 'max-age=3600',
            });
            res.end(file.bytes);
            return;
        }
        for (const route of routes) {
            const match = route.method === method ? route.pattern.exec(url.pathname) : null;
            if (!match) continue;
            const body = method === 'POST' ? await readJson(req) : {};
            const result = await route.handle(match.slice(1).map(decodeURIComponent), body);
            sendJson(res, 200, result ?? {});
            if (method === 'POST') setTimeout(push, 50);
            return;
        }
        throw new HttpError(404, `No ${method} ${url.pathname}`);
    }

    function openStream(res: http.ServerResponse): void {
        res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-store',
            connection: 'keep-alive',
        });
        res.write(`retry: 1000\ndata: ${JSON.stringify(sandbox.state())}\n\n`);
        streams.add(res);
        res.on('close', () => streams.delete(res));
    }

    /** Sends the state to every open console when it changed. */
    function push(): void {
        if (streams.size === 0) return;
        let json: string;
        try {
            json = JSON.stringify(sandbox.state());
        } catch {
            return; // mid-shutdown
        }
        if (json === lastPushed) return;
        lastPushed = json;
        for (const res of streams) res.write(`data: ${json}\n\n`);
    }
    const ticker = setInterval(push, PUSH_EVERY_MS);
    const keepAlive = setInterval(() => streams.forEach((res) => res.write(': keep-alive\n\n')), 15_000);

    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
    });
    const actual = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: async () => {
            clearInterval(ticker);
            clearInterval(keepAlive);
            for (const res of streams) res.end();
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
}

async function readJson(req: http.IncomingMessage): Promise<Json> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Too large for the sandbox (25 MB)');
        chunks.push(chunk as Buffer);
    }
    if (size === 0) return {};
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new HttpError(400, 'Expected a JSON object');
    return parsed as Json;
}

function requireString(body: Json, key: string): string {
    const value = body[key];
    if (typeof value !== 'string' || !value.trim()) throw new HttpError(400, `"${key}" is required`);
    return value;
}

function optionalString(body: Json, key: string): string | undefined {
    const value = body[key];
    return typeof value === 'string' && value.trim() ? value : undefined;
}

/** `{ file: { name, type, base64 } }` as the page sends a chosen file. */
function optionalFile(body: Json): UploadedFile | undefined {
    const file = body.file as { name?: unknown; type?: unknown; base64?: unknown } | undefined;
    if (!file) return undefined;
    if (typeof file.name !== 'string' || typeof file.base64 !== 'string')
        throw new HttpError(400, 'A file needs a name and base64 content');
    const type = typeof file.type === 'string' && file.type ? file.type : 'application/octet-stream';
    return { name: file.name, type, bytes: Buffer.from(file.base64, 'base64') };
}
