/**
 * What the DM parsers share: the collector of one delivery's events and ignore reasons, the item-level
 * skip, field readers that never throw on hostile input, and the message and media builders both DM
 * shapes (legacy and v2) end in.
 */
import type {
    ControlSignal,
    IgnoreReason,
    IgnoredItem,
    InboundEvent,
    InboundMedia,
    InboundMediaKind,
    InboundMessage,
    InboundPost,
    InboundUrl,
    MediaVariant,
    NormalizeResult,
    XUserProfile,
} from '../event-types';

export type JsonObject = Record<string, unknown>;
export type UserMap = Record<string, XUserProfile>;

const NUMERIC_ID = /^\d{1,20}$/;
const DETAIL_MAX_LENGTH = 160;
const TON_MEDIA_URL = /^https?:\/\/ton\.(?:twitter|x)\.com\/1\.1\/ton\/data\/dm\/(\d+)\/(\d+)\/([^/?#]+)/;
const DM_MEDIA_LINK = /^https?:\/\/(?:mobile\.)?(?:twitter|x)\.com\/messages\/media\/(\d+)/;
const TRAILING_TCO_LINK = /(?:^|\s)(https:\/\/t\.co\/[A-Za-z0-9]+)\s*$/;

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

/** A DM attachment's fields as either shape names them (v1.1 `video_info.*`, v2 top-level). */
interface MediaParts {
    dmEventId: string;
    kind: InboundMediaKind;
    /** v1.1 `variants` (`bitrate`) or v2 `variants` (`bit_rate`). */
    rawVariants: unknown;
    /** v1.1 `duration_millis` or v2 `duration_ms`. */
    rawDuration: unknown;
    /** The media's own URL fields, best first; the first playable variant's URL is the last resort. */
    rawUrls: unknown[];
    /** The ignore detail when no URL is found. */
    missingUrl: string;
    /** The media id, given the one a ton URL names (which rescues a rounded numeric id). */
    mediaId: (tonMediaId: string | undefined) => string;
    tcoUrl: string | undefined;
}

export function buildMedia(parts: MediaParts): InboundMedia {
    const variants = mediaVariants(parts.rawVariants);
    const durationMs = duration(parts.rawDuration);
    const url =
        parts.rawUrls.map((raw) => nonEmptyString(raw)).find((candidate) => candidate !== undefined) ??
        variants?.[0].url;
    if (url === undefined) {
        skip('media-unavailable', parts.missingUrl);
    }
    const ton = tonMediaPath(url);
    const mediaId = parts.mediaId(ton?.mediaId);
    return {
        mediaId,
        kind: parts.kind,
        url,
        ...(variants !== undefined ? { variants } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(parts.tcoUrl !== undefined ? { tcoUrl: parts.tcoUrl } : {}),
        dmEventId: parts.dmEventId,
        ...(ton !== undefined ? { resourceId: ton.resourceId } : {}),
    };
}

/**
 * The t.co link standing for this DM's media: the one expanding to the DM's media page, else a
 * trailing t.co link no URL entity explains (X appends the media link to the text).
 */
export function mediaLinkIn(text: string, urls: InboundUrl[], dmEventId: string): string | undefined {
    const byExpansion = urls.find((entry) => DM_MEDIA_LINK.exec(entry.expandedUrl)?.[1] === dmEventId);
    if (byExpansion !== undefined) {
        return byExpansion.url;
    }
    const trailing = TRAILING_TCO_LINK.exec(text)?.[1];
    return trailing !== undefined && !urls.some((entry) => entry.url === trailing) ? trailing : undefined;
}

export function mediaKind(value: unknown): InboundMediaKind | undefined {
    return value === 'photo' || value === 'animated_gif' || value === 'video' ? value : undefined;
}

/** Playable encodings from v1.1 `video_info.variants` (`bitrate`) or v2 `variants` (`bit_rate`). */
function mediaVariants(raw: unknown): MediaVariant[] | undefined {
    const variants: MediaVariant[] = [];
    for (const item of asArray(raw) ?? []) {
        const variant = asObject(item);
        const contentType = nonEmptyString(variant?.content_type);
        const url = nonEmptyString(variant?.url);
        if (variant === undefined || contentType === undefined || url === undefined) {
            continue;
        }
        const bitrate = variant.bitrate ?? variant.bit_rate;
        variants.push({
            contentType,
            url,
            ...(typeof bitrate === 'number' && Number.isFinite(bitrate) ? { bitrate } : {}),
        });
    }
    return variants.length > 0 ? variants : undefined;
}

/** A video's length (v1.1 `duration_millis`, v2 `duration_ms`), when it is a plausible number. */
function duration(value: unknown): number | undefined {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function tonMediaPath(url: string): { mediaId: string; resourceId: string } | undefined {
    const match = TON_MEDIA_URL.exec(url);
    return match === null ? undefined : { mediaId: match[2], resourceId: match[3] };
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
