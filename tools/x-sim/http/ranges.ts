import type { SimRequest } from './request';
import type { SimResponse } from './response';

/**
 * Answers a GET for a stored file, honouring a single `Range: bytes=…` request when the host supports ranges
 * (RFC 9110 §14: 206 with `Content-Range: bytes first-last/size`, 416 with `bytes *\/size` when nothing is at the
 * offset). A host that does not support ranges ignores the header and answers 200 with the whole file, as RFC 9110
 * allows. Several ranges in one request are answered in full too (X's CDN use is single ranges).
 */
export function fileResponse(
    request: SimRequest,
    contentType: string,
    bytes: Buffer,
    rangeSupport: boolean,
): SimResponse {
    const headers: Record<string, string> = {
        'content-type': contentType,
        ...(rangeSupport ? { 'accept-ranges': 'bytes' } : {}),
    };
    const header = request.headers.range;
    const range = rangeSupport && typeof header === 'string' ? parseRange(header, bytes.length) : undefined;
    if (range === undefined) return { status: 200, headers, body: bytes };
    if (range === 'unsatisfiable')
        return {
            status: 416,
            headers: { ...headers, 'content-range': `bytes */${bytes.length}` },
            body: Buffer.alloc(0),
        };
    return {
        status: 206,
        headers: { ...headers, 'content-range': `bytes ${range.first}-${range.last}/${bytes.length}` },
        body: bytes.subarray(range.first, range.last + 1),
    };
}

/** One `bytes=first-last`, `bytes=first-` or `bytes=-suffix` range; undefined for anything else (served in full). */
function parseRange(header: string, size: number): { first: number; last: number } | 'unsatisfiable' | undefined {
    const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
    if (!match || (match[1] === '' && match[2] === '')) return undefined;
    if (match[1] === '') {
        const suffix = Number(match[2]);
        if (suffix === 0 || size === 0) return 'unsatisfiable';
        return { first: Math.max(0, size - suffix), last: size - 1 };
    }
    const first = Number(match[1]);
    const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < first) return undefined;
    if (first >= size) return 'unsatisfiable';
    return { first, last };
}
