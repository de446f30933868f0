/**
 * Key orders `JSON.parse` may have changed (array-index keys move to the front) and large integers it
 * rounded: the objects concerned, their plausible source orders, and a writer for each variant.
 */

const LARGEST_ARRAY_INDEX = 4294967294;
const REORDERED_OBJECTS_LIMIT = 4;
const ORDERS_PER_OBJECT_LIMIT = 24;
const KEY_ORDER_VARIANTS_LIMIT = 64;

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
export function inspectBody(root: unknown): BodyShape {
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
export function keyOrderVariants(reorderable: BodyShape['reorderable']): KeyOrders[] {
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
export class VariantWriter {
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
