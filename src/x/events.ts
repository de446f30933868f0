/**
 * Normalizes XAA webhook envelopes, AAA webhook bodies and `/2/dm_events` pages into
 * `InboundEvent`s. Never throws on malformed input: whatever yields no event is listed in
 * `ignored` with the reason.
 */
import type {
    ControlSignal,
    IgnoreReason,
    IgnoredItem,
    InboundEvent,
    InboundMedia,
    InboundMediaKind,
    InboundMessage,
    InboundRead,
    InboundTyping,
    InboundUrl,
    MediaVariant,
    NormalizeResult,
    XUserProfile,
} from './event-types';

type JsonObject = Record<string, unknown>;
type UserMap = Record<string, XUserProfile>;

const XAA_DM_EVENT_TYPES = new Set(['dm.received', 'dm.sent', 'dm.read', 'dm.indicate_typing']);
/** XAA event families that exist but are not legacy DMs (chat.* is encrypted XChat). */
const XAA_OTHER_FAMILIES = [
    'post.',
    'like.',
    'follow.',
    'profile.',
    'chat.',
    'news.',
    'spaces.',
    'mute.',
    'block.',
    'oauth.',
];
const NUMERIC_ID = /^\d{1,20}$/;
const DETAIL_MAX_LENGTH = 160;
const TON_MEDIA_URL = /^https?:\/\/ton\.(?:twitter|x)\.com\/1\.1\/ton\/data\/dm\/(\d+)\/(\d+)\/([^/?#]+)/;
const DM_MEDIA_LINK = /^https?:\/\/(?:mobile\.)?(?:twitter|x)\.com\/messages\/media\/(\d+)/;
const TRAILING_TCO_LINK = /(?:^|\s)(https:\/\/t\.co\/[A-Za-z0-9]+)\s*$/;
/** v2 media keys start with the media type's number; used when `type` was not requested. */
const MEDIA_KIND_BY_KEY_PREFIX: Record<string, InboundMediaKind | undefined> = {
    '3': 'photo',
    '7': 'video',
    '16': 'animated_gif',
};

/** Any webhook POST body: XAA (`data.event_type`) or AAA (`for_user_id`, `user_event`, `replay_job_status`). */
export function normalizeWebhookBody(body: unknown): NormalizeResult {
    const root = asObject(body);
    if (root === undefined) {
        return new Collector().ignore('not-an-object', 'webhook body').result();
    }
    if (asObject(root.data)?.event_type !== undefined) {
        return normalizeXaa(root);
    }
    if ('for_user_id' in root || 'user_event' in root || 'replay_job_status' in root) {
        return normalizeAaa(root);
    }
    return new Collector().ignore('unknown-envelope', `keys: ${Object.keys(root).slice(0, 5).join(', ')}`).result();
}

/** An X Activity API envelope: `{data: {event_type, filter: {user_id}, payload}}`. */
export function normalizeXaa(body: unknown): NormalizeResult {
    const collector = new Collector();
    const root = asObject(body);
    const data = asObject(root?.data);
    const eventType = nonEmptyString(data?.event_type);
    if (data === undefined || eventType === undefined) {
        return collector
            .ignore(root === undefined ? 'not-an-object' : 'unknown-envelope', 'expected data.event_type')
            .result();
    }
    const payload = asObject(data.payload);
    if (eventType === 'oauth.revoke') {
        revocation(payload, 'user_id', payload, 'app_id', collector, payload?.date_time);
        return collector.result();
    }
    if (!XAA_DM_EVENT_TYPES.has(eventType)) {
        const known = XAA_OTHER_FAMILIES.some((family) => eventType.startsWith(family));
        const detail = eventType.startsWith('chat.') ? `${eventType} (encrypted XChat is not supported)` : eventType;
        return collector.ignore(known ? 'not-a-dm' : 'unknown-event-type', detail).result();
    }
    const account = readId(asObject(data.filter), 'user_id');
    if (!('id' in account)) {
        return collector.ignore(problemReason(account.problem), `${eventType}: data.filter.user_id`).result();
    }
    if (payload === undefined) {
        return collector.ignore('missing-field', `${eventType}: data.payload`).result();
    }
    if (!collectLegacyDmEvents(payload, account.id, collector)) {
        collector.ignore('missing-field', `${eventType}: payload has no direct_message_* events`);
    }
    return collector.result();
}

/** An Account Activity API body: DM, typing and read arrays keyed by `for_user_id`, or a control message. */
export function normalizeAaa(body: unknown): NormalizeResult {
    const collector = new Collector();
    const root = asObject(body);
    if (root === undefined) {
        return collector.ignore('not-an-object', 'AAA body').result();
    }
    if (root.replay_job_status !== undefined) {
        replayStatus(root.replay_job_status, collector);
        return collector.result();
    }
    if (root.user_event !== undefined) {
        const revoke = asObject(asObject(root.user_event)?.revoke);
        if (revoke === undefined) {
            return collector.ignore('not-a-dm', 'user_event without revoke').result();
        }
        revocation(asObject(revoke.source), 'user_id', asObject(revoke.target), 'app_id', collector, revoke.date_time);
        return collector.result();
    }
    const account = readId(root, 'for_user_id');
    if (!('id' in account)) {
        return collector.ignore(problemReason(account.problem), 'for_user_id').result();
    }
    const hadDmEvents = collectLegacyDmEvents(root, account.id, collector);
    const otherActivity = Object.keys(root).filter((key) => key.endsWith('_events') && !(key in LEGACY_DM_PARSERS));
    for (const key of otherActivity) {
        collector.ignore('not-a-dm', key);
    }
    if (!hadDmEvents && otherActivity.length === 0) {
        collector.ignore('unknown-event-type', 'no *_events array in the AAA body');
    }
    return collector.result();
}

/**
 * A `GET /2/dm_events` response page, polled for `accountId`. Events come back oldest first
 * (X lists newest first). Only 1:1 `MessageCreate` events become messages.
 */
export function normalizeDmEventsPage(page: unknown, accountId: string): NormalizeResult {
    const collector = new Collector();
    const root = asObject(page);
    if (root === undefined) {
        return collector.ignore('not-an-object', 'dm_events page').result();
    }
    for (const error of asArray(root.errors) ?? []) {
        const problem = asObject(error);
        collector.ignore(
            'api-error',
            nonEmptyString(problem?.detail) ?? nonEmptyString(problem?.title) ?? 'error without detail',
        );
    }
    if (root.data === undefined) {
        return collector.result();
    }
    const data = asArray(root.data);
    if (data === undefined) {
        return collector.ignore('missing-field', 'data is not an array').result();
    }
    const includes = asObject(root.includes);
    const users = userProfiles(includes?.users);
    const mediaByKey = new Map<string, JsonObject>();
    for (const item of asArray(includes?.media) ?? []) {
        const media = asObject(item);
        const key = nonEmptyString(media?.media_key);
        if (media !== undefined && key !== undefined) {
            mediaByKey.set(key, media);
        }
    }
    for (const item of data) {
        const message = attempt(collector, () => v2Message(item, accountId, users, mediaByKey, collector));
        if (message !== undefined) {
            collector.events.push(message);
        }
    }
    collector.events.sort((a, b) => a.createdAt - b.createdAt || compareNumericIds(eventIdOf(a), eventIdOf(b)));
    return collector.result();
}

// ---------------------------------------------------------------------------------------------
// Legacy (AAA / XAA) DM events

type LegacyParser = (raw: unknown, accountId: string, users: UserMap, collector: Collector) => InboundEvent;

const LEGACY_DM_PARSERS: Record<string, LegacyParser> = {
    direct_message_events: legacyMessage,
    direct_message_indicate_typing_events: legacyTyping,
    direct_message_mark_read_events: legacyRead,
};

/** Parses every legacy DM array in the container; false when it holds none. */
function collectLegacyDmEvents(container: JsonObject, accountId: string, collector: Collector): boolean {
    const users = userProfiles(container.users);
    let found = false;
    for (const [key, parse] of Object.entries(LEGACY_DM_PARSERS)) {
        if (container[key] === undefined) {
            continue;
        }
        found = true;
        const items = asArray(container[key]);
        if (items === undefined) {
            collector.ignore('missing-field', `${key} is not an array`);
            continue;
        }
        for (const item of items) {
            const event = attempt(collector, () => parse(item, accountId, users, collector));
            if (event !== undefined) {
                collector.events.push(event);
            }
        }
    }
    return found;
}

function legacyMessage(raw: unknown, accountId: string, users: UserMap, collector: Collector): InboundMessage {
    const event = asObject(raw) ?? skip('not-an-object', 'direct_message_events item');
    if (event.type !== undefined && event.type !== 'message_create') {
        skip('unknown-event-type', `direct_message_events type ${String(event.type)}`);
    }
    const eventId = requireId(event, 'id', 'direct message');
    const where = `direct message ${eventId}`;
    const create = asObject(event.message_create) ?? skip('missing-field', `${where}: message_create`);
    const senderId = requireId(create, 'sender_id', where);
    const recipientId = requireId(asObject(create.target), 'recipient_id', `${where}: target`);
    const createdAt = epochMillis(event.created_timestamp) ?? skip('missing-field', `${where}: created_timestamp`);
    const data = asObject(create.message_data) ?? skip('missing-field', `${where}: message_data`);
    const text = typeof data.text === 'string' ? data.text : '';
    const urls = urlEntities(asObject(data.entities)?.urls);
    // A media problem costs the attachment, not the message.
    const media = attempt(collector, () => legacyMedia(data.attachment, eventId, text, urls));
    if (text.trim() === '' && media === undefined) {
        skip('empty-message', where);
    }
    const sourceApp = readId(create, 'source_app_id');
    return {
        kind: 'message',
        eventId,
        accountId,
        senderId,
        recipientId,
        createdAt,
        text,
        urls,
        ...(media !== undefined ? { media } : {}),
        ...('id' in sourceApp ? { sourceAppId: sourceApp.id } : {}),
        users,
    };
}

function legacyTyping(raw: unknown, accountId: string, users: UserMap): InboundTyping {
    const event = asObject(raw) ?? skip('not-an-object', 'typing event');
    const senderId = requireId(event, 'sender_id', 'typing event');
    const recipientId = requireId(asObject(event.target), 'recipient_id', 'typing event target');
    const createdAt = epochMillis(event.created_timestamp) ?? skip('missing-field', 'typing event: created_timestamp');
    return { kind: 'typing', accountId, senderId, recipientId, createdAt, users };
}

function legacyRead(raw: unknown, accountId: string): InboundRead {
    const event = asObject(raw) ?? skip('not-an-object', 'read event');
    const senderId = requireId(event, 'sender_id', 'read event');
    const recipientId = requireId(asObject(event.target), 'recipient_id', 'read event target');
    const createdAt = epochMillis(event.created_timestamp) ?? skip('missing-field', 'read event: created_timestamp');
    const lastRead = readId(event, 'last_read_event_id');
    return {
        kind: 'read',
        accountId,
        senderId,
        recipientId,
        createdAt,
        ...('id' in lastRead ? { lastReadEventId: lastRead.id } : {}),
    };
}

/** The `message_data.attachment` of a legacy DM, or undefined when it has none. */
function legacyMedia(
    rawAttachment: unknown,
    dmEventId: string,
    text: string,
    urls: InboundUrl[],
): InboundMedia | undefined {
    if (rawAttachment === undefined) {
        return undefined;
    }
    const where = `direct message ${dmEventId}`;
    const attachment = asObject(rawAttachment) ?? skip('missing-field', `${where}: attachment is not an object`);
    if (attachment.type !== undefined && attachment.type !== 'media') {
        skip('unsupported-media', `${where}: attachment type ${String(attachment.type)}`);
    }
    const media = asObject(attachment.media) ?? skip('missing-field', `${where}: attachment.media`);
    const kind = mediaKind(media.type) ?? skip('unsupported-media', `${where}: media type ${String(media.type)}`);
    const variants = mediaVariants(asObject(media.video_info)?.variants);
    const durationMs = duration(asObject(media.video_info)?.duration_millis);
    const url = nonEmptyString(media.media_url_https) ?? nonEmptyString(media.media_url) ?? variants?.[0].url;
    if (url === undefined) {
        skip('media-unavailable', `${where}: media has no URL`);
    }
    const ton = tonMediaPath(url);
    const id = readId(media, 'id');
    // The ton URL names the media id too, which rescues a rounded numeric id.
    const mediaId = 'id' in id ? id.id : (ton?.mediaId ?? skip(problemReason(id.problem), `${where}: media id`));
    const tcoUrl = nonEmptyString(media.url) ?? mediaLinkIn(text, urls, dmEventId);
    return {
        mediaId,
        kind,
        url,
        ...(variants !== undefined ? { variants } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(tcoUrl !== undefined ? { tcoUrl } : {}),
        dmEventId,
        ...(ton !== undefined ? { resourceId: ton.resourceId } : {}),
    };
}

// ---------------------------------------------------------------------------------------------
// v2 dm_events

function v2Message(
    raw: unknown,
    accountId: string,
    users: UserMap,
    mediaByKey: Map<string, JsonObject>,
    collector: Collector,
): InboundMessage {
    const event = asObject(raw) ?? skip('not-an-object', 'dm_events item');
    const eventId = requireId(event, 'id', 'dm event');
    const where = `dm event ${eventId}`;
    if (event.event_type === 'ParticipantsJoin' || event.event_type === 'ParticipantsLeave') {
        skip('participants-change', `${where}: ${event.event_type}`);
    }
    if (event.event_type !== 'MessageCreate') {
        skip('unknown-event-type', `${where}: ${String(event.event_type)}`);
    }
    const senderId = requireId(event, 'sender_id', where);
    const recipientId = oneToOneRecipient(event.dm_conversation_id, senderId, where);
    const createdAt = isoMillis(event.created_at) ?? skip('missing-field', `${where}: created_at`);
    const text = typeof event.text === 'string' ? event.text : '';
    const urls = urlEntities(asObject(event.entities)?.urls);
    const media = attempt(collector, () =>
        v2Media(asObject(event.attachments)?.media_keys, mediaByKey, eventId, text, urls, collector),
    );
    if (text.trim() === '' && media === undefined) {
        skip('empty-message', where);
    }
    return {
        kind: 'message',
        eventId,
        accountId,
        senderId,
        recipientId,
        createdAt,
        text,
        urls,
        ...(media !== undefined ? { media } : {}),
        users,
    };
}

/** The other participant of a 1:1 conversation id `{smallerId}-{largerId}`. */
function oneToOneRecipient(rawConversationId: unknown, senderId: string, where: string): string {
    const conversationId = nonEmptyString(rawConversationId) ?? skip('missing-field', `${where}: dm_conversation_id`);
    const pair = /^(\d+)-(\d+)$/.exec(conversationId);
    if (pair === null) {
        return skip('group-conversation', `${where}: conversation ${conversationId}`);
    }
    if (pair[1] === senderId) {
        return pair[2];
    }
    if (pair[2] === senderId) {
        return pair[1];
    }
    return skip('missing-field', `${where}: sender ${senderId} is not in conversation ${conversationId}`);
}

function v2Media(
    rawKeys: unknown,
    mediaByKey: Map<string, JsonObject>,
    dmEventId: string,
    text: string,
    urls: InboundUrl[],
    collector: Collector,
): InboundMedia | undefined {
    const keys = (asArray(rawKeys) ?? []).filter((key): key is string => typeof key === 'string');
    if (keys.length === 0) {
        return undefined;
    }
    const where = `dm event ${dmEventId}`;
    if (keys.length > 1) {
        collector.ignore('unsupported-media', `${where}: only the first of ${keys.length} attachments is used`);
    }
    const key = /^(\d+)_(\d+)$/.exec(keys[0]) ?? skip('missing-field', `${where}: media key ${keys[0]}`);
    const media = mediaByKey.get(keys[0]) ?? skip('media-unavailable', `${where}: ${keys[0]} is not in includes.media`);
    const kind =
        (media.type === undefined ? MEDIA_KIND_BY_KEY_PREFIX[key[1]] : mediaKind(media.type)) ??
        skip('unsupported-media', `${where}: media type ${String(media.type)}`);
    const variants = mediaVariants(media.variants);
    const durationMs = duration(media.duration_ms);
    const url = nonEmptyString(media.url) ?? nonEmptyString(media.preview_image_url) ?? variants?.[0].url;
    if (url === undefined) {
        skip('media-unavailable', `${where}: media ${keys[0]} has no URL`);
    }
    const ton = tonMediaPath(url);
    const tcoUrl = mediaLinkIn(text, urls, dmEventId);
    return {
        mediaId: key[2],
        kind,
        url,
        ...(variants !== undefined ? { variants } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(tcoUrl !== undefined ? { tcoUrl } : {}),
        dmEventId,
        ...(ton !== undefined ? { resourceId: ton.resourceId } : {}),
    };
}

// ---------------------------------------------------------------------------------------------
// Control messages

function replayStatus(raw: unknown, collector: Collector): void {
    const status = asObject(raw);
    const jobState = nonEmptyString(status?.job_state);
    if (status === undefined || jobState === undefined) {
        collector.ignore('missing-field', 'replay_job_status.job_state');
        return;
    }
    const webhook = readId(status, 'webhook_id');
    const job = readId(status, 'job_id');
    collector.control = {
        kind: 'replay-status',
        jobState,
        ...('id' in webhook ? { webhookId: webhook.id } : {}),
        ...('id' in job ? { jobId: job.id } : {}),
    };
}

function revocation(
    userHolder: JsonObject | undefined,
    userKey: string,
    appHolder: JsonObject | undefined,
    appKey: string,
    collector: Collector,
    dateTime: unknown,
): void {
    const user = readId(userHolder, userKey);
    if (!('id' in user)) {
        collector.ignore(problemReason(user.problem), `revoke: ${userKey}`);
        return;
    }
    const app = readId(appHolder, appKey);
    const at = isoMillis(dateTime);
    collector.control = {
        kind: 'revoke',
        userId: user.id,
        ...('id' in app ? { appId: app.id } : {}),
        ...(at !== undefined ? { at } : {}),
    };
}

// ---------------------------------------------------------------------------------------------
// Shared field readers

/** Gathers one delivery's events, ignore reasons and control signal. */
class Collector {
    readonly events: InboundEvent[] = [];
    readonly ignored: IgnoredItem[] = [];
    control?: ControlSignal;

    ignore(reason: IgnoreReason, detail?: string): this {
        this.ignored.push(detail === undefined ? { reason } : { reason, detail: clip(detail) });
        return this;
    }

    result(): NormalizeResult {
        const result: NormalizeResult = { events: this.events, ignored: this.ignored };
        if (this.control !== undefined) {
            result.control = this.control;
        }
        return result;
    }
}

/** Thrown by `skip` to abandon one item; caught by `attempt`, never by callers of this module. */
class SkippedItem {
    constructor(readonly item: IgnoredItem) {}
}

function skip(reason: IgnoreReason, detail: string): never {
    throw new SkippedItem({ reason, detail: clip(detail) });
}

/** Details quote the delivery (types, keys), which may be hostile; keep them log-sized. */
function clip(detail: string): string {
    return detail.length <= DETAIL_MAX_LENGTH ? detail : `${detail.slice(0, DETAIL_MAX_LENGTH - 1)}…`;
}

/** Runs one item's parser; a skipped item is recorded and yields undefined. */
function attempt<T>(collector: Collector, parse: () => T): T | undefined {
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
function readId(holder: JsonObject | undefined, key: string): IdRead {
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

function requireId(holder: JsonObject | undefined, key: string, where: string): string {
    const read = readId(holder, key);
    if ('id' in read) {
        return read.id;
    }
    return skip(
        problemReason(read.problem),
        `${where}: ${key}${read.problem === 'malformed' ? ' is not a numeric id' : ''}`,
    );
}

function problemReason(problem: 'missing' | 'malformed' | 'precision-lost'): IgnoreReason {
    return problem === 'precision-lost' ? 'precision-lost' : 'missing-field';
}

/** Profiles from an AAA `users` map, an XAA map of `{data: user}`, or a v2 `includes.users` list. */
function userProfiles(raw: unknown): UserMap {
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

function urlEntities(raw: unknown): InboundUrl[] {
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

/**
 * The t.co link standing for this DM's media: the one expanding to the DM's media page, else a
 * trailing t.co link no URL entity explains (X appends the media link to the text).
 */
function mediaLinkIn(text: string, urls: InboundUrl[], dmEventId: string): string | undefined {
    const byExpansion = urls.find((entry) => DM_MEDIA_LINK.exec(entry.expandedUrl)?.[1] === dmEventId);
    if (byExpansion !== undefined) {
        return byExpansion.url;
    }
    const trailing = TRAILING_TCO_LINK.exec(text)?.[1];
    return trailing !== undefined && !urls.some((entry) => entry.url === trailing) ? trailing : undefined;
}

function mediaKind(value: unknown): InboundMediaKind | undefined {
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
function epochMillis(value: unknown): number | undefined {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
        return value;
    }
    if (typeof value === 'string' && /^\d{1,15}$/.test(value)) {
        return Number(value);
    }
    return undefined;
}

/** Milliseconds from a v2 ISO-8601 `created_at`. */
function isoMillis(value: unknown): number | undefined {
    const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isFinite(parsed) ? parsed : undefined;
}

function eventIdOf(event: InboundEvent): string {
    return event.kind === 'message' ? event.eventId : '';
}

function compareNumericIds(a: string, b: string): number {
    return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function asObject(value: unknown): JsonObject | undefined {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function asArray(value: unknown): unknown[] | undefined {
    return Array.isArray(value) ? value : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
    return typeof value === 'string' && value !== '' ? value : undefined;
}
