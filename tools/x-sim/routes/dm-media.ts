import { fileResponse } from '../http/ranges';
import type { SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { notFoundProblem, v1Error } from '../http/x-errors';
import type { MediaHost } from '../media/media-service';
import type { DmAttachment } from '../state/types';
import { callerUser } from './route-helpers';

/**
 * Downloading media attached to DMs: the v2 path (OAuth 2.0 user, `dm.read`), the legacy ton.twitter.com URL
 * (OAuth 1.0a user) — both only for conversation participants — and the MP4s of videos and GIFs on
 * video.twimg.com, which need no credentials (X's 2018 DM media change "only impacts images"; a public 2022
 * capture fetched a dm_video URL without any). Range support per host: MediaService.rangeSupport.
 */

function findAttachment(context: RouteContext, dmId: string, mediaId: string, fileName: string) {
    const { user } = callerUser(context);
    const message = context.services.store.message(dmId);
    const attachment = message?.attachment;
    if (!message || !attachment || attachment.mediaId !== mediaId || attachment.fileName !== fileName) return undefined;
    if (message.senderId !== user.id && message.recipientId !== user.id) return undefined;
    return attachment;
}

function serve(context: RouteContext, host: MediaHost, contentType: string, attachment: DmAttachment): SimResponse {
    const media = context.services.media;
    return fileResponse(
        context.request,
        media.answerType[host] ?? contentType,
        attachment.bytes,
        media.rangeSupport[host],
    );
}

/** A DM's video or GIF by the media id and file name in its video.twimg.com URL. */
function cdnAttachment(context: RouteContext, type: DmAttachment['type']): DmAttachment | undefined {
    const { media_id: mediaId, file } = context.params;
    return context.services.store.messages.find(
        (m) => m.attachment?.mediaId === mediaId && m.attachment.fileName === file && m.attachment.type === type,
    )?.attachment;
}

const cdnNotFound = (): SimResponse => ({
    status: 404,
    headers: { 'content-type': 'text/plain' },
    body: Buffer.from('Not Found'),
});

export const dmMediaRoutes: Route[] = [
    {
        method: 'GET',
        path: '/2/dm_conversations/media/:dm_id/:media_id/:file',
        endpoint: 'dm_media.download',
        operationId: 'dmConversationsMediaDownload',
        auth: { accept: ['oauth2-user'], scopes: ['dm.read'] },
        handle(context) {
            const { dm_id: dmId, media_id: mediaId, file } = context.params;
            const attachment = findAttachment(context, dmId, mediaId, file);
            // The spec's only success type: raw bytes as application/octet-stream, whatever the file is.
            if (!attachment) return notFoundProblem('media', mediaId, `Could not find media with id: [${mediaId}].`);
            return serve(context, 'api.x.com', 'application/octet-stream', attachment);
        },
    },
    {
        method: 'GET',
        hosts: ['ton.twitter.com'],
        path: '/1.1/ton/data/dm/:dm_id/:media_id/:file',
        endpoint: 'dm_media.download',
        auth: { accept: ['oauth1-user'], errorStyle: 'v1' },
        handle(context) {
            const { dm_id: dmId, media_id: mediaId, file } = context.params;
            const attachment = findAttachment(context, dmId, mediaId, file);
            if (!attachment) return v1Error(404, 34, 'Sorry, that page does not exist.');
            return serve(context, 'ton.twitter.com', attachment.contentType, attachment);
        },
    },
    {
        method: 'GET',
        hosts: ['video.twimg.com'],
        path: '/dm_video/:media_id/vid/:size/:file',
        endpoint: 'dm_media.video',
        handle(context) {
            const attachment = cdnAttachment(context, 'video');
            return attachment ? serve(context, 'video.twimg.com', 'video/mp4', attachment) : cdnNotFound();
        },
    },
    {
        method: 'GET',
        hosts: ['video.twimg.com'],
        path: '/dm_gif/:media_id/:file',
        endpoint: 'dm_media.video',
        handle(context) {
            const attachment = cdnAttachment(context, 'animated_gif');
            return attachment ? serve(context, 'video.twimg.com', 'video/mp4', attachment) : cdnNotFound();
        },
    },
];
