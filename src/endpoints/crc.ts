/**
 * Which CRC challenges the webhook answers. The answer is an HMAC of the token under the key deliveries
 * are signed with, so answering any text would sign any delivery body for whoever knows the URL. X's
 * tokens are base64 text: every captured request carries the base64 of a UUID, 48 characters with no
 * padding (`crc_token=OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi&nonce=MTQ4Nzk3OTc0NDI1MA`
 * in a 2017 test vector, `crc_token=M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0&nonce=…` in a
 * 2026 server log; X's docs only say "challenge_string"). So only bounded base64 / base64url text is
 * answered: it can never be a delivery, which is a JSON object starting with `{`. Answers are also
 * rate-limited per instance: X checks at registration, on re-validation and hourly.
 */
import { IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { MINUTE } from '../lib/time';
import { ThrottledLog, TokenBucket } from '../lib/throttle';
import { jsonError } from '../lib/api-responses';

/** Base64 or base64url, 16 to 128 symbols, padding allowed: X's 48-character tokens with room to change. */
export const CRC_TOKEN_FORM = /^[A-Za-z0-9+/_-]{16,128}={0,2}$/;
/** Answers per instance: a burst of 20, then one every 3 seconds. */
export const CRC_BURST = 20;
export const CRC_REFILL_MS = 3_000;

const answers = new TokenBucket(CRC_BURST, CRC_REFILL_MS);
const refusals = new ThrottledLog(MINUTE);

export type CrcDecision = { ok: true; token: string } | { ok: false; response: IApiResponse; logLine: string };

/** Whether to answer this `crc_token`; a refusal comes with the answer to send and the line to log. */
export function decideCrc(token: unknown, now: number): CrcDecision {
    if (typeof token !== 'string' || token === '') {
        return {
            ok: false,
            response: jsonError(400, 'missing_crc_token', 'The crc_token query parameter is required.'),
            logLine: 'CRC request without crc_token refused.',
        };
    }
    if (!CRC_TOKEN_FORM.test(token)) {
        return {
            ok: false,
            response: jsonError(
                400,
                'invalid_crc_token',
                'The crc_token must be 16 to 128 base64 characters, as X sends it.',
            ),
            logLine: `CRC request refused: the crc_token (${token.length} characters) is not base64 text as X sends it.`,
        };
    }
    if (!answers.take(now)) {
        const response = jsonError(
            429,
            'crc_rate_limited',
            'Too many CRC requests; X checks at most a few times an hour.',
        );
        response.headers = { ...response.headers, 'retry-after': String(answers.secondsUntilNext(now)) };
        return {
            ok: false,
            response,
            logLine: `CRC request refused: more than ${CRC_BURST} in a row on this instance.`,
        };
    }
    return { ok: true, token };
}

/** Logs a refusal at most once a minute per instance (an attacker must not flood the log). */
export function logCrcRefusal(logger: Parameters<ThrottledLog['warn']>[0], now: number, line: string): void {
    refusals.warn(logger, now, line);
}
