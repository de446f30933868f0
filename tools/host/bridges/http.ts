/**
 * Outgoing HTTP as Rocket.Chat's AppHttpBridge makes it (apps/meteor/app/apps/server/bridges/http.ts),
 * plus a host map that sends X's hostnames to a local server (the X simulator) with the original Host
 * header, so the app needs no test switch.
 */
import type { IHttpResponse } from '@rocket.chat/apps-engine/definition/accessors';
import { HttpBridge, IHttpBridgeRequestInfo } from '@rocket.chat/apps-engine/server/bridges/HttpBridge';
import * as http from 'http';
import * as https from 'https';
import type { HttpExchange } from '../store';
import { BridgeContext } from './context';

const DEFAULT_TIMEOUT = 3 * 60 * 1000;
const JSON_TYPES = ['application/json', 'text/javascript', 'application/javascript', 'application/x-javascript'];

export type { HttpExchange } from '../store';

export class HostHttpBridge extends HttpBridge {
    public readonly exchanges: HttpExchange[] = [];

    constructor(private readonly ctx: BridgeContext) {
        super();
    }

    protected async call(info: IHttpBridgeRequestInfo): Promise<IHttpResponse> {
        const url = new URL(info.url);
        const { request, method } = info;
        const headers: Record<string, string> = { ...(request.headers ?? {}) };
        let content: unknown = request.content;
        if (!content && typeof request.data === 'object') content = request.data;
        if (request.auth) {
            if (!request.auth.includes(':')) throw new Error('auth option should be of the form "username:password"');
            headers.Authorization = `Basic ${Buffer.from(request.auth, 'ascii').toString('base64')}`;
        }
        const getOrHead = ['GET', 'HEAD'].includes(method.toUpperCase());
        if (content || getOrHead) {
            for (const [k, v] of Object.entries(request.params ?? {})) if (v) url.searchParams.append(k, v);
        } else if (request.params) {
            content = new URLSearchParams(request.params).toString();
            headers['Content-Type'] = 'application/x-www-form-urlencoded';
        }
        if (getOrHead) content = undefined;
        let body: Buffer | undefined;
        if (content !== undefined && content !== null) {
            if (Buffer.isBuffer(content) || content instanceof Uint8Array) body = Buffer.from(content as Uint8Array);
            else if (typeof content === 'string') body = Buffer.from(content);
            else {
                body = Buffer.from(JSON.stringify(content));
                if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
                    headers['Content-Type'] = 'application/json';
            }
        }
        const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
        const exchange: HttpExchange = {
            at: this.ctx.store.clock.now(),
            appId: info.appId,
            method,
            url: info.url,
            authorization: header('authorization') !== undefined,
            ...(header('range') !== undefined ? { range: header('range') } : {}),
        };
        Object.defineProperty(exchange, 'sent', {
            enumerable: false,
            value: { url: url.href, headers: { ...headers }, body: body ? body.toString('latin1') : '' },
        });
        this.exchanges.push(exchange);
        this.ctx.store.httpExchanges.push(exchange);
        try {
            const res = await send(this.target(url), method, headers, body, request.timeout || DEFAULT_TIMEOUT);
            exchange.statusCode = res.statusCode;
            exchange.responseBytes = res.body.length;
            const result: IHttpResponse = {
                url: info.url,
                method: info.method,
                statusCode: res.statusCode,
                headers: res.headers,
            };
            if (request.encoding === null) {
                result.content = res.body as unknown as string;
            } else {
                result.content = res.body.toString((request.encoding as BufferEncoding) || 'utf8');
                const type = (res.headers['content-type'] || '').split(';')[0];
                try {
                    result.data = JSON_TYPES.includes(type) ? JSON.parse(result.content) : null;
                } catch {
                    result.data = null;
                }
            }
            return result;
        } catch (e) {
            exchange.error = (e as Error).message;
            throw e;
        }
    }

    /** Where the request really goes, and the Host it claims. */
    private target(url: URL): { url: URL; host?: string } {
        const local = this.ctx.httpHostMap.get(url.hostname);
        if (!local) return { url };
        const mapped = new URL(url.pathname + url.search, local);
        return { url: mapped, host: url.host };
    }
}

interface RawResponse {
    statusCode: number;
    headers: Record<string, string>;
    body: Buffer;
}

function send(
    target: { url: URL; host?: string },
    method: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    timeoutMs: number,
): Promise<RawResponse> {
    const lib = target.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
        const req = lib.request(
            target.url,
            {
                method: method.toUpperCase(),
                headers: {
                    ...headers,
                    ...(target.host ? { host: target.host } : {}),
                    ...(body ? { 'content-length': String(body.length) } : {}),
                },
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('end', () => {
                    const flat: Record<string, string> = {};
                    for (const [k, v] of Object.entries(res.headers))
                        if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
                    resolve({ statusCode: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
                });
                res.on('error', reject);
            },
        );
        req.setTimeout(timeoutMs, () =>
            req.destroy(new Error(`The request to ${target.url.host} timed out after ${timeoutMs} ms`)),
        );
        req.on('error', reject);
        if (body) req.write(body);
        req.end();
    });
}
