/**
 * X's answers turned into what a person must know (XFailure kinds), from status codes, v1 error codes and
 * v2 problem details. Nothing of the raw request (headers, tokens) is carried over.
 */
import { ApiResponseError } from 'twitter-api-v2';
import { PostRefusal, X_REASONS, XFailure, XFailureKind, XReason } from './client-types';
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
    const candidates = [limits?.userDay, limits?.day, limits].filter(
        (l): l is NonNullable<typeof l> => !!l && typeof l.reset === 'number',
    );
    const exhausted = candidates.filter((l) => l.remaining === 0).map((l) => l.reset * 1000);
    const resets = (exhausted.length ? exhausted : candidates.map((l) => l.reset * 1000)).filter((t) => t > now);
    return resets.length ? Math.max(...resets) : now + FIFTEEN_MINUTES;
}

/** Problem types X sends (the `type` of a v2 problem), by what they mean here. */
const CREDITS_DEPLETED_TYPE = /\/2\/problems\/credits-depleted$/;
const CLIENT_FORBIDDEN_TYPE = /\/2\/problems\/client-forbidden$/;

/**
 * X's v1 error codes (research/x-api.md §6, §10; captured bodies): 349 "You cannot send messages to this
 * user" (the recipient's settings or a block), 150 "not following you", 476 "Sender is not verified to
 * send message requests", 93 no DM permission, 453 not in the plan's endpoints, 32/89/135/215 credentials.
 */
const TOKEN_CODES = [32, 89, 135, 215];
const PERMISSION_CODES = [93, 453];

const REASON_PATTERN = new RegExp(`\\b(${X_REASONS.join('|')})\\b`);

/** X's machine reason (an identifier such as `WebhookIdInvalid`) anywhere in its messages. */
function reasonOf(body: ErrorBody): XReason | undefined {
    const texts = [...(body.errors ?? []).map((e) => e.message), body.detail, body.title];
    for (const text of texts) {
        const match = typeof text === 'string' ? REASON_PATTERN.exec(text) : null;
        if (match) return match[1] as XReason;
    }
    return undefined;
}

/** Resources X no longer has: 404, or the 400 reasons it answers for deleted webhooks and subscriptions (§12). */
const GONE_REASONS: ReadonlySet<XReason> = new Set(['WebhookIdInvalid', 'SubscriptionNotFound']);

/**
 * What an X failure means, from the HTTP status, X's error codes and problem types and its machine
 * reasons — never from the wording of its messages, which X changes (the wording is kept as `detail`).
 */
export function toXFailure(error: unknown, now: number): XFailure {
    if (error instanceof XFailure) return error;
    if (error instanceof XTransportError) return new XFailure('unavailable', 0, undefined, error.kind);
    if (!(error instanceof ApiResponseError)) {
        return new XFailure('unavailable', 0, undefined, error instanceof Error ? error.name : 'error');
    }
    const body = bodyOf(error);
    const detail = detailOf(body);
    const reason = reasonOf(body);
    const codes = (body.errors ?? []).map((e) => e.code);
    const has = (...wanted: number[]) => codes.some((c) => c !== undefined && wanted.includes(c));
    const type = typeof body.type === 'string' ? body.type : '';
    const status = error.code;
    const failure = (kind: XFailureKind, retryAt?: number) => new XFailure(kind, status, retryAt, detail, reason);
    if (status === 429 || status === 420) return failure('rate-limited', retryAtFrom(error, now));
    if (status === 402 || CREDITS_DEPLETED_TYPE.test(type)) return failure('credits-depleted');
    if (status === 401 || has(...TOKEN_CODES)) return failure('token-invalid');
    if (has(...PERMISSION_CODES) || CLIENT_FORBIDDEN_TYPE.test(type)) return failure('missing-permission');
    if (has(349)) return failure('recipient-refuses-dms');
    if (has(150)) return failure('recipient-not-following');
    if (has(476)) return failure('sender-unverified');
    if (status === 403) return failure('forbidden');
    if (status === 404 || (status === 400 && reason && GONE_REASONS.has(reason))) return failure('not-found');
    if (status >= 500) return failure('unavailable');
    return failure('invalid-request');
}

/**
 * Why X refused a post. X's v2 answers these with a status and a sentence only (no code), so the sentence is
 * the only signal; matched as fragments of X's own wording, the v2 sentences first, then the v1.1 messages of
 * codes 433, 187, 186 and 385 (developer.x.com response codes), which some answers still carry:
 * - "Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the
 *   author of the post you are replying to." (403; captured in public bug reports, 2025–2026);
 * - "You are not allowed to create a Tweet with duplicate content." (403; akrherz/iembot#163, 2026-02);
 * - "You attempted to reply to a Tweet that is deleted or not visible to you." (403, v1.1 code 385 and v2);
 * - "Tweet needs to be a bit shorter." (403, code 186) or "… too long …".
 * The failure's kind is left as the status made it; only `refusal` is added.
 */
const POST_REFUSALS: readonly [RegExp, PostRefusal][] = [
    [/not been mentioned or otherwise engaged|restricted who can reply/i, 'reply-not-allowed'],
    [/duplicate content|status is a duplicate/i, 'duplicate-content'],
    [/deleted or not visible/i, 'post-unavailable'],
    [/needs to be a bit shorter|too long/i, 'too-long'],
];

export function withPostRefusal(failure: XFailure): XFailure {
    if (failure.refusal !== undefined || failure.detail === undefined) return failure;
    const refusal = POST_REFUSALS.find(([pattern]) => pattern.test(failure.detail ?? ''))?.[1];
    return refusal === undefined
        ? failure
        : new XFailure(failure.kind, failure.status, failure.retryAt, failure.detail, failure.reason, refusal);
}
