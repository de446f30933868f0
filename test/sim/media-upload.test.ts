import http from 'node:http';
import { ManualClock, startXSim, type XSim } from '../../tools/x-sim';
import { XTransportError } from '../../src/x/transport';
import { oauth1Client, oauth2Client } from './helpers/clients';
import { fakeMp4, TINY_PNG, uploadViaJson } from './helpers/media';
import { rejection } from './helpers/errors';

const MB = 1024 * 1024;

/** A multipart append sent with plain Node http (binary bodies can't go through IHttp). */
function multipartAppend(
    sim: XSim,
    accessToken: string,
    mediaId: string,
    segmentIndex: number,
    bytes: Buffer,
): Promise<number> {
    const boundary = '----xsimboundary';
    const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="segment_index"\r\n\r\n${segmentIndex}\r\n`),
        Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="media"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return new Promise((resolve, reject) => {
        const request = http.request(
            {
                host: '127.0.0.1',
                port: sim.port,
                method: 'POST',
                path: `/2/media/upload/${mediaId}/append`,
                headers: {
                    host: 'api.x.com',
                    authorization: `Bearer ${accessToken}`,
                    'content-type': `multipart/form-data; boundary=${boundary}`,
                    'content-length': body.length,
                },
            },
            (response) => {
                response.resume();
                response.on('end', () => resolve(response.statusCode ?? 0));
            },
        );
        request.on('error', reject);
        request.end(body);
    });
}

describe('v2 media upload', () => {
    let sim: XSim;
    let clock: ManualClock;

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
    });
    afterEach(() => sim.close());

    test('chunked image upload with JSON base64 appends; STATUS reports it ready', async () => {
        const client = oauth2Client(sim, sim.business!.id);
        const finalized = await uploadViaJson(client, TINY_PNG, {
            mediaType: 'image/png',
            category: 'dm_image',
            chunkSize: 32,
        });
        expect(finalized).toMatchObject({
            id: expect.stringMatching(/^\d{19}$/),
            size: TINY_PNG.length,
            image: { image_type: 'image/png' },
        });
        expect(finalized.processing_info).toBeUndefined();
        const status = await client.v2.get<{ data: Record<string, unknown> }>('media/upload', {
            command: 'STATUS',
            media_id: finalized.id,
        });
        expect(status.data).toMatchObject({ id: finalized.id, media_key: `3_${finalized.id}` });
    });

    test('video processing goes pending → in_progress → succeeded as simulated time passes', async () => {
        const client = oauth1Client(sim, sim.business!.id);
        const video = fakeMp4(20_000);
        const finalized = await uploadViaJson(client, video, { mediaType: 'video/mp4', category: 'dm_video' });
        expect(finalized.processing_info).toMatchObject({ state: 'pending', check_after_secs: expect.any(Number) });
        const customer = sim.createUser({ username: 'watcher' });
        const early = await rejection(
            client.v2.sendDmToParticipant(customer.id, { attachments: [{ media_id: finalized.id }] }),
        );
        expect(early.code).toBe(400);

        const states: string[] = [];
        for (;;) {
            const status = await client.v2.get<{
                data: { processing_info: { state: string; check_after_secs?: number } };
            }>('media/upload', { command: 'STATUS', media_id: finalized.id });
            states.push(status.data.processing_info.state);
            if (status.data.processing_info.state === 'succeeded') break;
            await clock.advance((status.data.processing_info.check_after_secs ?? 1) * 1000);
        }
        expect(states[0]).toBe('pending');
        expect(states).toContain('in_progress');
        await client.v2.sendDmToParticipant(customer.id, { attachments: [{ media_id: finalized.id }] });
        expect(sim.dmsSentBy(sim.business!.id)[0].media).toMatchObject({ type: 'video', contentType: 'video/mp4' });
    });

    test('multipart appends work over plain HTTP; through the string-only transport they fail loudly', async () => {
        const tokens = sim.linkOAuth2(sim.defaultApp!.id, sim.business!.id);
        const client = oauth2Client(sim, sim.business!.id);
        const init = await client.v2.post<{ data: { id: string } }>('media/upload/initialize', {
            media_type: 'image/png',
            total_bytes: TINY_PNG.length,
            media_category: 'dm_image',
        });
        expect(await multipartAppend(sim, tokens.access_token, init.data.id, 0, TINY_PNG)).toBe(200);
        await client.v2.post(`media/upload/${init.data.id}/finalize`);

        const error = await client.v2
            .uploadMedia(TINY_PNG, { media_type: 'image/png', media_category: 'dm_image' })
            .then(
                () => undefined,
                (e: unknown) => e,
            );
        expect(error).toBeInstanceOf(XTransportError);
        expect((error as XTransportError).kind).toBe('unsupported-body');
    });

    test('size limits are checked on declared and appended bytes', async () => {
        const client = oauth2Client(sim, sim.business!.id);
        const init = (mediaType: string, category: string, totalBytes: number) =>
            client.v2.post<{ data: { id: string } }>('media/upload/initialize', {
                media_type: mediaType,
                total_bytes: totalBytes,
                media_category: category,
            });
        expect((await rejection(init('image/png', 'dm_image', 5 * MB + 1))).code).toBe(400);
        await init('image/png', 'dm_image', 5 * MB);
        expect((await rejection(init('image/gif', 'dm_gif', 15 * MB + 1))).code).toBe(400);
        await init('video/mp4', 'dm_video', 512 * MB);
        expect((await rejection(init('video/mp4', 'dm_video', 512 * MB + 1))).code).toBe(400);
        expect((await rejection(init('video/mp4', 'dm_image', 10))).code).toBe(400);

        const small = await init('image/png', 'dm_image', 10);
        const tooMuch = await rejection(
            client.v2.post(`media/upload/${small.data.id}/append`, {
                segment_index: 0,
                media: Buffer.alloc(11).toString('base64'),
            }),
        );
        expect(tooMuch.code).toBe(400);
        await client.v2.post(`media/upload/${small.data.id}/append`, {
            segment_index: 0,
            media: Buffer.alloc(5).toString('base64'),
        });
        const incomplete = await rejection(client.v2.post(`media/upload/${small.data.id}/finalize`));
        expect(incomplete.code).toBe(400);
    });

    test('one-shot upload, ownership and the media.write scope', async () => {
        const client = oauth2Client(sim, sim.business!.id);
        const oneShot = await client.v2.post<{ data: { id: string; image: { image_type: string } } }>('media/upload', {
            media: TINY_PNG.toString('base64'),
            media_category: 'dm_image',
        });
        expect(oneShot.data.image.image_type).toBe('image/png');

        const stranger = oauth2Client(sim, sim.createUser({ username: 'stranger' }).id);
        expect(
            (await rejection(stranger.v2.get('media/upload', { command: 'STATUS', media_id: oneShot.data.id }))).code,
        ).toBe(400);
        const noScope = oauth2Client(sim, sim.business!.id, ['tweet.read', 'users.read', 'dm.write']);
        expect(
            (
                await rejection(
                    noScope.v2.post('media/upload', { media: TINY_PNG.toString('base64'), media_category: 'dm_image' }),
                )
            ).code,
        ).toBe(403);
    });
});
