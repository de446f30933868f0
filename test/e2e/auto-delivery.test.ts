/**
 * Delivery mode Automatic, end to end (packaged app in the real runtime, X simulator over HTTP): a server X
 * cannot reach links and receives DMs by polling; once X reaches it, it switches to the webhook by itself;
 * a webhook X marks invalid mid-conversation hands over to polling. One setup-room notice per switch, and
 * every DM sent around a switch arrives once, in order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HEALTH_JOB_ID, POLLER_JOB_ID } from '../../src/jobs/ids';
import { packagedZip } from './helpers/app-host';
import { ephemeralSince, link, setupRoom, startInstance, startWorld, World } from './helpers/world';
import { roomOf, syncSimClock, visibleTexts } from './helpers/inbound';

const HOUR = 3_600_000;
const OLD_BUILD = path.join(__dirname, '..', 'fixtures', 'upgrade', 'twitter_0.1.0-244d540.zip');

const setupTexts = (world: World) => {
    const room = setupRoom(world);
    return room ? world.host.messagesIn(room.id).map((m) => m.text ?? '') : [];
};
const notices = (world: World, marker: string) => setupTexts(world).filter((t) => t.includes(marker));
const TO_POLLING = 'Delivery switched to polling';
const TO_WEBHOOK = 'Delivery switched to the webhook';

async function status(world: World): Promise<string> {
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand('/twitter status', world.admin);
    return ephemeralSince(world, world.admin, mark).join('\n');
}

async function customerWrites(world: World, from: string, text: string): Promise<void> {
    await syncSimClock(world);
    await world.sim.sendDm({ from, to: world.business.id, text });
    await world.host.settle();
}

/** Rocket.Chat names an app's jobs `<processor id>_<app id>`. */
const pollerScheduled = (world: World) =>
    [...world.host.store.jobs.values()].some((j) => j.processorId === `${POLLER_JOB_ID}_${world.host.appId}`);

describe('Automatic delivery: a server X cannot reach at first', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'auto', link: false });
        world.sim.setWebhookReachable(false);
        await link(world, 'oauth2');
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('links in Automatic, says it polls and why, and receives DMs by polling', async () => {
        expect(world.sim.webhooks()).toEqual([]);
        const linked = setupTexts(world).join('\n');
        expect(linked).toContain('Direct Messages arrive by polling');
        expect(linked).toContain('X could not complete its check (CRC) of the webhook');
        expect(linked).toContain('HTTPS on the default port (443)');
        // The webhook URL's secret segment is never shown.
        expect(linked).toContain('/webhook/…');
        expect(pollerScheduled(world)).toBe(true);

        const ann = world.customer('auto_ann', 'Auto Ann');
        await customerWrites(world, ann, 'hello while unreachable');
        await world.host.runJobNow(POLLER_JOB_ID);
        const room = roomOf(world, 'Auto Ann')!;
        expect(visibleTexts(world, room.id)).toEqual(['hello while unreachable']);

        const report = await status(world);
        expect(report).toContain('Automatic');
        expect(report).toContain('Direct Messages arrive by polling');
        expect(notices(world, TO_POLLING)).toHaveLength(0);
    });

    it('switches to the webhook by itself once X reaches it: one notice, DMs around the switch arrive once, in order', async () => {
        const ann = world.customer('auto_bea', 'Auto Bea');
        await customerWrites(world, ann, 'one');
        await world.host.runJobNow(POLLER_JOB_ID);
        world.sim.setWebhookReachable(true);
        // Written while X has no webhook yet: only the poller can see it.
        await customerWrites(world, ann, 'two');

        await world.host.runJobNow(HEALTH_JOB_ID);
        await world.host.runJobNow(HEALTH_JOB_ID);
        expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
        expect(notices(world, TO_WEBHOOK)).toHaveLength(1);
        expect(notices(world, TO_WEBHOOK)[0]).toContain('X reaches');

        // Delivered by the webhook at once; the poller still owes "two".
        await customerWrites(world, ann, 'three');
        await world.host.runJobNow(POLLER_JOB_ID);
        await world.host.runJobNow(POLLER_JOB_ID);
        await customerWrites(world, ann, 'four');
        const room = roomOf(world, 'Auto Bea')!;
        expect(visibleTexts(world, room.id)).toEqual(['one', 'two', 'three', 'four']);
        // Polling stopped once the webhook had delivered and the poller had read what it owed.
        expect(pollerScheduled(world)).toBe(false);
        expect(await status(world)).toContain('Direct Messages arrive at once');
        expect(notices(world, TO_POLLING)).toHaveLength(0);
        expect(notices(world, TO_WEBHOOK)).toHaveLength(1);
    });

    it('finds out at the next health check when X can no longer reach a webhook it still lists as valid, and polls', async () => {
        world.sim.setWebhookReachable(false);
        const bea = world.customer('auto_bea2', 'Auto Bea Two');
        // X cannot deliver it; X itself would mark the webhook invalid only after 28 hours of failed checks.
        await customerWrites(world, bea, 'five');
        expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);

        await world.host.runJobNow(HEALTH_JOB_ID);
        expect(notices(world, TO_POLLING)).toHaveLength(1);
        expect(notices(world, TO_POLLING)[0]).toContain('X could not complete its check (CRC)');
        await world.host.runJobNow(POLLER_JOB_ID);
        expect(visibleTexts(world, roomOf(world, 'Auto Bea Two')!.id)).toEqual(['five']);
        expect(await status(world)).toContain('Direct Messages arrive by polling');
        await world.host.runJobNow(HEALTH_JOB_ID);
        expect(notices(world, TO_POLLING)).toHaveLength(1);
    });

    it('with two Rocket.Chat instances checking at once: one switch, one notice (the forced race is in test/unit/admin/auto-delivery.test.ts)', async () => {
        const second = await startInstance(world, 'h-auto-second');
        try {
            world.sim.setWebhookReachable(true);
            await Promise.all([world.host.runJobNow(HEALTH_JOB_ID), second.runJobNow(HEALTH_JOB_ID)]);
            expect(notices(world, TO_WEBHOOK)).toHaveLength(2);
            expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
            const bea = world.customer('auto_bea3', 'Auto Bea Three');
            await customerWrites(world, bea, 'six');
            await world.host.runJobNow(POLLER_JOB_ID);
            expect(visibleTexts(world, roomOf(world, 'Auto Bea Three')!.id)).toEqual(['six']);
            expect(notices(world, TO_POLLING)).toHaveLength(1);
        } finally {
            await second.stop();
        }
    });
});

describe('Automatic delivery: a webhook X marks invalid mid-conversation', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'auto' });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('links with the X Activity API webhook when X reaches the server', () => {
        expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
        expect(setupTexts(world).join('\n')).toContain('Direct Messages arrive at once through the X Activity API');
        expect(pollerScheduled(world)).toBe(false);
    });

    it('falls back to polling at once with nothing lost, then comes back when X reaches it again', async () => {
        const cleo = world.customer('auto_cleo', 'Auto Cleo');
        await customerWrites(world, cleo, 'before');
        world.sim.setWebhookReachable(false);
        // X cannot deliver these (it retries, then gives up) ...
        await customerWrites(world, cleo, 'while unreachable');
        // ... and after 28 hours of failed checks X marks the webhook invalid (X's webhooks introduction).
        await world.sim.clock.advance(29 * HOUR);
        await world.sim.settle();
        expect(world.sim.webhooks()[0].valid).toBe(false);
        await customerWrites(world, cleo, 'while invalid');

        await world.host.runJobNow(HEALTH_JOB_ID);
        await world.host.runJobNow(HEALTH_JOB_ID);
        expect(notices(world, TO_POLLING)).toHaveLength(1);
        expect(notices(world, TO_POLLING)[0]).toContain('Direct Messages arrive by polling');
        // The switch is the notice: no generic channel alert besides it.
        expect(notices(world, 'X channel problem')).toHaveLength(0);
        expect(pollerScheduled(world)).toBe(true);

        await world.host.runJobNow(POLLER_JOB_ID);
        const room = roomOf(world, 'Auto Cleo')!;
        expect(visibleTexts(world, room.id)).toEqual(['before', 'while unreachable', 'while invalid']);
        expect(await status(world)).toContain('Direct Messages arrive by polling');

        world.sim.setWebhookReachable(true);
        await world.host.runJobNow(HEALTH_JOB_ID);
        expect(notices(world, TO_WEBHOOK)).toHaveLength(1);
        expect(world.sim.webhooks()[0].valid).toBe(true);
        await customerWrites(world, cleo, 'back to instant');
        await world.host.runJobNow(POLLER_JOB_ID);
        expect(visibleTexts(world, room.id)).toEqual([
            'before',
            'while unreachable',
            'while invalid',
            'back to instant',
        ]);
        expect(pollerScheduled(world)).toBe(false);
        expect(notices(world, TO_POLLING)).toHaveLength(1);
    });
});

describe('an installed app whose admin chose a delivery mode', () => {
    let world: World;

    beforeAll(async () => {
        // The build before Automatic existed (test/fixtures/upgrade), polling as its admin chose.
        world = await startWorld({ mode: 'polling', zip: fs.readFileSync(OLD_BUILD) });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it('keeps that mode when updated in place: Rocket.Chat keeps saved values over the new default', async () => {
        expect(world.host.appSetting('delivery_mode').packageValue).toBe('xaa');
        await world.host.update(packagedZip());
        expect(await world.host.isEnabled()).toBe(true);
        expect(world.host.settingValue('delivery_mode')).toBe('polling');
        expect(world.host.appSetting('delivery_mode').packageValue).toBe('auto');
        await world.host.runJobNow(HEALTH_JOB_ID);
        const dan = world.customer('auto_dan', 'Auto Dan');
        await customerWrites(world, dan, 'still polling');
        await world.host.runJobNow(POLLER_JOB_ID);
        expect(visibleTexts(world, roomOf(world, 'Auto Dan')!.id)).toEqual(['still polling']);
        expect(world.sim.webhooks()).toEqual([]);
        expect(setupTexts(world).join('\n')).not.toContain('Automatic');
        expect(await status(world)).toContain('Delivery: Polling');
    });
});
