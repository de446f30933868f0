/**
 * A generated trace of several days (starting at a UTC midnight, so it crosses UTC midnights) of customer
 * DMs to the business account, bursty like a support inbox: quiet nights, a morning ramp, steady daytime
 * traffic with bursts of 40 DMs a minute (an outage, a campaign), a calmer evening; days differ in volume.
 * Agents answer a share of the DMs a few minutes later (business-sent DMs are in the account's
 * /2/dm_events too), and the welcome DM greets every new conversation (the bench enables it). Seeded, so
 * every run sees the same DMs at the same times.
 */

export interface TraceDm {
    /** ms after the start of the trace */
    at: number;
    /** index into the customer pool */
    customer: number;
}

/** An agent's reply in the customer's room, once the DM it answers is there. */
export interface TraceReply {
    /** ms after the start of the trace (later if the DM it answers arrives later) */
    at: number;
    customer: number;
    /** index into `dms` of the DM it answers */
    dm: number;
}

export interface Trace {
    dms: TraceDm[];
    replies: TraceReply[];
    customers: number;
    days: number;
    durationMs: number;
    /** Minute-level description, for the report. */
    shape: { label: string; fromHour: number; toHour: number; perMinute: number }[];
    bursts: { atMinute: number; minutes: number; perMinute: number }[];
}

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
/** Volume of each day against the shape (a busier second day, a calmer third). */
const DAY_FACTORS = [1, 1.2, 0.8, 1, 0.9];
/** Share of DMs an agent answers with a DM of its own, and how long after (minutes). */
const REPLY_SHARE = 0.15;
const REPLY_DELAY_MINUTES = [1, 6];
/** Share of DMs that continue a recent conversation (the rest start one: a welcome DM each). */
const CONTINUE_SHARE = 0.8;

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
 * `scale` shrinks every rate (and the burst rate) for quick runs; 1 is the benchmark's trace. X's send
 * limits (15 per 15 minutes, 1,440 a day per account) hold the business's DMs back at peaks; the app's
 * outbox queues them, so they reach X (and its timeline) later.
 */
export function generateTrace(seed = 20261121, scale = 1, days = 3): Trace {
    const random = seededRandom(seed);
    const shape = [
        { label: 'night', fromHour: 0, toHour: 7, perMinute: 0.02 },
        { label: 'morning ramp', fromHour: 7, toHour: 9, perMinute: 0.4 },
        { label: 'day', fromHour: 9, toHour: 18, perMinute: 1.5 },
        { label: 'evening', fromHour: 18, toHour: 22, perMinute: 0.8 },
        { label: 'late', fromHour: 22, toHour: 24, perMinute: 0.1 },
    ];
    const burstRate = 40;
    // Bursts during the day and evening of each day: start minute and length (5–12 minutes).
    const bursts: Trace['bursts'] = [];
    for (let day = 0; day < days; day++)
        for (const hour of [9.5, 11, 12.5, 14, 15.5, 17, 20]) {
            if (day > 0 && random() < 0.3) continue;
            const atMinute = day * DAY_MINUTES + Math.round(hour * 60 + random() * 40);
            bursts.push({ atMinute, minutes: 5 + Math.floor(random() * 8), perMinute: burstRate * scale });
        }
    const rateAt = (minute: number) => {
        const burst = bursts.find((b) => minute >= b.atMinute && minute < b.atMinute + b.minutes);
        if (burst) return burst.perMinute;
        const day = Math.floor(minute / DAY_MINUTES);
        const hour = (minute % DAY_MINUTES) / 60;
        const base = shape.find((s) => hour >= s.fromHour && hour < s.toHour)?.perMinute ?? 0;
        return base * scale * DAY_FACTORS[day % DAY_FACTORS.length];
    };

    const dms: TraceDm[] = [];
    // Customers: most DMs continue a recent conversation (people write several messages), some start one.
    const recent: number[] = [];
    let customers = 0;
    for (let minute = 0; minute < days * DAY_MINUTES; minute++) {
        const count = poisson(random, rateAt(minute));
        const seconds = Array.from({ length: count }, () => Math.floor(random() * MINUTE)).sort((a, b) => a - b);
        for (const offset of seconds) {
            let customer: number;
            if (recent.length > 0 && random() < CONTINUE_SHARE) customer = recent[Math.floor(random() * recent.length)];
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
    const replies: TraceReply[] = [];
    dms.forEach((dm, i) => {
        if (random() >= REPLY_SHARE) return;
        const [min, max] = REPLY_DELAY_MINUTES;
        replies.push({ at: dm.at + Math.round((min + random() * (max - min)) * MINUTE), customer: dm.customer, dm: i });
    });
    replies.sort((a, b) => a.at - b.at);
    return {
        dms,
        replies,
        customers,
        days,
        durationMs: days * DAY_MINUTES * MINUTE,
        shape: shape.map((s) => ({ ...s, perMinute: s.perMinute * scale })),
        bursts,
    };
}

/** DMs per hour, for the report. */
export function hourlyCounts(trace: Trace): number[] {
    const hours = Array.from({ length: trace.days * 24 }, () => 0);
    for (const dm of trace.dms) hours[Math.floor(dm.at / (60 * MINUTE))]++;
    return hours;
}
