import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { BridgeContext } from './context';

/**
 * Rocket.Chat fires post-event listeners without waiting for them (sendMessage → afterSaveMessage).
 * The host does the same, and keeps the promises so tests can wait for quiet.
 */
export function fireAndForget(ctx: BridgeContext, int: AppInterface, data: unknown): void {
    const pending = runListener(ctx, int, data).catch((e: Error) => {
        ctx.store.appLogs.push({ host: ctx.hostId, listenerError: String(int), error: e?.message ?? String(e) });
    });
    trackPending(ctx, pending);
}

/**
 * The engine's executeListener returns before it runs these post-events (it does not await them either),
 * so the promise it returns says nothing about when the app is done. The host makes the same call the
 * engine makes, on the same method, and keeps that promise instead, so settle() waits for the app.
 */
const NOT_AWAITED_BY_ENGINE: Partial<Record<AppInterface, string>> = {
    [AppInterface.IPostMessageSent]: 'executePostMessageSent',
    [AppInterface.IPostSystemMessageSent]: 'executePostSystemMessageSent',
    [AppInterface.IPostMessageDeleted]: 'executePostMessageDelete',
    [AppInterface.IPostMessageUpdated]: 'executePostMessageUpdated',
};

function runListener(ctx: BridgeContext, int: AppInterface, data: unknown): Promise<unknown> {
    const listeners = ctx.manager().getListenerManager() as unknown as Record<
        string,
        (d: unknown) => Promise<unknown>
    > & { isEventBlocked(i: AppInterface): boolean };
    const method = NOT_AWAITED_BY_ENGINE[int];
    if (method && typeof listeners[method] === 'function' && !listeners.isEventBlocked(int))
        return listeners[method].call(listeners, data);
    return ctx
        .manager()
        .getListenerManager()
        .executeListener(int as never, data as never);
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
    const int = (message as IMessage & { t?: string }).t
        ? AppInterface.IPostSystemMessageSent
        : AppInterface.IPostMessageSent;
    fireAndForget(ctx, int, message);
}
