/**
 * The byte strings X may have signed for a parsed webhook body, likeliest first, within a work budget.
 * What re-serialization can and cannot recover:
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
 *
 * Work is bounded before anything is known about the sender: a body whose compact form is over
 * `verifiedBytes` is refused unread, every pass over the body is linear, candidates longer than what
 * Rocket.Chat accepts are skipped without being built, and at most `candidates` candidates and
 * `workBudgetBytes` bytes are built and hashed, the likeliest first. A body that exhausts the
 * budget without a match is a `mismatch`.
 */
import { Buffer } from 'buffer';
import { relevantStyles, restyle, styledExtraBytes, textFeatures } from './webhook-escapes';
import { inspectBody, keyOrderVariants, VariantWriter } from './webhook-key-orders';

export const SIGNED_BODY_LIMITS = {
    /**
     * Rocket.Chat's apps router parses JSON bodies with body-parser's default limit, "100kb" (102,400
     * bytes; apps/meteor/app/api/server/api.ts, apps-engine.md §8): X's bytes were at most this long.
     */
    rocketChatBytes: 100 * 1024,
    /**
     * Largest body (compact UTF-8 form) the app verifies. X's longest DM (10,000 characters, every one
     * escaped as `\uXXXX`) plus its envelope stays well below it.
     */
    verifiedBytes: 64 * 1024,
    /** Candidate serializations built and hashed per delivery, at most. */
    candidates: 64,
    /** Bytes of candidate serializations built and hashed per delivery (per header key), at most. */
    workBudgetBytes: 256 * 1024,
} as const;

/** One byte string X may have signed, and a label saying how it was produced. */
export interface Serialization {
    style: string;
    text: string;
}

/**
 * The candidates to try, likeliest first: every escape style of the parse order, then of each
 * reconstructed key order; lazily built, so nothing past the budget is ever serialized.
 */
export function planCandidates(body: unknown): Iterable<Serialization> | 'too-large' {
    const compact = safeStringify(body);
    if (compact === undefined) return [];
    const compactBytes = Buffer.byteLength(compact, 'utf8');
    if (compactBytes > SIGNED_BODY_LIMITS.verifiedBytes) return 'too-large';
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
                    if (size > SIGNED_BODY_LIMITS.rocketChatBytes) continue;
                    if (built >= SIGNED_BODY_LIMITS.candidates || bytes + size > SIGNED_BODY_LIMITS.workBudgetBytes)
                        return;
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
