/**
 * A whole system for end-to-end tests: the X simulator, Rocket.Chat (the test host with the packaged app
 * in the real runtime) reachable over HTTP, a department with an online agent, and the app configured
 * and linked to the simulator's business account exactly as an admin would do it.
 */
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { startHttpFront, HttpFront } from '../../../tools/host/http-front';
import { TestHost } from '../../../tools/host/host';
import { HostStore } from '../../../tools/host/store';
import { ManualClock } from '../../../tools/x-sim/core/clock';
import { DEFAULT_APP, DEFAULT_BUSINESS_ACCOUNT, DEFAULT_BUSINESS_OAUTH1 } from '../../../tools/x-sim/defaults';
import { startXSim, XSim } from '../../../tools/x-sim/sim';
import type { XSimOptions } from '../../../tools/x-sim/build-services';
import { packagedZip } from './app-host';

export const X_HOSTS = ['api.x.com', 'upload.x.com', 'x.com', 'ton.twitter.com'];

export type DeliveryModeName = 'xaa' | 'aaa' | 'polling';

export interface WorldOptions {
    mode?: DeliveryModeName;
    auth?: 'tokens' | 'oauth2';
    /** Skip linking (tests of the linking itself). */
    link?: boolean;
    sim?: XSimOptions;
    /** Extra app settings applied before linking. */
    settings?: Record<string, unknown>;
    agentOnline?: boolean;
    acceptChatsWithNoAgents?: boolean;
    /** Another host to share the store with (a second Rocket.Chat instance). */
    store?: HostStore;
}

export interface World {
    sim: XSim;
    host: TestHost;
    front: HttpFront;
    admin: IUser;
    agent: IUser;
    departmentId: string;
    business: { id: string; username: string };
    /** Lets the simulated customer DM the business; returns the customer's X user id. */
    customer(username?: string, name?: string): string;
    stop(): Promise<void>;
}

let customerCount = 0;

export async function startWorld(options: WorldOptions = {}): Promise<World> {
    const sim = await startXSim({ clock: new ManualClock(Date.now()), retryDelaysMs: [3_000, 27_000, 242_000], ...options.sim });
    const httpHostMap = Object.fromEntries(X_HOSTS.map((h) => [h, sim.url]));
    const host = await TestHost.start({ runtimeTimeoutMs: 20_000, httpHostMap, store: options.store, acceptChatsWithNoAgents: options.acceptChatsWithNoAgents });
    const front = await startHttpFront(host);
    host.store.serverSettings.set('Site_Url', front.url);
    const admin = host.createUser({ username: 'admin', name: 'Ada Admin', roles: ['admin', 'user'] });
    const departmentId = host.createDepartment('Support');
    const agent = host.createAgent('agent.smith', { name: 'Agent Smith', departments: [departmentId], online: options.agentOnline ?? true });
    await host.install(packagedZip(), admin);
    const world: World = {
        sim,
        host,
        front,
        admin,
        agent,
        departmentId,
        business: { id: DEFAULT_BUSINESS_ACCOUNT.id, username: DEFAULT_BUSINESS_ACCOUNT.username },
        customer(username = `customer${++customerCount}`, name = `Customer ${customerCount}`) {
            return sim.createUser({ username, name }).id;
        },
        async stop() {
            await host.stop();
            await front.close();
            await sim.close();
        },
    };
    await configure(world, options);
    if (options.link !== false) await link(world, options.auth ?? (options.mode === 'xaa' ? 'oauth2' : 'tokens'));
    return world;
}

export async function configure(world: World, options: WorldOptions): Promise<void> {
    const settings: Record<string, unknown> = {
        api_key: DEFAULT_APP.consumerKey,
        api_key_secret: DEFAULT_APP.consumerSecret,
        oauth2_client_id: DEFAULT_APP.clientId,
        oauth2_client_secret: DEFAULT_APP.clientSecret,
        access_token: DEFAULT_BUSINESS_OAUTH1.accessToken,
        access_token_secret: DEFAULT_BUSINESS_OAUTH1.accessSecret,
        auth_method: options.auth ?? (options.mode === 'xaa' ? 'oauth2' : 'tokens'),
        delivery_mode: options.mode ?? 'aaa',
        department: 'Support',
        ...options.settings,
    };
    for (const [id, value] of Object.entries(settings)) await world.host.setSetting(id, value);
    // X only redirects to callback URLs registered for the app.
    world.sim.addCallbackUrl(DEFAULT_APP.id, `${world.front.url}/api/apps/public/${world.host.appId}/oauth/callback`);
}

/** The ephemeral answers `user` has received since `mark`. */
export function ephemeralSince(world: World, user: IUser, mark: number): string[] {
    return world.host.store.ephemeral.slice(mark).filter((e) => e.user.id === user.id).map((e) => e.text ?? '');
}

/** Runs `/twitter authorize` like an admin; for OAuth 2.0 follows the link through X's consent back to the callback page. */
export async function link(world: World, auth: 'tokens' | 'oauth2'): Promise<{ replies: string[]; callbackPage?: string; callbackStatus?: number }> {
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand('/twitter authorize', world.admin);
    const replies = ephemeralSince(world, world.admin, mark);
    if (auth === 'tokens') return { replies };
    const url = /https?:\/\/\S+/.exec(replies.join(' '))?.[0];
    if (!url) throw new Error(`No authorization link in: ${replies.join(' | ')}`);
    const callback = await followAuthorizeLink(world, url);
    await world.host.settle();
    await world.sim.settle();
    return { replies, callbackPage: callback.body, callbackStatus: callback.status };
}

/** The admin's browser: X's authorize page redirects to our callback, which we then open. */
export async function followAuthorizeLink(world: World, authorizeUrl: string): Promise<{ status: number; body: string }> {
    const atSim = authorizeUrl.replace(/^https:\/\/(x\.com|api\.x\.com|twitter\.com)/, world.sim.url);
    const consent = await fetch(atSim, { redirect: 'manual' });
    const location = consent.headers.get('location');
    if (!location) throw new Error(`X's authorize page did not redirect (HTTP ${consent.status}): ${await consent.text()}`);
    const callback = await fetch(location);
    return { status: callback.status, body: await callback.text() };
}
