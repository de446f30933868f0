import { createHmac, randomBytes } from 'node:crypto';

/**
 * OAuth 1.0a HMAC-SHA1 signing as X specifies it (RFC 5849 with RFC 3986 encoding). Pure
 * functions: the server-side verifier and the tests' hand-made signed requests share them.
 */

/** RFC 3986 encoding: only A-Z a-z 0-9 - . _ ~ stay unencoded. */
export function percentEncode(value: string): string {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export type ParamList = ReadonlyArray<readonly [string, string]>;

/** Builds `METHOD&pe(baseUrl)&pe(sorted, encoded parameters)`. */
export function signatureBaseString(method: string, baseUrl: string, params: ParamList): string {
    const encoded = params.map(([k, v]) => [percentEncode(k), percentEncode(v)] as const);
    encoded.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
    const paramString = encoded.map(([k, v]) => `${k}=${v}`).join('&');
    return [method.toUpperCase(), percentEncode(baseUrl), percentEncode(paramString)].join('&');
}

export function hmacSha1Signature(baseString: string, consumerSecret: string, tokenSecret = ''): string {
    const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
    return createHmac('sha1', key).update(baseString).digest('base64');
}

/** Parses `OAuth k="v", ...` into decoded pairs; undefined when it is not an OAuth header. */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
    if (!header || !/^OAuth\s+/i.test(header)) return undefined;
    const params = new Map<string, string>();
    const pattern = /([A-Za-z0-9_\-.~%]+)\s*=\s*"([^"]*)"/g;
    for (const match of header.replace(/^OAuth\s+/i, '').matchAll(pattern)) {
        params.set(decodeURIComponent(match[1]), decodeURIComponent(match[2]));
    }
    return params;
}

export interface OAuth1SigningKeys {
    consumerKey: string;
    consumerSecret: string;
    token?: string;
    tokenSecret?: string;
}

export interface OAuth1HeaderOptions {
    method: string;
    /** Full URL including any query string. */
    url: string;
    /** Form-urlencoded body parameters (only for that content type). */
    formParams?: ParamList;
    keys: OAuth1SigningKeys;
    timestamp?: number;
    nonce?: string;
    /** Replaces the computed signature (to forge requests in tests). */
    signatureOverride?: string;
}

/** Produces an `Authorization: OAuth ...` header value for a request. */
export function buildOAuth1Header(options: OAuth1HeaderOptions): string {
    const url = new URL(options.url);
    const oauthParams: Array<[string, string]> = [
        ['oauth_consumer_key', options.keys.consumerKey],
        ['oauth_nonce', options.nonce ?? randomBytes(16).toString('hex')],
        ['oauth_signature_method', 'HMAC-SHA1'],
        ['oauth_timestamp', String(options.timestamp ?? Math.floor(Date.now() / 1000))],
        ['oauth_version', '1.0'],
    ];
    if (options.keys.token) oauthParams.push(['oauth_token', options.keys.token]);
    const queryParams = [...url.searchParams.entries()];
    const base = signatureBaseString(options.method, `${url.protocol}//${url.host}${url.pathname}`, [
        ...oauthParams,
        ...queryParams,
        ...(options.formParams ?? []),
    ]);
    const signature =
        options.signatureOverride ?? hmacSha1Signature(base, options.keys.consumerSecret, options.keys.tokenSecret);
    const all = [...oauthParams, ['oauth_signature', signature] as [string, string]];
    return 'OAuth ' + all.map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`).join(', ');
}
