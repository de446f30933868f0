/**
 * Inbound under the conditions X and Rocket.Chat really produce: duplicated and reordered deliveries,
 * every serialization X may use, forged deliveries, no agent online, a restart, two Rocket.Chat
 * instances sharing one database, and bad input of every kind — exactly once, in order, nothing lost.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { signWebhookBody } from '../unit/helpers/webhook-signing';
import { PENDING_JOB_ID, RECOVERY_JOB_ID, VERIFY_JOB_ID } from '../../src/jobs/ids';
import { deliverFromCustomer, roomOf, syncSimClock, visibleTexts } from './helpers/inbound';
import { receivedTexts } from './helpers/outbound';
import { webhookSecret } from './helpers/app-host';
import { startInstance, startWorld, World } from './helpers/world';

const GIF = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(32, 1)]);
const uploadsIn = (world: World, roomId: string) =>
    [...world.host.store.uploads.values()].filter((u) => u.upload.room.id === roomId);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42', 'latin1'), Buffer.alloc(64, 2)]);

function webhookUrl(world: World): string {
    return `${world.front.url}/api/apps/public/${world.host.appId}/webhook/${webhookSecret(world.host)}`;
}

async function postRaw(
    url: string,
    body: string,
    headers: Record<string, string>,
): Promise<{ status: number; json: unknown }> {
    const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
    });
    const text = await response.text();
    let json: unknown = text;
    try {
        json = JSON.parse(text);
    } catch {
        // a plain-text answer (e.g. the router's own 400)
    }
    return { status: response.status, json };
}

describe('inbound reliability (Account Activity API webhook)', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({
            mode: 'aaa',
            settings: { unavailable_message: 'Nobody is here right now; we will answer soon.' },
        });
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        world.sim.faults.clear();
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('posts each DM exactly once and in the order written, despite duplicated and reordered deliveries', async () => {
        const customer = world.customer('dup', 'Dup Customer');
        world.sim.faults.set({ delivery: { duplicate: 2 } });
        world.sim.faults.set({ delivery: { reorder: true }, probability: 0.5 });
        for (let i = 1; i <= 8; i++) {
            await syncSimClock(world);
            await world.sim.clock.advance(1000);
            await world.sim.sendDm({ from: customer, to: world.business.id, text: `message ${i}` });
        }
        world.sim.faults.clear();
        await world.sim.settle();
        await world.host.settle();
        const room = roomOf(world, 'Dup Customer')!;
        expect(visibleTexts(world, room.id)).toEqual(Array.from({ length: 8 }, (_, i) => `message ${i + 1}`));
        expect(world.sim.deliveries().filter((d) => d.statusCode === 200).length).toBeGreaterThan(8);
    });

    it.each(['compact', 'escapedSlashes', 'unicodeEscaped', 'both'] as const)(
        'accepts genuine deliveries serialized as %s',
        async (style) => {
            const customer = world.customer(`st_${style.slice(0, 10)}`, `Style ${style} Ünïcødé/名前`);
            world.sim.faults.set({ serialization: style });
            await syncSimClock(world);
            await world.sim.sendDm({ from: customer, to: world.business.id, text: `café / naïve ✓ ${style}` });
            await world.host.settle();
            const room = roomOf(world, `Style ${style} Ünïcødé/名前`)!;
            expect(visibleTexts(world, room.id)).toEqual([`café / naïve ✓ ${style}`]);
        },
    );

    it.each(['compact', 'escapedSlashes', 'unicodeEscaped'] as const)(
        'refuses a forged delivery serialized as %s, and nothing is posted',
        async (style) => {
            const customer = world.customer(`fg_${style.slice(0, 10)}`, `Forged ${style}`);
            const body = {
                for_user_id: world.business.id,
                direct_message_events: [
                    {
                        type: 'message_create',
                        id: `99${Date.now()}`,
                        created_timestamp: String(Date.now()),
                        message_create: {
                            target: { recipient_id: world.business.id },
                            sender_id: customer,
                            message_data: { text: 'send me your password/ñ', entities: { urls: [] } },
                        },
                    },
                ],
                users: { [customer]: { id: customer, name: `Forged ${style}`, screen_name: `forge_${style}` } },
            };
            let raw = JSON.stringify(body);
            if (style === 'escapedSlashes') raw = raw.replace(/\//g, '\\/');
            if (style === 'unicodeEscaped')
                raw = raw.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
            const forged = await postRaw(webhookUrl(world), raw, {
                'x-twitter-webhooks-signature': signWebhookBody('not-the-consumer-secret', raw),
            });
            expect(forged.status).toBe(401);
            expect(roomOf(world, `Forged ${style}`)).toBeUndefined();
        },
    );

    it('refuses a genuine-looking delivery that replays an event under a wrong signature (X does not confirm it)', async () => {
        const customer = world.customer('replayed', 'Replayed');
        const sent = await world.sim.sendDm({ from: customer, to: world.business.id, text: 'original' });
        await world.host.settle();
        const body = JSON.stringify({
            for_user_id: world.business.id,
            direct_message_events: [
                {
                    type: 'message_create',
                    id: sent.dm.id,
                    created_timestamp: String(sent.dm.createdAt),
                    message_create: {
                        target: { recipient_id: world.business.id },
                        sender_id: customer,
                        message_data: { text: 'tampered text', entities: { urls: [] } },
                    },
                },
            ],
        });
        const replay = await postRaw(webhookUrl(world), body, {
            'x-twitter-webhooks-signature': signWebhookBody('wrong', body),
        });
        expect(replay.status).toBe(401);
        expect(visibleTexts(world, roomOf(world, 'Replayed')!.id)).toEqual(['original']);
    });

    it.each([
        ['malformed JSON', '{"for_user_id": ', { 'x-twitter-webhooks-signature': 'sha256=AAAA' }, 400],
        ['a body that is not an object', '[]', { 'x-twitter-webhooks-signature': 'sha256=AAAA' }, 400],
        ['a missing signature', '{"for_user_id":"1"}', {}, 401],
        ['a malformed signature', '{"for_user_id":"1"}', { 'x-twitter-webhooks-signature': 'md5=zzz' }, 401],
    ])('answers %s with a clear 4xx', async (_what, body, headers, status) => {
        const before = world.host.store.messages.size;
        const response = await postRaw(webhookUrl(world), body as string, headers as Record<string, string>);
        expect(response.status).toBe(status);
        expect(world.host.store.messages.size).toBe(before);
    });

    it('answers a wrong secret path with 404', async () => {
        const response = await postRaw(
            `${world.front.url}/api/apps/public/${world.host.appId}/webhook/guessed`,
            '{}',
            {},
        );
        expect(response.status).toBe(404);
    });

    it('acknowledges, without posting, events it does not handle and events for another account (X must not retry them)', async () => {
        const secret = (world.sim as unknown as { defaultApp: { consumerSecret: string } }).defaultApp.consumerSecret;
        const bodies = [
            { for_user_id: world.business.id, favorite_events: [{ id: '1' }] },
            { for_user_id: world.business.id, direct_message_events: [{ type: 'message_create', id: '123' }] },
            {
                for_user_id: '42',
                direct_message_events: [
                    {
                        type: 'message_create',
                        id: '124',
                        created_timestamp: '1',
                        message_create: {
                            target: { recipient_id: '42' },
                            sender_id: '7',
                            message_data: { text: 'hi' },
                        },
                    },
                ],
            },
        ];
        for (const body of bodies) {
            const raw = JSON.stringify(body);
            const response = await postRaw(webhookUrl(world), raw, {
                'x-twitter-webhooks-signature': signWebhookBody(secret, raw),
            });
            expect(response.status).toBe(200);
        }
        expect(world.host.livechatRooms().some((r) => (r as ILivechatRoom).visitor?.username === 'x-7')).toBe(false);
    });

    it('posts GIFs and videos as files from the customer', async () => {
        const customer = world.customer('media', 'Media Customer');
        await syncSimClock(world);
        await world.sim.sendDm({
            from: customer,
            to: world.business.id,
            media: { type: 'animated_gif', bytes: GIF, contentType: 'image/gif' },
        });
        await world.sim.sendDm({
            from: customer,
            to: world.business.id,
            text: 'and a video',
            media: { type: 'video', bytes: MP4, contentType: 'video/mp4' },
        });
        await world.host.settle();
        const room = roomOf(world, 'Media Customer')!;
        const files = [...world.host.store.uploads.values()].filter((u) => u.upload.room.id === room.id);
        expect(files.map((f) => f.upload.type).sort()).toEqual(['image/gif', 'video/mp4']);
    });

    it("retries a media download X failed once (503), so the customer's image is not lost", async () => {
        const customer = world.customer('flaky', 'Flaky Media');
        world.sim.faults.once({ api: { status: 503 }, match: { host: 'ton.twitter.com' } });
        await syncSimClock(world);
        await world.sim.sendDm({
            from: customer,
            to: world.business.id,
            text: 'photo',
            media: { type: 'photo', bytes: GIF, contentType: 'image/gif' },
        });
        await world.host.settle();
        const room = roomOf(world, 'Flaky Media')!;
        expect([...world.host.store.uploads.values()].filter((u) => u.upload.room.id === room.id)).toHaveLength(1);
        expect(
            world.sim
                .requests()
                .filter((r) => r.host === 'ton.twitter.com')
                .map((r) => r.status),
        ).toEqual(expect.arrayContaining([503, 200]));
    });

    it('shows the customer typing in the room and records read receipts', async () => {
        const customer = world.customer('typer', 'Typer');
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'hello' });
        await world.host.settle();
        const room = roomOf(world, 'Typer')!;
        await world.sim.indicateTyping({ from: customer, to: world.business.id });
        await world.host.settle();
        expect(world.host.store.typing.some((t) => t.roomId === room.id && t.isTyping)).toBe(true);
    });

    it('with no agent online: sends the unavailable DM once, keeps messages pending, and posts them in order when an agent is back', async () => {
        world.host.setAgentOnline(world.agent.id, false);
        const customer = world.customer('late', 'Late Customer');
        for (const text of ['anyone there?', 'hello?', 'please']) {
            await syncSimClock(world);
            await world.sim.clock.advance(1000);
            await world.sim.sendDm({ from: customer, to: world.business.id, text });
        }
        await world.host.settle();
        expect(roomOf(world, 'Late Customer')).toBeUndefined();
        expect(world.sim.dmsSentBy(world.business.id, { to: customer }).map((d) => d.text)).toEqual([
            'Nobody is here right now; we will answer soon.',
        ]);
        world.host.setAgentOnline(world.agent.id, true);
        await world.host.runJobNow(PENDING_JOB_ID);
        const room = roomOf(world, 'Late Customer')!;
        expect(visibleTexts(world, room.id)).toEqual(['anyone there?', 'hello?', 'please']);
        await world.host.runJobNow(PENDING_JOB_ID);
        expect(visibleTexts(world, room.id)).toHaveLength(3);
    });

    it('loses nothing across a Rocket.Chat restart: a delivery refused while down is retried by X and lands once', async () => {
        const customer = world.customer('restart', 'Restart Customer');
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'before restart' });
        await world.host.settle();
        await world.host.stop();
        // While Rocket.Chat is down its router answers 5xx, so X schedules retries.
        world.front.setHosts([]);
        const sent = world.sim.sendDm(
            { from: customer, to: world.business.id, text: 'while down' },
            { awaitDelivery: true },
        );
        await sent.catch(() => undefined);
        world.host = await world.host.restart();
        world.front.setHosts([world.host]);
        await world.sim.clock.advance(3_100);
        await world.sim.settle();
        await world.host.settle();
        const room = roomOf(world, 'Restart Customer')!;
        expect(visibleTexts(world, room.id)).toEqual(['before restart', 'while down']);
    });

    it('with two Rocket.Chat instances sharing one database and deliveries alternating between them: 0 lost, 0 duplicated', async () => {
        const second = await startInstance(world, 'h-second');
        try {
            world.front.setHosts([world.host, second]);
            world.sim.faults.set({ delivery: { duplicate: 1 }, probability: 0.3 });
            const customers = [world.customer('two_a', 'Two A'), world.customer('two_b', 'Two B')];
            for (let i = 1; i <= 10; i++) {
                await syncSimClock(world);
                await world.sim.clock.advance(1000);
                await world.sim.sendDm({ from: customers[i % 2], to: world.business.id, text: `m${i}` });
            }
            await world.sim.settle();
            await Promise.all([world.host.settle(), second.settle()]);
            expect(visibleTexts(world, roomOf(world, 'Two A')!.id)).toEqual(['m2', 'm4', 'm6', 'm8', 'm10']);
            expect(visibleTexts(world, roomOf(world, 'Two B')!.id)).toEqual(['m1', 'm3', 'm5', 'm7', 'm9']);
            expect(second.calls.calls.some((c) => c.bridge === 'LivechatBridge' && c.method === 'createMessage')).toBe(
                true,
            );
        } finally {
            world.front.setHosts([world.host]);
            await second.stop();
        }
    });

    it('a setting saved on one instance is used at once by the other (Rocket.Chat broadcasts the change)', async () => {
        const second = await startInstance(world, 'h-settings');
        const original = world.host.settingValue('welcome_message');
        try {
            world.front.setHosts([second]);
            await world.host.setSetting('welcome_message', 'Hello, first welcome');
            const before = world.customer('settings_before', 'Settings Before');
            await syncSimClock(world);
            await world.sim.sendDm({ from: before, to: world.business.id, text: 'hi' });
            await second.settle();
            // The second instance has the settings in memory now; the admin changes one on the first.
            await world.host.setSetting('welcome_message', 'Hello, second welcome');
            const after = world.customer('settings_after', 'Settings After');
            await syncSimClock(world);
            await world.sim.sendDm({ from: after, to: world.business.id, text: 'hi' });
            await second.settle();
            expect(receivedTexts(world, before)).toEqual(['Hello, first welcome']);
            expect(receivedTexts(world, after)).toEqual(['Hello, second welcome']);
        } finally {
            world.front.setHosts([world.host]);
            await second.stop();
            await world.host.setSetting('welcome_message', original);
        }
    });

    describe('a delivery that claimed a DM and did not finish', () => {
        const inDoubt = (customer: string) =>
            [...world.host.store.appPersistence(world.host.appId).values()]
                .map((r) => r.data as { type?: string; eventId?: string; event?: { senderId?: string } })
                .filter((r) => r.type === 'in-doubt' && r.event?.senderId === customer)
                .map((r) => r.eventId);

        it('another instance keeps the DM in doubt (X gets 200), then, the claimant having died, posts it exactly once', async () => {
            const customer = world.customer('dead_claim', 'Dead Claim Customer');
            await syncSimClock(world);
            await world.sim.sendDm({ from: customer, to: world.business.id, text: 'first' });
            await world.host.settle();
            // X's delivery waits a second; meanwhile an instance claims the event and dies before posting it.
            world.sim.faults.set({ delivery: { delayMs: 1_000 } });
            const { dm } = await world.sim.sendDm(
                { from: customer, to: world.business.id, text: 'claimed by the dead' },
                { awaitDelivery: false },
            );
            world.sim.faults.clear();
            const conversation = [
                { model: 'misc', id: `x-conv:${world.business.id}:${customer}` },
                { model: 'misc', id: `x-seen:${dm.id}` },
            ];
            const id = world.host.store.newObjectId();
            world.host.store.appPersistence(world.host.appId).set(id, {
                id,
                data: { type: 'seen', eventId: dm.id, at: Date.now(), claim: 'died-mid-way' },
                associations: conversation,
            });
            await world.sim.clock.advance(1_000);
            await world.sim.settle();
            await world.host.settle();
            const delivery = world.sim.deliveries().find((d) => d.eventIds.includes(dm.id))!;
            expect(delivery.attempts.map((a) => a.status)).toEqual([200]);
            expect(inDoubt(customer)).toEqual([dm.id]);
            expect(visibleTexts(world, roomOf(world, 'Dead Claim Customer')!.id)).toEqual(['first']);
            // A stale window later, the verification job finds it missing from the room and posts it.
            await world.host.runJobNow(VERIFY_JOB_ID);
            await world.host.settle();
            expect(visibleTexts(world, roomOf(world, 'Dead Claim Customer')!.id)).toEqual([
                'first',
                'claimed by the dead',
            ]);
            expect(inDoubt(customer)).toEqual([]);
            // A second verification (a duplicate job) changes nothing.
            await world.host.runJobNow(VERIFY_JOB_ID);
            expect(visibleTexts(world, roomOf(world, 'Dead Claim Customer')!.id)).toEqual([
                'first',
                'claimed by the dead',
            ]);
        });

        it('a long DM whose delivery failed between its parts: the verification posts the missing part, once', async () => {
            const customer = world.customer('half_posted', 'Half Posted Customer');
            await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'first' });
            const words: string[] = [];
            for (let i = 0; words.join(' ').length < 6_000; i++) words.push(`part${i}`);
            const long = words.join(' ').slice(0, 6_000).trim();
            // Rocket.Chat takes the first part of the 6,000 characters and fails the second (the delivery dies there).
            let failed = false;
            const remove = world.host.calls.before('LivechatBridge', 'createMessage', (args) => {
                const text = (args[0] as { text?: string }).text ?? '';
                if (!failed && text !== long && long.endsWith(text.slice(-50)) && !long.startsWith(text.slice(0, 50))) {
                    failed = true;
                    throw new Error('simulated failure between the parts');
                }
            });
            try {
                await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: long });
            } finally {
                remove();
            }
            expect(failed).toBe(true);
            const room = roomOf(world, 'Half Posted Customer')!;
            expect(visibleTexts(world, room.id)).toHaveLength(2);
            // X retries; the event is claimed by the failed delivery, so it is kept in doubt and verified later.
            await world.sim.clock.advance(4_000);
            await world.sim.settle();
            await world.host.settle();
            expect(inDoubt(customer)).toHaveLength(1);
            await world.host.runJobNow(VERIFY_JOB_ID);
            await world.host.settle();
            const texts = visibleTexts(world, room.id);
            expect(texts).toHaveLength(3);
            expect(texts[0]).toBe('first');
            expect(texts.slice(1).join(' ')).toBe(long);
            expect(inDoubt(customer)).toEqual([]);
        });

        it('a claimant still uploading a file past a stale window is not taken over: the file is uploaded once (review finding)', async () => {
            const second = await startInstance(world, 'h-upload');
            let attempts = 0;
            let extendedFirst = false;
            let release!: () => void;
            const released = new Promise<void>((resolve) => (release = resolve));
            const claimsOf = (eventId: string) =>
                [...world.host.store.appPersistence(world.host.appId).values()]
                    .map(
                        (r) =>
                            r.data as { type?: string; eventId?: string; claim?: string; at: number; until?: number },
                    )
                    .filter((d) => d.type === 'seen' && d.eventId === eventId && d.claim);
            let eventId = '';
            // Rocket.Chat stores the file slowly (a large video): the upload waits until the test lets it finish.
            const slowUpload = async () => {
                attempts++;
                extendedFirst = claimsOf(eventId).some((c) => c.until !== undefined && c.until > c.at);
                await released;
            };
            const removes = [world.host, second].map((h) => h.calls.before('UploadBridge', 'createUpload', slowUpload));
            try {
                const customer = world.customer('slow_upload', 'Slow Upload Customer');
                await syncSimClock(world);
                await world.sim.sendDm({ from: customer, to: world.business.id, text: 'hello' });
                await world.host.settle();
                world.front.setHosts([world.host, second]);
                const { dm } = await world.sim.sendDm(
                    {
                        from: customer,
                        to: world.business.id,
                        text: 'a video',
                        media: { type: 'video', bytes: MP4, contentType: 'video/mp4' },
                    },
                    { awaitDelivery: false },
                );
                eventId = dm.id;
                for (let i = 0; i < 100 && attempts === 0; i++) await new Promise((r) => setTimeout(r, 100));
                expect(attempts).toBe(1);
                expect(extendedFirst).toBe(true);
                // The upload has taken longer than a stale window: the claim's marks are 90 s old.
                for (const record of world.host.store.appPersistence(world.host.appId).values()) {
                    const data = record.data as { type?: string; eventId?: string; claim?: string; at: number };
                    if (data.type === 'seen' && data.eventId === dm.id && data.claim) data.at -= 90_000;
                }
                // X gives up waiting for the answer and delivers again, to the other instance.
                const delivery = () => world.sim.deliveries().find((d) => d.eventIds.includes(dm.id));
                for (let i = 0; i < 100 && !delivery()?.attempts.length; i++)
                    await new Promise((r) => setTimeout(r, 100));
                expect(delivery()?.attempts).toHaveLength(1);
                await world.sim.clock.advance(4_000);
                await world.sim.settle();
                await second.settle();
                expect(attempts).toBe(1);
                expect(inDoubt(customer)).toEqual([dm.id]);
                release();
                await Promise.all([world.host.settle(), second.settle()]);
                await world.host.runJobNow(VERIFY_JOB_ID);
                await Promise.all([world.host.settle(), second.settle()]);
                const room = roomOf(world, 'Slow Upload Customer')!;
                expect(attempts).toBe(1);
                expect(uploadsIn(world, room.id)).toHaveLength(1);
                expect(visibleTexts(world, room.id).filter(Boolean)).toEqual(['hello', 'a video']);
                expect(inDoubt(customer)).toEqual([]);
            } finally {
                release();
                removes.forEach((remove) => remove());
                world.front.setHosts([world.host]);
                await second.stop();
            }
        });

        it('when the claimant is only slow, the verification finds its post and adds nothing', async () => {
            const second = await startInstance(world, 'h-verify');
            try {
                const customer = world.customer('slow_claim', 'Slow Claim Customer');
                await syncSimClock(world);
                await world.sim.sendDm({ from: customer, to: world.business.id, text: 'hello' });
                await world.host.settle();
                world.front.setHosts([world.host, second]);
                // X sends the DM twice at once; the instance that claims first is slow to fetch the photo.
                world.sim.faults.set({ delivery: { duplicate: 1 } });
                world.sim.faults.set({ api: { delayMs: 1_500 }, match: { endpoint: 'dm_media.download' } });
                await world.sim.sendDm(
                    {
                        from: customer,
                        to: world.business.id,
                        text: 'a photo',
                        media: { type: 'photo', bytes: GIF, contentType: 'image/gif' },
                    },
                    { awaitDelivery: false },
                );
                await world.sim.settle();
                await Promise.all([world.host.settle(), second.settle()]);
                world.sim.faults.clear();
                expect(inDoubt(customer)).toHaveLength(1);
                await world.host.runJobNow(VERIFY_JOB_ID);
                await Promise.all([world.host.settle(), second.settle()]);
                const room = roomOf(world, 'Slow Claim Customer')!;
                expect(visibleTexts(world, room.id).filter(Boolean)).toEqual(['hello', 'a photo']);
                expect([...world.host.store.uploads.values()].filter((u) => u.upload.room.id === room.id)).toHaveLength(
                    1,
                );
                expect(inDoubt(customer)).toEqual([]);
            } finally {
                world.front.setHosts([world.host]);
                await second.stop();
            }
        });
    });
});

/** Models downtime in the shared database: the last event, the replay coverage and the registration date from `ago` back. */
function lastHeardFromX(world: World, ago: number): void {
    const at = Date.now() - ago;
    for (const record of world.host.store.appPersistence(world.host.appId).values()) {
        // Per-account records: `x-last-event:<accountId>` and so on.
        const keys = record.associations.map((a) => a.id.replace(/:\d+$/, ''));
        if (keys.includes('x-last-event')) record.data.at = at;
        if (keys.includes('x-recovery')) record.data = { coveredUntil: at };
        if (keys.includes('x-delivery')) record.data.registeredAt = at;
    }
}

describe('gap recovery after downtime', () => {
    let world: World;

    beforeAll(async () => {
        // Rocket.Chat's time is X's: the recovery follow-up runs once X replays the window (12 minutes later).
        world = await startWorld({
            mode: 'xaa',
            shareClock: true,
            sim: { retryDelaysMs: [100, 200, 300], deliveryRealTimeoutMs: 15_000 },
        });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('DMs X gave up delivering while Rocket.Chat was down are replayed when it starts again, exactly once', async () => {
        const customer = world.customer('gap', 'Gap Customer');
        await syncSimClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'before the outage' });
        await world.host.settle();
        await world.host.stop();
        world.front.setHosts([]);
        await syncSimClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'during the outage' });
        await world.sim.clock.advance(1_000);
        await world.sim.settle();
        expect(world.sim.deliveries().some((d) => d.state === 'dropped')).toBe(true);
        world.host = await world.host.restart();
        world.front.setHosts([world.host]);
        await world.host.runJobNow(RECOVERY_JOB_ID);
        // X replays only windows that ended 10 minutes ago: the app asks for this recent gap once X takes it.
        expect(world.sim.requests().filter((r) => r.path === '/2/webhooks/replay')).toEqual([]);
        await world.sim.clock.advance(12 * 60_000);
        await world.host.runJobNow(RECOVERY_JOB_ID);
        expect(
            world.sim
                .requests()
                .filter((r) => r.path === '/2/webhooks/replay')
                .map((r) => r.status),
        ).toEqual([200]);
        // X delivers the replay from its side; "before the outage" comes again and must not be posted twice.
        const texts = () => visibleTexts(world, roomOf(world, 'Gap Customer')!.id);
        for (let waited = 0; texts().length < 2 && waited < 15_000; waited += 100) {
            await world.sim.clock.advance(500);
            await world.sim.settle();
            await world.host.settle();
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await world.sim.clock.advance(1_000);
        await world.sim.settle();
        await world.host.settle();
        // The replay re-sent both DMs (and the welcome's echo): the one already posted was recognized.
        expect(
            world.sim.deliveries().filter((d) => d.replayJobId && d.kind !== 'replay_job_status').length,
        ).toBeGreaterThanOrEqual(2);
        expect(texts()).toEqual(['before the outage', 'during the outage']);
    }, 30_000);

    it('two instances starting together ask X for one replay, even when the second claims only after the first has finished', async () => {
        // Rocket.Chat was down for an hour: X replays at once the part of that gap older than 10 minutes.
        lastHeardFromX(world, 60 * 60_000);
        const second = await startInstance(world, 'h-recovery');
        try {
            // The second instance reads what is covered, then stops right before writing its claim...
            let reached!: () => void;
            const atClaim = new Promise<void>((resolve) => (reached = resolve));
            let release!: () => void;
            const released = new Promise<void>((resolve) => (release = resolve));
            const remove = second.calls.before('PersistenceBridge', 'createWithAssociations', async (args) => {
                if ((args[0] as { type?: string }).type !== 'recovery-claim') return;
                reached();
                await released;
            });
            const replays = () => world.sim.requests().filter((r) => r.path === '/2/webhooks/replay').length;
            const before = replays();
            try {
                const secondRun = second.runJobNow(RECOVERY_JOB_ID);
                await atClaim;
                // ...while the first instance (restarted meanwhile) asks X, records what it covered and drops its claim.
                world.host = await world.host.restart();
                world.front.setHosts([world.host, second]);
                await world.host.runJobNow(RECOVERY_JOB_ID);
                expect(replays()).toBe(before + 1);
                release();
                await secondRun;
            } finally {
                release();
                remove();
            }
            expect(replays()).toBe(before + 1);
        } finally {
            world.front.setHosts([world.host]);
            await second.stop();
        }
    }, 30_000);
});
