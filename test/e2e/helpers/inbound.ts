/** Driving inbound DMs in e2e tests and reading what they produced. */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { MIRROR_GRACE_MS } from '../../../src/bridge/inbound-business';
import { MIRROR_JOB_ID, POLLER_JOB_ID } from '../../../src/jobs/ids';
import type { DeliveryModeName, World } from './world';

/** X stamps DMs with real time; the simulator's manual clock is moved up to it before each DM. */
export async function syncSimClock(world: World): Promise<void> {
    const lag = Date.now() - world.sim.clock.now();
    if (lag > 0) await (world.sim.clock as unknown as { advance(ms: number): Promise<void> }).advance(lag);
}

/** A customer DMs the business; in polling mode the poller then runs once. */
export async function deliverFromCustomer(
    world: World,
    mode: DeliveryModeName,
    dm: Parameters<World['sim']['sendDm']>[0],
) {
    await syncSimClock(world);
    const sent = await world.sim.sendDm(dm);
    if (mode === 'polling') await world.host.runJobNow(POLLER_JOB_ID);
    await world.host.settle();
    return sent;
}

/** Lets business-sent DMs that were not recognized at once be decided by the mirror job. */
export async function decideBusinessDms(world: World): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, MIRROR_GRACE_MS + 100));
    await world.host.runJobNow(MIRROR_JOB_ID);
}

export function roomOf(world: World, customerName: string): ILivechatRoom | undefined {
    return world.host.livechatRooms().find((r) => r.isOpen && r.visitor?.name === customerName);
}

/** The room's non-system messages in display order (Rocket.Chat sorts by timestamp). */
export const visibleTexts = (world: World, roomId: string) =>
    world.host
        .messagesIn(roomId)
        .filter((m: IMessage) => !(m as IMessage & { t?: string }).t)
        .sort((a, b) => +new Date(a.createdAt!) - +new Date(b.createdAt!))
        .map((m) => m.text ?? '');
