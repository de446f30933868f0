/** The UTC calendar day of a timestamp, as X's billing day and the ledger's key. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
