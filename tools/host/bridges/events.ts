import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { BridgeContext } from './context';

/**
 * Rocket.Chat fires post-event listeners without waiting for them (sendMessage → afterSaveMessage).
 * The host does the same, and keeps the promises so tests can wait for quiet.
 */
export function fireAndForget(ctx: BridgeContext, int: AppInterface, data: unknown): void {
    const pending = ctx.manager()
        .getListenerManager()
        .executeListener(int as never, data as never)
        .catch((e: Error) => {
            ctx.store.appLogs.push({ host: ctx.hostId, listenerError: String(int), error: e?.message ?? String(e) });
        });
    trackPending(ctx, pending);
}

const pendingByHost = new Map<string, Set<Promise<unknown>>>();

export function trackPending(ctx: BridgeContext, promise: Promise<unknown>): void {
    let set = pendingByHost.get(ctx.hostId);
    if (!set) {
        set = new Set();
        pendingByHost.set(ctx.hostId, set);
    }
    set.add(promise);
    void promise.finally(() => set!.delete(promise));
}

/** Resolves once every listener the host fired (and any they caused) has finished. */
export async function settle(hostId: string): Promise<void> {
    for (;;) {
        const set = pendingByHost.get(hostId);
        if (!set || set.size === 0) return;
        await Promise.allSettled([...set]);
    }
}

export function fireMessageEvent(ctx: BridgeContext, message: IMessage): void {
    const int = (message as IMessage & { t?: string }).t ? AppInterface.IPostSystemMessageSent : AppInterface.IPostMessageSent;
    fireAndForget(ctx, int, message);
}
