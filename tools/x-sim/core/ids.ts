import type { SimClock } from './clock';
import type { SeededRandom } from './random';

/** X's snowflake epoch (2010-11-04T01:42:54.657Z). */
const SNOWFLAKE_EPOCH_MS = 1288834974657n;
const MIN_NINETEEN_DIGITS = 10n ** 18n;

/**
 * Snowflake-like ids: 19-digit decimal strings that grow with simulated time and never repeat or
 * go backwards, like X's user, event, media and webhook ids.
 */
export class SnowflakeIds {
    private last = 0n;

    constructor(
        private readonly clock: SimClock,
        private readonly random: SeededRandom,
    ) {}

    next(): string {
        const elapsed = BigInt(Math.max(0, this.clock.now())) - SNOWFLAKE_EPOCH_MS;
        const worker = BigInt(this.random.int(1024));
        let candidate = ((elapsed > 0n ? elapsed : 0n) << 22n) | (worker << 12n);
        if (candidate < MIN_NINETEEN_DIGITS) candidate += MIN_NINETEEN_DIGITS;
        if (candidate <= this.last) candidate = this.last + 1n;
        this.last = candidate;
        return candidate.toString();
    }
}

/** X's event_uuid values are signed 64-bit integers printed in decimal (often negative). */
export function signedEventUuid(random: SeededRandom): string {
    const magnitude = random.digits(18 + random.int(2));
    return random.chance(0.5) ? `-${magnitude}` : magnitude;
}
