/**
 * Webhook bodies built to make a re-serializing signature verifier work as hard as possible: the
 * shapes that used to cost seconds (many small objects with array-index keys), every escapable
 * character, rounded integers with `_str` twins, huge integer-keyed maps, wide objects, long chains of
 * objects whose text changes with each key order, deep nesting. Each is grown up to `targetBytes` of
 * compact JSON (UTF-8).
 */

/** Repeats `item(i)` inside `wrap` until the compact body is as large as allowed. */
function grow(targetBytes: number, item: (i: number) => unknown, wrap: (items: unknown[]) => unknown): unknown {
    const items: unknown[] = [];
    const size = () => Buffer.byteLength(JSON.stringify(wrap(items)), 'utf8');
    // Whole batches first, then one at a time near the target.
    for (let batch = 1024; batch >= 1; batch = Math.floor(batch / 4)) {
        for (;;) {
            const start = items.length;
            for (let i = 0; i < batch; i++) items.push(item(start + i));
            if (size() <= targetBytes) continue;
            items.length = start;
            break;
        }
    }
    return wrap(items);
}

export type AdversarialBody = [name: string, body: unknown];

export function adversarialBodies(targetBytes: number): AdversarialBody[] {
    return [
        [
            'many small objects with array-index keys',
            grow(
                targetBytes,
                (i) => ({ [String(i % 7)]: 0, [String((i % 5) + 10)]: 1, a: 'x' }),
                (items) => ({ data: items }),
            ),
        ],
        [
            'nested integer-keyed maps, each with many orders',
            grow(
                targetBytes,
                (i) => ({ '4': { '3': { '2': { '1': i, b: 0 }, a: 0 }, c: 0 }, '9': 0, '8': 1, '7': 2, d: 0 }),
                (items) => ({ users: items }),
            ),
        ],
        [
            'every escapable character',
            grow(
                targetBytes,
                (i) => `/<>&é€\u2028😀${i % 10}`,
                (items) => ({ text: items.join('') }),
            ),
        ],
        [
            'rounded integers with _str twins everywhere',
            grow(
                targetBytes,
                (i) => ({
                    id: 1921371152162615296 + i * 4096,
                    id_str: String(1921371152162615296n + BigInt(i * 4096)),
                    '1': 0,
                    '2': 0,
                }),
                (items) => ({ media: items }),
            ),
        ],
        [
            'one map with thousands of integer keys',
            grow(
                targetBytes,
                (i) => [String(i), i],
                (entries) => Object.fromEntries([...(entries as [string, number][]), ['z', 0]]),
            ),
        ],
        [
            'a wide object: one integer key, then thousands of ordinary ones',
            grow(
                targetBytes,
                (i) => [`k${i}`, i],
                (entries) => Object.fromEntries([['0', 0], ...(entries as [string, number][])]),
            ),
        ],
        [
            'a 90-level chain down to an integer-keyed map beside the bulk (rewritten per key order)',
            grow(
                targetBytes,
                () => 'a/é',
                (parts) => {
                    let chain: unknown = { '1': 0, x: 0, bulk: parts.join('') };
                    for (let level = 0; level < 90; level++) chain = { k: chain, '2': level, y: 1 };
                    return chain;
                },
            ),
        ],
        ['deep nesting', JSON.parse(`{"a":${'['.repeat(4000)}"/é<"${']'.repeat(4000)}}`)],
    ];
}
