import type { IncomingHttpHeaders } from 'node:http';
import { boundaryOf, parseMultipart, type MultipartPart } from './multipart';

/** Hostnames the simulator answers for; anything else (e.g. 127.0.0.1:port) counts as api.x.com. */
export const X_HOSTNAMES = [
    'api.x.com',
    'upload.x.com',
    'x.com',
    'ton.twitter.com',
    'api.twitter.com',
    'twitter.com',
    'video.twimg.com',
    'pbs.twimg.com',
] as const;
export type XHostname = (typeof X_HOSTNAMES)[number];

/** An incoming request, parsed once and handed to every layer. */
export interface SimRequest {
    method: string;
    /** The X hostname the caller meant (from the Host header). */
    host: XHostname;
    path: string;
    /** Raw query string without the leading `?`. */
    rawQuery: string;
    /** Decoded query parameters in order (percent-decoding only; `+` stays a plus sign). */
    queryPairs: Array<[string, string]>;
    headers: IncomingHttpHeaders;
    body: Buffer;
    contentType: string;
    /** Parsed body, by content type. */
    json?: unknown;
    jsonError?: boolean;
    form?: Array<[string, string]>;
    multipart?: MultipartPart[];
}

export function canonicalHost(hostHeader: string | undefined): XHostname {
    const hostname = (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '');
    return (X_HOSTNAMES as readonly string[]).includes(hostname) ? (hostname as XHostname) : 'api.x.com';
}

function decodeComponent(value: string): string {
    try {
        return decodeURIComponent(value);
    } catch {
        return value;
    }
}

export function parseQueryPairs(rawQuery: string): Array<[string, string]> {
    if (!rawQuery) return [];
    return rawQuery
        .split('&')
        .filter((pair) => pair.length > 0)
        .map((pair) => {
            const eq = pair.indexOf('=');
            const key = eq === -1 ? pair : pair.slice(0, eq);
            const value = eq === -1 ? '' : pair.slice(eq + 1);
            return [decodeComponent(key), decodeComponent(value)];
        });
}

export function buildSimRequest(
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
): SimRequest {
    const queryIndex = rawUrl.indexOf('?');
    const path = queryIndex === -1 ? rawUrl : rawUrl.slice(0, queryIndex);
    const rawQuery = queryIndex === -1 ? '' : rawUrl.slice(queryIndex + 1);
    const contentType = String(headers['content-type'] ?? '').toLowerCase();
    const request: SimRequest = {
        method: method.toUpperCase(),
        host: canonicalHost(headers.host),
        path,
        rawQuery,
        queryPairs: parseQueryPairs(rawQuery),
        headers,
        body,
        contentType,
    };
    if (contentType.includes('application/json') && body.length > 0) {
        try {
            request.json = JSON.parse(body.toString('utf8'));
        } catch {
            request.jsonError = true;
        }
    } else if (contentType.includes('application/x-www-form-urlencoded')) {
        request.form = [...new URLSearchParams(body.toString('utf8')).entries()];
    } else if (contentType.includes('multipart/form-data')) {
        const boundary = boundaryOf(String(headers['content-type']));
        request.multipart = boundary ? parseMultipart(body, boundary) : [];
    }
    return request;
}

export function queryParam(request: SimRequest, name: string): string | undefined {
    return request.queryPairs.find(([k]) => k === name)?.[1];
}

/** Body fields from a JSON object or a form body (the OAuth 2.0 endpoints accept both). */
export function bodyFields(request: SimRequest): Record<string, string> {
    if (request.form) return Object.fromEntries(request.form);
    if (request.json && typeof request.json === 'object' && !Array.isArray(request.json)) {
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.json as Record<string, unknown>)) {
            if (v !== undefined && v !== null) fields[k] = String(v);
        }
        return fields;
    }
    return {};
}

/** A JSON object body, or undefined when the body is not one. */
export function jsonObject(request: SimRequest): Record<string, unknown> | undefined {
    const value = request.json;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
