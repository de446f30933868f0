import { OAuth1Verifier } from '../../tools/x-sim/auth/oauth1-verifier';
import {
    buildOAuth1Header,
    hmacSha1Signature,
    percentEncode,
    signatureBaseString,
} from '../../tools/x-sim/auth/oauth1-signature';
import { buildSimRequest } from '../../tools/x-sim/http/request';

/** The docs' statuses/update example (x-api.md §8). */
const VECTOR = {
    params: [
        ['status', 'Hello Ladies + Gentlemen, a signed OAuth request!'],
        ['include_entities', 'true'],
        ['oauth_consumer_key', 'xvz1evFS4wEEPTGEFPHBog'],
        ['oauth_nonce', 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg'],
        ['oauth_signature_method', 'HMAC-SHA1'],
        ['oauth_timestamp', '1318622958'],
        ['oauth_token', '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'],
        ['oauth_version', '1.0'],
    ] as Array<[string, string]>,
    consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
    tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
};

describe('OAuth 1.0a signatures', () => {
    test('reproduce the documented test vector for api.x.com and api.twitter.com', () => {
        const sign = (host: string) =>
            hmacSha1Signature(
                signatureBaseString('POST', `https://${host}/1.1/statuses/update.json`, VECTOR.params),
                VECTOR.consumerSecret,
                VECTOR.tokenSecret,
            );
        expect(sign('api.x.com')).toBe('Ls93hJiZbQ3akF3HF3x1Bz8/zU4=');
        expect(sign('api.twitter.com')).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
    });

    test('percent-encode per RFC 3986 (reserved characters encoded, unreserved kept)', () => {
        expect(percentEncode("!*'() ~-._+/")).toBe('%21%2A%27%28%29%20~-._%2B%2F');
    });

    describe('verifier', () => {
        const keys = { consumerKey: 'ck', consumerSecret: 'cs', token: 'tok', tokenSecret: 'ts' };
        const lookup = {
            consumerSecret: (key: string) => (key === 'ck' ? 'cs' : undefined),
            tokenSecret: (token: string) => (token === 'tok' ? 'ts' : undefined),
        };
        const now = 1_768_000_000_000;

        function signedRequest(options: {
            url: string;
            method?: string;
            form?: Array<[string, string]>;
            timestamp?: number;
            nonce?: string;
            headerHost?: string;
            signatureOverride?: string;
        }) {
            const url = new URL(options.url);
            const method = options.method ?? 'GET';
            const authorization = buildOAuth1Header({
                method,
                url: options.url,
                formParams: options.form,
                keys,
                timestamp: options.timestamp ?? now / 1000,
                nonce: options.nonce,
                signatureOverride: options.signatureOverride,
            });
            const body = options.form ? Buffer.from(new URLSearchParams(options.form).toString()) : Buffer.alloc(0);
            const headers = {
                authorization,
                host: options.headerHost ?? url.host,
                ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            };
            return buildSimRequest(method, url.pathname + url.search, headers, body);
        }

        test('accepts a request signed over query and form parameters for the Host header hostname', () => {
            const verifier = new OAuth1Verifier(() => now);
            const request = signedRequest({
                url: 'https://api.x.com/1.1/direct_messages/mark_read.json?x=1%202',
                method: 'POST',
                form: [
                    ['last_read_event_id', '42'],
                    ['note', 'a b*c'],
                ],
            });
            expect(verifier.verify(request, lookup)).toMatchObject({ ok: true, token: 'tok' });
        });

        test('treats a non-X Host header as api.x.com', () => {
            const verifier = new OAuth1Verifier(() => now);
            const url = 'https://api.x.com/2/users/me';
            expect(verifier.verify(signedRequest({ url, headerHost: '127.0.0.1:4567' }), lookup).ok).toBe(true);
            expect(
                verifier.verify(
                    signedRequest({ url: 'https://upload.x.com/2/users/me', headerHost: '127.0.0.1:4567' }),
                    lookup,
                ),
            ).toEqual({ ok: false, failure: 'bad-signature' });
        });

        test('signs oauth_token once when it is sent in both the header and the body', () => {
            const verifier = new OAuth1Verifier(() => now);
            const request = signedRequest({
                url: 'https://api.x.com/oauth/access_token',
                method: 'POST',
                form: [['oauth_verifier', 'v']],
            });
            const withDuplicate = buildSimRequest(
                'POST',
                '/oauth/access_token',
                request.headers,
                Buffer.from('oauth_token=tok&oauth_verifier=v'),
            );
            expect(verifier.verify(withDuplicate, lookup).ok).toBe(true);
        });

        test('refuses forged signatures, unknown keys, skewed timestamps and reused nonces', () => {
            const verifier = new OAuth1Verifier(() => now);
            const url = 'https://api.x.com/2/users/me';
            expect(
                verifier.verify(signedRequest({ url, signatureOverride: 'Zm9yZ2VkIHNpZ25hdHVyZQ==' }), lookup),
            ).toEqual({ ok: false, failure: 'bad-signature' });
            expect(verifier.verify(signedRequest({ url, timestamp: now / 1000 - 301 }), lookup)).toEqual({
                ok: false,
                failure: 'timestamp',
            });
            expect(verifier.verify(signedRequest({ url, timestamp: now / 1000 + 301 }), lookup)).toEqual({
                ok: false,
                failure: 'timestamp',
            });
            expect(verifier.verify(signedRequest({ url, timestamp: now / 1000 - 299, nonce: 'n1' }), lookup).ok).toBe(
                true,
            );
            expect(verifier.verify(signedRequest({ url, nonce: 'n1' }), lookup)).toEqual({
                ok: false,
                failure: 'nonce',
            });
            const unknownConsumer = { ...lookup, consumerSecret: () => undefined };
            expect(verifier.verify(signedRequest({ url }), unknownConsumer)).toEqual({
                ok: false,
                failure: 'unknown-consumer',
            });
        });
    });
});
