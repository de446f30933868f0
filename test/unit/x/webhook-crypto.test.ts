import * as crypto from 'crypto';
// The module object itself: the namespace import above has read-only bindings that jest cannot spy on.
const nodeCrypto: typeof crypto = require('crypto');
import fc from 'fast-check';
import {
    candidateSerializations,
    constantTimeEqual,
    crcResponseToken,
    labelledSerializations,
    LEGACY_SIGNATURE_HEADER,
    MAX_BODY_BYTES,
    MAX_CANDIDATES,
    OAUTH2_SIGNATURE_HEADER,
    ROCKETCHAT_BODY_LIMIT_BYTES,
    signWebhookBody,
    verifyDeliverySignature,
    verifyWebhookSignature,
    WORK_BUDGET_BYTES,
} from '../helpers/webhook-signing';
import { adversarialBodies } from '../helpers/adversarial-bodies';
import {
    compactJsonText,
    escapeHtml,
    escapeNonAscii,
    escapeSlashes,
    fixture,
    fixtureNames,
    fixtureText,
} from '../helpers/x-fixtures';

const SECRET = 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw';
const CLIENT_SECRET = 'oauth2-client-secret-9aX2mQ0vL7cR5tY8wZ3bN6';
const LEGACY = LEGACY_SIGNATURE_HEADER;

/** The header X sends for these raw bytes, computed here without the module under test. */
function xSignature(secret: string, raw: string): string {
    return `sha256=${crypto.createHmac('sha256', secret).update(raw, 'utf8').digest('base64')}`;
}

/** Signs the raw bytes, parses them as Rocket.Chat would, and verifies from the parsed body. */
function verifyRaw(raw: string, secret = SECRET) {
    return verifyWebhookSignature(secret, xSignature(secret, raw), JSON.parse(raw));
}

describe('crcResponseToken', () => {
    it('matches the published known answer', () => {
        expect(crcResponseToken('apiSecret', 'test token')).toBe('sha256=O5hJl2njQRIa4vsumZ+3oom9ECR5m3aQLRZkPoYelp0=');
    });

    it('depends on the consumer secret and the token', () => {
        const base = crcResponseToken('apiSecret', 'test token');
        expect(crcResponseToken('apiSecret2', 'test token')).not.toBe(base);
        expect(crcResponseToken('apiSecret', 'test token2')).not.toBe(base);
    });

    it('hashes the token as UTF-8', () => {
        expect(crcResponseToken('s', 'café')).toBe(xSignature('s', 'café'));
    });
});

describe('signWebhookBody', () => {
    it('produces the header X sends for the raw bytes', () => {
        expect(signWebhookBody(SECRET, '{"a":"é"}')).toBe(xSignature(SECRET, '{"a":"é"}'));
    });
});

describe('verifyWebhookSignature over recorded payload shapes', () => {
    it.each(fixtureNames())('accepts the compact raw body of %s', (name) => {
        const raw = compactJsonText(fixtureText(name));
        expect(verifyRaw(raw)).toEqual({ ok: true, style: expect.any(String), header: LEGACY });
    });

    it('reconstructs a users map whose ten-digit id JavaScript moved to the front', () => {
        const raw = compactJsonText(fixtureText('aaa-dm-text.json'));
        const parsed = JSON.parse(raw);
        expect(Object.keys(parsed.users)).toEqual(['2244994945', '1205290247124217856']);
        expect(JSON.stringify(parsed)).not.toBe(raw);
        const result = verifyRaw(raw);
        expect(result.ok).toBe(true);
        expect(result.ok && result.style).toMatch(/\+key-order-\d+$/);
    });

    it('writes rounded 64-bit media ids back from their id_str twin', () => {
        const raw = compactJsonText(fixtureText('aaa-dm-photo.json'));
        expect(raw).toContain('"id":1921371152162615296,');
        expect(JSON.stringify(JSON.parse(raw))).not.toContain('1921371152162615296,');
        expect(verifyRaw(raw).ok).toBe(true);
    });

    it('accepts a Tweet payload whose numeric ids all have _str twins', () => {
        expect(verifyRaw(compactJsonText(fixtureText('aaa-tweet-create.json'))).ok).toBe(true);
    });

    it('needs no key reordering when the raw order is already the parse order', () => {
        const raw = compactJsonText(fixtureText('xaa-dm-sent-echo.json'));
        expect(verifyRaw(raw)).toEqual({ ok: true, style: 'compact', header: LEGACY });
    });
});

describe('verifyWebhookSignature escape styles', () => {
    // Holds `/`, BMP non-ASCII (— and ’) and an astral emoji (a surrogate pair), keys in parse order.
    const compact = compactJsonText(fixtureText('xaa-dm-sent-echo.json'));

    it.each([
        ['compact', compact],
        ['escaped-slash', escapeSlashes(compact)],
        ['ascii-lower', escapeNonAscii(compact, 'lower')],
        ['ascii-upper', escapeNonAscii(compact, 'upper')],
        ['escaped-slash+ascii-lower', escapeNonAscii(escapeSlashes(compact), 'lower')],
        ['escaped-slash+ascii-upper', escapeNonAscii(escapeSlashes(compact), 'upper')],
    ])('recognises %s', (style, raw) => {
        expect(verifyRaw(raw)).toEqual({ ok: true, style, header: LEGACY });
    });

    // `<`, `>` and `&` as X writes them in DM text (`&lt;3 &amp;`), with `/`, non-ASCII and a line separator.
    const htmlBody = compactJsonText('{"text":"Tom &amp; Jerry &lt;3 <b> é/ü \u2028 ✓","url":"https://t.co/x"}');

    it.each([
        ['html-lower', escapeHtml(htmlBody, 'lower')],
        ['html-upper', escapeHtml(htmlBody, 'upper')],
        ['escaped-slash+html-lower', escapeHtml(escapeSlashes(htmlBody), 'lower')],
        ['escaped-slash+html-upper', escapeHtml(escapeSlashes(htmlBody), 'upper')],
        ['ascii-lower+html-lower', escapeHtml(escapeNonAscii(htmlBody, 'lower'), 'lower')],
        ['escaped-slash+ascii-lower+html-lower', escapeHtml(escapeNonAscii(escapeSlashes(htmlBody), 'lower'), 'lower')],
        ['escaped-slash+ascii-upper+html-upper', escapeHtml(escapeNonAscii(escapeSlashes(htmlBody), 'upper'), 'upper')],
    ])('recognises HTML-safe escapes: %s', (style, raw) => {
        expect(raw).toMatch(/\\u003[cC]/);
        expect(verifyRaw(raw)).toEqual({ ok: true, style, header: LEGACY });
    });

    it('writes U+007F raw in every style, as the simulator does (it is ASCII)', () => {
        const raw = '{"t":"del\u007f é"}';
        expect(verifyRaw(raw).ok).toBe(true);
        expect(verifyRaw(escapeNonAscii(raw, 'lower'))).toEqual({ ok: true, style: 'ascii-lower', header: LEGACY });
        expect(verifyRaw(raw.replace('\u007f', '\\u007f'))).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('combines escape styles with key-order reconstruction', () => {
        const raw = escapeNonAscii(escapeSlashes(compactJsonText(fixtureText('aaa-dm-video.json'))), 'upper');
        const result = verifyRaw(raw);
        expect(result.ok && result.style).toMatch(/^escaped-slash\+ascii-upper\+key-order-\d+$/);
    });

    it('writes lone surrogates and control characters the way JSON.stringify does', () => {
        expect(verifyRaw('{"t":"a\\ud800b\\u0001c\\n"}')).toEqual({ ok: true, style: 'compact', header: LEGACY });
        expect(verifyRaw('{"t":"a\\uD800b\\u0001c\\u00E9"}')).toEqual({
            ok: true,
            style: 'ascii-upper',
            header: LEGACY,
        });
        expect(verifyRaw('{"t":"a\\uD800b\\u001B"}')).toEqual({ ok: true, style: 'hex-upper', header: LEGACY });
    });

    it('never reads an escaped backslash followed by "u" as an escape', () => {
        expect(verifyRaw('{"t":"\\\\u00e9 é"}')).toEqual({ ok: true, style: 'compact', header: LEGACY });
        expect(verifyRaw('{"t":"\\\\u00e9 \\u00E9"}')).toEqual({ ok: true, style: 'ascii-upper', header: LEGACY });
    });
});

describe('verifyWebhookSignature refusals', () => {
    const raw = compactJsonText(fixtureText('aaa-dm-echo.json'));
    const body = JSON.parse(raw);

    it('refuses a forged signature', () => {
        const forged = `sha256=${crypto.randomBytes(32).toString('base64')}`;
        expect(verifyWebhookSignature(SECRET, forged, body)).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('refuses a signature made with another secret', () => {
        expect(verifyWebhookSignature(SECRET, xSignature('not-the-secret', raw), body)).toEqual({
            ok: false,
            reason: 'mismatch',
        });
    });

    it('refuses a tampered body', () => {
        const tampered = JSON.parse(raw);
        tampered.direct_message_events[0].message_create.message_data.text = 'Send me your password';
        expect(verifyWebhookSignature(SECRET, xSignature(SECRET, raw), tampered)).toEqual({
            ok: false,
            reason: 'mismatch',
        });
    });

    it('refuses a body with a member added', () => {
        const extended = { ...body, extra: true };
        expect(verifyWebhookSignature(SECRET, xSignature(SECRET, raw), extended)).toEqual({
            ok: false,
            reason: 'mismatch',
        });
    });

    it.each([undefined, '', '   '])('reports a missing header (%p)', (header) => {
        expect(verifyWebhookSignature(SECRET, header, body)).toEqual({ ok: false, reason: 'missing' });
    });

    const digest = crypto.createHmac('sha256', SECRET).update(raw).digest();
    it.each([
        ['no prefix', digest.toString('base64')],
        ['another algorithm', `sha1=${digest.toString('base64')}`],
        ['empty digest', 'sha256='],
        ['too short', `sha256=${digest.subarray(0, 31).toString('base64')}`],
        ['too long', `sha256=${Buffer.concat([digest, Buffer.from([0])]).toString('base64')}`],
        ['hex instead of base64', `sha256=${digest.toString('hex')}`],
        ['characters outside base64', `sha256=${digest.toString('base64').replace(/.$/, '!')}`],
        ['base64url alphabet', `sha256=${'A'.repeat(41)}-_=`],
        ['missing padding', `sha256=${digest.toString('base64').slice(0, 43)}`],
    ])('reports a malformed header (%s) without throwing', (_label, header) => {
        expect(verifyWebhookSignature(SECRET, header, body)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('accepts the prefix in any case and surrounding whitespace', () => {
        const header = `  SHA256=${digest.toString('base64')} `;
        expect(verifyWebhookSignature(SECRET, header, body).ok).toBe(true);
    });

    it('refuses a body over the size cap unread', () => {
        const large = { text: 'a'.repeat(MAX_BODY_BYTES) };
        expect(verifyWebhookSignature(SECRET, xSignature(SECRET, JSON.stringify(large)), large)).toEqual({
            ok: false,
            reason: 'too-large',
        });
    });

    it('refuses to verify with an empty consumer secret, even a signature made with it', () => {
        expect(verifyWebhookSignature('', xSignature('', raw), body)).toEqual({ ok: false, reason: 'no-secret' });
    });
});

describe('verifyDeliverySignature with the OAuth 2.0 and the legacy header', () => {
    const raw = compactJsonText(fixtureText('xaa-dm-received-text.json'));
    const body = JSON.parse(raw);
    const sources = (
        legacy: string | undefined,
        oauth2: string | undefined,
        keys = { legacy: SECRET, oauth2: CLIENT_SECRET },
    ) => [
        { name: LEGACY, value: legacy, secret: keys.legacy },
        { name: OAUTH2_SIGNATURE_HEADER, value: oauth2, secret: keys.oauth2 },
    ];

    it('accepts a delivery carrying only the OAuth 2.0 header, keyed with the client secret', () => {
        expect(verifyDeliverySignature(sources(undefined, xSignature(CLIENT_SECRET, raw)), body)).toMatchObject({
            ok: true,
            header: OAUTH2_SIGNATURE_HEADER,
        });
    });

    it('accepts a delivery carrying both headers, and one whose other header is wrong', () => {
        expect(verifyDeliverySignature(sources(xSignature(SECRET, raw), xSignature(CLIENT_SECRET, raw)), body).ok).toBe(
            true,
        );
        expect(
            verifyDeliverySignature(sources(xSignature('wrong', raw), xSignature(CLIENT_SECRET, raw)), body),
        ).toMatchObject({ ok: true, header: OAUTH2_SIGNATURE_HEADER });
        expect(verifyDeliverySignature(sources(xSignature(SECRET, raw), 'sha256=garbage'), body)).toMatchObject({
            ok: true,
            header: LEGACY,
        });
    });

    it("never lets one header verify with the other header's key", () => {
        expect(verifyDeliverySignature(sources(xSignature(CLIENT_SECRET, raw), undefined), body)).toEqual({
            ok: false,
            reason: 'mismatch',
        });
        expect(verifyDeliverySignature(sources(undefined, xSignature(SECRET, raw)), body)).toEqual({
            ok: false,
            reason: 'mismatch',
        });
    });

    it('says why when nothing could be checked', () => {
        expect(verifyDeliverySignature(sources(undefined, undefined), body)).toEqual({ ok: false, reason: 'missing' });
        expect(verifyDeliverySignature(sources('md5=x', 'sha256=short'), body)).toEqual({
            ok: false,
            reason: 'malformed',
        });
        expect(
            verifyDeliverySignature(
                sources(undefined, xSignature(CLIENT_SECRET, raw), { legacy: SECRET, oauth2: '' }),
                body,
            ),
        ).toEqual({ ok: false, reason: 'no-secret' });
        expect(
            verifyDeliverySignature(
                sources(xSignature(SECRET, raw), undefined, { legacy: '', oauth2: CLIENT_SECRET }),
                body,
            ),
        ).toEqual({ ok: false, reason: 'no-secret' });
    });
});

describe('verifyWebhookSignature limits it documents', () => {
    it('cannot rebuild a large integer that has no _str twin', () => {
        expect(verifyRaw('{"id":1921371152162615296}')).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('cannot rebuild number spellings JavaScript normalises', () => {
        expect(verifyRaw('{"ratio":1.0}')).toEqual({ ok: false, reason: 'mismatch' });
        expect(verifyRaw('{"n":1e3}')).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('cannot rebuild pretty-printed bodies', () => {
        expect(verifyRaw('{"a": 1}')).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('rebuilds every order of a small integer-keyed map', () => {
        expect(verifyRaw('{"users":{"30":1,"b":2,"20":3,"10":4}}').ok).toBe(true);
        expect(verifyRaw('{"users":{"b":2,"30":1,"a":5,"10":4}}').ok).toBe(true);
    });

    it('rebuilds only the likeliest orders of a large integer-keyed map', () => {
        expect(verifyRaw('{"m":{"6":0,"5":0,"4":0,"3":0,"2":0,"1":0}}').ok).toBe(true);
        expect(verifyRaw('{"m":{"3":0,"1":0,"6":0,"2":0,"5":0,"4":0}}')).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('treats ids of 2^32 - 1 and above as ordinary keys that keep their place', () => {
        const parsed = JSON.parse('{"4337869213":1,"4294967295":2,"4294967294":3}');
        expect(Object.keys(parsed)).toEqual(['4294967294', '4337869213', '4294967295']);
        expect(verifyRaw('{"4337869213":1,"4294967295":2,"4294967294":3}').ok).toBe(true);
    });

    it('returns mismatch instead of throwing for values JSON cannot hold', () => {
        const cyclic: Record<string, unknown> = { a: 1 };
        cyclic.self = cyclic;
        expect(verifyWebhookSignature(SECRET, xSignature(SECRET, '{}'), cyclic)).toEqual({
            ok: false,
            reason: 'mismatch',
        });
        expect(verifyWebhookSignature(SECRET, xSignature(SECRET, '{}'), { n: BigInt(1) })).toEqual({
            ok: false,
            reason: 'mismatch',
        });
    });
});

describe('constant-time comparison', () => {
    afterEach(() => jest.restoreAllMocks());

    it('compares every candidate with crypto.timingSafeEqual over 32-byte digests', () => {
        const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
        const raw = compactJsonText(fixtureText('aaa-dm-text.json'));
        const candidates = candidateSerializations(JSON.parse(raw));
        verifyRaw(raw);
        expect(spy).toHaveBeenCalledTimes(candidates.length);
        for (const [a, b] of spy.mock.calls) {
            expect((a as Buffer).length).toBe(32);
            expect((b as Buffer).length).toBe(32);
        }
    });

    it('keeps comparing after a match, so timing does not reveal which candidate matched', () => {
        const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
        const raw = compactJsonText(fixtureText('xaa-dm-sent-echo.json'));
        expect(verifyRaw(raw)).toEqual({ ok: true, style: 'compact', header: LEGACY });
        expect(spy.mock.calls.length).toBe(candidateSerializations(JSON.parse(raw)).length);
        expect(spy.mock.calls.length).toBeGreaterThan(1);
    });

    it('constantTimeEqual treats different lengths as unequal and still runs a comparison', () => {
        const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
        expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
        expect(spy).toHaveBeenCalledTimes(1);
        expect(constantTimeEqual(Buffer.from('abcd'), Buffer.from('abcd'))).toBe(true);
        expect(constantTimeEqual(Buffer.from('abcd'), Buffer.from('abce'))).toBe(false);
    });
});

describe('candidateSerializations', () => {
    it('starts with exactly what JSON.stringify writes, for any JSON value', () => {
        fc.assert(
            fc.property(fc.jsonValue(), (value) => {
                expect(candidateSerializations(value)[0]).toBe(JSON.stringify(value));
            }),
        );
    });

    it('lets any compact JSON body, in any escape style, verify from its parse', () => {
        const style = fc.constantFrom<(raw: string) => string>(
            (raw) => raw,
            escapeSlashes,
            (raw) => escapeNonAscii(raw, 'lower'),
            (raw) => escapeNonAscii(escapeSlashes(raw), 'upper'),
        );
        fc.assert(
            fc.property(fc.jsonValue(), style, (value, restyle) => {
                const raw = restyle(JSON.stringify(value));
                expect(verifyRaw(raw).ok).toBe(true);
            }),
            { numRuns: 300 },
        );
    });

    it('lists each distinct text once, and only one for plain ASCII without slashes', () => {
        expect(candidateSerializations({ a: 'plain', b: [1, true, null] })).toEqual([
            '{"a":"plain","b":[1,true,null]}',
        ]);
        const texts = candidateSerializations(fixture('aaa-dm-video.json'));
        expect(new Set(texts).size).toBe(texts.length);
    });

    it('labels each candidate with the style that produced it, likeliest first', () => {
        const labelled = labelledSerializations({ url: 'https://x.com/é' });
        expect(labelled).toEqual([
            { style: 'compact', text: '{"url":"https://x.com/é"}' },
            { style: 'ascii-lower', text: '{"url":"https://x.com/\\u00e9"}' },
            { style: 'escaped-slash', text: '{"url":"https:\\/\\/x.com\\/é"}' },
            { style: 'escaped-slash+ascii-lower', text: '{"url":"https:\\/\\/x.com\\/\\u00e9"}' },
            { style: 'ascii-upper', text: '{"url":"https://x.com/\\u00E9"}' },
            { style: 'escaped-slash+ascii-upper', text: '{"url":"https:\\/\\/x.com\\/\\u00E9"}' },
        ]);
    });

    it('tries only the escape styles that change the text', () => {
        expect(labelledSerializations({ a: 'plain/' }).map((c) => c.style)).toEqual(['compact', 'escaped-slash']);
        expect(labelledSerializations({ a: 'R&D' }).map((c) => c.style)).toEqual(['compact', 'html-lower']);
        expect(labelledSerializations({ a: '<3' }).map((c) => c.style)).toEqual([
            'compact',
            'html-lower',
            'html-upper',
        ]);
    });

    it('stays bounded for bodies with many integer-keyed maps', () => {
        const body = { maps: Array.from({ length: 10 }, () => ({ '2': 0, '1': 0, x: 0 })) };
        expect(candidateSerializations(body).length).toBeLessThanOrEqual(MAX_CANDIDATES);
    });
});

describe('the work bound: what a sender without the secrets can make the verifier do', () => {
    afterEach(() => jest.restoreAllMocks());

    /** Verifies with both headers forged, counting every byte fed to an HMAC. */
    function forge(body: unknown) {
        let hashedBytes = 0;
        let hmacs = 0;
        const realCreateHmac = nodeCrypto.createHmac;
        const spy = jest
            .spyOn(nodeCrypto, 'createHmac')
            .mockImplementation((algorithm: string, key: crypto.BinaryLike | crypto.KeyObject) => {
                const hmac = realCreateHmac(algorithm, key);
                const update = hmac.update.bind(hmac);
                hmac.update = ((data: string, encoding: BufferEncoding) => {
                    hashedBytes += Buffer.byteLength(data, encoding);
                    hmacs++;
                    return update(data, encoding);
                }) as typeof hmac.update;
                return hmac;
            });
        const forged = () => `sha256=${crypto.randomBytes(32).toString('base64')}`;
        const started = performance.now();
        try {
            const result = verifyDeliverySignature(
                [
                    { name: LEGACY, value: forged(), secret: SECRET },
                    { name: OAUTH2_SIGNATURE_HEADER, value: forged(), secret: CLIENT_SECRET },
                ],
                body,
            );
            return { result, hashedBytes, hmacs, ms: performance.now() - started };
        } finally {
            spy.mockRestore();
        }
    }

    const bodies = adversarialBodies(MAX_BODY_BYTES);

    it.each(bodies)(
        '%s (just under the size cap): refused after at most the budget of candidates and bytes',
        (_name, body) => {
            expect(Buffer.byteLength(JSON.stringify(body) ?? '')).toBeLessThanOrEqual(MAX_BODY_BYTES);
            const { result, hashedBytes, hmacs } = forge(body);
            expect(result).toEqual({ ok: false, reason: 'mismatch' });
            // Two keys: each candidate is hashed once per header.
            expect(hmacs).toBeLessThanOrEqual(2 * MAX_CANDIDATES);
            expect(hashedBytes).toBeLessThanOrEqual(2 * WORK_BUDGET_BYTES);
        },
    );

    it.each(adversarialBodies(ROCKETCHAT_BODY_LIMIT_BYTES - 1024).slice(0, 5))(
        '%s (~100 KB, as much as Rocket.Chat accepts): refused unread',
        (_name, body) => {
            const { result, hashedBytes } = forge(body);
            expect(result).toEqual({ ok: false, reason: 'too-large' });
            expect(hashedBytes).toBe(0);
        },
    );

    it('hashes no candidate longer than Rocket.Chat accepts (X could not have sent it)', () => {
        // 60 KB of characters whose escapes are six bytes each: only the raw style fits in 100 KB.
        const body = { text: 'é'.repeat(30_000) };
        const { hashedBytes, hmacs } = forge(body);
        expect(hmacs).toBe(2);
        expect(hashedBytes).toBe(2 * Buffer.byteLength(JSON.stringify(body)));
    });

    it('answers every adversarial body within 50 ms in process (the hard security bound)', () => {
        // Load on a shared machine only ever adds time, so the fastest of several runs is the work's own
        // cost; a second series runs only when the first was over. Quadratic work (the old verifier took
        // 8 to 19 s on 28 KB) fails every run.
        const fastest = (body: unknown, runs: number) =>
            Math.min(...Array.from({ length: runs }, () => forge(body).ms));
        const slow: string[] = [];
        for (const [name, body] of bodies) {
            forge(body); // warm-up: the bound is on the work, not on compiling the code
            let ms = fastest(body, 5);
            if (ms >= 50) ms = Math.min(ms, fastest(body, 10));
            if (ms >= 50) slow.push(`${name}: ${ms.toFixed(1)} ms`);
        }
        expect(slow).toEqual([]);
    }, 60_000);
});
