/**
 * DM events in the X API v2 shape, as a `GET /2/dm_events` page returns them: only 1:1 `MessageCreate`
 * events become messages.
 */
import type { InboundEvent, InboundMedia, InboundMessage, InboundUrl, NormalizeResult } from '../event-types';
import { buildMedia, MEDIA_KIND_BY_KEY_PREFIX, mediaKind, mediaLinkIn } from './media-kit';
import {
    asArray,
    asObject,
    attempt,
    buildMessage,
    Collector,
    compareNumericIds,
    isoMillis,
    JsonObject,
    nonEmptyString,
    requireId,
    skip,
    urlEntities,
    UserMap,
    userProfiles,
} from './parse-kit';

/** The page polled for `accountId`, oldest event first (X lists newest first). */
export function normalizeDmEventsPage(page: unknown, accountId: string): NormalizeResult {
    const collector = new Collector();
    const root = asObject(page);
    if (root === undefined) {
        return collector.ignore('not-an-object', 'dm_events page').result();
    }
    collector.ignoreApiErrors(root.errors);
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
    return buildMessage({ eventId, accountId, senderId, recipientId, createdAt, text, urls, users }, media, where);
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
    return buildMedia({
        dmEventId,
        kind,
        rawVariants: media.variants,
        rawDuration: media.duration_ms,
        rawUrls: [media.url, media.preview_image_url],
        missingUrl: `${where}: media ${keys[0]} has no URL`,
        mediaId: () => key[2],
        tcoUrl: mediaLinkIn(text, urls, dmEventId),
    });
}

function eventIdOf(event: InboundEvent): string {
    return event.kind === 'message' ? event.eventId : '';
}
