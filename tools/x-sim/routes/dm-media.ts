import { bytesResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { notFoundProblem, v1Error } from '../http/x-errors';
import { callerUser } from './route-helpers';

/**
 * Downloading media attached to DMs: the v2 path (OAuth 2.0 user, `dm.read`) and the legacy
 * ton.twitter.com URL (OAuth 1.0a user). Only conversation participants may download.
 */

function findAttachment(context: RouteContext, dmId: string, mediaId: string, fileName: string) {
  const { user } = callerUser(context);
  const message = context.services.store.message(dmId);
  const attachment = message?.attachment;
  if (!message || !attachment || attachment.mediaId !== mediaId || attachment.fileName !== fileName) return undefined;
  if (message.senderId !== user.id && message.recipientId !== user.id) return undefined;
  return attachment;
}

function download(context: RouteContext, notFound: () => SimResponse): SimResponse {
  const { dm_id: dmId, media_id: mediaId, file } = context.params;
  const attachment = findAttachment(context, dmId, mediaId, file);
  return attachment ? bytesResponse(attachment.contentType, attachment.bytes) : notFound();
}

export const dmMediaRoutes: Route[] = [
  {
    method: 'GET',
    path: '/2/dm_conversations/media/:dm_id/:media_id/:file',
    endpoint: 'dm_media.download',
    operationId: 'dmConversationsMediaDownload',
    auth: { accept: ['oauth2-user'], scopes: ['dm.read'] },
    handle(context) {
      return download(context, () => notFoundProblem('media', context.params.media_id, `Could not find media with id: [${context.params.media_id}].`));
    },
  },
  {
    method: 'GET',
    hosts: ['ton.twitter.com'],
    path: '/1.1/ton/data/dm/:dm_id/:media_id/:file',
    endpoint: 'dm_media.download',
    auth: { accept: ['oauth1-user'], errorStyle: 'v1' },
    handle(context) {
      return download(context, () => v1Error(404, 34, 'Sorry, that page does not exist.'));
    },
  },
];
