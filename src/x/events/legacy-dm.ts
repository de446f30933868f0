/**
 * Legacy DM events, as the Account Activity API delivers them and the X Activity API wraps them:
 * `direct_message_events`, `direct_message_indicate_typing_events`, `direct_message_mark_read_events`.
 */
import type {
    InboundEvent,
    InboundMedia,
    InboundMessage,
    InboundRead,
    InboundTyping,
    InboundUrl,
} from '../event-types';
import { buildMedia, mediaKind, mediaLinkIn } from './media-kit';
import {
    asArray,
    asObject,
    attempt,
    buildMessage,
    Collector,
    epochMillis,
    JsonObject,
    nonEmptyString,
    problemReason,
    readId,
    requireId,
    skip,
    urlEntities,
    UserMap,
    userProfiles,
} from './parse-kit';

type LegacyParser = (raw: unknown, accountId: string, users: UserMap, collector: Collector) => InboundEvent;

const LEGACY_DM_PARSERS: Record<string, LegacyParser> = {
    direct_message_events: legacyMessage,
    direct_message_indicate_typing_events: legacyTyping,
    direct_message_mark_read_events: legacyRead,
};

/** Whether a container key holds legacy DM events (other `*_events` arrays are other activity). */
export function isLegacyDmKey(key: string): boolean {
    return key in LEGACY_DM_PARSERS;
}

/** Parses every legacy DM array in the container; false when it holds none. */
export function collectLegacyDmEvents(container: JsonObject, accountId: string, collector: Collector): boolean {
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
    const sourceApp = readId(create, 'source_app_id');
    const sourceAppId = 'id' in sourceApp ? sourceApp.id : undefined;
    return buildMessage(
        { eventId, accountId, senderId, recipientId, createdAt, text, urls, sourceAppId, users },
        media,
        where,
    );
}

/** Who and when, as typing and read events both carry it. */
function participants(
    raw: unknown,
    what: string,
): { event: JsonObject; senderId: string; recipientId: string; createdAt: number } {
    const event = asObject(raw) ?? skip('not-an-object', what);
    const senderId = requireId(event, 'sender_id', what);
    const recipientId = requireId(asObject(event.target), 'recipient_id', `${what} target`);
    const createdAt = epochMillis(event.created_timestamp) ?? skip('missing-field', `${what}: created_timestamp`);
    return { event, senderId, recipientId, createdAt };
}

function legacyTyping(raw: unknown, accountId: string, users: UserMap): InboundTyping {
    const { senderId, recipientId, createdAt } = participants(raw, 'typing event');
    return { kind: 'typing', accountId, senderId, recipientId, createdAt, users };
}

function legacyRead(raw: unknown, accountId: string): InboundRead {
    const { event, senderId, recipientId, createdAt } = participants(raw, 'read event');
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
    const videoInfo = asObject(media.video_info);
    return buildMedia({
        dmEventId,
        kind,
        rawVariants: videoInfo?.variants,
        rawDuration: videoInfo?.duration_millis,
        rawUrls: [media.media_url_https, media.media_url],
        missingUrl: `${where}: media has no URL`,
        mediaId: (tonMediaId) => {
            const id = readId(media, 'id');
            return 'id' in id ? id.id : (tonMediaId ?? skip(problemReason(id.problem), `${where}: media id`));
        },
        tcoUrl: nonEmptyString(media.url) ?? mediaLinkIn(text, urls, dmEventId),
    });
}
