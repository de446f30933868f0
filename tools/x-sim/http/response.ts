/** What a route handler returns; the server writes it out. */
export interface SimResponse {
    status: number;
    headers: Record<string, string>;
    body: Buffer;
    /** Parsed JSON body, kept for the request log and the conformance test. */
    json?: unknown;
}

export function jsonResponse(
    status: number,
    body: unknown,
    contentType = 'application/json; charset=utf-8',
): SimResponse {
    return { status, headers: { 'content-type': contentType }, body: Buffer.from(JSON.stringify(body)), json: body };
}

/** RFC 7807 problem bodies (X's v2 errors) go out as application/problem+json. */
export function problemResponse(status: number, body: unknown): SimResponse {
    return jsonResponse(status, body, 'application/problem+json');
}

/** X answers the OAuth 1.0a token endpoints with form-encoded text labelled text/html. */
export function formResponse(status: number, fields: Record<string, string>): SimResponse {
    return {
        status,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: Buffer.from(new URLSearchParams(fields).toString()),
    };
}

export function htmlResponse(status: number, html: string): SimResponse {
    return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(html) };
}

export function bytesResponse(contentType: string, bytes: Buffer): SimResponse {
    return { status: 200, headers: { 'content-type': contentType }, body: bytes };
}

export function redirectResponse(location: string): SimResponse {
    return { status: 302, headers: { location, 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from('') };
}

export function withHeaders(response: SimResponse, headers: Record<string, string>): SimResponse {
    return { ...response, headers: { ...response.headers, ...headers } };
}
