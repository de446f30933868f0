import { messageCreateEvent, v1User, xaaUser } from '../dm/views';
import type { DeveloperApp, DmMessage, XUser } from '../state/types';

/** Something that happened in a DM conversation and may be delivered to webhooks. */
export type DmActivity =
    | { kind: 'message'; message: DmMessage }
    /** `actorId` is typing to `targetId`. */
    | { kind: 'typing'; actorId: string; targetId: string; at: number }
    /** `actorId` read `targetId`'s messages up to `lastReadEventId`. */
    | { kind: 'read'; actorId: string; targetId: string; lastReadEventId: string; at: number };

type Json = Record<string, unknown>;

function typingEvent(activity: Extract<DmActivity, { kind: 'typing' }>): Json {
    return {
        created_timestamp: String(activity.at),
        sender_id: activity.actorId,
        target: { recipient_id: activity.targetId },
    };
}

function readEvent(activity: Extract<DmActivity, { kind: 'read' }>): Json {
    return {
        created_timestamp: String(activity.at),
        sender_id: activity.actorId,
        target: { recipient_id: activity.targetId },
        last_read_event_id: activity.lastReadEventId,
    };
}

/** The payload part shared by both envelopes: the event list under its AAA key. */
function activityEvents(activity: DmActivity): [string, Json[]] {
    switch (activity.kind) {
        case 'message':
            return ['direct_message_events', [messageCreateEvent(activity.message)]];
        case 'typing':
            return ['direct_message_indicate_typing_events', [typingEvent(activity)]];
        case 'read':
            return ['direct_message_mark_read_events', [readEvent(activity)]];
    }
}

/** Account Activity API envelope for one subscribed user. */
export function accountActivityEnvelope(
    activity: DmActivity,
    forUserId: string,
    users: XUser[],
    sourceApp?: DeveloperApp,
): Json {
    const [key, events] = activityEvents(activity);
    const envelope: Json = { for_user_id: forUserId, [key]: events };
    if (sourceApp) envelope.apps = { [sourceApp.id]: { id: sourceApp.id, name: sourceApp.name, url: sourceApp.url } };
    envelope.users = Object.fromEntries(users.map((user) => [user.id, v1User(user)]));
    return envelope;
}

/**
 * X Activity API envelope (`{"data": {event_uuid, filter, event_type, tag, payload}}`). X's `dm.sent` and
 * `dm.received` samples carry no `source_app_id` (docs: x-api/activity/event-payloads.mdx; research/x-api.md
 * §12), so a receiver must recognize its own sends by their event id.
 */
export function activityApiEnvelope(
    activity: DmActivity,
    eventType: string,
    filterUserId: string,
    eventUuid: string,
    users: XUser[],
    tag?: string,
): Json {
    const [key, events] = activityEvents(activity);
    for (const event of events) delete (event.message_create as Json | undefined)?.source_app_id;
    const data: Json = { event_uuid: eventUuid, filter: { user_id: filterUserId }, event_type: eventType };
    if (tag !== undefined) data.tag = tag;
    data.payload = { [key]: events, users: Object.fromEntries(users.map((user) => [user.id, xaaUser(user)])) };
    return { data };
}

/**
 * The X Activity API `oauth.revoke` event (docs: x-api/activity/event-payloads.mdx, "OAuth events"; the
 * filter may be empty). `date_time` is written as in X's sample: `2026-07-23T21:44:05+00:00`.
 */
export function oauthRevokeEnvelope(eventUuid: string, appId: string, userId: string, at: number, tag?: string): Json {
    const data: Json = { event_uuid: eventUuid, filter: {}, event_type: 'oauth.revoke' };
    if (tag !== undefined) data.tag = tag;
    data.payload = {
        date_time: new Date(at).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        user_id: userId,
        app_id: appId,
    };
    return { data };
}

/** The AAA `user_event.revoke` event sent when a user revokes an app. */
export function revokeEnvelope(appId: string, userId: string, at: number): Json {
    return {
        user_event: {
            revoke: { date_time: new Date(at).toISOString(), target: { app_id: appId }, source: { user_id: userId } },
        },
    };
}
