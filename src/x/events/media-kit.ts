/**
 * The attachment builder both DM shapes (legacy and v2) and both post shapes end in, with the readers of X's
 * media fields (kinds, variants, durations, ton URLs) and the t.co link that stands for a DM's media.
 */
import type { InboundMedia, InboundMediaKind, InboundUrl, MediaVariant } from '../event-types';
import { asArray, asObject, nonEmptyString, skip } from './parse-kit';

const TON_MEDIA_URL = /^https?:\/\/ton\.(?:twitter|x)\.com\/1\.1\/ton\/data\/dm\/(\d+)\/(\d+)\/([^/?#]+)/;
const DM_MEDIA_LINK = /^https?:\/\/(?:mobile\.)?(?:twitter|x)\.com\/messages\/media\/(\d+)/;
const TRAILING_TCO_LINK = /(?:^|\s)(https:\/\/t\.co\/[A-Za-z0-9]+)\s*$/;

/** A DM attachment's fields as either shape names them (v1.1 `video_info.*`, v2 top-level). */
interface MediaParts {
    dmEventId: string;
    kind: InboundMediaKind;
    /** v1.1 `variants` (`bitrate`) or v2 `variants` (`bit_rate`). */
    rawVariants: unknown;
    /** v1.1 `duration_millis` or v2 `duration_ms`. */
    rawDuration: unknown;
    /** The media's own URL fields, best first; the first playable variant's URL is the last resort. */
    rawUrls: unknown[];
    /** The ignore detail when no URL is found. */
    missingUrl: string;
    /** The media id, given the one a ton URL names (which rescues a rounded numeric id). */
    mediaId: (tonMediaId: string | undefined) => string;
    tcoUrl: string | undefined;
}

export function buildMedia(parts: MediaParts): InboundMedia {
    const variants = mediaVariants(parts.rawVariants);
    const durationMs = duration(parts.rawDuration);
    const url =
        parts.rawUrls.map((raw) => nonEmptyString(raw)).find((candidate) => candidate !== undefined) ??
        variants?.[0].url;
    if (url === undefined) {
        skip('media-unavailable', parts.missingUrl);
    }
    const ton = tonMediaPath(url);
    const mediaId = parts.mediaId(ton?.mediaId);
    return {
        mediaId,
        kind: parts.kind,
        url,
        ...(variants !== undefined ? { variants } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(parts.tcoUrl !== undefined ? { tcoUrl: parts.tcoUrl } : {}),
        dmEventId: parts.dmEventId,
        ...(ton !== undefined ? { resourceId: ton.resourceId } : {}),
    };
}

/**
 * The t.co link standing for this DM's media: the one expanding to the DM's media page, else a
 * trailing t.co link no URL entity explains (X appends the media link to the text).
 */
export function mediaLinkIn(text: string, urls: InboundUrl[], dmEventId: string): string | undefined {
    const byExpansion = urls.find((entry) => DM_MEDIA_LINK.exec(entry.expandedUrl)?.[1] === dmEventId);
    if (byExpansion !== undefined) {
        return byExpansion.url;
    }
    const trailing = TRAILING_TCO_LINK.exec(text)?.[1];
    return trailing !== undefined && !urls.some((entry) => entry.url === trailing) ? trailing : undefined;
}

/** v2 media keys start with the media type's number; used when `type` was not requested. */
export const MEDIA_KIND_BY_KEY_PREFIX: Record<string, InboundMediaKind | undefined> = {
    '3': 'photo',
    '7': 'video',
    '16': 'animated_gif',
};

export function mediaKind(value: unknown): InboundMediaKind | undefined {
    return value === 'photo' || value === 'animated_gif' || value === 'video' ? value : undefined;
}

/** Playable encodings from v1.1 `video_info.variants` (`bitrate`) or v2 `variants` (`bit_rate`). */
function mediaVariants(raw: unknown): MediaVariant[] | undefined {
    const variants: MediaVariant[] = [];
    for (const item of asArray(raw) ?? []) {
        const variant = asObject(item);
        const contentType = nonEmptyString(variant?.content_type);
        const url = nonEmptyString(variant?.url);
        if (variant === undefined || contentType === undefined || url === undefined) {
            continue;
        }
        const bitrate = variant.bitrate ?? variant.bit_rate;
        variants.push({
            contentType,
            url,
            ...(typeof bitrate === 'number' && Number.isFinite(bitrate) ? { bitrate } : {}),
        });
    }
    return variants.length > 0 ? variants : undefined;
}

/** A video's length (v1.1 `duration_millis`, v2 `duration_ms`), when it is a plausible number. */
function duration(value: unknown): number | undefined {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function tonMediaPath(url: string): { mediaId: string; resourceId: string } | undefined {
    const match = TON_MEDIA_URL.exec(url);
    return match === null ? undefined : { mediaId: match[2], resourceId: match[3] };
}
