/**
 * Inbound through the Account Activity API webhook with developer-portal (OAuth 1.0a) tokens:
 * a customer's DMs land once, in order, in a livechat room of the configured department.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { webhookSecret } from './helpers/app-host';
import { startWorld, World } from './helpers/world';

describe('inbound DMs via the Account Activity API webhook', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'aaa', auth: 'tokens' });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('links the account, registers the webhook (CRC answered) and subscribes the account', () => {
        const [webhook] = world.sim.webhooks();
        expect(webhook).toMatchObject({ valid: true });
        // The URL X calls ends with the secret segment the app made up at install, not with any other.
        expect(webhook.url).toBe(
            `${world.front.url}/api/apps/public/${world.host.appId}/webhook/${webhookSecret(world.host)}`,
        );
        expect(
            world.sim
                .crcChecks()
                .filter((c) => c.webhookId === webhook.id)
                .map((c) => c.verdict),
        ).toContain('valid');
        const subscribed = world.sim
            .requests()
            .filter(
                (r) =>
                    r.method === 'POST' &&
                    r.path === `/2/account_activity/webhooks/${webhook.id}/subscriptions/all` &&
                    r.status < 300,
            );
        expect(subscribed.map((r) => r.userId)).toEqual([world.business.id]);
    });

    it('posts a customer DM into a new room of the department, as the visitor', async () => {
        const customer = world.customer('jane', 'Jane Doe');
        await world.sim.sendDm({
            from: customer,
            to: world.business.id,
            text: 'Hello &amp; welcome? My order #42 is late',
        });
        await world.host.settle();
        const rooms = world.host.livechatRooms().filter((r) => (r as ILivechatRoom).visitor?.name === 'Jane Doe');
        expect(rooms).toHaveLength(1);
        const room = rooms[0] as ILivechatRoom;
        expect(room.department?.name).toBe('Support');
        expect(room.servedBy?.id).toBe(world.agent.id);
        const texts = world.host
            .messagesIn(room.id)
            .filter((m) => !('t' in m && m.t))
            .map((m) => m.text);
        expect(texts).toContain('Hello & welcome? My order #42 is late');
    });
});
