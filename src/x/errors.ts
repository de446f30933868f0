/**
 * X's answers turned into what a person must know (XFailure kinds), from status codes, v1 error codes and
 * v2 problem details. Nothing of the raw request (headers, tokens) is carried over.
 */
import { ApiResponseError } from 'twitter-api-v2';
import { XFailure } from './client-types';
import { XTransportError } from './transport';

const FIFTEEN_MINUTES = 15 * 60_000;

interface ErrorBody {
    detail?: string;
    title?: string;
    type?: string;
    error_description?: string;
    errors?: { code?: number; message?: string }[];
}

function bodyOf(error: ApiResponseError): ErrorBody {
    return (typeof error.data === 'object' && error.data ? error.data : {}) as ErrorBody;
}

/** The short, credential-free explanation X gave, if any (its specific reason before the generic detail). */
function detailOf(body: ErrorBody): string | undefined {
    const text = body.errors?.[0]?.message ?? body.detail ?? body.error_description ?? body.title;
    return text ? String(text).slice(0, 300) : undefined;
}

/** When X will accept the request again: the exhausted window's reset, else 15 minutes from now. */
export function retryAtFrom(error: ApiResponseError, now: number): number {
    const limits = error.rateLimit;
    const candidates = [limits?.userDay, limits?.day, limits].filter((l): l is NonNullable<typeof l> => !!l && typeof l.reset === 'number');
    const exhausted = candidates.filter((l) => l.remaining === 0).map((l) => l.reset * 1000);
    const resets = (exhausted.length ? exhausted : candidates.map((l) => l.reset * 1000)).filter((t) => t > now);
    return resets.length ? Math.max(...resets) : now + FIFTEEN_MINUTES;
}

export function toXFailure(error: unknown, now: number): XFailure {
    if (error instanceof XFailure) return error;
    if (error instanceof XTransportError) return new XFailure('unavailable', 0, undefined, error.kind);
    if (!(error instanceof ApiResponseError)) {
        return new XFailure('unavailable', 0, undefined, error instanceof Error ? error.name : 'error');
    }
    const body = bodyOf(error);
    const detail = detailOf(body);
    const codes = (body.errors ?? []).map((e) => e.code);
    const text = `${detail ?? ''} ${body.type ?? ''}`.toLowerCase();
    const status = error.code;
    if (status === 429 || status === 420) return new XFailure('rate-limited', status, retryAtFrom(error, now), detail);
    if (status === 401 || codes.some((c) => c === 32 || c === 89 || c === 135 || c === 215)) return new XFailure('token-invalid', status, undefined, detail);
    if (codes.some((c) => c === 93 || c === 453) || /appropriate.*permission|not allowed to access|oauth1 app permissions/.test(text)) {
        return new XFailure('missing-permission', status, undefined, detail);
    }
    if (/attach this media|media.*not permitted/.test(text)) return new XFailure('media-not-permitted', status, undefined, detail);
    if (codes.some((c) => c === 150 || c === 349) || /cannot send messages|not (permitted|allowed) to send|does not (accept|allow)/.test(text)) {
        return new XFailure('recipient-refuses-dms', status, undefined, detail);
    }
    if (status === 403) return new XFailure('missing-permission', status, undefined, detail);
    if (status === 404) return new XFailure('not-found', status, undefined, detail);
    if (status >= 500) return new XFailure('unavailable', status, undefined, detail);
    return new XFailure('invalid-request', status, undefined, detail);
}
