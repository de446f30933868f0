/**
 * The app on a Rocket.Chat 8.x server as it comes out of the box, whose rules the test host enforces by
 * default (tools/host/server-settings.ts): message custom fields off, Message_MaxAllowedSize 5,000,
 * executeSendMessage's timestamp window for the app user's messages, a visitor message into a closed room
 * opening a new room, "accept chats with no agents" either way, and non-atomic removals across instances.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { xTimeLabel } from '../../src/bridge/room-poster';
import { MIRROR_JOB_ID, PENDING_JOB_ID, POLLER_JOB_ID } from '../../src/jobs/ids';
import { signWebhookBody } from '../unit/helpers/webhook-signing';
import { ManualClock } from '../../tools/x-sim/core/clock';
import { DEFAULT_APP } from '../../tools/x-sim/defaults';
import { webhookSecret } from './helpers/app-host';
import { auditInbound } from '../faults/helpers/audit';
import { decideBusinessDms, deliverFromCustomer, roomOf, syncSimClock, visibleTexts } from './helpers/inbound';
import { receivedTexts } from './helpers/outbound';
import { excessRefreshes, splitCalls } from './helpers/round-trips';
import { startInstance, startWorld, World } from './helpers/world';

const MINUTE = 60_000;
const customFieldsOf = (m: IMessage) => (m as IMessage & { customFields?: unknown }).customFields;
const nonSystem = (world: World, roomId: string) =>
    world.host.messagesIn(roomId).filter((m) => !(m as IMessage & { t?: string }).t);

/** Long text with spaces, as a customer or an agent would write it. */
function longText(length: number, seed: string): string {
    const words: string[] = [];
    for (let i = 0; words.join(' ').length < length; i++) words.push(`${seed}${i}`);
    return words.join(' ').slice(0, length).trim();
}

describe('on a default Rocket.Chat server (message custom fields off, 5,000-character messages)', () => {
    let world: World;

    // Starting a world takes seconds on a busy machine: more than jest's 5 s default for a hook.
    beforeAll(async () => {
        world = await startWorld({ mode: 'aaa', settings: { welcome_message: 'Welcome!' } });
    }, 120_000);

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('posts a text DM (no custom fields on any message), and the fault audit finds it by its text', async () => {
        expect(world.host.store.serverSettings.get('Message_CustomFields_Enabled')).toBe(false);
        const customer = world.customer('plain', 'Plain Customer');
        await deliverFromCustomer(world, 'aaa', {
            from: customer,
            to: world.business.id,
            text: 'Hello from a default server',
        });
        const room = roomOf(world, 'Plain Customer')!;
        expect(visibleTexts(world, room.id)).toEqual(['Hello from a default server']);
        expect(
            world.host
                .messagesIn(room.id)
                .map(customFieldsOf)
                .filter((f) => f !== undefined),
        ).toEqual([]);
        const audit = auditInbound(world.sim, world.host.store, world.business.id, [customer]);
        expect(audit).toMatchObject({ expected: 1, delivered: 1, lost: 0, duplicated: 0, outOfOrder: 0 });
        // The event ↔ message mapping is in the app's persistence instead.
        const posted = [...world.host.store.appPersistence(world.host.appId).values()].map(
            (r) => r.data as { type?: string; roomId?: string; messageIds?: string[] },
        );
        expect(posted.filter((r) => r.type === 'posted' && r.roomId === room.id).flatMap((r) => r.messageIds)).toEqual(
            nonSystem(world, room.id).map((m) => m.id),
        );
    });

    it('costs five bridge calls per DM into an open room: claim, read-back, room check, post, post record', async () => {
        const customer = world.customer('steady', 'Steady Customer');
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'first' });
        const started = Date.now();
        const mark = world.host.calls.mark();
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'second' });
        // Whatever the time since the first DM: the DM's own calls exactly, cache re-reads by their rule.
        const calls = splitCalls(world.host.calls.since(mark));
        expect(calls.own).toEqual([
            'PersistenceBridge.createWithAssociations(seen)',
            'PersistenceBridge.readByAssociations(x-conv)',
            'RoomBridge.getById',
            'LivechatBridge.createMessage',
            'PersistenceBridge.createWithAssociations(posted)',
        ]);
        expect(excessRefreshes(calls.refreshes, Date.now() - started)).toEqual([]);
    });

    it('splits a 6,000-character customer DM and a 6,000-character reply typed in the X app under 5,000 characters', async () => {
        const customer = world.customer('long', 'Long Customer');
        const dmText = longText(6_000, 'word');
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: dmText });
        const room = roomOf(world, 'Long Customer')!;
        const customerParts = visibleTexts(world, room.id);
        expect(customerParts.length).toBe(2);
        expect(customerParts.every((p) => p.length <= 5_000)).toBe(true);
        expect(customerParts.join(' ')).toBe(dmText);

        await syncSimClock(world);
        const replyText = longText(6_000, 'answer');
        await world.sim.typeInNativeApp({ account: world.business.id, to: customer, text: replyText });
        await decideBusinessDms(world);
        const mirrored = nonSystem(world, room.id)
            .filter((m) => m.sender?.id === world.host.appUser().id)
            .map((m) => m.text ?? '');
        expect(mirrored.length).toBe(2);
        expect(mirrored.every((p) => p.length <= 5_000)).toBe(true);
        expect(mirrored[0]).toMatch(/^_Sent from the X app:_ answer0 /);
        expect(mirrored.join(' ').replace(/^_Sent from the X app:_ /, '')).toBe(replyText);
    });

    it('a room closed between the claim and the post: a new conversation is opened in the department and the DM lands there', async () => {
        const customer = world.customer('closing', 'Closing Customer');
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'first question' });
        const first = roomOf(world, 'Closing Customer')!;
        // The room closes right after the app claims the next DM, before Rocket.Chat's close event reaches the app.
        const remove = world.host.calls.before('PersistenceBridge', 'createWithAssociations', (args) => {
            const data = args[0] as { type?: string; claim?: string };
            const room = world.host.store.rooms.get(first.id) as ILivechatRoom;
            if (data.type === 'seen' && data.claim && room.isOpen)
                world.host.store.rooms.set(first.id, { ...room, isOpen: false, closedAt: new Date() } as ILivechatRoom);
        });
        try {
            await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'second question' });
        } finally {
            remove();
        }
        const second = roomOf(world, 'Closing Customer')!;
        expect(second.id).not.toBe(first.id);
        expect(second.department?.name).toBe('Support');
        expect((second as ILivechatRoom & { source?: { label?: string } }).source?.label).toBe('X (Twitter)');
        expect(second.servedBy?.id).toBe(world.agent.id);
        expect(visibleTexts(world, first.id)).toEqual(['first question']);
        expect(visibleTexts(world, second.id)).toEqual(['second question']);
        expect(world.host.livechatRooms().filter((r) => r.visitor?.name === 'Closing Customer')).toHaveLength(2);
        expect(receivedTexts(world, customer)).toEqual(['Welcome!', 'Welcome!']);
        // The next DM goes to the new room.
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'third' });
        expect(visibleTexts(world, second.id)).toEqual(['second question', 'third']);
    });

    it('a deleted room: the next DM opens a new conversation instead of failing', async () => {
        const customer = world.customer('deleted', 'Deleted Customer');
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'before' });
        const first = roomOf(world, 'Deleted Customer')!;
        world.host.store.rooms.delete(first.id);
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'after' });
        const second = roomOf(world, 'Deleted Customer')!;
        expect(second.id).not.toBe(first.id);
        expect(visibleTexts(world, second.id)).toEqual(['after']);
    });

    it('upgrade: a conversation the previous version left (claims, no post records) keeps working, and a redelivery is not posted twice', async () => {
        const customer = world.customer('upgrade', 'Upgrade Customer');
        const { dm } = await deliverFromCustomer(world, 'aaa', {
            from: customer,
            to: world.business.id,
            text: 'before the upgrade',
        });
        const room = roomOf(world, 'Upgrade Customer')!;
        // What the previous version had written: the conversation and its claims, minutes old; no post records.
        const records = world.host.store.appPersistence(world.host.appId);
        for (const [id, record] of records) {
            if (!record.associations.some((a) => a.id === `x-conv:${world.business.id}:${customer}`)) continue;
            const data = record.data as { type?: string; at?: number };
            if (data.type === 'posted') records.delete(id);
            else if (data.type === 'seen') data.at = (data.at ?? Date.now()) - 5 * MINUTE;
        }
        // The upgrade restarts the app (nothing of it stays in memory); X delivers the same DM again.
        world.host = await world.host.restart();
        world.front.setHosts([world.host]);
        const body = JSON.stringify({
            for_user_id: world.business.id,
            direct_message_events: [
                {
                    type: 'message_create',
                    id: dm.id,
                    created_timestamp: String(dm.createdAt),
                    message_create: {
                        target: { recipient_id: world.business.id },
                        sender_id: customer,
                        message_data: { text: 'before the upgrade', entities: { urls: [] } },
                    },
                },
            ],
            users: { [customer]: { id: customer, name: 'Upgrade Customer', screen_name: 'upgrade' } },
        });
        const url = `${world.front.url}/api/apps/public/${world.host.appId}/webhook/${webhookSecret(world.host)}`;
        const answer = await fetch(url, {
            method: 'POST',
            body,
            headers: {
                'content-type': 'application/json',
                'x-twitter-webhooks-signature': signWebhookBody(DEFAULT_APP.consumerSecret, body),
            },
        });
        expect(answer.status).toBe(200);
        await world.host.settle();
        await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'after the upgrade' });
        expect(roomOf(world, 'Upgrade Customer')!.id).toBe(room.id);
        expect(visibleTexts(world, room.id)).toEqual(['before the upgrade', 'after the upgrade']);
    });

    it('two instances deciding one reply typed in the X app post it once', async () => {
        const second = await startInstance(world, 'h-mirror');
        try {
            const customer = world.customer('two_mirror', 'Two Mirror');
            await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'question' });
            // X delivers the reply twice, once to each instance: each keeps a candidate and schedules a decision.
            world.front.setHosts([world.host, second]);
            world.sim.faults.set({ delivery: { duplicate: 1 } });
            await syncSimClock(world);
            const { dm } = await world.sim.typeInNativeApp({
                account: world.business.id,
                to: customer,
                text: 'answered on my phone',
            });
            await world.sim.settle();
            world.sim.faults.clear();
            await Promise.all([world.host.settle(), second.settle()]);
            const decisions = [...world.host.store.jobs.values()].filter((j) =>
                j.processorId.startsWith(MIRROR_JOB_ID),
            );
            expect(decisions.length).toBeGreaterThanOrEqual(2);
            // Both decisions read the candidate before either writes anything: each waits at its first write for the other.
            let arrived = 0;
            let release!: () => void;
            const bothThere = new Promise<void>((resolve) => (release = resolve));
            const barrier = async (args: unknown[]) => {
                const data = args[0] as { type?: string; claim?: string; eventId?: string };
                if (data.type !== 'seen' || !data.claim || data.eventId !== dm.id) return;
                if (++arrived === 2) release();
                await Promise.race([bothThere, new Promise((resolve) => setTimeout(resolve, 3_000))]);
            };
            const removers = [world.host, second].map((h) =>
                h.calls.before('PersistenceBridge', 'createWithAssociations', barrier),
            );
            await new Promise((resolve) => setTimeout(resolve, 2_100));
            try {
                const runs = await Promise.all([world.host.runJobNow(MIRROR_JOB_ID), second.runJobNow(MIRROR_JOB_ID)]);
                expect(runs.every((r) => r.some((run) => run.processorId.startsWith(MIRROR_JOB_ID)))).toBe(true);
                await Promise.all([world.host.settle(), second.settle()]);
            } finally {
                removers.forEach((remove) => remove());
            }
            expect(arrived).toBe(2);
            const room = roomOf(world, 'Two Mirror')!;
            const mirrored = nonSystem(world, room.id).filter((m) => m.sender?.id === world.host.appUser().id);
            expect(mirrored.map((m) => m.text)).toEqual(['_Sent from the X app:_ answered on my phone']);
        } finally {
            world.front.setHosts([world.host]);
            await second.stop();
        }
    });
});

describe('a reply typed in the X app while Rocket.Chat was down (polling)', () => {
    let world: World;

    beforeAll(async () => {
        // X's clock is five minutes behind Rocket.Chat's: what X stamps now, Rocket.Chat sees five minutes late.
        world = await startWorld({ mode: 'polling', sim: { clock: new ManualClock(Date.now() - 5 * MINUTE) } });
    });

    afterAll(async () => {
        await world?.stop();
    });

    it("is mirrored after 5 minutes of downtime, posted now with X's time in the text", async () => {
        const customer = world.customer('downtime', 'Downtime Customer');
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'are you there?' });
        await world.host.runJobNow(POLLER_JOB_ID);
        await world.host.settle();
        const room = roomOf(world, 'Downtime Customer')!;
        await world.host.stop();
        world.front.setHosts([]);
        const { dm } = await world.sim.typeInNativeApp({
            account: world.business.id,
            to: customer,
            text: 'yes, answered from my phone',
        });
        world.host = await world.host.restart();
        world.front.setHosts([world.host]);
        await world.host.runJobNow(POLLER_JOB_ID);
        await decideBusinessDms(world);
        const mirrored = nonSystem(world, room.id).filter((m) => m.sender?.id === world.host.appUser().id);
        expect(mirrored.map((m) => m.text)).toEqual([
            `_Sent from the X app at ${xTimeLabel(dm.createdAt, Date.now())}:_ yes, answered from my phone`,
        ]);
        // Rocket.Chat stamped it with its own time: X's, five minutes old, would have been refused.
        expect(Date.now() - new Date(mirrored[0].createdAt!).getTime()).toBeLessThan(MINUTE);
        expect(visibleTexts(world, room.id)).toEqual(['are you there?', mirrored[0].text]);
    });
});

describe('"Accept new omnichannel requests when there\'s no online agents" (Livechat_accept_chats_with_no_agents)', () => {
    const settings = {
        welcome_message: 'Welcome!',
        unavailable_message: 'Nobody is available right now; we will answer here soon.',
    };

    it('on: the room opens in the queue, the customer gets the welcome then the unavailable notice (once an hour), DMs go into the room', async () => {
        const world = await startWorld({ mode: 'aaa', agentOnline: false, acceptChatsWithNoAgents: true, settings });
        try {
            const customer = world.customer('queued', 'Queued Customer');
            await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'hello?' });
            await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'anyone?' });
            const room = roomOf(world, 'Queued Customer')!;
            expect(room.servedBy).toBeUndefined();
            expect(room.department?.name).toBe('Support');
            expect(visibleTexts(world, room.id)).toEqual(['hello?', 'anyone?']);
            expect(receivedTexts(world, customer)).toEqual(['Welcome!', settings.unavailable_message]);
        } finally {
            await world.stop();
        }
    });

    it('off (the default): no room while nobody is online, the unavailable notice alone, the DMs wait and arrive in order with the welcome', async () => {
        const world = await startWorld({ mode: 'aaa', agentOnline: false, settings });
        try {
            const customer = world.customer('waiting', 'Waiting Customer');
            await deliverFromCustomer(world, 'aaa', { from: customer, to: world.business.id, text: 'hello?' });
            expect(roomOf(world, 'Waiting Customer')).toBeUndefined();
            expect(receivedTexts(world, customer)).toEqual([settings.unavailable_message]);
            world.host.setAgentOnline(world.agent.id, true);
            await world.host.runJobNow(PENDING_JOB_ID);
            const room = roomOf(world, 'Waiting Customer')!;
            expect(room.servedBy?.id).toBe(world.agent.id);
            expect(visibleTexts(world, room.id)).toEqual(['hello?']);
            expect(receivedTexts(world, customer)).toEqual([settings.unavailable_message, 'Welcome!']);
        } finally {
            await world.stop();
        }
    });
});
