/** Date formats X uses on the wire. */

/** `2026-01-15T12:00:00.000Z` (v2 `created_at`). */
export function isoTimestamp(ms: number): string {
    return new Date(ms).toISOString();
}

/** Parses the webhook replay `yyyymmddhhmm` (UTC) format; undefined when malformed. */
export function parseReplayDate(value: unknown): number | undefined {
    if (typeof value !== 'string' || !/^\d{12}$/.test(value)) return undefined;
    const [y, mo, d, h, mi] = [
        value.slice(0, 4),
        value.slice(4, 6),
        value.slice(6, 8),
        value.slice(8, 10),
        value.slice(10, 12),
    ].map(Number);
    const ms = Date.UTC(y, mo - 1, d, h, mi);
    const roundTrip = new Date(ms);
    if (roundTrip.getUTCMonth() !== mo - 1 || roundTrip.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
    return ms;
}

/** Formats a time as `yyyymmddhhmm` (UTC), the replay API's input format. */
export function formatReplayDate(ms: number): string {
    return new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 12);
}

/** Epoch seconds, as used by `x-rate-limit-reset`. */
export function epochSeconds(ms: number): number {
    return Math.ceil(ms / 1000);
}
