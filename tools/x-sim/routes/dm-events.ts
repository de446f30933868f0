import { DM_READ } from '../auth/policy';
import { v2DmEvent, v2Media, v2User } from '../dm/views';
import { queryParam } from '../http/request';
import { jsonResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { invalidRequest, resourceNotFound } from '../http/x-errors';
import type { DmMessage } from '../state/types';
import { callerUser, isSnowflake, listParam, nextPageToken, pageBefore } from './route-helpers';

/** DM lookups. Every event returned is billed as one DM event read. */

const PAGINATION_PREFIX = 'dm:';

type Json = Record<string, unknown>;

interface Rendering {
    eventFields: Set<string>;
    expansions: Set<string>;
    mediaFields: Set<string>;
    userFields: string[];
}

function renderingOf(context: RouteContext): Rendering {
    const expansions = new Set(listParam(context.request, 'expansions'));
    const eventFields = new Set(listParam(context.request, 'dm_event.fields'));
    // An expansion needs its id field on the event to point at the included object.
    if (expansions.has('sender_id')) eventFields.add('sender_id');
    if (expansions.has('attachments.media_keys')) eventFields.add('attachments');
    return {
        eventFields,
        expansions,
        mediaFields: new Set(listParam(context.request, 'media.fields')),
        userFields: listParam(context.request, 'user.fields'),
    };
}

function includesFor(context: RouteContext, messages: DmMessage[], rendering: Rendering): Json | undefined {
    const includes: Json = {};
    if (rendering.expansions.has('sender_id')) {
        const senders = [...new Set(messages.map((m) => m.senderId))];
        includes.users = senders.map((id) => v2User(context.services.store.requireUser(id), rendering.userFields));
    }
    if (rendering.expansions.has('attachments.media_keys')) {
        const media = messages.filter((m) => m.attachment).map((m) => v2Media(m, m.attachment!, rendering.mediaFields));
        if (media.length > 0) includes.media = media;
    }
    return Object.keys(includes).length > 0 ? includes : undefined;
}

function billReads(context: RouteContext, messages: DmMessage[]): void {
    const { app } = callerUser(context);
    for (const message of messages)
        context.services.ledger.charge('dm_event_read', app.id, message.id, context.services.clock.now());
    context.bill(messages.length);
}

/** Validates paging parameters and answers one page of `messages` (already newest first). */
function pageOf(context: RouteContext, messages: DmMessage[]): SimResponse {
    const rawMax = queryParam(context.request, 'max_results');
    const maxResults = rawMax === undefined ? 100 : Number(rawMax);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
        return invalidRequest(
            `The \`max_results\` query parameter value [${rawMax}] is not between 1 and 100`,
            'max_results',
            rawMax,
        );
    }
    // Values outside the spec's enum were refused before the handler (http/query-rules.ts).
    const eventTypes = listParam(context.request, 'event_types');

    let candidates = eventTypes.length === 0 || eventTypes.includes('MessageCreate') ? messages : [];
    const before = pageBefore(context.request, PAGINATION_PREFIX);
    if (typeof before === 'object') return before;
    if (before !== undefined) candidates = candidates.filter((m) => BigInt(m.id) < before);
    const page = candidates.slice(0, maxResults);
    const rendering = renderingOf(context);
    const body: Json = {};
    if (page.length > 0) body.data = page.map((m) => v2DmEvent(m, rendering.eventFields));
    const includes = includesFor(context, page, rendering);
    if (includes) body.includes = includes;
    const meta: Json = { result_count: page.length };
    if (candidates.length > page.length) meta.next_token = nextPageToken(PAGINATION_PREFIX, page[page.length - 1].id);
    body.meta = meta;
    billReads(context, page);
    return jsonResponse(200, body);
}

export const dmEventRoutes: Route[] = [
    {
        method: 'GET',
        path: '/2/dm_events',
        endpoint: 'dm_events.lookup',
        operationId: 'getDirectMessagesEvents',
        auth: DM_READ,
        handle(context) {
            return pageOf(context, context.services.dms.historyOf(callerUser(context).user.id));
        },
    },
    {
        method: 'GET',
        path: '/2/dm_conversations/with/:participant_id/dm_events',
        endpoint: 'dm_events.lookup',
        operationId: 'getDirectMessagesEventsByParticipantId',
        auth: DM_READ,
        handle(context) {
            const { participant_id: participantId } = context.params;
            if (!isSnowflake(participantId))
                return invalidRequest(
                    `The \`participant_id\` path parameter value [${participantId}] is not valid`,
                    'participant_id',
                    participantId,
                );
            return pageOf(context, context.services.dms.historyOf(callerUser(context).user.id, participantId));
        },
    },
    {
        method: 'GET',
        path: '/2/dm_conversations/:dm_conversation_id/dm_events',
        endpoint: 'dm_events.lookup',
        operationId: 'getDirectMessagesEventsByConversationId',
        auth: DM_READ,
        handle(context) {
            const conversationId = context.params.dm_conversation_id;
            const history = context.services.dms
                .historyOf(callerUser(context).user.id)
                .filter((m) => m.conversationId === conversationId);
            return pageOf(context, history);
        },
    },
    {
        method: 'GET',
        path: '/2/dm_events/:event_id',
        endpoint: 'dm_events.lookup',
        operationId: 'getDirectMessagesEventsById',
        auth: DM_READ,
        handle(context) {
            const { event_id: eventId } = context.params;
            if (!isSnowflake(eventId))
                return invalidRequest(
                    `The \`event_id\` path parameter value [${eventId}] is not valid`,
                    'event_id',
                    eventId,
                );
            const { user } = callerUser(context);
            const message = context.services.dms.historyOf(user.id).find((m) => m.id === eventId);
            if (!message)
                return resourceNotFound(
                    'dm_event',
                    'event_id',
                    eventId,
                    `Could not find dm_event with event_id: [${eventId}].`,
                );
            const rendering = renderingOf(context);
            const body: Json = { data: v2DmEvent(message, rendering.eventFields) };
            const includes = includesFor(context, [message], rendering);
            if (includes) body.includes = includes;
            billReads(context, [message]);
            return jsonResponse(200, body);
        },
    },
];
