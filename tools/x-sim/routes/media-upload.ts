import { MEDIA_WRITE } from '../auth/policy';
import { epochSeconds } from '../core/time-format';
import { isMediaCategory, MEDIA_LIFETIME_MS, sniffMediaType } from '../media/media-rules';
import { isRefusal, type MediaRefusal } from '../media/media-service';
import { jsonObject, queryParam, type SimRequest } from '../http/request';
import { jsonResponse, type SimResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { forbiddenV2, invalidRequest } from '../http/x-errors';
import type { MediaCategory, MediaUpload } from '../state/types';
import { callerUser, isSnowflake } from './route-helpers';

/** v2 media upload: chunked (initialize / append / finalize / STATUS) and one-shot. */

type Json = Record<string, unknown>;

function refusalResponse(refusal: MediaRefusal): SimResponse {
    return refusal.status === 403 ? forbiddenV2(refusal.message) : invalidRequest(refusal.message);
}

/** The library infers tweet_* categories when none is given; so does X. */
function defaultCategory(mediaType: string): MediaCategory {
    if (mediaType === 'image/gif') return 'tweet_gif';
    return mediaType.startsWith('video/') ? 'tweet_video' : 'tweet_image';
}

/** `data` of finalize / STATUS / one-shot answers. */
function mediaStatus(context: RouteContext, upload: MediaUpload): Json {
    const { media } = context.services;
    const data: Json = {
        id: upload.id,
        media_key: upload.mediaKey,
        size: upload.totalBytes,
        expires_after_secs: media.expiresAfterSecs(upload),
    };
    const processing = media.processingInfo(upload);
    if (processing) data.processing_info = processing;
    if (upload.mediaType.startsWith('video/')) data.video = { video_type: upload.mediaType };
    else data.image = { image_type: upload.mediaType };
    return data;
}

/** A segment from a JSON body (`media` base64) or a multipart body (`media` file part). */
function appendedSegment(request: SimRequest): { segmentIndex: number; bytes: Buffer } | undefined {
    if (request.multipart) {
        const index = request.multipart.find((part) => part.name === 'segment_index');
        const media = request.multipart.find((part) => part.name === 'media');
        if (!index || !media) return undefined;
        return { segmentIndex: Number(index.data.toString('utf8')), bytes: media.data };
    }
    const body = jsonObject(request);
    if (!body || typeof body.media !== 'string' || typeof body.segment_index !== 'number') return undefined;
    return { segmentIndex: body.segment_index, bytes: Buffer.from(body.media, 'base64') };
}

function uploadOf(context: RouteContext, mediaId: string | undefined): MediaUpload | SimResponse {
    if (!mediaId || !isSnowflake(mediaId))
        return invalidRequest(`The \`media_id\` value [${mediaId ?? ''}] is not valid`, 'media_id', mediaId);
    const upload = context.services.media.ownedUpload(mediaId, callerUser(context).user.id);
    return isRefusal(upload) ? refusalResponse(upload) : upload;
}

export const mediaUploadRoutes: Route[] = [
    {
        method: 'POST',
        path: '/2/media/upload/initialize',
        endpoint: 'media.upload',
        operationId: 'initializeMediaUpload',
        auth: MEDIA_WRITE,
        handle(context) {
            const body = jsonObject(context.request);
            if (!body || typeof body.media_type !== 'string')
                return invalidRequest('media_type is required', 'media_type');
            if (typeof body.total_bytes !== 'number') return invalidRequest('total_bytes is required', 'total_bytes');
            const category = body.media_category ?? defaultCategory(body.media_type);
            if (!isMediaCategory(category))
                return invalidRequest(
                    `media_category [${String(category)}] is not valid`,
                    'media_category',
                    String(category),
                );
            const { app, user } = callerUser(context);
            const upload = context.services.media.initialize({
                ownerUserId: user.id,
                appId: app.id,
                mediaType: body.media_type,
                totalBytes: body.total_bytes,
                category,
                shared: body.shared === true,
                additionalOwners: Array.isArray(body.additional_owners) ? body.additional_owners.map(String) : [],
            });
            if (isRefusal(upload)) return refusalResponse(upload);
            return jsonResponse(200, {
                data: {
                    id: upload.id,
                    media_key: upload.mediaKey,
                    expires_after_secs: context.services.media.expiresAfterSecs(upload),
                },
            });
        },
    },
    {
        method: 'POST',
        path: '/2/media/upload/:id/append',
        endpoint: 'media.upload',
        operationId: 'appendMediaUpload',
        auth: MEDIA_WRITE,
        handle(context) {
            const upload = uploadOf(context, context.params.id);
            if ('status' in upload) return upload;
            const segment = appendedSegment(context.request);
            if (!segment) return invalidRequest('segment_index and media are required', 'media');
            const refusal = context.services.media.append(upload, segment.segmentIndex, segment.bytes);
            if (refusal) return refusalResponse(refusal);
            return jsonResponse(200, { data: { expires_at: epochSeconds(upload.createdAt + MEDIA_LIFETIME_MS) } });
        },
    },
    {
        method: 'POST',
        path: '/2/media/upload/:id/finalize',
        endpoint: 'media.upload',
        operationId: 'finalizeMediaUpload',
        auth: MEDIA_WRITE,
        handle(context) {
            const upload = uploadOf(context, context.params.id);
            if ('status' in upload) return upload;
            const refusal = context.services.media.finalize(upload);
            if (refusal) return refusalResponse(refusal);
            return jsonResponse(200, { data: mediaStatus(context, upload) });
        },
    },
    {
        method: 'GET',
        path: '/2/media/upload',
        endpoint: 'media.upload',
        operationId: 'getMediaUploadStatus',
        auth: MEDIA_WRITE,
        handle(context) {
            const command = queryParam(context.request, 'command');
            if (command !== undefined && command !== 'STATUS')
                return invalidRequest(`command [${command}] is not valid`, 'command', command);
            const upload = uploadOf(context, queryParam(context.request, 'media_id'));
            if ('status' in upload) return upload;
            return jsonResponse(200, { data: mediaStatus(context, upload) });
        },
    },
    {
        method: 'POST',
        path: '/2/media/upload',
        endpoint: 'media.upload',
        operationId: 'mediaUpload',
        auth: MEDIA_WRITE,
        handle(context) {
            const { request } = context;
            const jsonBody = jsonObject(request);
            const part = (name: string) => request.multipart?.find((p) => p.name === name)?.data;
            const bytes = jsonBody
                ? typeof jsonBody.media === 'string'
                    ? Buffer.from(jsonBody.media, 'base64')
                    : undefined
                : part('media');
            const category = jsonBody ? jsonBody.media_category : part('media_category')?.toString('utf8');
            if (!bytes || bytes.length === 0) return invalidRequest('media is required', 'media');
            if (!isMediaCategory(category))
                return invalidRequest(
                    `media_category [${String(category)}] is not valid`,
                    'media_category',
                    String(category),
                );
            const mediaType = sniffMediaType(bytes);
            if (!mediaType) return invalidRequest('The media type could not be determined', 'media');
            const { app, user } = callerUser(context);
            const { media } = context.services;
            const upload = media.initialize({
                ownerUserId: user.id,
                appId: app.id,
                mediaType,
                totalBytes: bytes.length,
                category,
                shared: false,
                additionalOwners: [],
            });
            if (isRefusal(upload)) return refusalResponse(upload);
            const refusal = media.append(upload, 0, bytes) ?? media.finalize(upload);
            if (refusal) return refusalResponse(refusal);
            return jsonResponse(200, { data: mediaStatus(context, upload) });
        },
    },
];
