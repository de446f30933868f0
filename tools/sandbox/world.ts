/**
 * A whole system around the packaged app: the X simulator, Rocket.Chat (the test host with the packaged
 * app in the real runtime) reachable over HTTP, a department with an online agent, and the app configured
 * and linked to the simulator's business account exactly as an admin would do it (`/twitter authorize`,
 * and for OAuth 2.0 X's consent page, the callback and "Link @handle" in the setup room).
 *
 * The sandbox runs it on real time; the e2e tests (test/e2e/helpers/world.ts) on the simulator's manual clock.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { CONFIRM_LINK_ACTION } from '../../src/admin/pending-link';
import { startHttpFront, HttpFront } from '../host/http-front';
import { TestHost } from '../host/host';
import { HostStore } from '../host/store';
import { ManualClock, type SimClock } from '../x-sim/core/clock';
import { DEFAULT_APP, DEFAULT_BUSINESS_ACCOUNT, DEFAULT_BUSINESS_OAUTH1 } from '../x-sim/defaults';
import { startXSim, XSim } from '../x-sim/sim';
import type { XSimOptions } from '../x-sim/build-services';
import { packagedZip } from './package-zip';

/** Every X hostname the app calls; the host routes them all to the simulator. */
export const X_HOSTS = ['api.x.com', 'upload.x.com', 'x.com', 'ton.twitter.com', 'video.twimg.com'];

/** Every X hostname the app calls, sent to one base URL (the simulator, or a proxy in front of it). */
export const xHostMap = (url: string): Record<string, string> => Object.fromEntries(X_HOSTS.map((h) => [h, url]));

const RUNTIME_TIMEOUT_MS = 20_000;

export type DeliveryModeName = 'auto' | 'xaa' | 'aaa' | 'polling';
export type AuthMethodName = 'tokens' | 'oauth2';
export const DELIVERY_MODES: readonly DeliveryModeName[] = ['auto', 'xaa', 'aaa', 'polling'];

export interface WorldOptions<C extends SimClock = ManualClock> {
    mode?: DeliveryModeName;
    auth?: AuthMethodName;
    /** Skip linking (tests of the linking itself). */
    link?: boolean;
    /** Simulator options; the clock defaults to a ManualClock at the current time. */
    sim?: XSimOptions<C>;
    /** Extra app settings applied before linking. */
    settings?: Record<string, unknown>;
    agentOnline?: boolean;
    acceptChatsWithNoAgents?: boolean;
    /** Another host to share the store with (a second Rocket.Chat instance). */
    store?: HostStore;
    /** Rocket.Chat's scheduler and timestamps follow the simulator's clock (rate-limit resets without waiting). */
    shareClock?: boolean;
    /** The app package to install (default: dist/<slug>_<version>.zip). */
    zip?: Buffer;
    /** Run due scheduler jobs on their own from the start, like Rocket.Chat's Agenda (the sandbox); tests run jobs themselves. */
    autoJobs?: boolean;
    /** What people do on the server before the app is installed (e.g. create rooms). */
    beforeInstall?: (host: TestHost) => void;
}

export interface World<C extends SimClock = ManualClock> {
    sim: XSim<C>;
    host: TestHost;
    front: HttpFront;
    admin: IUser;
    agent: IUser;
    departmentId: string;
    business: { id: string; username: string; name: string };
    /** Lets the simulated customer DM the business; returns the customer's X user id. */
    customer(username?: string, name?: string): string;
    stop(): Promise<void>;
}

/**
 * The auth method a mode is linked with unless told otherwise (X Activity API subscriptions need OAuth 2.0,
 * and Automatic picks the X Activity API with it).
 */
export const defaultAuthFor = (mode: DeliveryModeName | undefined): AuthMethodName =>
    mode === 'xaa' || mode === 'auto' ? 'oauth2' : 'tokens';

let customerCount = 0;

export async function startWorld<C extends SimClock = ManualClock>(options: WorldOptions<C> = {}): Promise<World<C>> {
    const clock = options.sim?.clock ?? new ManualClock(Date.now());
    const simOptions = {
        clock,
        retryDelaysMs: [3_000, 27_000, 242_000],
        // Sharing the clock, the app signs with its time (tools/host/app-clock.ts): X checks against the same.
        ...(options.shareClock ? { oauth1WallClock: () => Math.max(Date.now(), clock.now()) } : {}),
        ...options.sim,
    } as XSimOptions<C>;
    const sim = await startXSim<C>(simOptions);
    let host: TestHost | undefined;
    let front: HttpFront | undefined;
    try {
        host = await TestHost.start({
            runtimeTimeoutMs: RUNTIME_TIMEOUT_MS,
            httpHostMap: xHostMap(sim.url),
            store: options.store,
            acceptChatsWithNoAgents: options.acceptChatsWithNoAgents,
            ...(options.shareClock ? { clock: sim.clock } : {}),
        });
        if (options.autoJobs) host.startAutoJobs();
        front = await startHttpFront(host);
        host.store.serverSettings.set('Site_Url', front.url);
        const admin = host.createUser({ username: 'admin', name: 'Ada Admin', roles: ['admin', 'user'] });
        const departmentId = host.createDepartment('Support');
        const agent = host.createAgent('agent.smith', {
            name: 'Agent Smith',
            departments: [departmentId],
            online: options.agentOnline ?? true,
        });
        options.beforeInstall?.(host);
        await host.install(options.zip ?? packagedZip(), admin);
        const started = { sim, host, front };
        const world: World<C> = {
            sim,
            host,
            front,
            admin,
            agent,
            departmentId,
            business: {
                id: DEFAULT_BUSINESS_ACCOUNT.id,
                username: DEFAULT_BUSINESS_ACCOUNT.username,
                name: DEFAULT_BUSINESS_ACCOUNT.name,
            },
            customer(username = `customer${++customerCount}`, name = `Customer ${customerCount}`) {
                return sim.createUser({ username, name }).id;
            },
            async stop() {
                // `world.host` may have been replaced (a restart): stop the current one.
                await stopAll({ ...started, host: world.host });
            },
        };
        await configure(world, options);
        if (options.link !== false) await link(world, options.auth ?? defaultAuthFor(options.mode));
        return world;
    } catch (e) {
        await stopAll({ sim, host, front }).catch(() => undefined);
        throw e;
    }
}

/** Another Rocket.Chat instance on the world's database; the caller decides when the front sends it traffic. */
export function startInstance(world: World<SimClock>, hostId: string): Promise<TestHost> {
    return TestHost.start({
        runtimeTimeoutMs: RUNTIME_TIMEOUT_MS,
        httpHostMap: xHostMap(world.sim.url),
        store: world.host.store,
        hostId,
    });
}

async function stopAll(parts: { sim: XSim<SimClock>; host?: TestHost; front?: HttpFront }): Promise<void> {
    await parts.host?.stop();
    await parts.front?.close();
    await parts.sim.close();
}

/** The settings an admin fills in from the developer portal (the simulator's seeded app and account). */
export async function configure(
    world: World<SimClock>,
    options: Pick<WorldOptions<SimClock>, 'auth' | 'mode' | 'settings'>,
): Promise<void> {
    const settings: Record<string, unknown> = {
        api_key: DEFAULT_APP.consumerKey,
        api_key_secret: DEFAULT_APP.consumerSecret,
        oauth2_client_id: DEFAULT_APP.clientId,
        oauth2_client_secret: DEFAULT_APP.clientSecret,
        access_token: DEFAULT_BUSINESS_OAUTH1.accessToken,
        access_token_secret: DEFAULT_BUSINESS_OAUTH1.accessSecret,
        auth_method: options.auth ?? defaultAuthFor(options.mode),
        delivery_mode: options.mode ?? 'aaa',
        department: 'Support',
        ...options.settings,
    };
    for (const [id, value] of Object.entries(settings)) await world.host.setSetting(id, value);
    // X only redirects to callback URLs registered for the app.
    world.sim.addCallbackUrl(DEFAULT_APP.id, `${world.front.url}/api/apps/public/${world.host.appId}/oauth/callback`);
}

/** The ephemeral answers `user` has received since `mark`. */
export function ephemeralSince(world: World<SimClock>, user: IUser, mark: number): string[] {
    return world.host.store.ephemeral
        .slice(mark)
        .filter((e) => e.user.id === user.id)
        .map((e) => e.text ?? '');
}

/**
 * Runs `/twitter authorize` like an admin; for OAuth 2.0 follows the link through X's consent back to the
 * callback page, then presses "Link @handle" in the setup room as that admin.
 */
export async function link(
    world: World<SimClock>,
    auth: AuthMethodName,
): Promise<{ replies: string[]; callbackPage?: string; callbackStatus?: number; confirmation?: string }> {
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand('/twitter authorize', world.admin);
    const replies = ephemeralSince(world, world.admin, mark);
    if (auth === 'tokens') return { replies };
    const url = /https?:\/\/\S+/.exec(replies.join(' '))?.[0];
    if (!url) throw new Error(`No authorization link in: ${replies.join(' | ')}`);
    const callback = await followAuthorizeLink(world, url);
    const confirmed = await pressSetupButton(world, world.admin, CONFIRM_LINK_ACTION);
    if (!confirmed)
        throw new Error(
            `No "Link @handle" button in the setup room after the callback (HTTP ${callback.status}): ${callback.body}`,
        );
    await world.host.settle();
    await world.sim.settle();
    return {
        replies,
        callbackPage: callback.body,
        callbackStatus: callback.status,
        confirmation: world.host.store.messages.get(confirmed.id!)?.text,
    };
}

/** The setup room: the room whose id the app stored (the app never looks it up by name). */
export function setupRoom(world: World<SimClock>): IRoom | undefined {
    const record = [...world.host.store.appPersistence(world.host.appId).values()].find((r) =>
        r.associations.some((a) => a.id === 'x-setup-room'),
    );
    const roomId = (record?.data as { roomId?: string } | undefined)?.roomId;
    return roomId ? world.host.store.rooms.get(roomId) : undefined;
}

/** The buttons a message shows (what Rocket.Chat's UI renders from its blocks). */
export function buttonsOf(message: IMessage): { actionId: string; blockId?: string; value?: string; text: string }[] {
    const blocks = (message.blocks ?? []) as {
        type: string;
        elements?: { type: string; actionId: string; blockId?: string; value?: string; text?: { text?: string } }[];
    }[];
    return blocks
        .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
        .filter((e) => e.type === 'button')
        .map((e) => ({ actionId: e.actionId, blockId: e.blockId, value: e.value, text: e.text?.text ?? '' }));
}

/**
 * `user` presses the button `actionId` on the latest setup-room message that shows it, as Rocket.Chat's
 * UI sends it (room, message, block and value of that button). Returns the message, or undefined when no
 * message shows that button.
 */
export async function pressSetupButton(
    world: World<SimClock>,
    user: IUser,
    actionId: string,
): Promise<IMessage | undefined> {
    const room = setupRoom(world);
    const messages = room ? world.host.messagesIn(room.id) : [];
    const message = [...messages].reverse().find((m) => buttonsOf(m).some((b) => b.actionId === actionId));
    const button = message && buttonsOf(message).find((b) => b.actionId === actionId)!;
    if (!message || !button) return undefined;
    await world.host.blockAction(user, {
        actionId,
        blockId: button.blockId,
        value: button.value,
        roomId: room!.id,
        messageId: message.id,
    });
    return message;
}

/** The admin's browser: X's authorize page redirects to our callback, which we then open. */
export async function followAuthorizeLink(
    world: World<SimClock>,
    authorizeUrl: string,
): Promise<{ status: number; body: string }> {
    const atSim = authorizeUrl.replace(/^https:\/\/(x\.com|api\.x\.com|twitter\.com)/, world.sim.url);
    const consent = await fetch(atSim, { redirect: 'manual' });
    const location = consent.headers.get('location');
    if (!location)
        throw new Error(`X's authorize page did not redirect (HTTP ${consent.status}): ${await consent.text()}`);
    const callback = await fetch(location);
    return { status: callback.status, body: await callback.text() };
}
