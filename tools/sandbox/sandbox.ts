/**
 * The sandbox: the packaged app in the real Apps-Engine runtime on the in-memory Rocket.Chat, linked to
 * the X simulator, on real time. It is what `npm start` runs, what the console page drives and what the
 * scripted demo drives: every action here is one a customer on X, an agent or an admin takes.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { POLLER_JOB_ID } from '../../src/jobs/ids';
import { SystemClock } from '../x-sim/core/clock';
import type { DmMediaType } from '../x-sim/state/types';
import { UNIT_PRICE_USD } from '../x-sim/ops/ledger';
import type { DmView } from '../x-sim/sim';
import { FAULT_PRESETS, faultPreset } from './faults';
import { denoChildren, keepDenoOutOfTerminalSignals, waitForExit } from './processes';
import { accountOfRoom, linkedAccounts, linkSecondAccount, SECOND_DEPARTMENT } from './accounts';
import { AuthMethodName, defaultAuthFor, DeliveryModeName, link, startWorld, World } from './world';

export interface SandboxOptions {
    mode?: DeliveryModeName;
    auth?: AuthMethodName;
    /** Fault preset names to switch on at start (see faults.ts). */
    faults?: string[];
    /** Seed of the simulator's ids and fault probabilities. */
    seed?: number;
    /** The app package (default: dist/<slug>_<version>.zip). */
    zip?: Buffer;
    /** Extra app settings (on top of the sandbox's messages). */
    settings?: Record<string, unknown>;
    /** Linked business accounts: 2 (default: @AcmeSupport → Support, @AcmeSales → Sales) or 1 (@AcmeSupport). */
    accounts?: 1 | 2;
}

/** A linked business account, its department and the agent there. */
export interface SandboxBusiness {
    id: string;
    username: string;
    name: string;
    department: string;
    agentId: string;
}

/** The automatic messages the sandbox configures, so every lifecycle DM can be seen. */
export const SANDBOX_MESSAGES = {
    welcome_message: 'Hi! Thanks for writing to Acme Support. An agent will be with you shortly.',
    unavailable_message:
        'Our agents are offline right now. We have your message and will answer as soon as someone is back.',
    finished_message: 'This conversation is now closed. Thanks for contacting Acme Support!',
} as const;

export interface SandboxCustomer {
    id: string;
    username: string;
    name: string;
}

export interface UploadedFile {
    name: string;
    type: string;
    bytes: Buffer;
}

export type MessageRole = 'visitor' | 'agent' | 'app' | 'system';

export interface RoomMessageView {
    id: string;
    role: MessageRole;
    sender: string;
    text: string;
    at: number;
    file?: { id: string; name: string; type: string; url: string };
    /** System message type (e.g. `livechat-close`). */
    kind?: string;
}

export interface RoomView {
    id: string;
    /** The business account the conversation is with (the app's record of the room). */
    account?: { id: string; username: string };
    visitor: { name: string; username: string };
    open: boolean;
    servedBy?: string;
    department?: string;
    createdAt: number;
    messages: RoomMessageView[];
    /** What the app told the agent privately in this room (ephemeral messages). */
    notices: { text: string; at: number }[];
    /** The Omnichannel contact the room belongs to (one per customer, across rooms). */
    contact?: { name: string; customFields: Record<string, string>; channels: string[]; rooms: number };
}

export interface CustomerDmView {
    id: string;
    /** The business account on the other side. */
    businessId: string;
    fromCustomer: boolean;
    text: string;
    at: number;
    media?: { type: DmMediaType; contentType: string; url: string };
}

export interface LogRow {
    at: number;
    /** `api` = the app calling X; `webhook` = X calling the app. */
    direction: 'api' | 'webhook';
    summary: string;
    status?: number;
    state?: string;
    authType?: string;
    billableUnits: number;
    fault?: string;
}

export interface AppLogRow {
    at: number;
    severity: string;
    method: string;
    text: string;
}

export interface SandboxState {
    mode: DeliveryModeName;
    auth: AuthMethodName;
    business: { id: string; username: string; name: string };
    businesses: SandboxBusiness[];
    agent: { id: string; name: string; username: string; online: boolean };
    agents: { id: string; name: string; username: string; online: boolean; department: string }[];
    customers: (SandboxCustomer & { dms: CustomerDmView[] })[];
    rooms: RoomView[];
    xLog: LogRow[];
    xLogTotal: number;
    ledger: {
        dmEventReads: number;
        dmCreates: number;
        dmReceivedDeliveries: number;
        userReads: number;
        usd: number;
        unitPriceUsd: Record<string, number>;
    };
    appLog: AppLogRow[];
    status: { text: string; at: number } | undefined;
    faults: { name: string; description: string; active: boolean }[];
    jobs: { processorId: string; nextRunAt: number; intervalMs?: number }[];
    urls: { rocketChat: string; xSim: string };
}

const LOG_ROWS = 200;

/** Strips the t.co link X appends to a DM's text for its attachment. */
export const withoutMediaLink = (dm: Pick<DmView, 'text' | 'media'>) =>
    dm.media ? dm.text.replace(/\s*https:\/\/t\.co\/\w+$/, '') : dm.text;

export function dmMediaTypeFor(contentType: string): DmMediaType {
    if (contentType === 'image/gif') return 'animated_gif';
    if (contentType.startsWith('video/')) return 'video';
    return 'photo';
}

export class Sandbox {
    public readonly customers = new Map<string, SandboxCustomer>();
    private readonly activeFaults = new Map<string, () => void>();
    private status?: { text: string; at: number };
    private adminRoom?: IRoom;
    private denoPids: number[] = [];
    private stopped?: Promise<{ leftoverDeno: number[] }>;
    private releaser?: NodeJS.Timeout;
    /** What `/twitter authorize` answered the admin, the OAuth 2.0 callback page's status, and the setup room after "Link @handle". */
    public linking: { replies: string[]; callbackStatus?: number; confirmation?: string } = { replies: [] };
    /** What linking the second account (`/twitter authorize`, `/twitter department`) answered the admin. */
    public secondLinking?: { replies: string[] };
    /** The linked business accounts, in the order they were linked. */
    public readonly businesses: SandboxBusiness[];

    private constructor(
        public readonly world: World<SystemClock>,
        public readonly mode: DeliveryModeName,
        public readonly auth: AuthMethodName,
    ) {
        this.businesses = [{ ...world.business, department: 'Support', agentId: world.agent.id }];
    }

    /** Starts the simulator and Rocket.Chat, installs, configures and links the app, and starts the scheduler. */
    public static async start(options: SandboxOptions = {}): Promise<Sandbox> {
        const mode = options.mode ?? 'xaa';
        const accounts = options.accounts ?? 2;
        // A second account links through X's consent page: OAuth 2.0 (pasted tokens are one account's).
        const auth = options.auth ?? (accounts === 2 ? 'oauth2' : defaultAuthFor(mode));
        if (accounts === 2 && auth === 'tokens')
            throw new Error('Two accounts link with OAuth 2.0; developer-portal tokens link one: add --accounts 1');
        // Validate fault names before anything starts.
        const faults = (options.faults ?? []).map(faultPreset);
        keepDenoOutOfTerminalSignals();
        const world = await startWorld<SystemClock>({
            mode,
            auth,
            zip: options.zip,
            sim: { clock: new SystemClock(), seed: options.seed ?? 1, businessAccounts: accounts },
            settings: { ...SANDBOX_MESSAGES, ...options.settings },
            link: false,
            // Rocket.Chat's scheduler (Agenda) always runs: settings, poller, outbox, pending and mirror jobs.
            autoJobs: true,
        });
        // An admin's Omnichannel → Custom Fields, so the contact carries the X identity (README, What agents see).
        for (const id of ['xUserId', 'xUsername', 'xProfileUrl'])
            world.host.store.livechatCustomFields.set(id, { scope: 'visitor' });
        const sandbox = new Sandbox(world, mode, auth);
        sandbox.denoPids = denoChildren();
        try {
            // The admin runs `/twitter authorize` (OAuth 2.0: through X's consent page to the app's callback,
            // then "Link @handle" in the setup room).
            const linked = await link(world, auth);
            sandbox.linking = {
                replies: linked.replies,
                callbackStatus: linked.callbackStatus,
                confirmation: linked.confirmation,
            };
            if (accounts === 2) {
                const second = await linkSecondAccount(world);
                sandbox.secondLinking = { replies: second.replies };
                sandbox.businesses.push({
                    ...second.account,
                    department: SECOND_DEPARTMENT.name,
                    agentId: second.agent.id,
                });
            }
        } catch (e) {
            await sandbox.stop();
            throw e;
        }
        sandbox.releaseHeldDeliveries();
        for (const preset of faults) sandbox.setFault(preset.name, true);
        return sandbox;
    }

    /**
     * The simulator holds a reordered delivery until the next one is sent; on a manual clock the next
     * instant releases it too. On real time that instant is this timer: a held delivery waits at most
     * about a second, so deliveries sent meanwhile overtake it, and a lone one is not stuck forever.
     */
    private releaseHeldDeliveries(): void {
        let busy = false;
        this.releaser = setInterval(() => {
            if (busy) return;
            busy = true;
            void this.world.sim.settle().finally(() => (busy = false));
        }, 1_000);
    }

    // ---- the customer, on X -------------------------------------------------------------------

    public createCustomer(username: string, name?: string): SandboxCustomer {
        const user = this.world.sim.createUser({ username, name: name || username });
        const customer = { id: user.id, username: user.username, name: user.name };
        this.customers.set(customer.id, customer);
        return customer;
    }

    /** The customer DMs a business account (default: the first) from the X app (text, emoji, an image). */
    public async customerSends(
        customerId: string,
        dm: { text?: string; file?: UploadedFile; to?: string },
    ): Promise<DmView> {
        if (!this.customers.has(customerId)) throw new Error(`No simulated customer ${customerId}`);
        const to = dm.to ?? this.businesses[0].id;
        if (!this.businesses.some((b) => b.id === to)) throw new Error(`${to} is not a linked business account`);
        const media = dm.file
            ? { type: dmMediaTypeFor(dm.file.type), bytes: dm.file.bytes, contentType: dm.file.type }
            : undefined;
        const sent = await this.world.sim.sendDm(
            { from: customerId, to, text: dm.text || undefined, media },
            { awaitDelivery: false },
        );
        return sent.dm;
    }

    // ---- the agent, in Omnichannel -------------------------------------------------------------

    /** The first account's agent (department Support). */
    public get agent(): IUser {
        return this.world.host.store.users.get(this.world.agent.id)!;
    }

    /** Who answers in a room: the agent serving it, else the agent of the room's department. */
    private agentOf(room: ILivechatRoom): IUser {
        const served = room.servedBy?.id && this.world.host.store.users.get(room.servedBy.id);
        if (served) return served;
        const business = this.businesses.find((b) => b.department === room.department?.name);
        return (business && this.world.host.store.users.get(business.agentId)) || this.agent;
    }

    public agentReplies(roomId: string, text: string): IMessage {
        const room = this.openRoom(roomId);
        return this.world.host.postAgentMessage(roomId, this.agentOf(room), text);
    }

    public agentUploads(roomId: string, file: UploadedFile, caption?: string): string {
        const room = this.openRoom(roomId);
        return this.world.host.uploadAsUser(
            roomId,
            this.agentOf(room),
            { name: file.name, type: file.type, buffer: file.bytes },
            caption || undefined,
        );
    }

    public async closeRoom(roomId: string): Promise<boolean> {
        const room = this.openRoom(roomId);
        return this.world.host.closeRoom(roomId, this.agentOf(room));
    }

    /** Sets an agent's Omnichannel availability (default: the first account's agent). */
    public setAgentOnline(online: boolean, agentId = this.world.agent.id): void {
        if (!this.businesses.some((b) => b.agentId === agentId)) throw new Error(`No sandbox agent ${agentId}`);
        this.world.host.setAgentOnline(agentId, online);
    }

    public agentOnline(agentId = this.world.agent.id): boolean {
        const agent = this.world.host.store.users.get(agentId);
        return (agent as (IUser & { statusLivechat?: string }) | undefined)?.statusLivechat === 'available';
    }

    private openRoom(roomId: string): ILivechatRoom {
        const room = this.world.host.livechatRooms().find((r) => r.id === roomId);
        if (!room) throw new Error(`No Omnichannel room ${roomId}`);
        if (!room.isOpen) throw new Error('This room is closed');
        return room;
    }

    // ---- the admin -----------------------------------------------------------------------------

    /**
     * Runs `/twitter status` as the admin and keeps what the app answered. With several accounts linked it
     * answers one line per account: each account's full status (`/twitter status @handle`) follows.
     */
    public async twitterStatus(): Promise<string> {
        const { host, admin } = this.world;
        const room = (this.adminRoom ??= host.createChannel('sandbox-admin', [admin]));
        const ask = async (command: string) => {
            const mark = host.store.ephemeral.length;
            await host.runCommand(command, admin, room);
            return host.store.ephemeral
                .slice(mark)
                .filter((e) => e.user.id === admin.id)
                .map((e) => e.text ?? '')
                .join('\n\n');
        };
        const answers = [await ask('/twitter status')];
        const accounts = linkedAccounts(this.world);
        if (accounts.length > 1)
            for (const account of accounts) answers.push(await ask(`/twitter status @${account.username}`));
        const text = answers.filter(Boolean).join('\n\n');
        this.status = { text: text || '(the app did not answer)', at: Date.now() };
        return this.status.text;
    }

    /** Runs a scheduler job now instead of at its time (e.g. the poller in polling mode). */
    public async runJobNow(processorId: string): Promise<void> {
        await this.world.host.runJobNow(processorId);
    }

    public pollNow(): Promise<void> {
        return this.runJobNow(POLLER_JOB_ID);
    }

    public setFault(name: string, on: boolean): void {
        const preset = faultPreset(name);
        const active = this.activeFaults.get(preset.name);
        if (on && !active) this.activeFaults.set(preset.name, preset.apply(this.world));
        if (!on && active) {
            active();
            this.activeFaults.delete(preset.name);
        }
    }

    public activeFaultNames(): string[] {
        return [...this.activeFaults.keys()];
    }

    // ---- what everyone sees --------------------------------------------------------------------

    /** The customer's DMs with the business accounts (default: all of them), oldest first. */
    public customerDms(customerId: string, businessId?: string): CustomerDmView[] {
        const businesses = this.businesses.filter((b) => !businessId || b.id === businessId);
        const dms = businesses
            .flatMap((b) => this.world.sim.conversation(customerId, b.id))
            .sort((a, b) => a.createdAt - b.createdAt || (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
        return dms.map((dm) => ({
            id: dm.id,
            businessId: dm.senderId === customerId ? dm.recipientId : dm.senderId,
            fromCustomer: dm.senderId === customerId,
            text: withoutMediaLink(dm),
            at: dm.createdAt,
            media: dm.media
                ? { type: dm.media.type, contentType: dm.media.contentType, url: `/files/x/${dm.id}` }
                : undefined,
        }));
    }

    /** The bytes of a DM's attachment, as the customer's X app shows it. */
    public dmMedia(dmId: string): { contentType: string; bytes: Buffer } | undefined {
        for (const customer of this.customers.values()) {
            for (const business of this.businesses) {
                const dm = this.world.sim.conversation(customer.id, business.id).find((d) => d.id === dmId);
                if (dm?.media) return { contentType: dm.media.contentType, bytes: dm.media.bytes };
            }
        }
        return undefined;
    }

    /** An upload in Rocket.Chat, as the agent's browser downloads it. */
    public upload(uploadId: string): { contentType: string; name: string; bytes: Buffer } | undefined {
        const stored = this.world.host.store.uploads.get(uploadId);
        return stored && { contentType: stored.upload.type, name: stored.upload.name, bytes: stored.buffer };
    }

    public rooms(): RoomView[] {
        const { host } = this.world;
        const appUserId = host.appUser().id;
        const agentId = this.world.agent.id;
        return host
            .livechatRooms()
            .map((room) => {
                const messages = host
                    .messagesIn(room.id)
                    .map((m) => messageView(m, appUserId))
                    .sort((a, b) => a.at - b.at);
                const notices = host.store.ephemeral
                    .filter((e) => e.user.id === agentId && e.room?.id === room.id)
                    .map((e) => ({ text: e.text ?? '', at: e.at }));
                const served = room.servedBy as (IUser & { name?: string }) | undefined;
                const contactId = (room as { contactId?: string }).contactId;
                const contact = contactId ? host.store.contacts.get(contactId) : undefined;
                const accountId = accountOfRoom(this.world, room.id);
                const business = this.businesses.find((b) => b.id === accountId);
                return {
                    id: room.id,
                    account: accountId ? { id: accountId, username: business?.username ?? accountId } : undefined,
                    visitor: { name: room.visitor?.name ?? '', username: room.visitor?.username ?? '' },
                    open: !!room.isOpen,
                    servedBy: served ? (served.name ?? served.username) : undefined,
                    department: room.department?.name,
                    createdAt: +new Date(room.createdAt ?? 0),
                    messages,
                    notices,
                    contact: contact && {
                        name: contact.name,
                        customFields: { ...((contact.customFields ?? {}) as Record<string, string>) },
                        channels: contact.channels.map((c) => c.name),
                        rooms: host.livechatRooms().filter((r) => (r as { contactId?: string }).contactId === contactId)
                            .length,
                    },
                };
            })
            .sort((a, b) => a.createdAt - b.createdAt);
    }

    public xLog(): LogRow[] {
        const requests: LogRow[] = this.world.sim.requests().map((r) => ({
            at: r.at,
            direction: 'api',
            summary: `${r.method} ${r.host}${r.path}${r.query ? `?${r.query}` : ''}`,
            status: r.status,
            authType: r.authType,
            billableUnits: r.billableUnits,
            fault: r.fault,
        }));
        const deliveries: LogRow[] = this.world.sim.deliveries().map((d) => ({
            at: d.createdAt,
            direction: 'webhook',
            summary: `POST ${d.kind.toUpperCase()} ${d.eventType}${d.copyOf ? ' (copy)' : ''}`,
            status: d.statusCode,
            state: `${d.state}${d.attempts.length > 1 ? `, ${d.attempts.length} attempts` : ''}`,
            billableUnits: d.kind === 'xaa' && d.eventType === 'dm.received' && !d.copyOf ? d.eventIds.length : 0,
        }));
        return [...requests, ...deliveries].sort((a, b) => a.at - b.at);
    }

    public appLog(): AppLogRow[] {
        const rows: AppLogRow[] = [];
        for (const entry of this.world.host.store.appLogEntries) {
            for (const line of entry.entries ?? []) {
                rows.push({
                    at: +new Date(line.timestamp),
                    severity: String(line.severity),
                    method: entry.method,
                    text: (line.args ?? []).map(stringify).join(' '),
                });
            }
        }
        for (const raw of this.world.host.store.appLogs) {
            rows.push({ at: Date.now(), severity: 'error', method: 'listener', text: stringify(raw) });
        }
        return rows.sort((a, b) => a.at - b.at);
    }

    public state(): SandboxState {
        const { sim, host, business, agent } = this.world;
        const totals = sim.ledger().totals;
        const xLog = this.xLog();
        return {
            mode: this.mode,
            auth: this.auth,
            business,
            businesses: this.businesses.map((b) => ({ ...b })),
            agent: { id: agent.id, name: agent.name, username: agent.username, online: this.agentOnline() },
            agents: this.businesses.map((b) => {
                const user = host.store.users.get(b.agentId)!;
                return {
                    id: user.id,
                    name: user.name,
                    username: user.username,
                    online: this.agentOnline(user.id),
                    department: b.department,
                };
            }),
            customers: [...this.customers.values()].map((c) => ({ ...c, dms: this.customerDms(c.id) })),
            rooms: this.rooms(),
            xLog: xLog.slice(-LOG_ROWS),
            xLogTotal: xLog.length,
            ledger: { ...totals, unitPriceUsd: { ...UNIT_PRICE_USD } },
            appLog: this.appLog().slice(-LOG_ROWS),
            status: this.status,
            faults: FAULT_PRESETS.map((p) => ({
                name: p.name,
                description: p.description,
                active: this.activeFaults.has(p.name),
            })),
            jobs: [...host.store.jobs.values()]
                .map((j) => ({ processorId: j.processorId, nextRunAt: j.nextRunAt, intervalMs: j.intervalMs }))
                .sort((a, b) => a.nextRunAt - b.nextRunAt),
            urls: { rocketChat: this.world.front.url, xSim: sim.url },
        };
    }

    // ---- shutdown ------------------------------------------------------------------------------

    /** Stops Rocket.Chat (unloading the engine ends its Deno process), its HTTP front and the simulator; once. */
    public stop(): Promise<{ leftoverDeno: number[] }> {
        this.stopped ??= (async () => {
            const pids = [...new Set([...this.denoPids, ...denoChildren()])];
            clearInterval(this.releaser);
            await this.world.stop();
            const leftoverDeno = await waitForExit(pids, 5_000);
            for (const pid of leftoverDeno) {
                try {
                    process.kill(pid, 'SIGKILL');
                } catch {
                    // already gone
                }
            }
            return { leftoverDeno };
        })();
        return this.stopped;
    }

    /** Deno processes the sandbox started (for the shutdown check). */
    public denoProcesses(): number[] {
        return [...this.denoPids];
    }
}

function messageView(m: IMessage, appUserId: string): RoomMessageView {
    const extra = m as IMessage & { t?: string; token?: string; file?: { _id: string; name: string; type: string } };
    const sender = m.sender as IUser | undefined;
    const role: MessageRole = extra.t ? 'system' : extra.token ? 'visitor' : sender?.id === appUserId ? 'app' : 'agent';
    return {
        id: m.id ?? '',
        role,
        sender: sender?.name ?? sender?.username ?? '',
        text: m.text ?? '',
        at: +new Date(m.createdAt ?? 0),
        file: extra.file
            ? { id: extra.file._id, name: extra.file.name, type: extra.file.type, url: `/files/rc/${extra.file._id}` }
            : undefined,
        kind: extra.t,
    };
}

function stringify(value: unknown): string {
    if (typeof value === 'string') return value;
    try {
        return JSON.stringify(value);
    } catch {
        return String(value);
    }
}
