/**
 * X webhook security: the CRC challenge answer and the delivery signature check.
 *
 * X signs the raw request bytes, but Rocket.Chat hands the app only the parsed JSON body. The check
 * therefore re-serializes the parsed body in the ways X plausibly wrote it and accepts the request
 * when one of those byte strings carries a signature. Two headers may carry one (x-api.md §12):
 * `x-twitter-webhooks-signature` keyed with the API key (consumer) secret, and
 * `x-twitter-webhooks-signature-oauth2` keyed with the OAuth 2.0 client secret; either one verifying
 * is enough. What re-serialization can and cannot recover:
 *
 * - Escaping, in every combination: `/` raw or `\/`; non-ASCII (U+0080 and up; U+007F is ASCII and
 *   stays raw, as in JSON.stringify, Jackson, Go and Ruby) raw or `\uXXXX`; HTML-safe escapes of
 *   `<` `>` `&` (and U+2028/U+2029) as `\u003c`-style sequences or raw; the hex of every `\u` escape
 *   in lower or upper case. Only the combinations that change the text of this body are tried.
 * - Key order: `JSON.parse` keeps the byte order of keys, except keys that are array indices
 *   (canonical integers up to 4294967294), which JavaScript moves to the front in ascending order.
 *   X keys its `users` and `apps` maps by numeric id, so this bites real payloads: the recorded AAA
 *   DM `{"users":{"1205290247124217856":…,"2975699229":…}}` and the XAA `dm.sent` documentation
 *   sample `{"1111111111111111111":…,"2244994945":…}` both come back with the ten-digit id first.
 *   Ids of 4294967295 and above (every 19-digit snowflake, and e.g. "4337869213") are ordinary keys
 *   and keep their place. The first few objects holding an array-index key (real bodies have one or
 *   two: `users`, `apps`) get candidate orders consistent with what the parse kept: all of them up to
 *   24 per object, four likely ones beyond that, at most 64 combinations. Later ones keep parse order.
 * - Large integers: X writes some ids as JSON numbers above 2^53 (DM media `id`, Tweet `id`,
 *   mention `id`), which `JSON.parse` rounds. Such a number is written back from its `<key>_str`
 *   sibling when that string parses to the same double, which X provides for all of these.
 * - Not reproducible at all: whitespace or pretty-printing, number spellings other than JavaScript's
 *   shortest round-trip form (`1.0`, `1e3`, `-0`), duplicate keys, mixed escaping within one body,
 *   escapes of other ASCII characters (e.g. `\u0027`), a trailing newline or byte-order mark.
 *
 * Work is bounded before anything is known about the sender: a body whose compact form is over
 * MAX_BODY_BYTES is refused unread, every pass over the body is linear, candidates longer than what
 * Rocket.Chat accepts are skipped without being built, and at most MAX_CANDIDATES candidates and
 * WORK_BUDGET_BYTES bytes are built and hashed, the likeliest first. A body that exhausts the
 * budget without a match is a `mismatch`.
 */
import * as crypto from 'crypto';
import { Buffer } from 'buffer';

export const LEGACY_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';
export const OAUTH2_SIGNATURE_HEADER = 'x-twitter-webhooks-signature-oauth2';

/**
 * Rocket.Chat's apps router parses JSON bodies with body-parser's default limit, "100kb" (102,400
 * bytes; apps/meteor/app/api/server/api.ts, apps-engine.md §8): X's bytes were at most this long.
 */
export const ROCKETCHAT_BODY_LIMIT_BYTES = 100 * 1024;
/**
 * Largest body (compact UTF-8 form) the app verifies. X's longest DM (10,000 characters, every one
 * escaped as `\uXXXX`) plus its envelope stays well below it.
 */
export const MAX_BODY_BYTES = 64 * 1024;
/** Candidate serializations built and hashed per delivery, at most. */
export const MAX_CANDIDATES = 64;
/** Bytes of candidate serializations built and hashed per delivery (per header key), at most. */
export const WORK_BUDGET_BYTES = 256 * 1024;

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

/** One byte string X may have signed, and a label saying how it was produced. */
export interface Serialization {
    style: string;
    text: string;
}

const SIGNATURE_PREFIX = 'sha256=';
const SHA256_BYTES = 32;
// Standard base64 of exactly 32 bytes: 43 symbols and one padding character.
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

const LARGEST_ARRAY_INDEX = 4294967294;
const REORDERED_OBJECTS_LIMIT = 4;
const ORDERS_PER_OBJECT_LIMIT = 24;
const KEY_ORDER_VARIANTS_LIMIT = 64;

/** The CRC answer: `sha256=` + base64 HMAC-SHA256 of the token. */
export function crcResponseToken(secret: string, crcToken: string): string {
    return SIGNATURE_PREFIX + hmacSha256(secret, crcToken).toString('base64');
}

/** The header value X would send for these raw body bytes (used by simulators and tests). */
export function signWebhookBody(secret: string, rawBody: string): string {
    return SIGNATURE_PREFIX + hmacSha256(secret, rawBody).toString('base64');
}

/** Distinct byte strings X may have signed for this parsed body, the plain compact form first. */
export function candidateSerializations(body: unknown): string[] {
    return labelledSerializations(body).map((candidate) => candidate.text);
}

/** Like `candidateSerializations`, with each text's style label; empty when the body isn't JSON data or is too large. */
export function labelledSerializations(body: unknown): Serialization[] {
    const plan = planCandidates(body);
    return plan === 'too-large' ? [] : [...plan];
}

/** Checks one signature header keyed with one secret (the legacy form of `verifyDeliverySignature`). */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: unknown): SignatureCheck {
    return verifyDeliverySignature([{ name: LEGACY_SIGNATURE_HEADER, value: header, secret }], body);
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
// Candidates within the work budget

/**
 * The candidates to try, likeliest first: every escape style of the parse order, then of each
 * reconstructed key order; lazily built, so nothing past the budget is ever serialized.
 */
function planCandidates(body: unknown): Iterable<Serialization> | 'too-large' {
    const compact = safeStringify(body);
    if (compact === undefined) return [];
    const compactBytes = Buffer.byteLength(compact, 'utf8');
    if (compactBytes > MAX_BODY_BYTES) return 'too-large';
    const shape = inspectBody(body);
    const features = textFeatures(compact);
    const styles = relevantStyles(features);
    return {
        *[Symbol.iterator]() {
            let built = 0;
            let bytes = 0;
            const seen = new Set<string>();
            const writer = new VariantWriter(shape);
            for (const [variant, keyOrders] of keyOrderVariants(shape.reorderable).entries()) {
                const base: string | undefined =
                    variant === 0 && !shape.needsManual ? compact : writer.text(body, keyOrders);
                if (base === undefined) continue;
                const baseBytes = base === compact ? compactBytes : Buffer.byteLength(base, 'utf8');
                for (const style of styles) {
                    // Longer than Rocket.Chat accepts: X cannot have sent it, so it is not even built.
                    const size = baseBytes + styledExtraBytes(style, features);
                    if (size > ROCKETCHAT_BODY_LIMIT_BYTES) continue;
                    if (built >= MAX_CANDIDATES || bytes + size > WORK_BUDGET_BYTES) return;
                    built++;
                    bytes += size;
                    const text = restyle(base, style);
                    if (seen.has(text)) continue;
                    seen.add(text);
                    yield { style: variant === 0 ? style.name : `${style.name}+key-order-${variant}`, text };
                }
            }
        },
    };
}

function safeStringify(value: unknown): string | undefined {
    try {
        const text = JSON.stringify(value);
        return typeof text === 'string' ? text : undefined;
    } catch {
        // Cycles, bigints, or nesting too deep for the engine: not JSON data X could have sent.
        return undefined;
    }
}

// ---------------------------------------------------------------------------------------------
// Escape styles

/** How string contents are escaped in one candidate serialization. */
interface EscapeStyle {
    readonly name: string;
    readonly slash: boolean;
    readonly nonAscii: boolean;
    readonly html: boolean;
    readonly upper: boolean;
}

/** What the compact text holds that escape styles change, counted in one pass. */
interface TextFeatures {
    slashes: number;
    /** `<` and `>` (their escapes hold hex letters) and `&`. */
    angles: number;
    ampersands: number;
    /** U+2028 and U+2029 (escaped by HTML-safe writers even when non-ASCII stays raw). */
    separators: number;
    /** UTF-8 bytes gained when every non-ASCII code unit becomes a six-byte `\uXXXX`. */
    nonAsciiExtraBytes: number;
    nonAsciiUnits: number;
    /** Whether escaping the non-ASCII units, or the escapes JSON.stringify already wrote, yield a hex letter (so case matters). */
    nonAsciiHexLetters: boolean;
    existingHexLetters: boolean;
}

// Order of likelihood: what recorded deliveries and common JSON writers produce first.
const STYLE_ORDER: readonly (readonly [boolean, boolean, boolean, boolean])[] = [
    // [slash, nonAscii, html, upper]
    [false, false, false, false],
    [false, true, false, false],
    [true, false, false, false],
    [true, true, false, false],
    [false, false, true, false],
    [true, true, true, false],
    [false, true, true, false],
    [true, false, true, false],
    [false, true, false, true],
    [true, true, false, true],
    [false, false, true, true],
    [true, true, true, true],
    [false, true, true, true],
    [true, false, true, true],
    [false, false, false, true],
    [true, false, false, true],
];

function styleName(slash: boolean, nonAscii: boolean, html: boolean, upper: boolean): string {
    const parts = [
        slash ? 'escaped-slash' : '',
        nonAscii ? (upper ? 'ascii-upper' : 'ascii-lower') : '',
        html ? (upper ? 'html-upper' : 'html-lower') : '',
    ].filter(Boolean);
    if (upper && !nonAscii && !html) parts.push('hex-upper');
    return parts.length === 0 ? 'compact' : parts.join('+');
}

/** The styles that change this text (others would repeat a candidate), likeliest first. */
function relevantStyles(features: TextFeatures): EscapeStyle[] {
    const hasNonAscii = features.nonAsciiUnits > 0;
    const hasHtml = features.angles + features.ampersands > 0 || (features.separators > 0 && !hasNonAscii);
    return STYLE_ORDER.filter(([slash, nonAscii, html, upper]) => {
        if (slash && features.slashes === 0) return false;
        if (nonAscii && !hasNonAscii) return false;
        if (html && !hasHtml) return false;
        return (
            !upper ||
            features.existingHexLetters ||
            (nonAscii && features.nonAsciiHexLetters) ||
            (html && features.angles > 0)
        );
    }).map(([slash, nonAscii, html, upper]) => ({
        name: styleName(slash, nonAscii, html, upper),
        slash,
        nonAscii,
        html,
        upper,
    }));
}

function textFeatures(compact: string): TextFeatures {
    const features: TextFeatures = {
        slashes: 0,
        angles: 0,
        ampersands: 0,
        separators: 0,
        nonAsciiExtraBytes: 0,
        nonAsciiUnits: 0,
        nonAsciiHexLetters: false,
        existingHexLetters: false,
    };
    for (let i = 0; i < compact.length; i++) {
        const unit = compact.charCodeAt(i);
        if (unit < 0x80) {
            if (unit === 0x2f) features.slashes++;
            else if (unit === 0x3c || unit === 0x3e) features.angles++;
            else if (unit === 0x26) features.ampersands++;
            else if (unit === 0x5c && compact.charCodeAt(i + 1) === 0x75 && !features.existingHexLetters)
                features.existingHexLetters = /[a-f]/.test(compact.slice(i + 2, i + 6));
            continue;
        }
        features.nonAsciiUnits++;
        if (unit === 0x2028 || unit === 0x2029) features.separators++;
        if (!features.nonAsciiHexLetters) features.nonAsciiHexLetters = hasHexLetter(unit);
        // UTF-8 length → six bytes: 2-byte units gain 4, 3-byte units gain 3, a surrogate pair (4 bytes) gains 8.
        if (unit < 0x800) features.nonAsciiExtraBytes += 4;
        else if (unit >= 0xd800 && unit <= 0xdbff) features.nonAsciiExtraBytes += 4;
        else if (unit >= 0xdc00 && unit <= 0xdfff) features.nonAsciiExtraBytes += 4;
        else features.nonAsciiExtraBytes += 3;
    }
    return features;
}

/** Whether the four hex digits of a code unit include a letter (so upper and lower case differ). */
function hasHexLetter(unit: number): boolean {
    return (unit & 0xf) > 9 || ((unit >> 4) & 0xf) > 9 || ((unit >> 8) & 0xf) > 9 || ((unit >> 12) & 0xf) > 9;
}

/** Exactly how many UTF-8 bytes a style adds to the compact text (hex case changes no length). */
function styledExtraBytes(style: EscapeStyle, f: TextFeatures): number {
    let extra = style.slash ? f.slashes : 0;
    if (style.nonAscii) extra += f.nonAsciiExtraBytes;
    if (style.html) extra += 5 * (f.angles + f.ampersands) + (style.nonAscii ? 0 : 3 * f.separators);
    return extra;
}

/** `\uXXXX` of a code unit, lower-case hex; cached (at most 65,536 short strings). */
const LOWER_ESCAPES: string[] = [];
const UPPER_ESCAPES: string[] = [];

function unicodeEscape(unit: number, upper: boolean): string {
    const cache = upper ? UPPER_ESCAPES : LOWER_ESCAPES;
    let escape = cache[unit];
    if (escape === undefined) {
        const hex = (unit + 0x10000).toString(16).slice(1);
        escape = cache[unit] = `\\u${upper ? hex.toUpperCase() : hex}`;
    }
    return escape;
}

/**
 * Rewrites a compact JSON text in one style, in one pass: `/`, `<>&` and non-ASCII occur only inside
 * strings, and the escapes JSON.stringify wrote are stepped over whole (so `\\u0041` is never read
 * as an escape), only re-cased in upper-case styles.
 */
function restyle(text: string, style: EscapeStyle): string {
    if (!style.slash && !style.nonAscii && !style.html && !style.upper) return text;
    let out = '';
    let copiedUpTo = 0;
    for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        let escape: string | undefined;
        let width = 1;
        if (unit === 0x5c) {
            if (text.charCodeAt(i + 1) !== 0x75) {
                i++;
                continue;
            }
            if (!style.upper) {
                i += 5;
                continue;
            }
            escape = `\\u${text.slice(i + 2, i + 6).toUpperCase()}`;
            width = 6;
        } else if (unit === 0x2f) {
            if (style.slash) escape = '\\/';
        } else if (unit === 0x3c || unit === 0x3e || unit === 0x26) {
            if (style.html) escape = unicodeEscape(unit, style.upper);
        } else if (unit >= 0x80) {
            if (style.nonAscii || (style.html && (unit === 0x2028 || unit === 0x2029)))
                escape = unicodeEscape(unit, style.upper);
        }
        if (escape !== undefined) {
            out += text.slice(copiedUpTo, i) + escape;
            copiedUpTo = i + width;
            i += width - 1;
        }
    }
    return out + text.slice(copiedUpTo);
}

// ---------------------------------------------------------------------------------------------
// Key-order reconstruction and large integers

/** A key order to use instead of `Object.keys` for particular objects of the body. */
type KeyOrders = ReadonlyMap<object, readonly string[]>;

interface BodyShape {
    /** The first few objects whose key order the parse may have changed, with their plausible orders. */
    reorderable: { object: object; orders: string[][] }[];
    /** Objects (and their ancestors) that cannot be written by JSON.stringify alone. */
    manual: Set<object>;
    needsManual: boolean;
    /** The reorderable objects and their ancestors: the only ones whose text differs between variants. */
    varying: Set<object>;
}

/**
 * One linear walk: finds the first objects holding array-index keys and the holders of rounded large
 * integers with a `_str` twin, and marks their ancestors for hand serialization.
 */
function inspectBody(root: unknown): BodyShape {
    const shape: BodyShape = { reorderable: [], manual: new Set(), needsManual: false, varying: new Set() };
    const path: object[] = [];
    const markPath = (marks: Set<object>) => {
        for (let i = path.length - 1; i >= 0 && !marks.has(path[i]); i--) marks.add(path[i]);
        shape.needsManual = true;
    };
    const visit = (value: unknown): void => {
        if (typeof value !== 'object' || value === null) return;
        path.push(value);
        if (Array.isArray(value)) {
            for (const item of value) visit(item);
        } else {
            const record = value as Record<string, unknown>;
            const keys = Object.keys(record);
            if (shape.reorderable.length < REORDERED_OBJECTS_LIMIT && keys.length > 1 && isArrayIndexKey(keys[0])) {
                const firstOrdinary = keys.findIndex((key) => !isArrayIndexKey(key));
                const indexKeys = firstOrdinary === -1 ? keys : keys.slice(0, firstOrdinary);
                const ordinaryKeys = firstOrdinary === -1 ? [] : keys.slice(firstOrdinary);
                shape.reorderable.push({ object: value, orders: plausibleKeyOrders(indexKeys, ordinaryKeys) });
                markPath(shape.manual);
                markPath(shape.varying);
            }
            for (const key of keys) {
                const member = record[key];
                if (typeof member === 'number' && twinDigits(member, record, key) !== undefined) markPath(shape.manual);
                visit(member);
            }
        }
        path.pop();
    };
    try {
        visit(root);
    } catch {
        // Too deep to walk: keep the parse order and JavaScript's numbers.
        return { reorderable: [], manual: new Set(), needsManual: false, varying: new Set() };
    }
    return shape;
}

/** Keys JavaScript lists first in ascending numeric order, whatever their order in the source. */
function isArrayIndexKey(key: string): boolean {
    return key.length <= 10 && /^(0|[1-9]\d*)$/.test(key) && Number(key) <= LARGEST_ARRAY_INDEX;
}

/** The digits X wrote for a rounded integer, from its `<key>_str` twin; undefined when JavaScript's form is right. */
function twinDigits(value: number, holder: Record<string, unknown>, key: string): string | undefined {
    if (!Number.isInteger(value) || Number.isSafeInteger(value)) return undefined;
    const twin = holder[`${key}_str`];
    return typeof twin === 'string' && twin.length <= 32 && /^-?\d+$/.test(twin) && Number(twin) === value
        ? twin
        : undefined;
}

/** Key-order overrides to try, the parse's own order (an empty map) first. */
function keyOrderVariants(reorderable: BodyShape['reorderable']): KeyOrders[] {
    let variants: Map<object, readonly string[]>[] = [new Map()];
    for (const { object, orders } of reorderable) {
        const next: Map<object, readonly string[]>[] = [];
        for (const order of orders) {
            for (const variant of variants) {
                if (next.length >= KEY_ORDER_VARIANTS_LIMIT) break;
                const extended = new Map(variant);
                extended.set(object, order);
                next.push(extended);
            }
        }
        variants = next;
    }
    return variants;
}

/**
 * Source orders that parse to the order seen: ordinary keys keep their relative order and
 * array-index keys may sit anywhere. All of them when few, otherwise the likeliest four.
 */
function plausibleKeyOrders(indexKeys: string[], ordinaryKeys: string[]): string[][] {
    const parseOrder = [...indexKeys, ...ordinaryKeys];
    let count = 1;
    for (let n = ordinaryKeys.length + 1; n <= parseOrder.length && count <= ORDERS_PER_OBJECT_LIMIT; n++) {
        count *= n;
    }
    if (count > ORDERS_PER_OBJECT_LIMIT) {
        const descending = [...indexKeys].reverse();
        return uniqueOrders([
            parseOrder,
            [...ordinaryKeys, ...indexKeys],
            [...descending, ...ordinaryKeys],
            [...ordinaryKeys, ...descending],
        ]);
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
            walk(
                [...prefix, key],
                remainingIndexKeys.filter((_, j) => j !== i),
                nextOrdinary,
            );
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

/**
 * Writes the compact text with some objects' keys reordered and rounded integers written from their
 * twins. Marked objects are written by hand, everything else by JSON.stringify; what does not depend
 * on the key orders (runs of unmarked items, members) is written once and reused by every variant.
 */
class VariantWriter {
    private readonly arraySegments = new Map<unknown[], (string | object)[]>();
    private readonly objectMembers = new Map<object, Map<string, string | object>>();
    private readonly fixedTexts = new Map<object, string>();

    constructor(private readonly shape: BodyShape) {}

    public text(body: unknown, keyOrders: KeyOrders): string | undefined {
        try {
            return this.write(body, keyOrders);
        } catch {
            return undefined;
        }
    }

    private write(value: unknown, keyOrders: KeyOrders): string | undefined {
        if (typeof value !== 'object' || value === null || !this.shape.manual.has(value)) return JSON.stringify(value);
        if (!this.shape.varying.has(value)) {
            let text = this.fixedTexts.get(value);
            if (text === undefined) this.fixedTexts.set(value, (text = this.compose(value, keyOrders)));
            return text;
        }
        return this.compose(value, keyOrders);
    }

    private compose(value: object, keyOrders: KeyOrders): string {
        if (Array.isArray(value)) {
            const parts = this.segmentsOf(value).map((segment) =>
                typeof segment === 'string' ? segment : (this.write(segment, keyOrders) ?? 'null'),
            );
            return `[${parts.join(',')}]`;
        }
        const members = this.membersOf(value as Record<string, unknown>);
        const parts: string[] = [];
        for (const key of keyOrders.get(value) ?? Object.keys(value)) {
            const member = members.get(key);
            if (typeof member === 'string') parts.push(member);
            else if (member !== undefined)
                parts.push(`${JSON.stringify(key)}:${this.write(member, keyOrders) ?? 'null'}`);
        }
        return `{${parts.join(',')}}`;
    }

    /** Runs of items that need no hand work, each written by one JSON.stringify call, and the marked items. */
    private segmentsOf(items: unknown[]): (string | object)[] {
        let segments = this.arraySegments.get(items);
        if (segments) return segments;
        segments = [];
        let runStart = 0;
        const flush = (end: number) => {
            if (end > runStart) segments!.push(JSON.stringify(items.slice(runStart, end)).slice(1, -1));
        };
        items.forEach((item, i) => {
            if (typeof item !== 'object' || item === null || !this.shape.manual.has(item)) return;
            flush(i);
            segments!.push(item);
            runStart = i + 1;
        });
        flush(items.length);
        this.arraySegments.set(items, segments);
        return segments;
    }

    /** Each member's `"key":value` text, or the marked child object to write per variant; omitted members are absent. */
    private membersOf(record: Record<string, unknown>): Map<string, string | object> {
        let members = this.objectMembers.get(record);
        if (members) return members;
        members = new Map();
        for (const key of Object.keys(record)) {
            const member = record[key];
            if (typeof member === 'object' && member !== null && this.shape.manual.has(member)) {
                members.set(key, member);
                continue;
            }
            const text =
                typeof member === 'number'
                    ? (twinDigits(member, record, key) ?? JSON.stringify(member))
                    : JSON.stringify(member);
            if (text !== undefined) members.set(key, `${JSON.stringify(key)}:${text}`);
        }
        this.objectMembers.set(record, members);
        return members;
    }
}
