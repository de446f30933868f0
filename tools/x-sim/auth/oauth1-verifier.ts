import { timingSafeEqual } from 'node:crypto';
import type { SimRequest } from '../http/request';
import { hmacSha1Signature, parseOAuthHeader, signatureBaseString } from './oauth1-signature';

export type OAuth1Failure =
    'missing' | 'malformed' | 'unknown-consumer' | 'unknown-token' | 'bad-signature' | 'timestamp' | 'nonce';

export type OAuth1Verification =
    | { ok: true; consumerKey: string; token?: string; oauthParams: Map<string, string> }
    | { ok: false; failure: OAuth1Failure };

export interface OAuth1SecretLookup {
    consumerSecret(consumerKey: string): string | undefined;
    tokenSecret(token: string): string | undefined;
}

/** X accepts OAuth 1.0a timestamps within 5 minutes of its own time. */
const TIMESTAMP_WINDOW_SECONDS = 300;

/**
 * Verifies OAuth 1.0a HMAC-SHA1 signatures the way X does: the base string covers the query,
 * form-urlencoded body parameters (only for that content type) and the `oauth_*` header
 * parameters; timestamps must be within 5 minutes and nonces unused within that window.
 *
 * Timestamps are compared with `wallClockMs` rather than the simulated clock because signers
 * (twitter-api-v2 reads `Date` directly) always stamp real time.
 */
export class OAuth1Verifier {
    /** `consumerKey:nonce` → epoch seconds after which the entry may be forgotten. */
    private readonly seenNonces = new Map<string, number>();

    constructor(private readonly wallClockMs: () => number) {}

    verify(request: SimRequest, lookup: OAuth1SecretLookup): OAuth1Verification {
        const oauthParams = parseOAuthHeader(headerValue(request.headers.authorization));
        if (!oauthParams) return { ok: false, failure: 'missing' };
        const consumerKey = oauthParams.get('oauth_consumer_key');
        const signature = oauthParams.get('oauth_signature');
        const nonce = oauthParams.get('oauth_nonce');
        const timestamp = Number(oauthParams.get('oauth_timestamp'));
        if (
            !consumerKey ||
            !signature ||
            !nonce ||
            !Number.isFinite(timestamp) ||
            oauthParams.get('oauth_signature_method') !== 'HMAC-SHA1'
        ) {
            return { ok: false, failure: 'malformed' };
        }
        const consumerSecret = lookup.consumerSecret(consumerKey);
        if (consumerSecret === undefined) return { ok: false, failure: 'unknown-consumer' };
        const token = oauthParams.get('oauth_token');
        let tokenSecret = '';
        if (token !== undefined) {
            const secret = lookup.tokenSecret(token);
            if (secret === undefined) return { ok: false, failure: 'unknown-token' };
            tokenSecret = secret;
        }

        const expected = hmacSha1Signature(
            signatureBaseString(
                request.method,
                `https://${request.host}${request.path}`,
                signedParameters(request, oauthParams),
            ),
            consumerSecret,
            tokenSecret,
        );
        if (!constantTimeEqual(expected, signature)) return { ok: false, failure: 'bad-signature' };

        const nowSeconds = Math.floor(this.wallClockMs() / 1000);
        if (Math.abs(nowSeconds - timestamp) > TIMESTAMP_WINDOW_SECONDS) return { ok: false, failure: 'timestamp' };

        this.forgetExpiredNonces(nowSeconds);
        const nonceKey = `${consumerKey}:${nonce}`;
        if (this.seenNonces.has(nonceKey)) return { ok: false, failure: 'nonce' };
        this.seenNonces.set(nonceKey, timestamp + TIMESTAMP_WINDOW_SECONDS);

        return { ok: true, consumerKey, token, oauthParams };
    }

    private forgetExpiredNonces(nowSeconds: number): void {
        for (const [key, forgetAfter] of this.seenNonces) {
            if (forgetAfter < nowSeconds - TIMESTAMP_WINDOW_SECONDS) this.seenNonces.delete(key);
        }
    }
}

function headerValue(value: string | string[] | undefined): string | undefined {
    return Array.isArray(value) ? value[0] : value;
}

/**
 * Query + form body + oauth header parameters. A parameter sent both in the header and in the
 * body/query with the same value is signed once: twitter-api-v2 sends `oauth_token` twice on
 * /oauth/access_token but signs it once.
 */
function signedParameters(request: SimRequest, oauthParams: Map<string, string>): Array<[string, string]> {
    const headerPairs = [...oauthParams].filter(([k]) => k !== 'oauth_signature' && k !== 'realm');
    const duplicatesHeader = ([k, v]: [string, string]) => k.startsWith('oauth_') && oauthParams.get(k) === v;
    const queryPairs = request.queryPairs.filter((pair) => !duplicatesHeader(pair));
    const formPairs = (request.form ?? []).filter((pair) => !duplicatesHeader(pair));
    return [...headerPairs, ...queryPairs, ...formPairs];
}

function constantTimeEqual(a: string, b: string): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
}
