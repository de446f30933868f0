/**
 * Downloads a file in HTTP range requests (RFC 9110 §14) bounded by a byte limit. Rocket.Chat's HTTP accessor
 * buffers each whole answer before the app sees it and offers neither streaming nor HEAD, so the only way to
 * never take in more than the limit is to never ask for more: every request names at most the bytes still
 * allowed, and the first answer's `Content-Range` tells the file's size, so a file over the limit costs one
 * bounded request. A server that ignores `Range` answers 200 with the whole file; that answer is checked
 * against the limit too, but its bytes have crossed by then (README: Security).
 *
 * The work is bounded too: a server that knows the size must send every byte asked for (a shorter range would
 * only buy it more requests), so a download takes at most the requests its limit needs, and none starts after
 * the caller's deadline (the DM's claim must not go stale while its file is fetched).
 */

export interface RangeAnswer {
    status: number;
    /** The `Content-Range` header, when the server sent one. */
    contentRange?: string;
    bytes: Buffer;
}

/** Fetches bytes `first`…`last` (inclusive), giving up after `timeoutMs` when a deadline applies. */
export type RangeFetch = (first: number, last: number, timeoutMs?: number) => Promise<RangeAnswer>;

/** When the last request may start, and the clock to tell. */
export interface RangeDeadline {
    at: number;
    now(): number;
}

export type RangedDownload = { ok: true; bytes: Buffer } | { ok: false; tooLarge: true; sizeBytes?: number };

/** The server broke the range protocol (a wrong range, more bytes than asked): nothing it sent is trusted. */
export class RangeProtocolError extends Error {
    constructor(detail: string) {
        super(`Media download: ${detail}`);
        this.name = 'RangeProtocolError';
    }
}

/** The deadline passed before the file was complete. */
export class RangeDeadlineError extends Error {
    constructor() {
        super('Media download: out of time');
        this.name = 'RangeDeadlineError';
    }
}

/** Small first request: it learns the size, and is all a file over the limit costs. */
export const FIRST_RANGE_BYTES = 1024 * 1024;
/** Later requests: fewer round trips for a large file that fits. */
export const NEXT_RANGE_BYTES = 4 * 1024 * 1024;
/** One range request never waits longer than this (the accessor's usual timeout), deadline or not. */
export const RANGE_REQUEST_TIMEOUT_MS = 20_000;

const CONTENT_RANGE = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/;
const UNSATISFIED_RANGE = /^bytes \*\/(\d{1,15})$/;

export function parseContentRange(
    header: string | undefined,
): { first: number; last: number; total?: number } | undefined {
    const match = CONTENT_RANGE.exec((header ?? '').trim());
    if (!match) return undefined;
    const first = Number(match[1]);
    const last = Number(match[2]);
    const total = match[3] === '*' ? undefined : Number(match[3]);
    if (last < first || (total !== undefined && last >= total)) return undefined;
    return { first, last, ...(total !== undefined ? { total } : {}) };
}

export async function downloadInRanges(
    fetch: RangeFetch,
    maxBytes: number,
    sizes = { first: FIRST_RANGE_BYTES, next: NEXT_RANGE_BYTES },
    deadline?: RangeDeadline,
): Promise<RangedDownload> {
    // A Range names whole bytes: `bytes=0-314571.8` is invalid, and a server ignores it and sends everything.
    const limit = Math.floor(maxBytes);
    if (!(limit > 0)) return { ok: false, tooLarge: true };
    // The requests `limit` bytes take in full ranges, and one more that finds the end (416) exactly there.
    const maxRequests = 2 + Math.ceil(Math.max(0, limit - sizes.first) / sizes.next);
    const parts: Buffer[] = [];
    let received = 0;
    let total: number | undefined;
    for (let request = 0; request < maxRequests; request++) {
        const wanted = Math.min(request === 0 ? sizes.first : sizes.next, limit - received);
        let timeoutMs: number | undefined;
        if (deadline) {
            const left = deadline.at - deadline.now();
            if (left <= 0) throw new RangeDeadlineError();
            timeoutMs = Math.min(left, RANGE_REQUEST_TIMEOUT_MS);
        }
        const answer = await fetch(received, received + wanted - 1, timeoutMs);
        if (answer.status === 200) {
            // The server ignored Range: this is the whole file, acceptable only as the first answer.
            if (request > 0) throw new RangeProtocolError('a full answer after partial ones');
            return answer.bytes.length > limit
                ? { ok: false, tooLarge: true, sizeBytes: answer.bytes.length }
                : { ok: true, bytes: answer.bytes };
        }
        if (answer.status === 416) {
            // Nothing at this offset: the file ended exactly at the last range (or is empty).
            const size = UNSATISFIED_RANGE.exec((answer.contentRange ?? '').trim());
            if (size && Number(size[1]) === received) return { ok: true, bytes: Buffer.concat(parts) };
            throw new RangeProtocolError(`range not satisfiable at ${received}`);
        }
        if (answer.status !== 206) throw new RangeProtocolError(`unexpected status ${answer.status}`);
        const range = parseContentRange(answer.contentRange);
        if (
            !range ||
            range.first !== received ||
            range.last - range.first + 1 !== answer.bytes.length ||
            answer.bytes.length > wanted
        ) {
            throw new RangeProtocolError('the answer is not the range asked for');
        }
        if (range.total !== undefined) {
            if (total !== undefined && total !== range.total) throw new RangeProtocolError('the file size changed');
            total = range.total;
            if (total > limit) return { ok: false, tooLarge: true, sizeBytes: total };
            if (range.last !== Math.min(received + wanted, total) - 1)
                throw new RangeProtocolError('a shorter range than asked');
        }
        parts.push(answer.bytes);
        received += answer.bytes.length;
        if (total !== undefined ? received >= total : answer.bytes.length < wanted)
            return { ok: true, bytes: Buffer.concat(parts) };
        // The size is unknown and every byte allowed has arrived with more to come.
        if (received >= limit) return { ok: false, tooLarge: true };
    }
    throw new RangeProtocolError('more ranges than the limit needs');
}
