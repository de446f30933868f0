import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import type { HostStore } from '../store';

/** What every bridge of one host needs: the shared store and this host's engine. */
export interface BridgeContext {
    store: HostStore;
    hostId: string;
    manager(): AppManager;
    /** Maps X hostnames (api.x.com, upload.x.com, x.com, ton.twitter.com) to a local base URL; empty → real network. */
    httpHostMap: Map<string, string>;
}

/** A bridge method the test host deliberately does not support: loud, never silent. */
export function unsupported(bridge: string, method: string): never {
    throw new Error(`Test host: ${bridge}.${method} is not supported (the app is not expected to call it)`);
}
