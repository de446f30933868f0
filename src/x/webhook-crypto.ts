/**
 * X webhook security: the CRC challenge answer and the `x-twitter-webhooks-signature` check.
 *
 * X signs the raw request bytes, but Rocket.Chat hands the app only the parsed JSON body. The check
 * therefore re-serializes the parsed body in every way X plausibly wrote it and accepts the request
 * when one of those byte strings carries the signature. What re-serialization can and cannot recover:
 *
 * - Escaping: compact JSON with `/` raw or escaped as `\/`, and every code unit above 0x7E raw or
 *   escaped as `\uXXXX` in lower- or upper-case hex. Six escape styles in all.
 * - Key order: `JSON.parse` keeps the byte order of keys, except keys that are array indices
 *   (canonical integers up to 4294967294), which JavaScript moves to the front in ascending order.
 *   X keys its `users` and `apps` maps by numeric id, so this bites real payloads: the recorded AAA
 *   DM `{"users":{"1205290247124217856":…,"2975699229":…}}` and the XAA `dm.sent` documentation
 *   sample `{"1111111111111111111":…,"2244994945":…}` both come back with the ten-digit id first.
 *   Ids of 4294967295 and above (every 19-digit snowflake, and e.g. "4337869213") are ordinary keys
 *   and keep their place. For each object holding an array-index key the candidates include every
 *   order consistent with what the parse kept (ordinary keys in their relative order, array-index
 *   keys anywhere): all of them up to 24 per object, four likely ones beyond that, and at most 64
 *   combinations across the body. Larger ambiguity is not reconstructed.
 * - Large integers: X writes some ids as JSON numbers above 2^53 (DM media `id`, Tweet `id`,
 *   mention `id`), which `JSON.parse` rounds. Such a number is written back from its `<key>_str`
 *   sibling when that string parses to the same double, which X provides for all of these. A large
 *   integer without such a sibling cannot be reproduced.
 * - Not reproducible at all: whitespace or pretty-printing, number spellings other than JavaScript's
 *   shortest round-trip form (`1.0`, `1e3`, `-0`), duplicate keys, mixed escaping within one body,
 *   escapes of other ASCII characters (e.g. `\u003c`), a trailing newline or byte-order mark.
 *
 * When nothing matches the result is `mismatch`, which the caller can answer by confirming the
 * event with X instead of trusting the body.
 */
import * as crypto from 'crypto';
import { Buffer } from 'buffer';

/** Outcome of checking one webhook POST; `style` names the serialization that matched. */
export type SignatureCheck =
    | { ok: true; style: string }
    | { ok: false; reason: 'no-secret' | 'missing' | 'malformed' | 'mismatch' };

/** One byte string X may have signed, and a label saying how it was produced. */
export interface Serialization {
    style: string;
    text: string;
}

/** How string contents are escaped in one candidate serialization. */
interface EscapeStyle {
    readonly name: string;
    readonly escapeSlash: boolean;
    readonly nonAscii: 'raw' | 'lower' | 'upper';
}

/** A key order to use instead of `Object.keys` for particular objects of the body. */
type KeyOrders = ReadonlyMap<object, readonly string[]>;

const SIGNATURE_PREFIX = 'sha256=';
const SHA256_BYTES = 32;
// Standard base64 of exactly 32 bytes: 43 symbols and one padding character.
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

const ESCAPE_STYLES: readonly EscapeStyle[] = [
    { name: 'compact', escapeSlash: false, nonAscii: 'raw' },
    { name: 'escaped-slash', escapeSlash: true, nonAscii: 'raw' },
    { name: 'ascii-lower', escapeSlash: false, nonAscii: 'lower' },
    { name: 'ascii-upper', escapeSlash: false, nonAscii: 'upper' },
    { name: 'escaped-slash+ascii-lower', escapeSlash: true, nonAscii: 'lower' },
    { name: 'escaped-slash+ascii-upper', escapeSlash: true, nonAscii: 'upper' },
];

const LARGEST_ARRAY_INDEX = 4294967294;
const ORDERS_PER_OBJECT_LIMIT = 24;
const KEY_ORDER_VARIANTS_LIMIT = 64;

/** The CRC answer: `sha256=` + base64 HMAC-SHA256 of the token, keyed with the consumer secret. */
export function crcResponseToken(consumerSecret: string, crcToken: string): string {
    return SIGNATURE_PREFIX + hmacSha256(consumerSecret, crcToken).toString('base64');
}

/** The header value X would send for these raw body bytes (used by simulators and tests). */
export function signWebhookBody(consumerSecret: string, rawBody: string): string {
    return SIGNATURE_PREFIX + hmacSha256(consumerSecret, rawBody).toString('base64');
}

/** Distinct byte strings X may have signed for this parsed body, the plain compact form first. */
export function candidateSerializations(body: unknown): string[] {
    return labelledSerializations(body).map((candidate) => candidate.text);
}

/** Like `candidateSerializations`, with each text's style label; empty when the body isn't JSON data. */
export function labelledSerializations(body: unknown): Serialization[] {
    const seen = new Set<string>();
    const out: Serialization[] = [];
    keyOrderVariants(body).forEach((keyOrders, variant) => {
        for (const style of ESCAPE_STYLES) {
            const text = serializeJson(body, style, keyOrders);
            if (text === undefined || seen.has(text)) {
                continue;
            }
            seen.add(text);
            out.push({ style: variant === 0 ? style.name : `${style.name}+key-order-${variant}`, text });
        }
    });
    return out;
}

/**
 * Checks `x-twitter-webhooks-signature` against every candidate serialization of the parsed body.
 * Every candidate is compared, each in constant time, so timing reveals nothing about the digest.
 */
export function verifyWebhookSignature(consumerSecret: string, header: string | undefined, body: unknown): SignatureCheck {
    if (consumerSecret === '') {
        // An empty key would let anyone compute valid signatures.
        return { ok: false, reason: 'no-secret' };
    }
    const provided = parseSignatureHeader(header);
    if (provided === 'missing' || provided === 'malformed') {
        return { ok: false, reason: provided };
    }
    let matchedStyle: string | undefined;
    for (const candidate of labelledSerializations(body)) {
        const matches = constantTimeEqual(hmacSha256(consumerSecret, candidate.text), provided);
        if (matches && matchedStyle === undefined) {
            matchedStyle = candidate.style;
        }
    }
    return matchedStyle === undefined ? { ok: false, reason: 'mismatch' } : { ok: true, style: matchedStyle };
}

/** Byte equality that takes the same time wherever the buffers differ; unequal lengths are unequal. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
    if (a.length !== b.length) {
        // Still spend a comparison so the length check is not the only work done.
        crypto.timingSafeEqual(a, a);
        return false;
    }
    return crypto.timingSafeEqual(a, b);
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

// ---------------------------------------------------------------------------------------------
// Serialization

/** Raised inside the serializer for values JSON cannot hold (bigint, cycles); never escapes. */
class NotJsonData extends Error {}

/** JSON text of a parsed body in one escape style, or undefined when the value isn't JSON data. */
function serializeJson(value: unknown, style: EscapeStyle, keyOrders: KeyOrders): string | undefined {
    try {
        return serializeValue(value, style, keyOrders, new Set<object>(), undefined, undefined) ?? 'null';
    } catch (error) {
        if (error instanceof NotJsonData) {
            return undefined;
        }
        throw error;
    }
}

/** Mirrors JSON.stringify; returns undefined for values an object member would omit. */
function serializeValue(
    value: unknown,
    style: EscapeStyle,
    keyOrders: KeyOrders,
    ancestors: Set<object>,
    holder: Record<string, unknown> | undefined,
    key: string | undefined,
): string | undefined {
    switch (typeof value) {
        case 'string':
            return quoteJsonString(value, style);
        case 'number':
            return numberText(value, holder, key);
        case 'boolean':
            return value ? 'true' : 'false';
        case 'undefined':
        case 'function':
        case 'symbol':
            return undefined;
        case 'bigint':
            throw new NotJsonData('bigint');
    }
    if (value === null) {
        return 'null';
    }
    const object = value as object;
    if (ancestors.has(object)) {
        throw new NotJsonData('cycle');
    }
    ancestors.add(object);
    let text: string;
    if (Array.isArray(object)) {
        const items = object.map((item) => serializeValue(item, style, keyOrders, ancestors, undefined, undefined) ?? 'null');
        text = `[${items.join(',')}]`;
    } else {
        const record = object as Record<string, unknown>;
        const members: string[] = [];
        for (const member of keyOrders.get(object) ?? Object.keys(record)) {
            const memberText = serializeValue(record[member], style, keyOrders, ancestors, record, member);
            if (memberText !== undefined) {
                members.push(`${quoteJsonString(member, style)}:${memberText}`);
            }
        }
        text = `{${members.join(',')}}`;
    }
    ancestors.delete(object);
    return text;
}

/** A number as X wrote it: JavaScript's form, or the digits of a `<key>_str` twin for rounded integers. */
function numberText(value: number, holder: Record<string, unknown> | undefined, key: string | undefined): string {
    if (!Number.isFinite(value)) {
        return 'null';
    }
    if (Number.isInteger(value) && !Number.isSafeInteger(value) && holder !== undefined && key !== undefined) {
        const twin = holder[`${key}_str`];
        if (typeof twin === 'string' && /^-?\d+$/.test(twin) && Number(twin) === value) {
            return twin;
        }
    }
    return JSON.stringify(value);
}

function quoteJsonString(text: string, style: EscapeStyle): string {
    let out = '"';
    let copiedUpTo = 0;
    for (let i = 0; i < text.length; i++) {
        const escaped = escapeCodeUnit(text, i, style);
        if (escaped !== undefined) {
            out += text.slice(copiedUpTo, i) + escaped;
            copiedUpTo = i + 1;
        }
    }
    return `${out}${text.slice(copiedUpTo)}"`;
}

/** The escape sequence for the code unit at `index`, or undefined to copy it as is. */
function escapeCodeUnit(text: string, index: number, style: EscapeStyle): string | undefined {
    const unit = text.charCodeAt(index);
    switch (unit) {
        case 0x22:
            return '\\"';
        case 0x5c:
            return '\\\\';
        case 0x08:
            return '\\b';
        case 0x09:
            return '\\t';
        case 0x0a:
            return '\\n';
        case 0x0c:
            return '\\f';
        case 0x0d:
            return '\\r';
        case 0x2f:
            return style.escapeSlash ? '\\/' : undefined;
    }
    if (unit < 0x20) {
        return unicodeEscape(unit, style.nonAscii === 'upper');
    }
    if (unit > 0x7e && style.nonAscii !== 'raw') {
        return unicodeEscape(unit, style.nonAscii === 'upper');
    }
    if (isLoneSurrogate(text, index)) {
        // JSON.stringify writes unpaired surrogates as lower-case escapes.
        return unicodeEscape(unit, false);
    }
    return undefined;
}

function unicodeEscape(unit: number, upperCase: boolean): string {
    const hex = unit.toString(16).padStart(4, '0');
    return `\\u${upperCase ? hex.toUpperCase() : hex}`;
}

function isLoneSurrogate(text: string, index: number): boolean {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
        const next = text.charCodeAt(index + 1);
        return !(next >= 0xdc00 && next <= 0xdfff);
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
        const previous = index > 0 ? text.charCodeAt(index - 1) : NaN;
        return !(previous >= 0xd800 && previous <= 0xdbff);
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Key-order reconstruction

/** Key-order overrides to try, the parse's own order (an empty map) first. */
function keyOrderVariants(body: unknown): KeyOrders[] {
    let variants: Map<object, readonly string[]>[] = [new Map()];
    for (const { object, orders } of reorderableObjects(body)) {
        const next: Map<object, readonly string[]>[] = [];
        for (const order of orders) {
            for (const variant of variants) {
                if (next.length >= KEY_ORDER_VARIANTS_LIMIT) {
                    break;
                }
                const extended = new Map(variant);
                extended.set(object, order);
                next.push(extended);
            }
        }
        variants = next;
    }
    return variants;
}

/** Objects whose original key order is ambiguous, each with its plausible orders (parse order first). */
function reorderableObjects(root: unknown): { object: object; orders: string[][] }[] {
    const found: { object: object; orders: string[][] }[] = [];
    const visited = new Set<object>();
    const visit = (value: unknown): void => {
        if (typeof value !== 'object' || value === null || visited.has(value)) {
            return;
        }
        visited.add(value);
        if (Array.isArray(value)) {
            value.forEach(visit);
            return;
        }
        const keys = Object.keys(value);
        const indexKeys = keys.filter(isArrayIndexKey);
        if (indexKeys.length > 0 && keys.length > 1) {
            const ordinaryKeys = keys.filter((key) => !isArrayIndexKey(key));
            found.push({ object: value, orders: plausibleKeyOrders(indexKeys, ordinaryKeys) });
        }
        for (const key of keys) {
            visit((value as Record<string, unknown>)[key]);
        }
    };
    visit(root);
    return found;
}

/** Keys JavaScript lists first in ascending numeric order, whatever their order in the source. */
function isArrayIndexKey(key: string): boolean {
    return /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) <= LARGEST_ARRAY_INDEX;
}

/**
 * Source orders that parse to the order seen: ordinary keys keep their relative order and
 * array-index keys may sit anywhere. All of them when few, otherwise the likeliest four.
 */
function plausibleKeyOrders(indexKeys: string[], ordinaryKeys: string[]): string[][] {
    const parseOrder = [...indexKeys, ...ordinaryKeys];
    let count = 1;
    for (let n = ordinaryKeys.length + 1; n <= parseOrder.length; n++) {
        count *= n;
    }
    if (count > ORDERS_PER_OBJECT_LIMIT) {
        const descending = [...indexKeys].reverse();
        return uniqueOrders([parseOrder, [...ordinaryKeys, ...indexKeys], [...descending, ...ordinaryKeys], [...ordinaryKeys, ...descending]]);
    }
    const orders: string[][] = [parseOrder];
    const walk = (prefix: string[], remainingIndexKeys: string[], nextOrdinary: number): void => {
        if (remainingIndexKeys.length === 0 && nextOrdinary === ordinaryKeys.length) {
            orders.push(prefix);
            return;
        }
        if (nextOrdinary < ordinaryKeys.length) {
            walk([...prefix, ordinaryKeys[nextOrdinary]], remainingIndexKeys, nextOrdinary + 1);
        }
        remainingIndexKeys.forEach((key, i) => {
            walk([...prefix, key], remainingIndexKeys.filter((_, j) => j !== i), nextOrdinary);
        });
    };
    walk([], indexKeys, 0);
    return uniqueOrders(orders);
}

function uniqueOrders(orders: string[][]): string[][] {
    const seen = new Set<string>();
    return orders.filter((order) => {
        // The JSON text of a key list identifies it unambiguously, whatever the keys contain.
        const signature = JSON.stringify(order);
        if (seen.has(signature)) {
            return false;
        }
        seen.add(signature);
        return true;
    });
}
