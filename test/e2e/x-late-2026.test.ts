/**
 * X as it works in late 2026 (research/x-api.md §12), end to end: the webhook challenge key changing under
 * a linked app, prepaid credits running out mid-conversation, a revocation under the X Activity API and a
 * 401 while polling, a webhook deleted at X before a mode switch, refusals named by X's codes, and replay
 * windows X accepts. The packaged app runs in the real runtime against the simulator.
 */
import {
    CREDITS_PROBE_JOB_ID,
    HEALTH_JOB_ID,
    POLLER_JOB_ID,
    RECOVERY_JOB_ID,
    SETTINGS_JOB_ID,
} from '../../src/jobs/ids';
import { SETUP_ROOM_NAME } from '../../src/admin/setup-room';
import { crcResponseToken } from '../../tools/x-sim/delivery/webhook-crypto';
import { DEFAULT_APP } from '../../tools/x-sim/defaults';
import { webhookSecret } from './helpers/app-host';
import { decideBusinessDms, deliverFromCustomer, roomOf, syncSimClock, visibleTexts } from './helpers/inbound';
import { appNotices, clockOf, openConversation, passTime, quiet, receivedTexts, reply } from './helpers/outbound';
import { ephemeralSince, startInstance, startWorld, World } from './helpers/world';

const MINUTE = 60_000;

function setupRoomTexts(world: World): string[] {
    const room = [...world.host.store.rooms.values()].find((r) => r.slugifiedName === SETUP_ROOM_NAME);
    return room ? world.host.messagesIn(room.id).map((m) => m.text ?? '') : [];
}

const count = (texts: string[], fragment: string) => texts.filter((t) => t.includes(fragment)).length;

async function command(world: World, text: string): Promise<string> {
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand(text, world.admin);
    return ephemeralSince(world, world.admin, mark).join('\n');
}

/** What the customer wrote, as posted in the room (visitor messages carry the visitor's token). */
function customerTexts(world: World, roomId: string): string[] {
    const room = world.host.livechatRooms().find((r) => r.id === roomId)!;
    return world.host
        .messagesIn(roomId)
        .filter((m) => (m as { token?: string }).token === room.visitor.token && !(m as { t?: string }).t)
        .sort((a, b) => +new Date(a.createdAt!) - +new Date(b.createdAt!))
        .map((m) => m.text ?? '');
}

const replayRequests = (world: World) => world.sim.requests().filter((r) => r.path === '/2/webhooks/replay');

describe('the webhook challenge key', () => {
    it('links when X checks with the OAuth 2.0 Client Secret from the start, and keeps answering with it', async () => {
        const world = await startWorld({ mode: 'xaa', sim: { crcKey: 'client-secret' } });
        try {
            expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
            const [check] = await world.sim.runCrcCheck();
            expect(check.verdict).toBe('valid');
            expect(await command(world, '/twitter status')).toContain(
                'Webhook challenge answered with: OAuth 2.0 Client Secret',
            );
        } finally {
            await world.stop();
        }
    });

    it('answers with the key the setting names when it is not automatic', async () => {
        const world = await startWorld({
            mode: 'xaa',
            link: false,
            settings: { webhook_challenge_key: 'oauth2_client_secret' },
        });
        try {
            // X's form of a token: the base64 of a UUID.
            const token = 'OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi';
            const response = await world.host.callEndpoint(`webhook/${webhookSecret(world.host)}`, {
                query: { crc_token: token },
            });
            expect(response.content).toEqual({ response_token: crcResponseToken(DEFAULT_APP.clientSecret, token) });
        } finally {
            await world.stop();
        }
    });

    describe('X switching keys after linking', () => {
        let world: World;

        beforeAll(async () => {
            // Rocket.Chat's time is X's: the recovery job runs once X replays the window (12 minutes later).
            world = await startWorld({ mode: 'xaa', shareClock: true });
        });

        afterAll(async () => {
            await world?.stop();
        });

        it('answers with the API Key Secret while X uses it', async () => {
            expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
            expect(await command(world, '/twitter status')).toContain(
                'Webhook challenge answered with: API Key Secret',
            );
        });

        it('the health check switches keys and recovers the webhook, alerts once, and the DM sent meanwhile arrives', async () => {
            const customer = world.customer('switch', 'Switch Customer');
            await deliverFromCustomer(world, 'xaa', {
                from: customer,
                to: world.business.id,
                text: 'before the switch',
            });
            world.sim.setCrcKey('client-secret');
            await world.sim.runCrcCheck();
            expect(world.sim.webhooks()[0].valid).toBe(false);
            await deliverFromCustomer(world, 'xaa', {
                from: customer,
                to: world.business.id,
                text: 'while X found the webhook invalid',
            });
            expect(world.sim.deliveries().filter((d) => d.state === 'skipped')).toHaveLength(1);

            await world.host.runJobNow(HEALTH_JOB_ID);
            expect(world.sim.webhooks()[0].valid).toBe(true);
            expect((await world.sim.runCrcCheck())[0].verdict).toBe('valid');
            await world.host.runJobNow(HEALTH_JOB_ID);
            const alerts = setupRoomTexts(world);
            expect(count(alerts, 'X changed how it checks the webhook')).toBe(1);
            expect(count(alerts, 'OAuth 2.0 Client Secret')).toBe(1);
            expect(count(alerts, 'X channel problem')).toBe(0);

            // X replays only windows that ended 10 minutes ago: the app asks again once X takes this one.
            await world.sim.clock.advance(12 * MINUTE);
            await world.host.runJobNow(RECOVERY_JOB_ID);
            expect(replayRequests(world).map((r) => r.status)).toContain(200);
            expect(replayRequests(world).every((r) => r.status === 200)).toBe(true);
            for (let i = 0; i < 20 && visibleTexts(world, roomOf(world, 'Switch Customer')!.id).length < 2; i++) {
                await world.sim.settle();
                await world.host.settle();
            }
            expect(visibleTexts(world, roomOf(world, 'Switch Customer')!.id)).toEqual([
                'before the switch',
                'while X found the webhook invalid',
            ]);
            expect(await command(world, '/twitter status')).toContain(
                'Webhook challenge answered with: OAuth 2.0 Client Secret',
            );
        });

        it("another Rocket.Chat instance answers X's next challenge with the key that worked (it is persisted)", async () => {
            const second = await startInstance(world, 'second');
            try {
                world.front.setHosts([second]);
                const [check] = await world.sim.runCrcCheck();
                expect(check.verdict).toBe('valid');
            } finally {
                world.front.setHosts([world.host]);
                await second.stop();
            }
        });
    });
});

describe('prepaid credits running out mid-conversation', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', shareClock: true });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('keeps replies and customer messages, alerts once, and resumes by itself when credits are added', async () => {
        const { customer, room } = await openConversation(world, 'credits', 'Credits Customer', 'Where is my parcel?');
        await reply(world, room, 'Let me check.');
        world.sim.setCredits(0);

        await reply(world, room, 'Found it: it ships today.');
        await reply(world, room, 'Anything else?');
        const sendsRefused = world.sim.requests().filter((r) => r.endpoint === 'dm.send' && r.status === 402);
        expect(sendsRefused).toHaveLength(1);
        expect(appNotices(world, room.id).join('\n')).toContain('prepaid credits are used up');
        await syncSimClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'Thanks! One more question' });
        await quiet(world);
        expect(customerTexts(world, room.id)).toEqual(['Where is my parcel?']);
        expect(count(setupRoomTexts(world), 'X credits are used up')).toBe(1);
        expect(await command(world, '/twitter status')).toContain('X credits are used up since');

        // Still empty at the first probe: nothing changes, no second alert.
        await passTime(world, 2 * MINUTE);
        expect(world.sim.requests().filter((r) => r.status === 402).length).toBeGreaterThan(1);
        expect(receivedTexts(world, customer)).toEqual(['Agent Smith: Let me check.']);

        world.sim.addCredits(10);
        for (let i = 0; i < 10 && receivedTexts(world, customer).length < 3; i++) await passTime(world, MINUTE);
        expect(receivedTexts(world, customer)).toEqual([
            'Agent Smith: Let me check.',
            'Agent Smith: Found it: it ships today.',
            'Agent Smith: Anything else?',
        ]);
        expect(count(setupRoomTexts(world), 'X accepts calls again')).toBe(1);

        // The DM X withheld is replayed once X accepts the window (10 minutes later).
        for (let i = 0; i < 5 && customerTexts(world, room.id).length < 2; i++) await passTime(world, 4 * MINUTE);
        expect(customerTexts(world, room.id)).toEqual(['Where is my parcel?', 'Thanks! One more question']);
        expect(count(setupRoomTexts(world), 'X credits are used up')).toBe(1);
        expect(await command(world, '/twitter status')).not.toContain('X credits are used up');
        expect(world.host.jobRuns().filter((r) => r.processorId === CREDITS_PROBE_JOB_ID && r.error)).toEqual([]);
    });
});

describe('revocation', () => {
    it('X Activity API: oauth.revoke marks the link broken, alerts once, and nothing more is delivered or billed', async () => {
        const world = await startWorld({ mode: 'xaa' });
        try {
            const subscriptions = world.sim
                .requests()
                .filter((r) => r.path === '/2/activity/subscriptions' && r.method === 'POST' && r.status === 200);
            expect(subscriptions).toHaveLength(5);
            const { customer, room } = await openConversation(world, 'revoker', 'Revoking Customer');
            const billed = world.sim.ledger().totals.dmReceivedDeliveries;

            world.sim.revokeUserTokens(world.business.id, DEFAULT_APP.id);
            await world.sim.settle();
            await world.host.settle();
            expect(
                world.sim
                    .deliveries()
                    .filter((d) => d.eventType === 'oauth.revoke')
                    .map((d) => d.statusCode),
            ).toEqual([200]);
            expect(count(setupRoomTexts(world), 'stopped working')).toBe(1);

            await deliverFromCustomer(world, 'xaa', { from: customer, to: world.business.id, text: 'hello?' });
            expect(world.sim.ledger().totals.dmReceivedDeliveries).toBe(billed);
            expect(visibleTexts(world, room.id)).toEqual(['Hi, I need help']);

            await reply(world, room, 'Are you there?');
            expect(appNotices(world, room.id).join('\n')).toContain('/twitter authorize');
            await world.host.runJobNow(HEALTH_JOB_ID);
            expect(count(setupRoomTexts(world), 'stopped working')).toBe(1);
            expect(count(setupRoomTexts(world), 'X channel problem')).toBe(0);
            expect(await command(world, '/twitter status')).toContain('X no longer accepts this app');
        } finally {
            await world.stop();
        }
    });

    it('polling: a 401 marks the link broken and alerts once; polling then stops asking X', async () => {
        const world = await startWorld({ mode: 'polling', auth: 'tokens' });
        try {
            await world.host.runJobNow(POLLER_JOB_ID);
            world.sim.revokeUserTokens(world.business.id, DEFAULT_APP.id);
            await syncSimClock(world);
            await clockOf(world).advance(2 * MINUTE);
            await world.host.runJobNow(POLLER_JOB_ID);
            expect(
                world.sim
                    .requests()
                    .filter((r) => r.path === '/2/dm_events')
                    .map((r) => r.status)
                    .slice(-1),
            ).toEqual([401]);
            expect(count(setupRoomTexts(world), 'stopped working')).toBe(1);
            const reads = world.sim.requests().filter((r) => r.path === '/2/dm_events').length;
            await clockOf(world).advance(2 * MINUTE);
            await world.host.runJobNow(POLLER_JOB_ID);
            await world.host.runJobNow(HEALTH_JOB_ID);
            expect(world.sim.requests().filter((r) => r.path === '/2/dm_events')).toHaveLength(reads);
            expect(count(setupRoomTexts(world), 'stopped working')).toBe(1);
        } finally {
            await world.stop();
        }
    });
});

describe('a webhook deleted at X', () => {
    it('switching mode still works (X answers 400 WebhookIdInvalid / SubscriptionNotFound for what is gone), and so does unlinking', async () => {
        const world = await startWorld({ mode: 'xaa' });
        try {
            world.sim.deleteWebhook(world.sim.webhooks()[0].id);
            await world.host.setSetting('delivery_mode', 'aaa');
            await world.host.runJobNow(SETTINGS_JOB_ID);
            const gone = world.sim
                .requests()
                .filter((r) => r.status === 400)
                .map((r) => JSON.stringify(r.responseBody));
            expect(gone.join('\n')).toMatch(/SubscriptionNotFound/);
            expect(setupRoomTexts(world).join('\n')).toContain(
                'Delivery is now set up at X for: Account Activity API webhook',
            );
            expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
            const customer = world.customer('afterdelete', 'After Delete');
            await deliverFromCustomer(world, 'aaa', {
                from: customer,
                to: world.business.id,
                text: 'still reaching you?',
            });
            expect(visibleTexts(world, roomOf(world, 'After Delete')!.id)).toEqual(['still reaching you?']);

            world.sim.deleteWebhook(world.sim.webhooks()[0].id);
            const reply = await command(world, '/twitter unauthorize');
            expect(reply).toContain('Unlinked @');
            expect(reply).not.toContain('did not complete');
        } finally {
            await world.stop();
        }
    });
});

describe("refusals named by X's codes", () => {
    it("a block (code 349): the agent is told why, by X's code, and what to do; nothing reaches X twice", async () => {
        const world = await startWorld({ mode: 'aaa', auth: 'tokens', shareClock: true });
        try {
            const { customer, room } = await openConversation(world, 'blocking', 'Blocking Customer');
            world.sim.block(customer, world.business.id);
            await reply(world, room, 'Hello again');
            await reply(world, room, 'Still there?');
            const notices = appNotices(world, room.id).join('\n');
            expect(notices).toContain('(X code 349)');
            expect(notices).toContain('contact them another way');
            expect(world.sim.requests().filter((r) => r.endpoint === 'dm.send' && r.status === 403)).toHaveLength(2);
            expect(receivedTexts(world, customer)).toEqual([]);
        } finally {
            await world.stop();
        }
    });
});

describe("echoes of the app's own DMs", () => {
    it("X Activity API: dm.sent carries no source_app_id (as in X's sample); our replies are recognized by their event id", async () => {
        const world = await startWorld({ mode: 'xaa', shareClock: true });
        try {
            const { customer, room } = await openConversation(world, 'echoxaa', 'Echo Xaa');
            await reply(world, room, 'One moment please');
            const echo = world.sim.deliveries().find((d) => d.eventType === 'dm.sent');
            expect(echo?.statusCode).toBe(200);
            expect(echo?.body).not.toContain('source_app_id');
            await decideBusinessDms(world);
            expect(receivedTexts(world, customer)).toEqual(['Agent Smith: One moment please']);
            expect(visibleTexts(world, room.id).filter((t) => t.includes('Sent from the X app'))).toEqual([]);
        } finally {
            await world.stop();
        }
    });

    it('Account Activity API: a redelivered native reply does not make the X client\'s app id "ours" (later native replies still show)', async () => {
        const world = await startWorld({ mode: 'aaa', auth: 'tokens', shareClock: true });
        const webWebApp = '3033300';
        try {
            const { customer, room } = await openConversation(world, 'echoaaa', 'Echo Aaa');
            await reply(world, room, 'Our reply');
            await syncSimClock(world);
            const { deliveries } = await world.sim.typeInNativeApp({
                account: world.business.id,
                to: customer,
                text: 'typed on the web',
                clientAppId: webWebApp,
            });
            await decideBusinessDms(world);
            // X delivers the same event again (a retry whose first answer was lost).
            const url = `${world.front.url}/api/apps/public/${world.host.appId}/webhook/${webhookSecret(world.host)}`;
            const again = await fetch(url, {
                method: 'POST',
                body: deliveries[0].body,
                headers: { 'content-type': 'application/json', ...deliveries[0].signatureHeaders },
            });
            expect(again.status).toBe(200);
            await syncSimClock(world);
            await world.sim.typeInNativeApp({
                account: world.business.id,
                to: customer,
                text: 'typed on the web again',
                clientAppId: webWebApp,
            });
            await decideBusinessDms(world);
            const mirrored = visibleTexts(world, room.id).filter((t) => t.includes('Sent from the X app'));
            expect(mirrored).toEqual([
                expect.stringContaining('typed on the web'),
                expect.stringContaining('typed on the web again'),
            ]);
        } finally {
            await world.stop();
        }
    }, 20_000);
});
