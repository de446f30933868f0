/**
 * A generated 24-hour trace of customer DMs to the business account, bursty like a support inbox: quiet
 * nights, a morning ramp, steady daytime traffic with bursts of 50 DMs a minute (an outage, a campaign),
 * a calmer evening. Seeded, so every run (and the naive strategy) sees the same DMs at the same times.
 */

export interface TraceDm {
    /** ms after the start of the trace */
    at: number;
    /** index into the customer pool */
    customer: number;
}

export interface Trace {
    dms: TraceDm[];
    customers: number;
    durationMs: number;
    /** Minute-level description, for the report. */
    shape: { label: string; fromHour: number; toHour: number; perMinute: number }[];
    bursts: { atMinute: number; minutes: number; perMinute: number }[];
}

const MINUTE = 60_000;

/** Mulberry32: small, fast, good enough for traffic shapes. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function poisson(random: () => number, mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = random(); p > limit; p *= random()) k++;
    return k;
}

function gaussian(random: () => number): number {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * `scale` shrinks every rate (and the burst rate) for quick runs; 1 is the benchmark's trace.
 */
export function generateTrace(seed = 20261121, scale = 1): Trace {
    const random = seededRandom(seed);
    const shape = [
        { label: 'night', fromHour: 0, toHour: 7, perMinute: 0.02 },
        { label: 'morning ramp', fromHour: 7, toHour: 9, perMinute: 0.5 },
        { label: 'day', fromHour: 9, toHour: 18, perMinute: 2 },
        { label: 'evening', fromHour: 18, toHour: 22, perMinute: 1 },
        { label: 'late', fromHour: 22, toHour: 24, perMinute: 0.1 },
    ];
    const burstRate = 50;
    // Bursts during the day and evening: start minute and length (5–12 minutes).
    const bursts: Trace['bursts'] = [];
    for (const hour of [9.5, 11, 12.5, 14, 15.5, 17, 20]) {
        const atMinute = Math.round(hour * 60 + random() * 40);
        bursts.push({ atMinute, minutes: 5 + Math.floor(random() * 8), perMinute: burstRate * scale });
    }
    const rateAt = (minute: number) => {
        const burst = bursts.find((b) => minute >= b.atMinute && minute < b.atMinute + b.minutes);
        if (burst) return burst.perMinute;
        const hour = minute / 60;
        return (shape.find((s) => hour >= s.fromHour && hour < s.toHour)?.perMinute ?? 0) * scale;
    };

    const dms: TraceDm[] = [];
    // Customers: most DMs continue a recent conversation (people write several messages), some start one.
    const recent: number[] = [];
    let customers = 0;
    for (let minute = 0; minute < 24 * 60; minute++) {
        const count = poisson(random, rateAt(minute));
        const seconds = Array.from({ length: count }, () => Math.floor(random() * MINUTE)).sort((a, b) => a - b);
        for (const offset of seconds) {
            let customer: number;
            if (recent.length > 0 && random() < 0.65) customer = recent[Math.floor(random() * recent.length)];
            else {
                customer = customers++;
                recent.push(customer);
                if (recent.length > 40) recent.shift();
            }
            dms.push({ at: minute * MINUTE + offset, customer });
        }
    }
    // Two DMs never share a millisecond (X orders by event id; the trace by time).
    for (let i = 1; i < dms.length; i++) if (dms[i].at <= dms[i - 1].at) dms[i].at = dms[i - 1].at + 1;
    return {
        dms,
        customers,
        durationMs: 24 * 60 * MINUTE,
        shape: shape.map((s) => ({ ...s, perMinute: s.perMinute * scale })),
        bursts,
    };
}

/** DMs per hour, for the report. */
export function hourlyCounts(trace: Trace): number[] {
    const hours = Array.from({ length: 24 }, () => 0);
    for (const dm of trace.dms) hours[Math.floor(dm.at / (60 * MINUTE))]++;
    return hours;
}
