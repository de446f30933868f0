/**
 * What the parsers share: the collector of one delivery's events, posts and ignore reasons, the item-level
 * skip, field readers that never throw on hostile input, and the message builder both DM shapes (legacy and
 * v2) end in (their media builder is in media-kit.ts).
 */
import type {
    ControlSignal,
    IgnoreReason,
    IgnoredItem,
    InboundEvent,
    InboundMedia,
    InboundMessage,
    InboundPost,
    InboundUrl,
    NormalizeResult,
    XUserProfile,
} from '../event-types';

export type JsonObject = Record<string, unknown>;
export type UserMap = Record<string, XUserProfile>;

const NUMERIC_ID = /^\d{1,20}$/;
const DETAIL_MAX_LENGTH = 160;

/** Gathers one delivery's events, ignore reasons and control signal. */
export class Collector {
    readonly events: InboundEvent[] = [];
    readonly ignored: IgnoredItem[] = [];
    readonly posts: InboundPost[] = [];
    control?: ControlSignal;

    ignore(reason: IgnoreReason, detail?: string): this {
        this.ignored.push(detail === undefined ? { reason } : { reason, detail: clip(detail) });
        return this;
    }

    /** A page's `errors` (X answers partial pages with them): each noted, none fatal. */
    ignoreApiErrors(errors: unknown): this {
        for (const error of asArray(errors) ?? []) {
            const problem = asObject(error);
            this.ignore(
                'api-error',
                nonEmptyString(problem?.detail) ?? nonEmptyString(problem?.title) ?? 'error without detail',
            );
        }
        return this;
    }

    result(): NormalizeResult {
        const result: NormalizeResult = { events: this.events, ignored: this.ignored };
        if (this.posts.length > 0) {
            result.posts = this.posts;
        }
        if (this.control !== undefined) {
            result.control = this.control;
        }
        return result;
    }
}

/** Thrown by `skip` to abandon one item; caught by `attempt`, never by callers of the parsers. */
class SkippedItem {
    constructor(readonly item: IgnoredItem) {}
}

export function skip(reason: IgnoreReason, detail: string): never {
    throw new SkippedItem({ reason, detail: clip(detail) });
}

/** Details quote the delivery (types, keys), which may be hostile; keep them log-sized. */
function clip(detail: string): string {
    return detail.length <= DETAIL_MAX_LENGTH ? detail : `${detail.slice(0, DETAIL_MAX_LENGTH - 1)}…`;
}

/** Runs one item's parser; a skipped item is recorded and yields undefined. */
export function attempt<T>(collector: Collector, parse: () => T): T | undefined {
    try {
        return parse();
    } catch (error) {
        if (error instanceof SkippedItem) {
            collector.ignored.push(error.item);
            return undefined;
        }
        throw error;
    }
}

type IdRead = { id: string } | { problem: 'missing' | 'malformed' | 'precision-lost' };

/**
 * An id as a decimal string: `<key>_str`, else a string `<key>`, else a number that is still exact.
 * A number above 2^53 has already been rounded by JSON.parse, so it is reported, not used.
 */
export function readId(holder: JsonObject | undefined, key: string): IdRead {
    if (holder === undefined) {
        return { problem: 'missing' };
    }
    for (const candidate of [holder[`${key}_str`], holder[key]]) {
        if (typeof candidate === 'string' && candidate !== '') {
            return NUMERIC_ID.test(candidate) ? { id: candidate } : { problem: 'malformed' };
        }
    }
    const value = holder[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
        return Number.isSafeInteger(value) ? { id: String(value) } : { problem: 'precision-lost' };
    }
    return { problem: value === undefined || value === null ? 'missing' : 'malformed' };
}

export function requireId(holder: JsonObject | undefined, key: string, where: string): string {
    const read = readId(holder, key);
    if ('id' in read) {
        return read.id;
    }
    return skip(
        problemReason(read.problem),
        `${where}: ${key}${read.problem === 'malformed' ? ' is not a numeric id' : ''}`,
    );
}

export function problemReason(problem: 'missing' | 'malformed' | 'precision-lost'): IgnoreReason {
    return problem === 'precision-lost' ? 'precision-lost' : 'missing-field';
}

/** Profiles from an AAA `users` map, an XAA map of `{data: user}`, or a v2 `includes.users` list. */
export function userProfiles(raw: unknown): UserMap {
    // No prototype: user ids are keys, and a hostile "__proto__" must stay an ordinary key.
    const profiles: UserMap = Object.create(null);
    const add = (value: unknown, mapKey?: string): void => {
        const wrapper = asObject(value);
        const user = asObject(wrapper?.data) ?? wrapper;
        if (user === undefined) {
            return;
        }
        const read = readId(user, 'id');
        const id = 'id' in read ? read.id : mapKey !== undefined && NUMERIC_ID.test(mapKey) ? mapKey : undefined;
        if (id === undefined) {
            return;
        }
        const username = nonEmptyString(user.username) ?? nonEmptyString(user.screen_name);
        const name = nonEmptyString(user.name);
        const profileImageUrl = nonEmptyString(user.profile_image_url_https) ?? nonEmptyString(user.profile_image_url);
        profiles[id] = {
            id,
            ...(username !== undefined ? { username } : {}),
            ...(name !== undefined ? { name } : {}),
            ...(profileImageUrl !== undefined ? { profileImageUrl } : {}),
        };
    };
    const list = asArray(raw);
    if (list !== undefined) {
        list.forEach((value) => add(value));
    } else {
        for (const [key, value] of Object.entries(asObject(raw) ?? {})) {
            add(value, key);
        }
    }
    return profiles;
}

export function urlEntities(raw: unknown): InboundUrl[] {
    const urls: InboundUrl[] = [];
    for (const item of asArray(raw) ?? []) {
        const entity = asObject(item);
        const url = nonEmptyString(entity?.url);
        if (entity === undefined || url === undefined) {
            continue;
        }
        const displayUrl = nonEmptyString(entity.display_url);
        urls.push({
            url,
            expandedUrl: nonEmptyString(entity.expanded_url) ?? url,
            ...(displayUrl !== undefined ? { displayUrl } : {}),
        });
    }
    return urls;
}

/** What a DM says in either shape, read and checked; `sourceAppId` only webhook deliveries carry. */
type MessageFields = Omit<InboundMessage, 'kind' | 'media'>;

/** A DM with its media; one with neither text nor media is skipped. */
export function buildMessage(fields: MessageFields, media: InboundMedia | undefined, where: string): InboundMessage {
    if (fields.text.trim() === '' && media === undefined) {
        skip('empty-message', where);
    }
    const { sourceAppId, users, ...rest } = fields;
    return {
        kind: 'message',
        ...rest,
        ...(media !== undefined ? { media } : {}),
        ...(sourceAppId !== undefined ? { sourceAppId } : {}),
        users,
    };
}

/** Orders decimal ids as numbers (X's ids grow with time), without converting them. */
export function compareNumericIds(a: string, b: string): number {
    return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Milliseconds from a legacy `created_timestamp` (a decimal string, sometimes a number). */
export function epochMillis(value: unknown): number | undefined {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
        return value;
    }
    if (typeof value === 'string' && /^\d{1,15}$/.test(value)) {
        return Number(value);
    }
    return undefined;
}

/** Milliseconds from a v2 ISO-8601 `created_at`. */
export function isoMillis(value: unknown): number | undefined {
    const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isFinite(parsed) ? parsed : undefined;
}

export function asObject(value: unknown): JsonObject | undefined {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function asArray(value: unknown): unknown[] | undefined {
    return Array.isArray(value) ? value : undefined;
}

export function nonEmptyString(value: unknown): string | undefined {
    return typeof value === 'string' && value !== '' ? value : undefined;
}
