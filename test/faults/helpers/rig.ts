/**
 * The whole system for the fault suite and the benchmarks: the X simulator, one or more Rocket.Chat
 * instances (test hosts sharing one store) behind one HTTP front, the packaged app configured and linked
 * through its real `/twitter authorize`, optional reference apps installed next to it, and X's webhook
 * calls passing through an injectable wrapper (dropped connections, lost answers).
 */
import type { IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import { startHttpFront } from '../../../tools/host/http-front';
import { EndpointCall, TestHost } from '../../../tools/host/host';
import { ManualClock } from '../../../tools/x-sim/core/clock';
import { DEFAULT_APP, DEFAULT_BUSINESS_ACCOUNT } from '../../../tools/x-sim/defaults';
import { httpWebhookCall, type WebhookHttpCall } from '../../../tools/x-sim/delivery/outbound-http';
import type { XSimOptions } from '../../../tools/x-sim/build-services';
import { startXSim } from '../../../tools/x-sim/sim';
import { signWebhookBody } from '../../unit/helpers/webhook-signing';
import { packagedZip, webhookSecret } from '../../e2e/helpers/app-host';
import { configure, DeliveryModeName, link, World, xHostMap } from '../../e2e/helpers/world';

export interface RigOptions {
    mode: DeliveryModeName;
    auth?: 'tokens' | 'oauth2';
    settings?: Record<string, unknown>;
    sim?: XSimOptions;
    /** Rocket.Chat's scheduler and timestamps follow the simulator's manual clock. */
    shareClock?: boolean;
    /** Where the simulator's clock starts (default: now). */
    startAt?: number;
    /** Apps installed before the app under test (benchmark references); their ids are returned in order. */
    referenceApps?: Buffer[];
    /** Wraps how X reaches the webhook (e.g. to drop connections). */
    webhookCall?: (real: WebhookHttpCall) => WebhookHttpCall;
    /** The app's zip (default: dist/, as the e2e global setup packages it). */
    zip?: Buffer;
    acceptChatsWithNoAgents?: boolean;
}

export interface Rig extends World {
    /** Every Rocket.Chat instance; `host` is the first. */
    hosts: TestHost[];
    clock: ManualClock;
    referenceAppIds: string[];
    /** Starts another instance over the same store and puts it behind the front (round robin). */
    addInstance(): Promise<TestHost>;
    /** X's hostnames go to `baseUrl` on every instance, current, restarted or added later (a faulty network in between). */
    routeXThrough(baseUrl: string): void;
    /** Restarts instance `i` (Rocket.Chat restart: its app reloads from the store); the front answers 5xx for it meanwhile. */
    restartInstance(i: number): Promise<TestHost>;
    settleAll(): Promise<void>;
    webhookUrl(): string;
    /** The consumer secret X signs deliveries with. */
    consumerSecret: string;
    /** Every answer the app gave X's webhook calls (deliveries and CRC checks). */
    webhookAnswers: { status: number; body: string }[];
    /** The app's answers to each delivery carrying a DM event id, in order. */
    answersByEvent: Map<string, string[]>;
}

function noteAnswer(map: Map<string, string[]>, body: string | undefined, answer: string): void {
    for (const m of (body ?? '').matchAll(/"id":"(\d{15,20})"/g)) map.set(m[1], [...(map.get(m[1]) ?? []), answer]);
}

let customerCount = 0;

export async function startRig(options: RigOptions): Promise<Rig> {
    const clock = new ManualClock(options.startAt ?? Date.now());
    const wrap = options.webhookCall ?? ((real: WebhookHttpCall) => real);
    const webhookAnswers: { status: number; body: string }[] = [];
    const answersByEvent = new Map<string, string[]>();
    // What the app answered X (for the secrets audit, and to explain a lost event).
    const recording: WebhookHttpCall = async (request, signal) => {
        try {
            const answer = await httpWebhookCall(request, signal);
            webhookAnswers.push({ status: answer.status, body: answer.body.slice(0, 2000) });
            noteAnswer(answersByEvent, request.body, `${answer.status} ${answer.body.slice(0, 120)}`);
            return answer;
        } catch (e) {
            noteAnswer(answersByEvent, request.body, `no answer: ${(e as Error).message}`);
            throw e;
        }
    };
    // X waits 10 s for a webhook answer; the simulator's real-time cap defaults to 2 s under a manual clock.
    const sim = await startXSim({
        clock,
        retryDelaysMs: [3_000, 27_000, 242_000],
        deliveryRealTimeoutMs: 10_000,
        webhookHttpCall: wrap(recording),
        // Sharing the clock, the app signs with its time (tools/host/app-clock.ts): X checks against the same.
        ...(options.shareClock ? { oauth1WallClock: () => Math.max(Date.now(), clock.now()) } : {}),
        ...options.sim,
    });
    const hostOptions = {
        runtimeTimeoutMs: 30_000,
        httpHostMap: xHostMap(sim.url),
        acceptChatsWithNoAgents: options.acceptChatsWithNoAgents,
        ...(options.shareClock ? { clock } : {}),
    };
    const host = await TestHost.start(hostOptions);
    const front = await startHttpFront(host);
    host.store.serverSettings.set('Site_Url', front.url);
    const admin = host.createUser({ username: 'admin', name: 'Ada Admin', roles: ['admin', 'user'] });
    const departmentId = host.createDepartment('Support');
    const agent = host.createAgent('agent.smith', { name: 'Agent Smith', departments: [departmentId], online: true });
    const referenceAppIds: string[] = [];
    for (const zip of options.referenceApps ?? []) referenceAppIds.push(await installBeside(host, zip, admin));
    await host.install(options.zip ?? packagedZip(), admin);
    const hosts = [host];
    let instanceCount = 1;
    const business = {
        id: DEFAULT_BUSINESS_ACCOUNT.id,
        username: DEFAULT_BUSINESS_ACCOUNT.username,
        name: DEFAULT_BUSINESS_ACCOUNT.name,
    };
    const rig: Rig = {
        sim,
        host,
        hosts,
        front,
        admin,
        agent,
        departmentId,
        clock,
        referenceAppIds,
        consumerSecret: DEFAULT_APP.consumerSecret,
        webhookAnswers,
        answersByEvent,
        business,
        customer(username = `customer${++customerCount}`, name = `Customer ${customerCount}`) {
            return sim.createUser({ username, name }).id;
        },
        async addInstance() {
            const next = await TestHost.start({
                ...hostOptions,
                store: rig.host.store,
                hostId: `h-extra-${++instanceCount}`,
            });
            hosts.push(next);
            front.setHosts(hosts);
            return next;
        },
        routeXThrough(baseUrl: string) {
            hostOptions.httpHostMap = xHostMap(baseUrl);
            for (const h of hosts) h.setHttpHostMap(hostOptions.httpHostMap);
        },
        async restartInstance(i: number) {
            const others = hosts.filter((_, j) => j !== i);
            front.setHosts(others.length ? others : []);
            // Stopping kills the Deno process under calls still in flight; the engine then writes to its closed
            // stdin (EPIPE), which Rocket.Chat's process handlers log and which would otherwise fail the test.
            guardRuntimeStdin(hosts[i]);
            asCurrentEngine(hosts[i]);
            const restarted = await hosts[i].restart();
            hosts[i] = restarted;
            if (i === 0) rig.host = restarted;
            front.setHosts(hosts);
            return restarted;
        },
        async settleAll() {
            await sim.settle();
            await Promise.all(hosts.map((h) => h.settle()));
        },
        webhookUrl() {
            return `${front.url}/api/apps/public/${rig.host.appId}/webhook/${webhookSecret(rig.host)}`;
        },
        async stop() {
            for (const h of [...hosts].reverse()) {
                guardRuntimeStdin(h);
                asCurrentEngine(h);
                await h.stop().catch(() => undefined);
            }
            await front.close();
            await sim.close();
        },
    };
    await configure(rig, { mode: options.mode, auth: options.auth, settings: options.settings });
    await link(rig, options.auth ?? (options.mode === 'xaa' ? 'oauth2' : 'tokens'));
    return rig;
}

/**
 * The engine keeps one AppManager per process (AppManager.Instance) and uses it while unloading; with
 * several hosts in one process, the one being stopped must be the current one.
 */
export function asCurrentEngine(host: TestHost): void {
    (AppManager as unknown as { Instance?: AppManager }).Instance = host.manager;
}

export function guardRuntimeStdin(host: TestHost): void {
    const app = host.manager.getOneById(host.appId);
    const deno = (app?.getRuntimeController() as unknown as { deno?: { stdin?: NodeJS.WritableStream } } | undefined)
        ?.deno;
    deno?.stdin?.on('error', () => undefined);
}

/** Installs and enables another app in the same Rocket.Chat (the host keeps pointing at the app under test). */
export async function installBeside(host: TestHost, zip: Buffer, user: IUser): Promise<string> {
    const result = await host.manager.add(zip, { enable: true, user });
    const app = result.getApp();
    if (!app)
        throw new Error(
            `Installing a reference app failed: ${JSON.stringify({ storage: result.getStorageError(), appUser: result.getAppUserError() })}`,
        );
    return app.getID();
}

/** Calls another app's endpoint the way Rocket.Chat's router does (the host's own helper targets the app under test). */
export async function callAppEndpoint(
    host: TestHost,
    appId: string,
    routePath: string,
    call: EndpointCall & { params?: Record<string, string> } = {},
): Promise<IApiResponse> {
    const request = {
        method: call.method ?? 'get',
        headers: Object.fromEntries(Object.entries(call.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        query: call.query ?? {},
        params: call.params ?? {},
        content: call.content ?? {},
        privateHash: call.privateHash,
    };
    const response = await host.manager.getApiManager().executeApi(appId, routePath, request as never);
    await host.settle();
    return response;
}

/** An AAA `message_create` body as X sends it, and its signature under the consumer secret. */
export function aaaMessageBody(
    business: string,
    customer: { id: string; name: string; username: string },
    eventId: string,
    text: string,
    createdAt: number,
) {
    return {
        for_user_id: business,
        direct_message_events: [
            {
                type: 'message_create',
                id: eventId,
                created_timestamp: String(createdAt),
                message_create: {
                    target: { recipient_id: business },
                    sender_id: customer.id,
                    message_data: { text, entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] } },
                },
            },
        ],
        users: { [customer.id]: { id: customer.id, name: customer.name, screen_name: customer.username } },
    };
}

export function signedHeaders(secret: string, body: unknown): Record<string, string> {
    return {
        'content-type': 'application/json; charset=utf-8',
        'x-twitter-webhooks-signature': signWebhookBody(secret, JSON.stringify(body)),
    };
}

/** Moves the simulator's clock (and Rocket.Chat's, when shared) up to real time: X stamps DMs with it. */
export async function catchUpWithRealTime(rig: Rig): Promise<void> {
    const lag = Date.now() - rig.clock.now();
    if (lag > 0) await rig.clock.advance(lag);
}
