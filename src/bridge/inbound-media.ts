/**
 * A customer's attachment: downloaded from X with the account's credentials and posted in the room as
 * the customer — or, when the Files settings refuse it or X fails, a note saying what arrived and why it
 * is not shown. Nothing is dropped silently.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import { Translate } from '../i18n/translate';
import type { ConversationRecord } from '../storage/conversations';
import type { InboundMedia } from '../x/event-types';
import { XFailure } from '../x/client-types';
import { sleep } from '../lib/locks';
import type { BridgeContext } from './context';
import { checkFile, fileNameFor, formatBytes } from './media-rules';

const MEDIA_KIND_KEYS = { photo: 'media_kind_photo', animated_gif: 'media_kind_animated_gif', video: 'media_kind_video' } as const;

/** The file to fetch: a GIF as its mp4, a video as its best mp4 variant, a photo as itself. */
export function downloadUrl(media: InboundMedia): string {
    const mp4s = (media.variants ?? []).filter((v) => v.contentType === 'video/mp4').sort((a, b) => (b.bitrate ?? 0) - (a.bitrate ?? 0));
    return media.kind === 'photo' || mp4s.length === 0 ? media.url : mp4s[0].url;
}

/** Short pauses before retrying a download X failed transiently (the webhook answer must stay well under X's timeout). */
const DOWNLOAD_RETRY_DELAYS_MS = [300, 1_000];

async function downloadWithRetries(ctx: BridgeContext, media: InboundMedia) {
    const client = await ctx.x();
    const location = { dmEventId: media.dmEventId, mediaId: media.mediaId, url: downloadUrl(media), resourceId: media.resourceId };
    for (let attempt = 0; ; attempt++) {
        try {
            return await client.downloadDmMedia(location);
        } catch (e) {
            const transient = e instanceof XFailure && e.transient && e.kind !== 'rate-limited';
            if (!transient || attempt >= DOWNLOAD_RETRY_DELAYS_MS.length) throw e;
            await sleep(DOWNLOAD_RETRY_DELAYS_MS[attempt]);
        }
    }
}

export type FetchedMedia = { ok: true; bytes: Buffer; contentType: string } | { ok: false; note: string };

/** Downloads the attachment and applies the Files settings; on refusal or failure, the note to show instead. */
export async function fetchInboundMedia(ctx: BridgeContext, media: InboundMedia, t: Translate): Promise<FetchedMedia> {
    const kind = t(MEDIA_KIND_KEYS[media.kind]);
    let bytes: Buffer;
    let contentType: string;
    try {
        const downloaded = await downloadWithRetries(ctx, media);
        bytes = downloaded.bytes;
        contentType = downloaded.contentType;
    } catch (e) {
        const reason = e instanceof XFailure ? e.kind : 'error';
        ctx.logger.warn(`Could not download media ${media.mediaId} of DM ${media.dmEventId}: ${reason}`);
        return { ok: false, note: t('inbound_media_download_failed', { kind }) };
    }
    // X already accepted the file, so only the admin's Files settings can refuse it here.
    const verdict = checkFile(ctx.settings, contentType, bytes.length);
    if (!verdict.ok && verdict.rule !== 'larger-than-x-allows') {
        return { ok: false, note: t('inbound_media_not_accepted', { kind, type: contentType, size: formatBytes(bytes.length) }) };
    }
    return { ok: true, bytes, contentType };
}

/** Posts the file in the room as the customer. */
export async function uploadInboundMedia(ctx: BridgeContext, conversation: ConversationRecord, media: InboundMedia, file: { bytes: Buffer; contentType: string }): Promise<void> {
    await ctx.modify.getCreator().getUploadCreator().uploadBuffer(file.bytes, {
        filename: fileNameFor(media.mediaId, file.contentType),
        room: { id: conversation.roomId, type: RoomType.LIVE_CHAT } as ILivechatRoom,
        visitorToken: conversation.visitorToken,
    });
}
