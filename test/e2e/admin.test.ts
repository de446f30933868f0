/**
 * The admin's first ten minutes and beyond: the setup room, linking (OAuth 2.0 and pasted tokens),
 * refusals, status, settings changes that re-register delivery, health alerts, unlinking.
 */
import { HEALTH_JOB_ID, SETTINGS_JOB_ID } from '../../src/jobs/ids';
import { START_AUTH_ACTION, SETUP_ROOM_NAME } from '../../src/admin/setup-room';
import { DEFAULT_BUSINESS_ACCOUNT } from '../../tools/x-sim/defaults';
import { deliverFromCustomer, roomOf } from './helpers/inbound';
import { reply } from './helpers/outbound';
import { webhookSecret } from './helpers/app-host';
import { ephemeralSince, followAuthorizeLink, link, startWorld, World } from './helpers/world';
import { formatScan, scanSystem } from '../faults/helpers/secrets';

const HOUR = 3_600_000;

function setupRoomTexts(world: World): string[] {
    const room = [...world.host.store.rooms.values()].find((r) => r.slugifiedName === SETUP_ROOM_NAME);
    return room ? world.host.messagesIn(room.id).map((m) => m.text ?? '') : [];
}

async function command(world: World, text: string, user = world.admin): Promise<string> {
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand(text, user);
    return ephemeralSince(world, user, mark).join('\n');
}

describe('setting up and running the app', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', link: false });
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('creates the private setup room at install, with the installing admin and a Start Authentication button', () => {
        const room = [...world.host.store.rooms.values()].find((r) => r.slugifiedName === SETUP_ROOM_NAME)!;
        expect(room.type).toBe('p');
        expect(world.host.store.roomMembers.get(room.id)?.has(world.admin.id)).toBe(true);
        const [instructions] = world.host.messagesIn(room.id);
        expect(instructions.sender?.id).toBe(world.host.appUser().id);
        expect(instructions.text).toContain(`/api/apps/public/${world.host.appId}/oauth/callback`);
        expect(JSON.stringify(instructions.blocks)).toContain(START_AUTH_ACTION);
    });

    it('refuses /twitter authorize and unauthorize to a non-admin, clearly', async () => {
        const agentReply = await command(world, '/twitter authorize', world.agent);
        expect(agentReply).toContain('Only Rocket.Chat administrators');
        expect(await command(world, '/twitter unauthorize', world.agent)).toContain('Only Rocket.Chat administrators');
        expect(world.sim.webhooks()).toHaveLength(0);
    });

    it('says "not linked" in /twitter status before linking', async () => {
        expect(await command(world, '/twitter status')).toContain('No X account is linked');
    });

    it('links with OAuth 2.0: authorize link → X consent → callback page → "Link @handle" in the setup room; webhook registered and XAA subscriptions made', async () => {
        const { callbackStatus, callbackPage } = await link(world, 'oauth2');
        expect(callbackStatus).toBe(200);
        expect(callbackPage).toContain(`@${DEFAULT_BUSINESS_ACCOUNT.username}`);
        expect(world.sim.webhooks()).toEqual([
            expect.objectContaining({ valid: true, url: expect.stringContaining('/webhook/') }),
        ]);
        expect(setupRoomTexts(world).join('\n')).toContain(
            `Linked the X account @${DEFAULT_BUSINESS_ACCOUNT.username}`,
        );
    });

    it('refuses a reused authorization (state is single-use) and an unknown one, with a page saying why', async () => {
        const mark = world.host.store.ephemeral.length;
        await world.host.runCommand('/twitter authorize', world.admin);
        const url = /https?:\/\/\S+/.exec(ephemeralSince(world, world.admin, mark).join(' '))![0];
        const first = await followAuthorizeLink(world, url);
        expect(first.status).toBe(200);
        const consent = await fetch(url.replace(/^https:\/\/(x\.com|api\.x\.com)/, world.sim.url), {
            redirect: 'manual',
        });
        const replayed = await fetch(consent.headers.get('location')!);
        expect(replayed.status).toBe(400);
        expect(await replayed.text()).toContain('already used');
        const forged = await fetch(
            `${world.front.url}/api/apps/public/${world.host.appId}/oauth/callback?state=guessed&code=abc`,
        );
        expect(forged.status).toBe(400);
    });

    it('reports true figures in /twitter status after some traffic', async () => {
        const customer = world.customer('statususer', 'Status User');
        await deliverFromCustomer(world, 'xaa', { from: customer, to: world.business.id, text: 'hello' });
        await deliverFromCustomer(world, 'xaa', { from: customer, to: world.business.id, text: 'again' });
        const status = await command(world, '/twitter status');
        expect(status).toContain(`@${DEFAULT_BUSINESS_ACCOUNT.username}`);
        expect(status).toContain('Webhook: valid');
        expect(status).toContain('Subscriptions at X: 5');
        expect(status).toMatch(/Open conversations: 1\b/);
        const billed = world.sim.ledger().totals;
        expect(status).toContain(`this month $${billed.usd.toFixed(2)}`);
        expect(status).not.toContain(
            (world.sim as unknown as { defaultApp: { consumerSecret: string } }).defaultApp.consumerSecret,
        );
        // Admins paste this into bug reports: the webhook URL's secret segment must not be in it.
        expect(status).not.toContain(webhookSecret(world.host));
        expect(status).toContain('/webhook/…');
    });

    it('re-registers delivery when the mode changes: polling removes the webhook, AAA registers and subscribes again', async () => {
        await world.host.setSetting('delivery_mode', 'polling');
        await world.host.runJobNow(SETTINGS_JOB_ID);
        expect(world.sim.webhooks()).toHaveLength(0);
        expect(setupRoomTexts(world).join('\n')).toContain('Delivery is now set up at X for: Polling');
        await world.host.setSetting('delivery_mode', 'aaa');
        await world.host.runJobNow(SETTINGS_JOB_ID);
        expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
        expect(setupRoomTexts(world).join('\n')).toContain('Account Activity API webhook');
    });

    it('tells the admin what is wrong with saved settings, and what is used instead', async () => {
        await world.host.setSetting('department', 'No Such Department');
        await world.host.setSetting('polling_interval_seconds', 5);
        await world.host.runJobNow(SETTINGS_JOB_ID);
        const texts = setupRoomTexts(world).join('\n');
        expect(texts).toContain('"No Such Department" does not exist');
        expect(texts).toContain('60 seconds is used');
        await world.host.setSetting('department', 'Support');
        await world.host.setSetting('polling_interval_seconds', 60);
        await world.host.runJobNow(SETTINGS_JOB_ID);
    });

    it('alerts once when X invalidates the webhook and it cannot be re-validated, then announces the recovery', async () => {
        world.front.setHosts([]);
        await world.sim.clock.advance(29 * HOUR);
        await world.sim.settle();
        expect(world.sim.webhooks()[0].valid).toBe(false);
        await world.host.runJobNow(HEALTH_JOB_ID);
        await world.host.runJobNow(HEALTH_JOB_ID);
        const alerts = setupRoomTexts(world).filter((t) => t.includes('X channel problem'));
        expect(alerts).toHaveLength(1);
        world.front.setHosts([world.host]);
        await world.host.runJobNow(HEALTH_JOB_ID);
        expect(world.sim.webhooks()[0].valid).toBe(true);
        expect(setupRoomTexts(world).filter((t) => t.includes('X channel recovered'))).toHaveLength(1);
    });

    it('a 401 X stops giving is not a broken link for good: marked and alerted once, then lifted by the health check, which says so once', async () => {
        const customer = world.customer('passing401', 'Passing Refusal');
        await deliverFromCustomer(world, 'xaa', { from: customer, to: world.business.id, text: 'are you there?' });
        const room = roomOf(world, 'Passing Refusal');
        if (!room) throw new Error('no room for the customer');
        // X refuses the send, and again after the app refreshed the token: the app must take the link as broken.
        const unauthorized = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
        world.sim.faults.set({ api: { status: 401, body: unauthorized }, match: { endpoint: 'dm.send' }, times: 2 });
        await reply(world, room, 'yes, one moment');
        world.sim.faults.clear();
        const broken = () => setupRoomTexts(world).filter((t) => t.includes('stopped working'));
        const worksAgain = () => setupRoomTexts(world).filter((t) => t.includes('works again'));
        expect(broken()).toHaveLength(1);
        expect(await command(world, '/twitter status')).toContain('no longer accepts');

        // X unavailable during a check proves nothing: the mark stays.
        world.sim.faults.set({ api: { status: 503 }, match: { path: '/2/users/me' } });
        await world.host.runJobNow(HEALTH_JOB_ID);
        world.sim.faults.clear();
        expect(worksAgain()).toHaveLength(0);
        expect(await command(world, '/twitter status')).toContain('no longer accepts');

        const recoveredBefore = setupRoomTexts(world).filter((t) => t.includes('X channel recovered')).length;
        await world.host.runJobNow(HEALTH_JOB_ID);
        await world.host.runJobNow(HEALTH_JOB_ID);
        expect(worksAgain()).toHaveLength(1);
        // One notice, not also a generic "recovered" for the token.
        expect(setupRoomTexts(world).filter((t) => t.includes('X channel recovered')).length).toBe(recoveredBefore);
        expect(await command(world, '/twitter status')).not.toContain('no longer accepts');

        // A later break is news again: alerted once more.
        world.sim.faults.set({ api: { status: 401, body: unauthorized }, match: { endpoint: 'dm.send' }, times: 2 });
        await reply(world, room, 'still there?');
        world.sim.faults.clear();
        expect(broken()).toHaveLength(2);
        await world.host.runJobNow(HEALTH_JOB_ID);
        expect(worksAgain()).toHaveLength(2);
    });

    it('unauthorize removes the webhook and subscriptions at X, revokes access and forgets the account', async () => {
        const reply = await command(world, '/twitter unauthorize');
        expect(reply).toContain(`Unlinked @${DEFAULT_BUSINESS_ACCOUNT.username}`);
        expect(world.sim.webhooks()).toHaveLength(0);
        expect(await command(world, '/twitter status')).toContain('No X account is linked');
    });

    it('after linking, reusing authorizations, mode changes and unlinking: no secret anywhere it must not be', () => {
        const scan = scanSystem(world);
        // This journey handled every kind: the authorization code and state, the tokens (revoked at the end).
        expect(scan.secretKinds).toEqual(
            expect.arrayContaining(['OAuth 2.0 authorization code', 'OAuth state', 'OAuth 2.0 refresh token']),
        );
        expect(formatScan(scan)).toContain('→ 0 hits');
    });
});

describe('uninstalling the app', () => {
    it('removes the subscriptions and the webhook at X and revokes the token', async () => {
        const world = await startWorld({ mode: 'xaa' });
        try {
            expect(world.sim.webhooks()).toHaveLength(1);
            const tokenBefore = world.sim.requests().filter((r) => r.path === '/2/oauth2/revoke').length;
            await world.host.manager.remove(world.host.appId, { user: world.admin });
            expect(world.sim.webhooks()).toHaveLength(0);
            expect(world.sim.requests().filter((r) => r.path === '/2/oauth2/revoke' && r.status === 200).length).toBe(
                tokenBefore + 1,
            );
        } finally {
            await world.stop();
        }
    });
});
