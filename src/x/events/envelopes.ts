/**
 * Normalizes webhook deliveries into `InboundEvent`s: X Activity API envelopes and Account Activity API
 * bodies, with their control messages (revocations, replay status). Never throws on malformed input:
 * whatever yields no event is listed in `ignored` with the reason.
 */
import { XAA_DM_EVENT_TYPES, XAA_MENTION_EVENT_TYPES, XAA_REVOKE_EVENT } from '../client-types';
import type { NormalizeResult } from '../event-types';
import { collectLegacyDmEvents, isLegacyDmKey } from './legacy-dm';
import { collectTweetCreateEvents } from './posts-v1';
import { collectV2Post, v2Includes } from './posts-v2';
import { asObject, Collector, isoMillis, JsonObject, nonEmptyString, problemReason, readId } from './parse-kit';

const XAA_DM_EVENTS: ReadonlySet<string> = new Set(XAA_DM_EVENT_TYPES);
const XAA_POST_EVENTS: ReadonlySet<string> = new Set(XAA_MENTION_EVENT_TYPES);
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
    if (eventType === XAA_REVOKE_EVENT) {
        revocation(payload, 'user_id', payload, 'app_id', collector, payload?.date_time);
        return collector.result();
    }
    if (!XAA_DM_EVENTS.has(eventType) && !XAA_POST_EVENTS.has(eventType)) {
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
    if (XAA_POST_EVENTS.has(eventType)) {
        // The payload is one Post; its users and referenced posts are in the envelope's `includes`.
        const deliveredAsMention = eventType === 'post.mention.create';
        collectV2Post(
            payload,
            v2Includes(data.includes),
            { accountId: account.id, source: 'xaa', deliveredAsMention },
            collector,
        );
        return collector.result();
    }
    if (!collectLegacyDmEvents(payload, account.id, collector)) {
        collector.ignore('missing-field', `${eventType}: payload has no direct_message_* events`);
    }
    return collector.result();
}

/**
 * An Account Activity API body: DM, typing and read arrays and `tweet_create_events` keyed by `for_user_id`, or
 * a control message.
 */
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
    const hadPosts = collectTweetCreateEvents(root, account.id, collector);
    const otherActivity = Object.keys(root).filter(
        (key) => key.endsWith('_events') && !isLegacyDmKey(key) && key !== 'tweet_create_events',
    );
    for (const key of otherActivity) {
        collector.ignore('not-a-dm', key);
    }
    if (!hadDmEvents && !hadPosts && otherActivity.length === 0) {
        collector.ignore('unknown-event-type', 'no *_events array in the AAA body');
    }
    return collector.result();
}

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
