/**
 * The fetch step on its own, against fake accessors and a scripted X client: a refusal made by Rocket.Chat's
 * settings is confirmed with their current values before the file is given up, and retries stop at the budget.
 */
import type { BridgeContext } from '../../../src/bridge/context';
import { DOWNLOAD_BUDGET_MS, fetchInboundMedia } from '../../../src/bridge/inbound-media';
import { translator } from '../../../src/i18n/translate';
import { DEFAULT_ACCEPTED_MEDIA_TYPES } from '../../../src/settings/ids';
import { normalizeSettings } from '../../../src/settings/reader';
import { DmMediaDownload, XClient, XFailure } from '../../../src/x/client-types';
import type { InboundMedia } from '../../../src/x/event-types';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const photo: InboundMedia = {
    mediaId: '42',
    kind: 'photo',
    url: 'https://ton.twitter.com/1.1/ton/data/dm/1/42/a.png',
    dmEventId: '1',
};
const translate = async () => translator('en');

/** Each test starts far from the others: the app keeps Rocket.Chat's settings for five minutes per instance. */
let epoch = 0;
const nextEpoch = () => (epoch += 3_600_000);

function fakeContext(
    serverSettings: Record<string, unknown>,
    download: (clock: { now: number }, maxBytes: number) => Promise<DmMediaDownload>,
) {
    const clock = { now: nextEpoch() };
    const reads: string[] = [];
    const downloads: number[] = [];
    const client = {
        downloadDmMedia: async (_where: unknown, maxBytes: number) => (
            downloads.push(clock.now),
            download(clock, maxBytes)
        ),
    } as unknown as XClient;
    const ctx = {
        settings: normalizeSettings({
            file_upload_enabled: true,
            file_max_size_mb: 15,
            accepted_media_types: DEFAULT_ACCEPTED_MEDIA_TYPES,
        }),
        read: {
            getEnvironmentReader: () => ({
                getServerSettings: () => ({ getValueById: async (id: string) => (reads.push(id), serverSettings[id]) }),
            }),
        },
        x: async () => client,
        now: () => clock.now,
        logger: { warn: () => undefined },
    } as unknown as BridgeContext;
    return { ctx, clock, reads, downloads };
}

const defaults = () => ({
    FileUpload_Enabled: true,
    FileUpload_MaxFileSize: 104_857_600,
    FileUpload_MediaTypeWhiteList: '',
    FileUpload_MediaTypeBlackList: 'image/svg+xml',
});

describe("a customer's file under Rocket.Chat's upload settings", () => {
    it('confirms a refusal by the settings with their current values: an admin who just allowed the type gets the file', async () => {
        const server = { ...defaults(), FileUpload_MediaTypeBlackList: 'image/svg+xml,image/png' };
        const { ctx, clock, reads, downloads } = fakeContext(server, async () => ({ ok: true, bytes: PNG }));
        const first = await fetchInboundMedia(ctx, photo, translate);
        expect(first).toEqual({
            ok: false,
            note: "Image sent by the customer is not shown: Rocket.Chat's File Upload settings do not accept image/png.",
        });
        expect(downloads).toHaveLength(1);

        // A minute later, within the five minutes the app keeps its copy, the admin allows PNG again.
        clock.now += 60_000;
        server.FileUpload_MediaTypeBlackList = 'image/svg+xml';
        reads.length = 0;
        expect(await fetchInboundMedia(ctx, photo, translate)).toEqual({
            ok: true,
            bytes: PNG,
            contentType: 'image/png',
        });
        expect(reads).toHaveLength(4);
    });

    it('reads nothing more when the settings allow the file, nor when a fresh copy confirms the refusal', async () => {
        const { ctx, clock, reads } = fakeContext({ ...defaults(), FileUpload_Enabled: false }, async () => ({
            ok: true,
            bytes: PNG,
        }));
        const refused = await fetchInboundMedia(ctx, photo, translate);
        expect(refused).toEqual({
            ok: false,
            note: expect.stringContaining('file uploads are turned off in Rocket.Chat'),
        });
        // The copy read for this file is current: no second read.
        expect(reads).toHaveLength(4);
        clock.now += 60_000;
        await fetchInboundMedia(ctx, photo, translate);
        expect(reads).toHaveLength(8);

        const allowed = fakeContext(defaults(), async () => ({ ok: true, bytes: PNG }));
        await fetchInboundMedia(allowed.ctx, photo, translate);
        allowed.clock.now += 60_000;
        await fetchInboundMedia(allowed.ctx, photo, translate);
        expect(allowed.reads).toHaveLength(4);
    });

    it('fetches again under a raised Rocket.Chat maximum size when the old one refused the file', async () => {
        const server = { ...defaults(), FileUpload_MaxFileSize: 1_000 };
        const { ctx, clock, downloads } = fakeContext(server, async (_clock, maxBytes) =>
            maxBytes < 4_000 ? { ok: false, refused: 'too-large', sizeBytes: 4_000 } : { ok: true, bytes: PNG },
        );
        await fetchInboundMedia(ctx, photo, translate);
        clock.now += 60_000;
        server.FileUpload_MaxFileSize = 10_000;
        expect(await fetchInboundMedia(ctx, photo, translate)).toMatchObject({ ok: true });
        expect(downloads).toHaveLength(3);
    });
});

describe('retrying a download X failed transiently', () => {
    it('retries within the budget and stops there', async () => {
        const { ctx, downloads } = fakeContext(defaults(), async (clock) => {
            clock.now += DOWNLOAD_BUDGET_MS - 200;
            throw new XFailure('unavailable', 503);
        });
        const started = ctx.now();
        expect(await fetchInboundMedia(ctx, photo, translate)).toEqual({
            ok: false,
            note: 'Image sent by the customer could not be downloaded from X. Ask them to send it again if you need it.',
        });
        // The first attempt used the budget: a retry after the 300 ms pause would start past it.
        expect(downloads).toEqual([started]);
    });

    it('retries twice when time allows', async () => {
        const { ctx, downloads } = fakeContext(defaults(), async () =>
            Promise.reject(new XFailure('unavailable', 503)),
        );
        await fetchInboundMedia(ctx, photo, translate);
        expect(downloads).toHaveLength(3);
    });
});
