/**
 * A customer's attachment: fetched from X's media servers within the size allowed here, typed from its bytes,
 * and posted in the room as the customer — or, when the rules refuse it or X or Rocket.Chat fail, a note that
 * tells the agent what arrived and why it is not shown. The customer's text never depends on the file.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessageRaw } from '@rocket.chat/apps-engine/definition/messages';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { Translate } from '../i18n/translate';
import { sleep } from '../lib/locks';
import { readServerFileRules, ServerFileRules } from '../settings/server-files';
import type { ConversationRecord } from '../storage/conversations';
import { DmMediaDownload, DmMediaLocation, XFailure } from '../x/client-types';
import type { InboundMedia } from '../x/event-types';
import type { BridgeContext } from './context';
import {
    checkInboundFile,
    checkInboundKind,
    fileNameFor,
    formatBytes,
    inboundFileType,
    inboundLimitBytes,
    InboundVerdict,
} from './media-rules';

const MEDIA_KIND_KEYS = {
    photo: 'media_kind_photo',
    animated_gif: 'media_kind_animated_gif',
    video: 'media_kind_video',
} as const;

/**
 * Which file to fetch: a photo itself; for a video or GIF the best MP4 variant whose size, estimated from its
 * bitrate and the video's length, fits the limit. X gives GIF variants no bitrate and no length: their size is
 * learnt from the first range of the download. Undefined when X offers nothing playable.
 */
export function chooseDownload(
    media: InboundMedia,
    limitBytes: number,
): { url: string } | { tooLarge: true } | undefined {
    if (media.kind === 'photo') return { url: media.url };
    const mp4s = (media.variants ?? [])
        .filter((v) => v.contentType === 'video/mp4')
        .sort((a, b) => (b.bitrate ?? 0) - (a.bitrate ?? 0));
    if (mp4s.length === 0) return undefined;
    const estimate = (bitrate: number | undefined) =>
        media.durationMs && bitrate ? Math.ceil(((bitrate / 8) * media.durationMs) / 1000) : undefined;
    const fitting = mp4s.find((v) => (estimate(v.bitrate) ?? 0) <= limitBytes);
    return fitting ? { url: fitting.url } : { tooLarge: true };
}

/** Short pauses before retrying a download X failed transiently (the webhook answer must stay well under X's timeout). */
const DOWNLOAD_RETRY_DELAYS_MS = [300, 1_000];

/**
 * All of a file's download (every range, every retry) happens within this time. The DM's text is posted after
 * it, and a claim on the DM goes stale after a minute (STALE_CLAIM_MS in inbound.ts): a longer download would
 * let a redelivery post the DM a second time.
 */
export const DOWNLOAD_BUDGET_MS = 30_000;

async function downloadWithRetries(
    ctx: BridgeContext,
    location: DmMediaLocation,
    maxBytes: number,
): Promise<DmMediaDownload> {
    const client = await ctx.x();
    const deadlineAt = ctx.now() + DOWNLOAD_BUDGET_MS;
    for (let attempt = 0; ; attempt++) {
        try {
            return await client.downloadDmMedia(location, maxBytes, deadlineAt);
        } catch (e) {
            const transient = e instanceof XFailure && e.transient && e.kind !== 'rate-limited';
            const delay = DOWNLOAD_RETRY_DELAYS_MS[attempt];
            if (!transient || delay === undefined || ctx.now() + delay >= deadlineAt) throw e;
            await sleep(delay);
        }
    }
}

export type FetchedMedia = { ok: true; bytes: Buffer; contentType: string } | { ok: false; note: string };

type Refusal = Exclude<InboundVerdict, { ok: true }> | { ok: false; rule: 'source-not-allowed' };

function reasonFor(t: Translate, refusal: Refusal): string {
    switch (refusal.rule) {
        case 'app-uploads-disabled':
            return t('inbound_reason_app_uploads_disabled');
        case 'server-uploads-disabled':
            return t('inbound_reason_server_uploads_disabled');
        case 'app-type':
            return t('inbound_reason_app_type', { type: refusal.type });
        case 'server-type':
            return t('inbound_reason_server_type', { type: refusal.type });
        case 'type-unknown':
            return t('inbound_reason_type_unknown');
        case 'source-not-allowed':
            return t('inbound_reason_source_not_allowed');
        case 'too-large':
            return refusal.sizeBytes !== undefined
                ? t('inbound_reason_too_large', {
                      size: formatBytes(refusal.sizeBytes),
                      limit: formatBytes(refusal.limitBytes),
                  })
                : t('inbound_reason_too_large_unknown', { limit: formatBytes(refusal.limitBytes) });
    }
}

/** Only the host, cut short: the rest of a location named by a delivery is not the admin's business (nor safe to echo). */
function hostOf(url: string): string {
    try {
        return new URL(url).host.slice(0, 80);
    } catch {
        return 'an unparsable location';
    }
}

type Attempt =
    { ok: true; bytes: Buffer; contentType: string } | { ok: false; refusal: Refusal } | { ok: false; failure: string };

/** One try under one copy of Rocket.Chat's upload settings: the file, or why it is refused or failed. */
async function attemptFetch(ctx: BridgeContext, media: InboundMedia, server: ServerFileRules): Promise<Attempt> {
    const allowed = checkInboundKind(ctx.settings, server, media.kind);
    if (!allowed.ok) return { ok: false, refusal: allowed };
    const limitBytes = inboundLimitBytes(ctx.settings, server);
    const choice = chooseDownload(media, limitBytes);
    if (!choice) return { ok: false, failure: 'X offered no MP4 variant' };
    if ('tooLarge' in choice) return { ok: false, refusal: { ok: false, rule: 'too-large', limitBytes } };

    let download: DmMediaDownload;
    try {
        download = await downloadWithRetries(
            ctx,
            { dmEventId: media.dmEventId, mediaId: media.mediaId, url: choice.url },
            limitBytes,
        );
    } catch (e) {
        // An XFailure's message is safe to log (never credentials); it names what went wrong (e.g. out of time).
        return { ok: false, failure: e instanceof XFailure ? e.message : e instanceof Error ? e.name : 'error' };
    }
    if (!download.ok) {
        if (download.refused === 'too-large')
            return { ok: false, refusal: { ok: false, rule: 'too-large', limitBytes, sizeBytes: download.sizeBytes } };
        ctx.logger.warn(
            `DM ${media.dmEventId} names media at ${hostOf(choice.url)}, which is not one of X's media servers over HTTPS: not fetched`,
        );
        return { ok: false, refusal: { ok: false, rule: 'source-not-allowed' } };
    }
    const type = inboundFileType(download.bytes, media.kind);
    if (!type) return { ok: false, refusal: { ok: false, rule: 'type-unknown' } };
    const verdict = checkInboundFile(ctx.settings, server, type, download.bytes.length);
    if (!verdict.ok) return { ok: false, refusal: verdict };
    return { ok: true, bytes: download.bytes, contentType: type };
}

/** Whether Rocket.Chat's settings, not the app's, made this refusal. */
function refusedByServer(ctx: BridgeContext, server: ServerFileRules, refusal: Refusal): boolean {
    if (refusal.rule === 'server-uploads-disabled' || refusal.rule === 'server-type') return true;
    return (
        refusal.rule === 'too-large' &&
        refusal.limitBytes < inboundLimitBytes(ctx.settings, { ...server, maxFileSize: -1 })
    );
}

const sameRules = (a: ServerFileRules, b: ServerFileRules) =>
    a.enabled === b.enabled &&
    a.maxFileSize === b.maxFileSize &&
    a.whiteList === b.whiteList &&
    a.blackList === b.blackList;

/**
 * Downloads the attachment within the Files settings and Rocket.Chat's upload settings, checked before the
 * first request and enforced during the download; on refusal or failure, the note to show instead. A refusal
 * loses the file, so one made by Rocket.Chat's settings is confirmed with their current values, not the copy
 * of up to five minutes the app keeps (an admin who just allowed a type or raised the size gets the file).
 * `translate` is only awaited when a note is needed (it costs a read of the server's language).
 */
export async function fetchInboundMedia(
    ctx: BridgeContext,
    media: InboundMedia,
    translate: () => Promise<Translate>,
): Promise<FetchedMedia> {
    let outcome: Attempt;
    if (!ctx.settings.fileUploadEnabled) {
        outcome = { ok: false, refusal: { ok: false, rule: 'app-uploads-disabled' } };
    } else {
        const startedAt = ctx.now();
        const cached = await readServerFileRules(ctx.read, startedAt);
        outcome = await attemptFetch(ctx, media, cached);
        if (!outcome.ok && 'refusal' in outcome && refusedByServer(ctx, cached, outcome.refusal)) {
            // A copy read for this very file is current already.
            const current = await readServerFileRules(ctx.read, ctx.now(), startedAt);
            if (!sameRules(current, cached)) outcome = await attemptFetch(ctx, media, current);
        }
    }
    if (outcome.ok) return outcome;
    if ('failure' in outcome)
        ctx.logger.warn(`Could not download media ${media.mediaId} of DM ${media.dmEventId}: ${outcome.failure}`);
    const t = await translate();
    const kind = t(MEDIA_KIND_KEYS[media.kind]);
    return 'refusal' in outcome
        ? { ok: false, note: t('inbound_media_refused', { kind, reason: reasonFor(t, outcome.refusal) }) }
        : { ok: false, note: t('inbound_media_download_failed', { kind }) };
}

/** Rocket.Chat's refusal (FileUpload.validateFileUpload's Meteor errors), in the agent's words. */
function uploadRefusalReason(t: Translate, error: unknown, type: string): string {
    const message = error instanceof Error ? error.message : String(error);
    if (/error-file-upload-disabled|upload(?:s)? (?:is|are) disabled/i.test(message))
        return t('inbound_reason_server_uploads_disabled');
    if (/error-file-too-large|exceeds allowed size/i.test(message)) return t('inbound_reason_server_too_large');
    if (/invalid-file-type|type is not accepted/i.test(message)) return t('inbound_reason_server_type', { type });
    return t('inbound_reason_server_refused');
}

/**
 * For a delivery that died after posting a DM's text: whether the DM's file is still owed to the room. The
 * file itself is not there (the caller looked for it by name); the text's last part was posted either alone —
 * the file came next, so it is owed — or followed by the note that replaces a file that could not be shown.
 */
export function fileOwed(media: InboundMedia | undefined, lastPart: IMessageRaw, partText: string): boolean {
    return media !== undefined && (lastPart.text ?? '').trim() === partText.trim();
}

export type UploadOutcome = { posted: true } | { posted: false; notice: string };

/**
 * Posts the file in the room as the customer. Rocket.Chat stores a visitor's file and posts nothing, yet
 * reports success, when the room is closed (sendFileLivechatMessage finds no open room for the token): so the
 * room is checked first, and afterwards the room's newest messages must show the file. A refusal is caught.
 * The caller tells the agents with the returned notice.
 */
export async function uploadInboundMedia(
    ctx: BridgeContext,
    conversation: Pick<ConversationRecord, 'roomId' | 'visitorToken'>,
    media: InboundMedia,
    file: { bytes: Buffer; contentType: string },
    translate: () => Promise<Translate>,
): Promise<UploadOutcome> {
    const notice = async (
        key: 'inbound_media_room_closed' | 'inbound_media_not_posted' | 'inbound_media_upload_refused',
        reason?: (t: Translate) => string,
    ): Promise<UploadOutcome> => {
        const t = await translate();
        return {
            posted: false,
            notice: t(key, { kind: t(MEDIA_KIND_KEYS[media.kind]), ...(reason ? { reason: reason(t) } : {}) }),
        };
    };
    const rooms = ctx.read.getRoomReader();
    const room = (await rooms.getById(conversation.roomId)) as ILivechatRoom | undefined;
    if (!room || !room.isOpen || room.visitor?.token !== conversation.visitorToken) {
        ctx.logger.warn(
            `Media ${media.mediaId} of DM ${media.dmEventId} not uploaded: room ${conversation.roomId} is closed or not this customer's`,
        );
        return notice('inbound_media_room_closed');
    }
    let uploadId: string;
    try {
        const upload = await ctx.modify
            .getCreator()
            .getUploadCreator()
            .uploadBuffer(file.bytes, {
                filename: fileNameFor(media.mediaId, file.contentType),
                room: { id: conversation.roomId, type: RoomType.LIVE_CHAT } as ILivechatRoom,
                visitorToken: conversation.visitorToken,
            });
        uploadId = upload.id;
    } catch (e) {
        ctx.logger.warn(
            `Rocket.Chat refused media ${media.mediaId} of DM ${media.dmEventId}: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`,
        );
        return notice('inbound_media_upload_refused', (t) => uploadRefusalReason(t, e, file.contentType));
    }
    const newest = await rooms.getMessages(conversation.roomId, { limit: 10, sort: { createdAt: 'desc' } });
    if (newest.some((m) => m.file?._id === uploadId)) return { posted: true };
    ctx.logger.warn(
        `Rocket.Chat stored media ${media.mediaId} of DM ${media.dmEventId} as upload ${uploadId} but posted no message for it`,
    );
    return notice('inbound_media_not_posted');
}
