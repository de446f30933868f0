import { DM_WRITE } from '../auth/policy';
import { isRefusal } from '../media/media-service';
import { jsonObject } from '../http/request';
import { jsonResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { forbiddenV2, invalidRequest, v1Error } from '../http/x-errors';
import type { DmAttachment } from '../state/types';
import { callerUser, isSnowflake } from './route-helpers';

/**
 * Sending DMs through the API. A successful send is billed as one DM create. The sender is always the
 * token's user: X sends DMs "on behalf of authenticated users" (docs.x.com/x-api/direct-messages/manage/
 * introduction), the request names only the recipient, and a conversation id may only be written to by one
 * of its participants ("any conversation you are part of", .../manage/integrate). So a reply made with
 * another business account's token leaves from that account, and `dmsSentBy` shows it.
 */

interface SendBody {
    text?: string;
    mediaId?: string;
}

function parseSendBody(context: RouteContext): SendBody | SimResponse {
    const body = jsonObject(context.request);
    if (!body) return invalidRequest('The request body must be a JSON object');
    const unknownKey = Object.keys(body).find((key) => key !== 'text' && key !== 'attachments');
    if (unknownKey) return invalidRequest(`The request body contains an unknown property [${unknownKey}]`, unknownKey);
    const { text, attachments } = body;
    if (text !== undefined && (typeof text !== 'string' || text.length === 0))
        return invalidRequest('text must be a non-empty string', 'text');
    if (attachments !== undefined) {
        if (!Array.isArray(attachments)) return invalidRequest('attachments must be an array', 'attachments');
        if (attachments.length > 1)
            return invalidRequest('Only one attachment is supported per message', 'attachments');
    }
    const mediaId =
        Array.isArray(attachments) && attachments.length === 1
            ? (attachments[0] as { media_id?: unknown })?.media_id
            : undefined;
    if (
        Array.isArray(attachments) &&
        attachments.length === 1 &&
        (typeof mediaId !== 'string' || !isSnowflake(mediaId))
    ) {
        return invalidRequest('attachments[0].media_id must be a numeric string', 'media_id');
    }
    if (text === undefined && mediaId === undefined) return invalidRequest('One of text or attachments is required');
    return { text: text as string | undefined, mediaId: mediaId as string | undefined };
}

function send(context: RouteContext, recipientId: string): SimResponse {
    const parsed = parseSendBody(context);
    if ('status' in parsed) return parsed;
    const { app, user } = callerUser(context);
    const { dms, media, ledger, clock } = context.services;
    const refusal = dms.refusalFor(user.id, recipientId, parsed.text);
    if (refusal)
        return refusal.code !== undefined
            ? v1Error(refusal.status, refusal.code, refusal.message)
            : invalidRequest(refusal.message, refusal.parameter);
    let attachment: DmAttachment | undefined;
    if (parsed.mediaId !== undefined) {
        const found = media.attachmentFor(parsed.mediaId, user.id);
        if (isRefusal(found))
            return found.status === 403
                ? forbiddenV2(found.message)
                : invalidRequest(found.message, 'media_id', parsed.mediaId);
        attachment = found;
    }
    const { message } = dms.create({
        senderId: user.id,
        recipientId,
        text: parsed.text,
        attachment,
        sourceAppId: app.id,
    });
    if (parsed.mediaId !== undefined) media.markAttached(parsed.mediaId, message.id);
    ledger.charge('dm_create', app.id, message.id, clock.now());
    context.bill(1);
    return jsonResponse(201, { data: { dm_conversation_id: message.conversationId, dm_event_id: message.id } });
}

export const dmSendRoutes: Route[] = [
    {
        method: 'POST',
        path: '/2/dm_conversations/with/:participant_id/messages',
        endpoint: 'dm.send',
        operationId: 'createDirectMessagesByParticipantId',
        auth: DM_WRITE,
        handle(context) {
            const { participant_id: participantId } = context.params;
            if (!isSnowflake(participantId))
                return invalidRequest(
                    `The \`participant_id\` path parameter value [${participantId}] is not valid`,
                    'participant_id',
                    participantId,
                );
            return send(context, participantId);
        },
    },
    {
        method: 'POST',
        path: '/2/dm_conversations/:dm_conversation_id/messages',
        endpoint: 'dm.send',
        operationId: 'createDirectMessagesByConversationId',
        auth: DM_WRITE,
        handle(context) {
            const { user } = callerUser(context);
            const participants = context.params.dm_conversation_id.split('-');
            if (participants.length !== 2 || !participants.includes(user.id)) {
                return invalidRequest(
                    `The \`dm_conversation_id\` path parameter value [${context.params.dm_conversation_id}] is not valid`,
                    'dm_conversation_id',
                );
            }
            return send(context, participants[0] === user.id ? participants[1] : participants[0]);
        },
    },
];
