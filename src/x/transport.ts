import { ApiResponseError } from 'twitter-api-v2';
import type { IGetHttpRequestArgs, ITwitterApiClientPlugin, TwitterRateLimit, TwitterResponse } from 'twitter-api-v2';

/**
 * A twitter-api-v2 plugin that replaces the library's own HTTPS transport with an injected
 * sender (Apps-Engine's IHttp in the app, a Node sender in tests). The library still builds and
 * signs every request for the real https://api.x.com URL; this plugin only carries it and turns
 * the answer back into the library's response / error shapes.
 *
 * Runs inside the Apps-Engine Deno runtime: no Node-only imports (Buffer is a global there).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface HttpSendRequest {
    method: HttpMethod;
    url: string;
    headers: Record<string, string>;
    content?: string;
    /** Ask for the body as raw bytes (IHttp `encoding: null`). */
    binary?: boolean;
    timeoutMs?: number;
}

export interface HttpSendResponse {
    statusCode: number;
    headers: Record<string, string>;
    content?: string | Buffer;
    /** Pre-parsed JSON body, when the sender already parsed it (IHttp does for JSON answers). */
    data?: unknown;
}

export type HttpSender = (request: HttpSendRequest) => Promise<HttpSendResponse>;

/** What the optional observer learns about each call (never credentials or bodies). */
export interface TransportObservation {
    method: HttpMethod;
    /** URL without its query string. */
    endpoint: string;
    statusCode?: number;
    durationMs: number;
    rateLimit?: TwitterRateLimit;
    error?: TransportErrorKind;
}

export type TransportErrorKind = 'network' | 'timeout' | 'unsupported-body';

/** A successful answer as the plugin hands it over: the library's shape plus the HTTP status. */
export interface WithStatus {
    statusCode: number;
}

/** Senders reject with this when the request's `timeoutMs` elapsed, so it maps to kind `timeout`. */
export class HttpSendTimeoutError extends Error {
    constructor(readonly timeoutMs: number) {
        super(`No response within ${timeoutMs} ms`);
        this.name = 'HttpSendTimeoutError';
    }
}

/** The request never produced an HTTP answer (or could not be sent faithfully). */
export class XTransportError extends Error {
    constructor(
        readonly kind: TransportErrorKind,
        readonly method: HttpMethod,
        readonly endpoint: string,
        /** What the sender threw, if anything. */
        readonly underlyingError?: unknown,
    ) {
        super(
            `${method} ${endpoint} failed (${kind})${underlyingError instanceof Error ? `: ${underlyingError.message}` : ''}`,
        );
        this.name = 'XTransportError';
    }
}

/** The parts of the request maker the plugin uses (`getHttpRequestArgs` is protected in the typings). */
interface SignedRequestMaker {
    getHttpRequestArgs(params: IGetHttpRequestArgs): {
        url: URL;
        method: string;
        headers: Record<string, string>;
        body?: string | Buffer;
    };
}

type ParseMode = NonNullable<IGetHttpRequestArgs['forceParseMode']>;

export function createTransportPlugin(
    send: HttpSender,
    observe?: (info: TransportObservation) => void,
): ITwitterApiClientPlugin {
    return {
        async onBeforeRequestConfig({ client, params }) {
            const signed = (client as unknown as SignedRequestMaker).getHttpRequestArgs(params);
            const method = signed.method.toUpperCase() as HttpMethod;
            const endpoint = signed.url.origin + signed.url.pathname;
            const started = Date.now();
            const fail = (kind: TransportErrorKind, cause?: unknown): never => {
                observe?.({ method, endpoint, durationMs: Date.now() - started, error: kind });
                throw new XTransportError(kind, method, endpoint, cause);
            };

            const content = bodyAsText(signed.body);
            if (content === null) return fail('unsupported-body');
            const binary = params.forceParseMode === 'buffer';
            let response: HttpSendResponse;
            try {
                response = await send({
                    method,
                    url: signed.url.toString(),
                    headers: { ...signed.headers },
                    content,
                    binary,
                    timeoutMs: params.timeout,
                });
            } catch (error) {
                return fail(error instanceof HttpSendTimeoutError ? 'timeout' : 'network', error);
            }

            const headers = lowerCaseKeys(response.headers);
            const rateLimit = rateLimitOf(headers);
            observe?.({
                method,
                endpoint,
                statusCode: response.statusCode,
                durationMs: Date.now() - started,
                rateLimit,
            });
            const data = parseBody(response, headers, signed.url, params.forceParseMode);
            if (response.statusCode >= 400) {
                // IHttp has no Node request/response objects to hand over; the error carries the rest.
                const options = {
                    code: response.statusCode,
                    data,
                    headers,
                    rateLimit,
                } as unknown as ConstructorParameters<typeof ApiResponseError>[1];
                throw new ApiResponseError(errorMessage(response.statusCode, data), options);
            }
            // The status rides along (the library's response has no field for it): a 206 must be told from a 200.
            const result: TwitterResponse<unknown> & WithStatus = {
                data,
                headers,
                rateLimit,
                statusCode: response.statusCode,
            };
            return result;
        },
    };
}

/**
 * IHttp request bodies are strings. A Buffer body (multipart media upload) can only pass if it
 * is valid UTF-8; otherwise null, so the caller fails loudly instead of corrupting the bytes.
 */
function bodyAsText(body: string | Buffer | undefined): string | undefined | null {
    if (body === undefined || typeof body === 'string') return body;
    const text = body.toString('utf8');
    return Buffer.from(text, 'utf8').equals(body) ? text : null;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
    return out;
}

/** Same shape the library builds: `x-rate-limit-*`, plus `day` / `userDay` from the 24-hour headers. */
function rateLimitOf(headers: Record<string, string>): TwitterRateLimit | undefined {
    const single = (prefix: string) =>
        headers[`${prefix}-limit`] === undefined
            ? undefined
            : {
                  limit: Number(headers[`${prefix}-limit`]),
                  remaining: Number(headers[`${prefix}-remaining`]),
                  reset: Number(headers[`${prefix}-reset`]),
              };
    const window = single('x-rate-limit');
    if (!window) return undefined;
    const rateLimit: TwitterRateLimit = { ...window };
    const day = single('x-app-limit-24hour');
    const userDay = single('x-user-limit-24hour');
    if (day) rateLimit.day = day;
    if (userDay) rateLimit.userDay = userDay;
    return rateLimit;
}

function parseBody(
    response: HttpSendResponse,
    headers: Record<string, string>,
    url: URL,
    forced: ParseMode | undefined,
): unknown {
    const { content } = response;
    const contentType = headers['content-type'] ?? '';
    const isJson = contentType.includes('application/json') || contentType.includes('application/problem+json');
    // A failed download answers with a JSON error; keep it readable instead of handing back bytes.
    const wantsBytes = forced === 'buffer' && !(response.statusCode >= 400 && isJson);
    if (wantsBytes) return typeof content === 'string' ? Buffer.from(content, 'binary') : (content ?? Buffer.alloc(0));
    if (forced === 'none') return undefined;
    const text = typeof content === 'string' ? content : (content?.toString('utf8') ?? '');
    const mode: ParseMode =
        forced && forced !== 'buffer' ? forced : isJson ? 'json' : url.pathname.startsWith('/oauth/') ? 'url' : 'text';
    if (mode === 'json') {
        if (response.data !== undefined && response.data !== null) return response.data;
        if (text.length === 0) return undefined;
        try {
            return JSON.parse(text);
        } catch {
            return text;
        }
    }
    if (mode === 'url') return Object.fromEntries(new URLSearchParams(text));
    return text;
}

/** The library's wording: "Request failed with code N - <v1 errors | v2 title: detail (see type)>". */
function errorMessage(code: number, data: unknown): string {
    const base = `Request failed with code ${code}`;
    if (!data || typeof data !== 'object') return base;
    const body = data as {
        errors?: Array<{ code?: number; message?: string }>;
        title?: string;
        detail?: string;
        type?: string;
    };
    if (!Array.isArray(body.errors) || body.errors.length === 0) return base;
    if (typeof body.errors[0] === 'object' && 'code' in body.errors[0]) {
        return `${base} - ${body.errors.map((e) => `${e.message} (Twitter code ${e.code})`).join(', ')}`;
    }
    return `${base} - ${body.title}: ${body.detail} (see ${body.type})`;
}
