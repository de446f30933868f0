/**
 * X webhook security: the CRC challenge answer and the delivery signature check.
 *
 * X signs the raw request bytes, but Rocket.Chat hands the app only the parsed JSON body. The check
 * therefore re-serializes the parsed body in the ways X plausibly wrote it (webhook-serializations.ts)
 * and accepts the request when one of those byte strings carries a signature. Two headers may carry one
 * (x-api.md §12): `x-twitter-webhooks-signature` keyed with the API key (consumer) secret, and
 * `x-twitter-webhooks-signature-oauth2` keyed with the OAuth 2.0 client secret; either one verifying
 * is enough.
 */
import * as crypto from 'crypto';
import { Buffer } from 'buffer';
import { constantTimeEqual } from '../lib/constant-time';
import { planCandidates } from './webhook-serializations';

export const LEGACY_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';
export const OAUTH2_SIGNATURE_HEADER = 'x-twitter-webhooks-signature-oauth2';

/** Outcome of checking one webhook POST; `style` names the serialization that matched. */
export type SignatureCheck =
    | { ok: true; style: string; header: string }
    | { ok: false; reason: 'no-secret' | 'missing' | 'malformed' | 'mismatch' | 'too-large' };

/** One signature header of a delivery, with the secret that keys it (empty when not configured). */
export interface SignatureSource {
    name: string;
    value: string | undefined;
    secret: string;
}

const SIGNATURE_PREFIX = 'sha256=';
const SHA256_BYTES = 32;
// Standard base64 of exactly 32 bytes: 43 symbols and one padding character.
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/** The CRC answer: `sha256=` + base64 HMAC-SHA256 of the token. */
export function crcResponseToken(secret: string, crcToken: string): string {
    return SIGNATURE_PREFIX + hmacSha256(secret, crcToken).toString('base64');
}

/**
 * Accepts the delivery when any present, well-formed header verifies with its secret against a
 * candidate serialization. Every candidate is compared, each in constant time, so timing reveals
 * nothing about the digest. `mismatch` means a well-formed header with a configured secret failed.
 */
export function verifyDeliverySignature(sources: SignatureSource[], body: unknown): SignatureCheck {
    const present = sources.filter((s) => parseSignatureHeader(s.value) !== 'missing');
    if (present.length === 0) return { ok: false, reason: 'missing' };
    const wellFormed = present
        .map((s) => ({ ...s, digest: parseSignatureHeader(s.value) }))
        .filter((s): s is typeof s & { digest: Buffer } => Buffer.isBuffer(s.digest));
    if (wellFormed.length === 0) return { ok: false, reason: 'malformed' };
    // An empty key would let anyone compute valid signatures.
    const checkable = wellFormed.filter((s) => s.secret !== '');
    if (checkable.length === 0) return { ok: false, reason: 'no-secret' };
    const plan = planCandidates(body);
    if (plan === 'too-large') return { ok: false, reason: 'too-large' };
    let matched: { style: string; header: string } | undefined;
    for (const candidate of plan) {
        for (const source of checkable) {
            const matches = constantTimeEqual(hmacSha256(source.secret, candidate.text), source.digest);
            if (matches && matched === undefined) matched = { style: candidate.style, header: source.name };
        }
    }
    return matched === undefined ? { ok: false, reason: 'mismatch' } : { ok: true, ...matched };
}

/** The 32 digest bytes of a `sha256=<base64>` header, or why there are none. */
function parseSignatureHeader(header: string | undefined): Buffer | 'missing' | 'malformed' {
    if (typeof header !== 'string' || header.trim() === '') {
        return 'missing';
    }
    const value = header.trim();
    if (value.slice(0, SIGNATURE_PREFIX.length).toLowerCase() !== SIGNATURE_PREFIX) {
        return 'malformed';
    }
    const encoded = value.slice(SIGNATURE_PREFIX.length);
    if (!SIGNATURE_BASE64.test(encoded)) {
        return 'malformed';
    }
    const digest = Buffer.from(encoded, 'base64');
    return digest.length === SHA256_BYTES ? digest : 'malformed';
}

function hmacSha256(key: string, message: string): Buffer {
    return crypto.createHmac('sha256', key).update(message, 'utf8').digest();
}
