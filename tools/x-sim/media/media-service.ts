import type { SimStore } from '../state/store';
import type { DmAttachment, DmMediaType, MediaCategory, MediaUpload } from '../state/types';
import {
    categoryForDmType,
    dmMediaTypeOf,
    fileExtensionOf,
    imageDimensions,
    isDmCategory,
    MEDIA_LIFETIME_MS,
    mediaKeyOf,
    mediaTypeFits,
    needsProcessing,
    sizeLimitOf,
} from './media-rules';

/** A refused media operation: `status` 400 (bad input) or 403 (not allowed), with X's message. */
export interface MediaRefusal {
    status: 400 | 403;
    message: string;
}

export interface InitializeInput {
    ownerUserId: string;
    appId: string;
    mediaType: string;
    totalBytes: number;
    category: MediaCategory;
    shared: boolean;
    additionalOwners: string[];
}

export type ProcessingState = 'pending' | 'in_progress' | 'succeeded';

export interface ProcessingInfo {
    state: ProcessingState;
    check_after_secs?: number;
    progress_percent: number;
}

const MAX_SEGMENT_INDEX = 999;

/** Chunked and one-shot uploads, processing progress, and the rules for attaching media to a DM. */
export type MediaHost = 'api.x.com' | 'ton.twitter.com' | 'video.twimg.com';

export class MediaService {
    /**
     * Which media hosts answer Range requests (tests switch them). video.twimg.com does: a public capture of a
     * dm_video answer (curl -i, 2022) carries `accept-ranges: bytes`. For ton.twitter.com and X's DM media endpoint
     * nothing is published, so they are assumed to send whole files — the harder case for a client.
     */
    readonly rangeSupport: Record<MediaHost, boolean> = {
        'api.x.com': false,
        'ton.twitter.com': false,
        'video.twimg.com': true,
    };
    /** A Content-Type a host answers instead of its usual one (tests: a CDN labelling files application/octet-stream). */
    readonly answerType: Partial<Record<MediaHost, string>> = {};

    constructor(
        private readonly store: SimStore,
        private readonly processingMs: number,
    ) {}

    initialize(input: InitializeInput): MediaUpload | MediaRefusal {
        if (!mediaTypeFits(input.category, input.mediaType)) {
            return {
                status: 400,
                message: `media_type ${input.mediaType} is not allowed for media_category ${input.category}`,
            };
        }
        if (!Number.isInteger(input.totalBytes) || input.totalBytes <= 0)
            return { status: 400, message: 'total_bytes must be a positive integer' };
        if (input.totalBytes > sizeLimitOf(input.category)) {
            return {
                status: 400,
                message: `File size exceeds ${sizeLimitOf(input.category)} bytes for media_category ${input.category}`,
            };
        }
        const id = this.store.ids.next();
        const upload: MediaUpload = {
            id,
            mediaKey: mediaKeyOf(input.category, id),
            ownerUserId: input.ownerUserId,
            additionalOwners: input.additionalOwners,
            appId: input.appId,
            mediaType: input.mediaType,
            category: input.category,
            totalBytes: input.totalBytes,
            shared: input.shared,
            segments: new Map(),
            receivedBytes: 0,
            createdAt: this.store.clock.now(),
            processingMs: needsProcessing(input.category) ? this.processingMs : 0,
        };
        this.store.media.set(id, upload);
        return upload;
    }

    /** Finds an upload session the caller owns. */
    ownedUpload(mediaId: string, userId: string): MediaUpload | MediaRefusal {
        const upload = this.store.media.get(mediaId);
        if (!upload || (upload.ownerUserId !== userId && !upload.additionalOwners.includes(userId))) {
            return { status: 400, message: `Invalid media_id: ${mediaId}` };
        }
        return upload;
    }

    append(upload: MediaUpload, segmentIndex: number, bytes: Buffer): MediaRefusal | undefined {
        if (upload.finalizedAt !== undefined)
            return { status: 400, message: 'Media upload has already been finalized' };
        if (!Number.isInteger(segmentIndex) || segmentIndex < 0 || segmentIndex > MAX_SEGMENT_INDEX) {
            return { status: 400, message: 'segment_index must be an integer between 0 and 999' };
        }
        const replaced = upload.segments.get(segmentIndex)?.length ?? 0;
        if (upload.receivedBytes - replaced + bytes.length > upload.totalBytes) {
            return { status: 400, message: 'Appended bytes exceed the declared total_bytes' };
        }
        upload.segments.set(segmentIndex, bytes);
        upload.receivedBytes += bytes.length - replaced;
        return undefined;
    }

    finalize(upload: MediaUpload): MediaRefusal | undefined {
        if (upload.finalizedAt !== undefined)
            return { status: 400, message: 'Media upload has already been finalized' };
        if (upload.receivedBytes !== upload.totalBytes) {
            return {
                status: 400,
                message: `File size mismatch: received ${upload.receivedBytes} of ${upload.totalBytes} bytes`,
            };
        }
        upload.finalizedAt = this.store.clock.now();
        return undefined;
    }

    /** Processing progress for GIF/video after finalize; undefined for images and unfinalized uploads. */
    processingInfo(upload: MediaUpload): ProcessingInfo | undefined {
        if (upload.finalizedAt === undefined || upload.processingMs === 0) return undefined;
        const elapsed = this.store.clock.now() - upload.finalizedAt;
        if (elapsed >= upload.processingMs) return { state: 'succeeded', progress_percent: 100 };
        const checkAfter = Math.max(1, Math.ceil((upload.processingMs - elapsed) / 2000));
        // The first fifth of the processing time reads as queued, the rest as running.
        if (elapsed < upload.processingMs / 5)
            return { state: 'pending', check_after_secs: checkAfter, progress_percent: 0 };
        return {
            state: 'in_progress',
            check_after_secs: checkAfter,
            progress_percent: Math.floor((elapsed / upload.processingMs) * 100),
        };
    }

    expiresAfterSecs(upload: MediaUpload): number {
        return Math.max(0, Math.floor((upload.createdAt + MEDIA_LIFETIME_MS - this.store.clock.now()) / 1000));
    }

    bytesOf(upload: MediaUpload): Buffer {
        return Buffer.concat([...upload.segments.entries()].sort(([a], [b]) => a - b).map(([, bytes]) => bytes));
    }

    /** Checks that `senderId` may attach the media to a DM now (X's 24 h / owner / category / reuse rules). */
    /** `purpose`: a DM takes only `dm_*` uploads, a post only the others (`tweet_*`, `amplify_video`). */
    attachmentFor(mediaId: string, senderId: string, purpose: 'dm' | 'post' = 'dm'): DmAttachment | MediaRefusal {
        const upload = this.store.media.get(mediaId);
        if (!upload) return { status: 400, message: `Invalid media_id: ${mediaId}` };
        const notPermitted: MediaRefusal = {
            status: 403,
            message: `You are not permitted to attach this media to a ${purpose === 'dm' ? 'DM event' : 'Tweet'}`,
        };
        const owners = [upload.ownerUserId, ...upload.additionalOwners];
        if (!owners.includes(senderId) || isDmCategory(upload.category) !== (purpose === 'dm')) return notPermitted;
        if (this.store.clock.now() - upload.createdAt >= MEDIA_LIFETIME_MS) return notPermitted;
        if (upload.attachedTo !== undefined && !upload.shared) return notPermitted;
        if (upload.finalizedAt === undefined)
            return { status: 400, message: `Media ${mediaId} has not been finalized` };
        const processing = this.processingInfo(upload);
        if (processing && processing.state !== 'succeeded') {
            return { status: 400, message: `Media ${mediaId} is still being processed` };
        }
        return newDmAttachment(
            this.store,
            upload.id,
            dmMediaTypeOf(upload.category),
            upload.mediaType,
            this.bytesOf(upload),
        );
    }

    markAttached(mediaId: string, eventId: string): void {
        const upload = this.store.media.get(mediaId);
        if (upload) upload.attachedTo = eventId;
    }
}

/** What X says about a video besides its bytes; by default a 10-second clip whose bitrate matches its size. */
export interface VideoFacts {
    durationMs?: number;
    /** The MP4 variant's `bitrate`; tests may understate it, as a real encode's container and audio do. */
    bitrate?: number;
}

const DEFAULT_VIDEO_MS = 10_000;

/**
 * The attachment a DM carries: bytes, type, and its file name — the last segment of the ton.twitter.com URL for
 * photos, of the MP4 on video.twimg.com for videos and GIFs (X transcodes GIFs to MP4; the simulator serves the
 * bytes it was given).
 */
export function newDmAttachment(
    store: SimStore,
    mediaId: string,
    type: DmMediaType,
    contentType: string,
    bytes: Buffer,
    video: VideoFacts = {},
): DmAttachment {
    const durationMs = type === 'video' ? (video.durationMs ?? DEFAULT_VIDEO_MS) : undefined;
    const bitrate =
        type === 'video'
            ? (video.bitrate ?? Math.round((bytes.length * 8 * 1000) / durationMs!))
            : type === 'animated_gif'
              ? 0
              : undefined;
    return {
        mediaId,
        mediaKey: mediaKeyOf(categoryForDmType(type), mediaId),
        type,
        contentType,
        bytes,
        fileName: `${store.random.string(12)}.${type === 'photo' ? fileExtensionOf(contentType) : 'mp4'}`,
        ...imageDimensions(bytes),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(bitrate !== undefined ? { bitrate } : {}),
    };
}

export function isRefusal(value: unknown): value is MediaRefusal {
    return typeof value === 'object' && value !== null && 'status' in value && 'message' in value;
}
