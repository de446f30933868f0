/**
 * Inbound DMs in every delivery mode, end to end: X simulator → (webhook over HTTP | poll) → the packaged
 * app in the real Apps-Engine runtime → Omnichannel rooms in the test host.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { POLLER_JOB_ID } from '../../src/jobs/ids';
import { decideBusinessDms, deliverFromCustomer, roomOf, syncSimClock, visibleTexts } from './helpers/inbound';
import { DeliveryModeName, startWorld, World } from './helpers/world';

const PNG_1PX = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273a8b0000000049454e44ae426082',
    'hex',
);

describe.each<DeliveryModeName>(['xaa', 'aaa', 'polling'])('inbound DMs in %s mode', (mode) => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({
            mode,
            settings: { welcome_message: 'Thanks for writing! An agent will answer here.' },
        });
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('opens one room per customer in the configured department, greets once, and keeps later DMs in it', async () => {
        const customer = world.customer(`ann_${mode}`, `Ann ${mode}`);
        await deliverFromCustomer(world, mode, { from: customer, to: world.business.id, text: 'Hi, is this Acme?' });
        await deliverFromCustomer(world, mode, {
            from: customer,
            to: world.business.id,
            text: 'Tom &amp; Jerry &lt;3',
        });
        const room = roomOf(world, `Ann ${mode}`)!;
        expect(room).toBeDefined();
        expect(room.department?.name).toBe('Support');
        expect(room.servedBy?.id).toBe(world.agent.id);
        expect((room as ILivechatRoom & { source?: { label?: string } }).source?.label).toBe('X (Twitter)');
        expect(visibleTexts(world, room.id)).toEqual(['Hi, is this Acme?', 'Tom & Jerry <3']);
        const dmsToCustomer = world.sim.dmsSentBy(world.business.id, { to: customer }).map((d) => d.text);
        expect(dmsToCustomer).toEqual(['Thanks for writing! An agent will answer here.']);
    });

    it('does not show the echo of its own welcome DM in the room', async () => {
        const customer = world.customer(`echo_${mode}`, `Echo ${mode}`);
        await deliverFromCustomer(world, mode, { from: customer, to: world.business.id, text: 'ping' });
        await world.sim.settle();
        if (mode === 'polling') await world.host.runJobNow(POLLER_JOB_ID);
        await decideBusinessDms(world);
        const room = roomOf(world, `Echo ${mode}`)!;
        expect(visibleTexts(world, room.id)).toEqual(['ping']);
    });

    it('posts an image as a file from the customer, with its text', async () => {
        const customer = world.customer(`pic_${mode}`, `Pic ${mode}`);
        await deliverFromCustomer(world, mode, {
            from: customer,
            to: world.business.id,
            text: 'see this',
            media: { type: 'photo', bytes: PNG_1PX, contentType: 'image/png' },
        });
        const room = roomOf(world, `Pic ${mode}`)!;
        const fileMessages = world.host.messagesIn(room.id).filter((m) => (m as IMessage & { file?: unknown }).file);
        expect(fileMessages).toHaveLength(1);
        expect((fileMessages[0] as IMessage & { token?: string }).token).toBe(room.visitor.token);
        const upload = [...world.host.store.uploads.values()].find((u) => u.upload.room.id === room.id)!;
        expect(upload.buffer.equals(PNG_1PX)).toBe(true);
        expect(visibleTexts(world, room.id)).toContain('see this');
        expect(visibleTexts(world, room.id).join(' ')).not.toMatch(/t\.co/);
    });

    it('mirrors a reply the business typed in the X app, marked as such, without posting it twice', async () => {
        const customer = world.customer(`native_${mode}`, `Native ${mode}`);
        await deliverFromCustomer(world, mode, { from: customer, to: world.business.id, text: 'question' });
        await syncSimClock(world);
        await world.sim.typeInNativeApp({ account: world.business.id, to: customer, text: 'answered from my phone' });
        if (mode === 'polling') await world.host.runJobNow(POLLER_JOB_ID);
        await decideBusinessDms(world);
        const room = roomOf(world, `Native ${mode}`)!;
        const mirrored = world.host.messagesIn(room.id).filter((m) => m.sender?.id === world.host.appUser().id);
        expect(mirrored.map((m) => m.text)).toEqual([expect.stringContaining('answered from my phone')]);
        expect(mirrored[0].text).toMatch(/Sent from the X app/);
    });
});
