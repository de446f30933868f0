/**
 * What the X client puts on the wire for an inbound attachment, through the real transport plugin over a scripted
 * sender: which host, which credentials, which ranges, and which answers it refuses to take as a file.
 */
import { AuthMethod } from '../../../src/settings/ids';
import { XFailure } from '../../../src/x/client-types';
import { TwitterXClient } from '../../../src/x/client';
import type { CredentialSource, UserAuth } from '../../../src/x/credentials';
import { createTransportPlugin, type HttpSendRequest, type HttpSendResponse } from '../../../src/x/transport';

const MB = 1024 * 1024;
const OAUTH1: UserAuth = { kind: 'oauth1', appKey: 'ck', appSecret: 'cs', accessToken: 'at', accessSecret: 'as' };
const OAUTH2: UserAuth = { kind: 'oauth2', accessToken: 'user-token' };
const TON = 'https://ton.twitter.com/1.1/ton/data/dm/1921371160244875268/1921371152162615296/kQ3xY2aB.jpg';
const VIDEO = 'https://video.twimg.com/dm_video/1921371402918744064/vid/1280x720/Rr5yU1.mp4?tag=12';
const location = (url: string) => ({ dmEventId: '1921371160244875268', mediaId: '1921371152162615296', url });

/** A server over `file` honouring single ranges, unless told to answer otherwise. */
function mediaServer(file: Buffer, answer?: (request: HttpSendRequest) => HttpSendResponse | undefined) {
    const requests: HttpSendRequest[] = [];
    const send = async (request: HttpSendRequest): Promise<HttpSendResponse> => {
        requests.push(request);
        const scripted = answer?.(request);
        if (scripted) return scripted;
        const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(request.headers.Range ?? '') ?? [];
        if (first === undefined)
            return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, content: file };
        const end = Math.min(Number(last), file.length - 1);
        return {
            statusCode: 206,
            headers: {
                'content-type': 'application/octet-stream',
                'content-range': `bytes ${first}-${end}/${file.length}`,
            },
            content: file.subarray(Number(first), end + 1),
        };
    };
    return { requests, send };
}

function clientWith(
    auth: UserAuth,
    send: (request: HttpSendRequest) => Promise<HttpSendResponse>,
    clock = { now: 1_000 },
) {
    const asked: string[] = [];
    const credentials: CredentialSource = {
        method: auth.kind === 'oauth2' ? AuthMethod.OAuth2 : AuthMethod.Tokens,
        user: async () => (asked.push('user'), auth),
        refreshAfterRejection: async () => undefined,
        appBearer: async () => (asked.push('bearer'), 'app-bearer'),
    };
    const client = new TwitterXClient({
        credentials,
        plugins: [createTransportPlugin(send)],
        now: () => clock.now,
        sleep: async () => undefined,
    });
    return { client, asked };
}

const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3 * MB - 4, 7)]);
const CLIP = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42', 'latin1'), Buffer.alloc(2 * MB, 3)]);

describe('downloading a DM attachment', () => {
    it('fetches a video from X’s CDN with no credential at all, asking for plain bytes in whole-byte ranges', async () => {
        const server = mediaServer(CLIP);
        const { client, asked } = clientWith(OAUTH2, server.send);
        const result = await client.downloadDmMedia(location(VIDEO), 10.3 * MB);
        expect(result.ok && result.bytes.equals(CLIP)).toBe(true);
        expect(asked).toEqual([]);
        expect(
            server.requests.map((r) => [
                new URL(r.url).host,
                r.headers.Authorization,
                r.headers.Range,
                r.headers['Accept-Encoding'],
            ]),
        ).toEqual([
            ['video.twimg.com', undefined, 'bytes=0-1048575', 'identity'],
            ['video.twimg.com', undefined, `bytes=${MB}-${5 * MB - 1}`, 'identity'],
        ]);
    });

    it('fetches a photo with OAuth 2.0 from X’s DM media endpoint in one request (X caps DM photos at 5 MB)', async () => {
        const server = mediaServer(PHOTO);
        const { client } = clientWith(OAUTH2, server.send);
        const result = await client.downloadDmMedia(location(TON), 15 * MB);
        expect(result.ok && result.bytes.equals(PHOTO)).toBe(true);
        expect(server.requests.map((r) => [r.url, r.headers.Authorization, r.headers.Range])).toEqual([
            [
                'https://api.x.com/2/dm_conversations/media/1921371160244875268/1921371152162615296/kQ3xY2aB.jpg',
                'Bearer user-token',
                `bytes=0-${5 * MB - 1}`,
            ],
        ]);
    });

    it('fetches a photo with OAuth 1.0a from the signed ton URL, never asking for more than the limit', async () => {
        const server = mediaServer(PHOTO);
        const { client } = clientWith(OAUTH1, server.send);
        expect(await client.downloadDmMedia(location(TON), 2 * MB)).toEqual({
            ok: false,
            refused: 'too-large',
            sizeBytes: PHOTO.length,
        });
        expect(server.requests.map((r) => [r.url, r.headers.Authorization?.slice(0, 6), r.headers.Range])).toEqual([
            [TON, 'OAuth ', `bytes=0-${2 * MB - 1}`],
        ]);
    });

    it.each([
        ['another host', 'https://evil.example/1.1/ton/data/dm/1/2/a.jpg', OAUTH2],
        [
            'X’s DM media endpoint with OAuth 1.0a (it takes OAuth 2.0 only)',
            'https://api.x.com/2/dm_conversations/media/1/2/a.jpg',
            OAUTH1,
        ],
    ])('makes no request for %s', async (_what, url, auth) => {
        const server = mediaServer(PHOTO);
        const { client } = clientWith(auth, server.send);
        expect(await client.downloadDmMedia(location(url), 15 * MB)).toEqual({
            ok: false,
            refused: 'source-not-allowed',
        });
        expect(server.requests).toEqual([]);
    });

    it('does not take a partial answer without its Content-Range for the whole file', async () => {
        // A 206 whose Content-Range went missing (a proxy, a broken server) carries only the first range.
        const server = mediaServer(CLIP, (r) => ({
            statusCode: 206,
            headers: { 'content-type': 'video/mp4' },
            content: CLIP.subarray(0, Number(/-(\d+)$/.exec(r.headers.Range!)![1]) + 1),
        }));
        const { client } = clientWith(OAUTH2, server.send);
        await expect(client.downloadDmMedia(location(VIDEO), 15 * MB)).rejects.toBeInstanceOf(XFailure);
    });

    it('bounds each request by the time left, and starts none after the deadline', async () => {
        const clock = { now: 1_000 };
        // Each answer takes 7 s: the third range would start after the deadline.
        const server = mediaServer(
            Buffer.concat([CLIP, Buffer.alloc(8 * MB)]),
            () => ((clock.now += 7_000), undefined),
        );
        const { client } = clientWith(OAUTH2, server.send, clock);
        await expect(client.downloadDmMedia(location(VIDEO), 15 * MB, clock.now + 10_000)).rejects.toThrow(
            /RangeDeadlineError/,
        );
        expect(server.requests.map((r) => r.timeoutMs)).toEqual([10_000, 3_000]);
    });
});
