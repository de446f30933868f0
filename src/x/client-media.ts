/**
 * The DM media calls of the X client: the chunked upload of an outbound file, and the bounded download of
 * an inbound attachment.
 */
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';
import { dmCategoryFor, X_MEDIA_LIMITS } from './media-limits';
import { DmMediaCategory, DmMediaDownload, DmMediaLocation, PostMediaCategory, XFailure } from './client-types';
import type { UserAuth } from './credentials';
import { toXFailure } from './errors';
import { classifyMediaUrl, dmMediaApiUrl } from './media-hosts';
import { downloadInRanges, FIRST_RANGE_BYTES, NEXT_RANGE_BYTES, RangeDeadline, RangeFetch } from './ranged-download';
import type { WithStatus } from './transport';

const MEDIA_CHUNK_BYTES = 1024 * 1024;
const MAX_PROCESSING_WAIT_MS = 10 * 60_000;

/** What the media calls take from the client: its user-context runner, plugins and clock. */
export interface MediaCallDeps {
    asUser<T>(call: (client: TwitterApi, auth: UserAuth) => Promise<T>): Promise<T>;
    plugins: ITwitterApiClientPlugin[];
    now(): number;
    sleep(ms: number): Promise<void>;
}

/**
 * v2 chunked upload with JSON base64 appends (Apps-Engine's HTTP accessor carries string bodies only),
 * in the DM category matching the type, waiting for X to finish processing videos and GIFs.
 */
export async function uploadDmMedia(x: MediaCallDeps, bytes: Buffer, mimeType: string): Promise<string> {
    const category = dmCategoryFor(mimeType);
    if (!category)
        throw new XFailure('media-not-permitted', 0, undefined, `X does not accept ${mimeType} in Direct Messages`);
    return uploadMedia(x, bytes, mimeType, category);
}

/** The same upload in a post category (`tweet_image`, …); a type X does not take in posts is refused first. */
export async function uploadMedia(
    x: MediaCallDeps,
    bytes: Buffer,
    mimeType: string,
    category: DmMediaCategory | PostMediaCategory | undefined,
): Promise<string> {
    if (!category) throw new XFailure('media-not-permitted', 0, undefined, `X does not accept ${mimeType} in posts`);
    return x.asUser(async (c) => {
        const init = await c.v2.post(
            'media/upload/initialize',
            { media_type: mimeType, total_bytes: bytes.length, media_category: category },
            { forceBodyMode: 'json' },
        );
        const mediaId = String(init.data?.id);
        for (let offset = 0, segment = 0; offset < bytes.length; offset += MEDIA_CHUNK_BYTES, segment++) {
            const chunk = bytes.subarray(offset, offset + MEDIA_CHUNK_BYTES);
            await c.v2.post(
                `media/upload/${mediaId}/append`,
                { segment_index: segment, media: chunk.toString('base64') },
                { forceBodyMode: 'json' },
            );
        }
        let info = (await c.v2.post(`media/upload/${mediaId}/finalize`, {}, { forceBodyMode: 'json' })).data
            ?.processing_info;
        const started = x.now();
        while (info && (info.state === 'pending' || info.state === 'in_progress')) {
            if (x.now() - started > MAX_PROCESSING_WAIT_MS)
                throw new XFailure('unavailable', 0, undefined, 'X did not finish processing the media');
            await x.sleep(Math.min(Math.max(1, info.check_after_secs ?? 1), 10) * 1000);
            info = (await c.v2.get('media/upload', { command: 'STATUS', media_id: mediaId })).data?.processing_info;
        }
        if (info?.state === 'failed')
            throw new XFailure(
                'media-not-permitted',
                0,
                undefined,
                info.error?.message ?? 'X could not process the media',
            );
        return mediaId;
    });
}

/**

 * Fetches an inbound attachment from an allowed X media location (media-hosts.ts) in bounded ranges
 * (ranged-download.ts). Photos: OAuth 2.0 → X's DM media endpoint, OAuth 1.0a → the signed ton URL. Video
 * and GIF variants: video.twimg.com, without credentials. Anything else: no request at all.
 */
export async function downloadDmMedia(
    x: MediaCallDeps,
    location: DmMediaLocation,
    maxBytes: number,
    deadlineAt?: number,
): Promise<DmMediaDownload> {
    const source = classifyMediaUrl(location.url, location.ofPost === true);
    if (!source) return { ok: false, refused: 'source-not-allowed' };
    const deadline = deadlineAt === undefined ? undefined : { at: deadlineAt, now: x.now };
    if (source.kind === 'video-cdn') {
        // An anonymous client, and auth disabled per request: no credential can ride along.
        const anonymous = new TwitterApi(undefined as unknown as string, { plugins: x.plugins });
        return rangedGet(anonymous, source.url, maxBytes, false, FIRST_RANGE_BYTES, deadline).catch((e) => {
            // No credentials went there: a CDN refusal (an expired URL) says nothing about the account's link.
            if (e instanceof ApiResponseError && e.code < 500 && e.code !== 429)
                throw new XFailure('not-found', e.code, undefined, 'video.twimg.com refused the file');
            throw toXFailure(e, x.now());
        });
    }
    return x.asUser(async (c, auth) => {
        const url =
            source.kind === 'ton'
                ? auth.kind === 'oauth2'
                    ? dmMediaApiUrl(source.dmEventId, source.mediaId, source.resourceId)
                    : source.url
                : auth.kind === 'oauth2'
                  ? source.url
                  : undefined; // X's DM media endpoint takes OAuth 2.0 user tokens only (OpenAPI security).
        if (!url) return { ok: false, refused: 'source-not-allowed' } as const;
        // Only photos come from these hosts, and X caps DM photos at 5 MB: one request fetches any of them.
        return rangedGet(c, url, maxBytes, true, X_MEDIA_LIMITS.dm_image, deadline);
    });
}

async function rangedGet(
    client: TwitterApi,
    url: string,
    maxBytes: number,
    authenticated: boolean,
    firstRangeBytes: number,
    deadline?: RangeDeadline,
): Promise<DmMediaDownload> {
    const fetchRange: RangeFetch = async (first, last, timeoutMs) => {
        let response;
        try {
            response = await client.get(url, undefined, {
                forceParseMode: 'buffer',
                fullResponse: true,
                prefix: '',
                enableAuth: authenticated,
                // Rocket.Chat's fetch asks for gzip and inflates whatever comes, without a bound; a range of a
                // compressed answer would not be the bytes asked for anyway.
                headers: { Range: `bytes=${first}-${last}`, 'Accept-Encoding': 'identity' },
                ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
            });
        } catch (e) {
            // 416: nothing at this offset (the file ended at the previous range); its Content-Range has the size.
            if (e instanceof ApiResponseError && e.code === 416)
                return { status: 416, contentRange: e.headers?.['content-range'], bytes: Buffer.alloc(0) };
            throw e;
        }
        const bytes = Buffer.isBuffer(response.data) ? response.data : Buffer.from(response.data as Uint8Array);
        const contentRange = response.headers['content-range'] as string | undefined;
        // The transport hands the status over: a 206 without a Content-Range is a broken answer, not a whole file.
        return { status: (response as typeof response & Partial<WithStatus>).statusCode ?? 0, contentRange, bytes };
    };
    const result = await downloadInRanges(
        fetchRange,
        maxBytes,
        { first: firstRangeBytes, next: NEXT_RANGE_BYTES },
        deadline,
    );
    return result.ok
        ? result
        : {
              ok: false,
              refused: 'too-large',
              ...(result.sizeBytes !== undefined ? { sizeBytes: result.sizeBytes } : {}),
          };
}
