/**
 * Per-instance limits on work and noise that anyone who knows the webhook URL could cause: a token
 * bucket for answers, and a log line at most once per interval (with how many were held back).
 * Memory only: each Rocket.Chat instance limits itself, which is what bounds its own CPU and log.
 */
import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';

export class TokenBucket {
    private tokens: number;
    private refilledAt: number | undefined;

    /** `capacity` at once, then one more every `refillMs`. */
    constructor(
        private readonly capacity: number,
        private readonly refillMs: number,
    ) {
        this.tokens = capacity;
    }

    /** Takes one token if there is one; the caller refuses the work otherwise. */
    public take(now: number): boolean {
        if (this.refilledAt === undefined) this.refilledAt = now;
        const earned = Math.floor((now - this.refilledAt) / this.refillMs);
        if (earned > 0) {
            this.tokens = Math.min(this.capacity, this.tokens + earned);
            this.refilledAt = this.tokens === this.capacity ? now : this.refilledAt + earned * this.refillMs;
        }
        if (this.tokens === 0) return false;
        this.tokens--;
        return true;
    }

    /** Seconds until the next token, for a Retry-After header. */
    public secondsUntilNext(now: number): number {
        if (this.tokens > 0 || this.refilledAt === undefined) return 0;
        return Math.max(1, Math.ceil((this.refilledAt + this.refillMs - now) / 1000));
    }
}

export class ThrottledLog {
    private loggedAt: number | undefined;
    private heldBack = 0;

    constructor(private readonly intervalMs: number) {}

    /** Logs `message` unless one was logged less than an interval ago; then says how many were held back. */
    public warn(logger: ILogger, now: number, message: string): void {
        if (this.loggedAt !== undefined && now - this.loggedAt < this.intervalMs) {
            this.heldBack++;
            return;
        }
        const suffix = this.heldBack > 0 ? ` (${this.heldBack} more like it since the last such message)` : '';
        this.loggedAt = now;
        this.heldBack = 0;
        logger.warn(message + suffix);
    }
}
