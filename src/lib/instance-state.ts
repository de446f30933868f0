/**
 * Everything one app instance (one Deno process) keeps in memory, listed in one place. Persistence and the
 * server's settings are the truth; what is here is a copy of them that saves a round trip, or what this
 * process alone knows. Several Rocket.Chat instances each have their own, so nothing here may be needed for
 * correctness beyond saving calls (the modules that own each entry say how they stay correct).
 *
 * Entries marked "account" are kept per linked account (keyed by its accountId, so bounded by the registry);
 * "app" entries belong to the X developer app, shared by every account.
 */

/** A copy of a value read at some time, used while younger than a TTL. */
export class InstanceCopy<T> {
    private entry?: { value: T; at: number };

    constructor(private readonly ttlMs: number) {}

    /** The copy if it was read within the TTL before `now` and not before `notBefore`. */
    public get(now: number, notBefore = -Infinity): T | undefined {
        const entry = this.entry;
        if (!entry || now - entry.at >= this.ttlMs || entry.at < notBefore) return undefined;
        return entry.value;
    }

    public keep(value: T, now: number): T {
        this.entry = { value, at: now };
        return value;
    }

    public forget(): void {
        this.entry = undefined;
    }
}

/** Copies of several values of one kind (server settings by id, departments by name), each with the TTL. */
export class InstanceCopies<T> {
    private readonly copies = new Map<string, InstanceCopy<T>>();

    constructor(private readonly ttlMs: number) {}

    public of(key: string): InstanceCopy<T> {
        let copy = this.copies.get(key);
        if (!copy) this.copies.set(key, (copy = new InstanceCopy<T>(this.ttlMs)));
        return copy;
    }
}

/**
 * The entries, by owner. Each owner module holds its typed entry (this layer cannot name the types) and is
 * its only reader and writer:
 * - settings/reader.ts: the app's settings (10 minutes; onSettingUpdated forgets it on every instance);
 * - storage/account-cache.ts: the registry of linked accounts (one copy for all; 30 s; linking, unlinking, a
 *   department change and a broken link forget it);
 * - jobs/processor.ts: whether this process already upgraded a single-account install to the registry;
 * - storage/app-secrets.ts: the install-time secrets (never change once written);
 * - x/credentials.ts: each account's OAuth 2.0 tokens (account) and app bearer tokens (app);
 * - x/limits.ts: X's rate-limit windows as X last reported them (account; app-only calls: app);
 * - admin/credits.ts: until when X refuses calls for lack of credits (app);
 * - bridge/outbound-state.ts: lanes and waiting conversations (by conversation, whose key names the account),
 *   recently closed rooms, wake-ups asked for (account);
 * - bridge/outbox-drain.ts, bridge/outbound.ts: which accounts' drains run here, and were asked for another pass (account);
 * - bridge/webhook-events.ts: when an event was last noted (account);
 * - bridge/inbound-post.ts: events this instance posted lately;
 * - lib/server-settings.ts, settings/server-files.ts: Rocket.Chat settings the app obeys (1 and 5 minutes);
 * - bridge/conversation-opener.ts: the configured department's id (1 minute);
 * - bridge/agent-started.ts: X's answers for handles `/twitter dm` looked up (5 minutes: a repeat pays no lookup);
 * - bridge/blocked.ts: the ids the *Blocked X users* handles resolved to (as long as the settings copy);
 * - bridge/contact-identity.ts: visitor custom fields Rocket.Chat lacks, noted per process (asked again after 10 minutes);
 * - bridge/room-poster.ts: the app's own user;
 */
