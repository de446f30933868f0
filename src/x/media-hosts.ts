/**
 * Where a DM attachment may be fetched from, and whether the request carries the account's credentials.
 * Download locations arrive inside deliveries, so they are input from outside: anything that is not one of
 * X's DM media locations over HTTPS gets no request at all, and credentials go only where X requires them.
 *
 * - `api.x.com` / `api.twitter.com` `GET /2/dm_conversations/media/{dm_id}/{media_id}/{resource_id}`: OAuth 2.0
 *   user token (X's OpenAPI spec, operation dmConversationsMediaDownload; ids `^[0-9]{1,19}$`, resource
 *   `^[a-zA-Z0-9_.-]{1,50}$` per docs.x.com "Download DM Media").
 * - `ton.twitter.com/1.1/ton/data/dm/…`: photos; "must be accessed by signing a request with the user's access
 *   token using OAuth 1.0A" (developer.x.com, Direct Messages › Retrieving media).
 * - `video.twimg.com/dm_video/…`, `/dm_gif/…`: the playable MP4 variants of videos and GIFs (captured AAA/XAA
 *   payloads). X's signing requirement "only impacts images" (X's 2018 announcement of the DM image change) and
 *   the CDN answers unauthenticated requests (a public 2022 capture of a dm_video URL): no credentials.
 *
 * `pbs.twimg.com` carries the still previews of DM videos and GIFs (`dm_video_preview`, `dm_gif_preview`), which
 * the app never shows as the customer's file: only its `/media/` photos of public posts are on the list.
 * - Public posts' media (mentions): photos on `pbs.twimg.com/media/…`, videos and GIFs on `video.twimg.com`
 *   (`ext_tw_video`, `amplify_video`, `tweet_video`); anyone may fetch them, so no credentials, like the DM videos.
 */

export type MediaSource =
    /** X's DM media endpoint: the user's OAuth 2.0 token. */
    | { kind: 'dm-media-api'; url: string }
    /** Legacy ton URL: an OAuth 1.0a request signed with the user's token. */
    | { kind: 'ton'; url: string; dmEventId: string; mediaId: string; resourceId: string }
    /** X's public CDNs (DM videos and GIFs, public posts' media): never any credentials. */
    | { kind: 'video-cdn'; url: string };

const API_HOSTS = new Set(['api.x.com', 'api.twitter.com']);
const DM_ID = /^[0-9]{1,19}$/;
const RESOURCE_ID = /^[a-zA-Z0-9_.-]{1,50}$/;
const TON_PATH = /^\/1\.1\/ton\/data\/dm\/([0-9]{1,19})\/([0-9]{1,19})\/([a-zA-Z0-9_.-]{1,50})$/;
const DM_MEDIA_API_PATH = /^\/2\/dm_conversations\/media\/[0-9]{1,19}\/[0-9]{1,19}\/[a-zA-Z0-9_.-]{1,50}$/;
const VIDEO_CDN_PATH = /^\/(?:dm_video|dm_gif)\/[0-9]{1,19}\/[A-Za-z0-9_./-]{1,200}$/;
/** A public post's videos and GIFs (captured v1.1 and v2 media: `ext_tw_video`, `amplify_video`, `tweet_video`). */
const POST_VIDEO_PATH =
    /^\/(?:(?:ext_tw_video|amplify_video)\/[0-9]{1,19}\/[A-Za-z0-9_./-]{1,200}|tweet_video\/[A-Za-z0-9_-]{1,64}\.mp4)$/;
/** A public post's photo: `pbs.twimg.com/media/<key>.<ext>` (v1.1 `media_url_https`, v2 `url`). */
const POST_PHOTO_PATH = /^\/media\/[A-Za-z0-9_-]{1,64}\.(?:jpg|jpeg|png|webp|gif)$/;

/**
 * The allowed source a URL names, or undefined: not HTTPS, another host or port, credentials in it, another path.
 * `ofPost`: the media of a public post, which only X's public CDNs serve; a DM's are only DM locations.
 */
export function classifyMediaUrl(raw: string, ofPost = false): MediaSource | undefined {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        return undefined;
    }
    if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '' || url.hash !== '')
        return undefined;
    // `..` or encoded separators could make a path that passes here mean another resource on the server.
    if (/%2f|%5c|%2e|\.\.|\/\//i.test(url.pathname)) return undefined;
    const host = url.hostname.toLowerCase();
    if (ofPost) return classifyPostMedia(url, host);
    if (host === 'ton.twitter.com') {
        const ton = TON_PATH.exec(url.pathname);
        return ton && url.search === ''
            ? { kind: 'ton', url: url.href, dmEventId: ton[1], mediaId: ton[2], resourceId: ton[3] }
            : undefined;
    }
    if (host === 'video.twimg.com') {
        return VIDEO_CDN_PATH.test(url.pathname) ? { kind: 'video-cdn', url: url.href } : undefined;
    }
    if (API_HOSTS.has(host)) {
        return DM_MEDIA_API_PATH.test(url.pathname) && url.search === ''
            ? { kind: 'dm-media-api', url: url.href }
            : undefined;
    }
    return undefined;
}

function classifyPostMedia(url: URL, host: string): MediaSource | undefined {
    const publicFile =
        (host === 'video.twimg.com' && POST_VIDEO_PATH.test(url.pathname)) ||
        (host === 'pbs.twimg.com' && POST_PHOTO_PATH.test(url.pathname) && url.search === '');
    return publicFile ? { kind: 'video-cdn', url: url.href } : undefined;
}

/** X's DM media endpoint for one attachment, when the ids have the shapes X documents. */
export function dmMediaApiUrl(dmEventId: string, mediaId: string, resourceId: string): string | undefined {
    if (!DM_ID.test(dmEventId) || !DM_ID.test(mediaId) || !RESOURCE_ID.test(resourceId) || resourceId.includes('..'))
        return undefined;
    return `https://api.x.com/2/dm_conversations/media/${dmEventId}/${mediaId}/${resourceId}`;
}
