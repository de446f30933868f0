/** Driving agent replies and reading what the customer received on X, for the outbound e2e suites. */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { ManualClock } from '../../../tools/x-sim/core/clock';
import type { DmView } from '../../../tools/x-sim/sim';
import { accountOfRoom, type World } from './world';

export const PNG = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273a8b0000000049454e44ae426082',
    'hex',
);
export const GIF = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([1, 0, 1, 0]), Buffer.alloc(64, 1)]);
export const MP4 = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypmp42', 'latin1'),
    Buffer.alloc(256, 2),
]);
export const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), Buffer.alloc(64, 3)]);

export const clockOf = (world: World) => world.sim.clock as ManualClock;

/** Moves the shared clock (simulator and Rocket.Chat) up to real time: X stamps DMs with it. */
export async function syncClock(world: World): Promise<void> {
    const lag = Date.now() - world.sim.clock.now();
    if (lag > 0) await clockOf(world).advance(lag);
}

export async function quiet(world: World): Promise<void> {
    await world.host.settle();
    await world.sim.settle();
    await world.host.settle();
}

/**
 * A customer writes to the business (`to`: one of several linked accounts; default the first); returns them
 * and the room their DM opened, the one with that account.
 */
export async function openConversation(
    world: World,
    username: string,
    name: string,
    text = 'Hi, I need help',
    to = world.business.id,
): Promise<{ customer: string; room: ILivechatRoom }> {
    const customer = world.customer(username, name);
    await syncClock(world);
    await world.sim.sendDm({ from: customer, to, text });
    await quiet(world);
    const room = world.host
        .livechatRooms()
        .find((r) => r.isOpen && r.visitor?.name === name && accountOfRoom(world, r.id) === to);
    if (!room) throw new Error(`No open room for ${name} with account ${to}`);
    return { customer, room };
}

/** An agent's reply, as Rocket.Chat saves it and fires IPostMessageSent. */
export async function reply(
    world: World,
    room: ILivechatRoom,
    text: string,
    agent: IUser = world.agent,
): Promise<IMessage> {
    const message = world.host.postAgentMessage(room.id, agent, text);
    await quiet(world);
    return message;
}

/** What the customer received from the business (`from`: one of several accounts; default the first), oldest first. */
export function received(world: World, customer: string, from = world.business.id): DmView[] {
    return world.sim.dmsSentBy(from, { to: customer });
}

/** DM texts without the t.co link X appends for an attachment. */
export function receivedTexts(world: World, customer: string, from = world.business.id): string[] {
    return received(world, customer, from).map((d) =>
        d.media ? d.text.replace(/\s*https:\/\/t\.co\/\w+$/, '') : d.text,
    );
}

/** Notices the app posted in a room (visible to agents, never sent to X). */
export function appNotices(world: World, roomId: string): string[] {
    const appUserId = world.host.appUser().id;
    return world.host
        .messagesIn(roomId)
        .filter((m) => m.sender?.id === appUserId && !(m as IMessage & { t?: string }).t)
        .map((m) => m.text ?? '');
}

export function ephemeralTo(world: World, user: IUser, since = 0): string[] {
    return world.host.store.ephemeral
        .slice(since)
        .filter((e) => e.user.id === user.id)
        .map((e) => e.text ?? '');
}

/** Lets time pass on the shared clock, then runs the scheduler jobs that became due (the outbox wake-ups). */
export async function passTime(world: World, ms: number): Promise<void> {
    await syncClock(world);
    await clockOf(world).advance(ms);
    await world.host.runDueJobs();
    await quiet(world);
}

/** Keeps moving simulated time while X processes an uploaded GIF or video, until `done()` or the deadline. */
export async function whileProcessing(world: World, done: () => boolean, stepMs = 1500, tries = 40): Promise<void> {
    for (let i = 0; i < tries && !done(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        await clockOf(world).advance(stepMs);
    }
    await quiet(world);
}
