/**
 * The in-memory "database" behind the test host. Several hosts may share one store, like several
 * Rocket.Chat instances sharing one MongoDB: everything durable lives here, nothing in a host.
 */
import type { HostContact } from './bridges/contacts';
import type { IDepartment, ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUpload } from '@rocket.chat/apps-engine/definition/uploads';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { IAppStorageItem } from '@rocket.chat/apps-engine/server/storage';
import { generateKeyPairSync } from 'crypto';
import { AppClockLink } from './app-clock';
import { Clock, SystemClock } from './clock';
import { PersistedRecords } from './persisted-records';
import { ROCKET_CHAT_SETTING_DEFAULTS } from './server-settings';

export interface PersistedRecord {
    id: string;
    data: Record<string, unknown>;
    associations: { model: string; id: string }[];
}

export interface StoredUpload {
    upload: IUpload;
    buffer: Buffer;
}

/** A job document as Agenda keeps it (rocketchat_apps_scheduler); see tools/host/bridges/scheduler.ts. */
export interface ScheduledJob {
    jobId: string;
    appId: string;
    /** Agenda's job name: the app's processor id and `_<appId>`. */
    processorId: string;
    data?: Record<string, unknown>;
    /** Infinity: never again (a one-time job that ran and failed stays in the collection, unrun). */
    nextRunAt: number;
    /** milliseconds between runs for recurring jobs */
    intervalMs?: number;
    /** The instance running it and since when; a lock older than Agenda's lock lifetime is free again. */
    lockedBy?: string;
    lockedAt?: number;
    lastRunAt?: number;
    lastFinishedAt?: number;
    failReason?: string;
    failCount?: number;
}

/** One request an app made through Rocket.Chat's HTTP bridge (tools/host/bridges/http.ts). */
export interface HttpExchange {
    at: number;
    appId: string;
    method: string;
    url: string;
    statusCode?: number;
    error?: string;
    /** Whether the request carried credentials (an Authorization header). */
    authorization: boolean;
    /** The Range header, when the app asked for part of a resource. */
    range?: string;
    /** Bytes in the answer's body: what Rocket.Chat buffered for the app. */
    responseBytes?: number;
    /**
     * What went on the wire, for the secrets audit (test/faults/helpers/secrets.ts): the URL with its query,
     * every header and the body. Not enumerable, so printing or comparing exchanges shows no credential.
     */
    readonly sent?: SentRequest;
}

export interface SentRequest {
    url: string;
    headers: Record<string, string>;
    /** The body as text (binary bodies as latin1, so ASCII credentials in them stay findable). */
    body: string;
}

/** What one of an app's endpoints answered (Rocket.Chat's router sends exactly this back). */
export interface EndpointAnswer {
    at: number;
    appId: string;
    /** The route as the app registered it (`webhook/:secret`), not the requested path. */
    route: string;
    status: number;
    headers: Record<string, string>;
    content: unknown;
}

/**
 * A line the Apps-Engine runtime printed outside the app's log: what an app's Deno process wrote to stderr
 * (Rocket.Chat's server log gets it as "Subprocess stderr"), and what the engine itself printed to the
 * server's console (e.g. "Error executing handler" with the message it could not handle).
 */
export interface RuntimeOutput {
    source: 'deno stderr' | 'engine console';
    text: string;
}

export interface EphemeralNotice {
    at: number;
    user: IUser;
    room?: IRoom;
    text?: string;
    message: IMessage;
}

export interface StoreOptions {
    clock?: Clock;
    /** Sets Livechat_accept_chats_with_no_agents ("Accept new omnichannel requests when there's no online agents"). */
    acceptChatsWithNoAgents?: boolean;
    /** Which Rocket.Chat the visitor-upload access check mirrors (tools/host/bridges/uploads.ts); default 'token'. */
    visitorUploadCheck?: VisitorUploadCheck;
    /** Server settings that differ from Rocket.Chat's defaults (tools/host/server-settings.ts). */
    serverSettings?: Record<string, unknown>;
}

/**
 * 'token': the livechat room validator compares the visitor token only (earlier versions of
 * apps/meteor/app/livechat/server/roomAccessValidator.compatibility.ts): a file for a closed room is stored and
 * silently not posted. 'token-and-open': it also requires `room.open` (the newest version read): the upload is refused.
 */
export type VisitorUploadCheck = 'token' | 'token-and-open';

export class HostStore {
    public readonly clock: Clock;
    private clockLink?: AppClockLink;
    public visitorUploadCheck: VisitorUploadCheck;

    public readonly users = new Map<string, IUser>();
    public readonly rooms = new Map<string, IRoom | ILivechatRoom>();
    public readonly roomMembers = new Map<string, Set<string>>();
    public readonly messages = new Map<string, IMessage>();
    public readonly visitors = new Map<string, IVisitor>();
    public readonly departments = new Map<string, IDepartment & { agentIds: string[] }>();
    public readonly persistence = new Map<string, PersistedRecords>();
    /**
     * Visitors whose Omnichannel contact channel is blocked (Enterprise `omnichannel/contacts.block`; the
     * channel's `blocked` flag, LivechatContacts.setChannelBlockStatus). The app's rooms have one source, so
     * the visitor id names the channel.
     */
    public readonly blockedContactChannels = new Set<string>();
    public readonly uploads = new Map<string, StoredUpload>();
    /** Rocket.Chat's server settings, starting from its defaults (tools/host/server-settings.ts). */
    public readonly serverSettings = new Map<string, unknown>(Object.entries(ROCKET_CHAT_SETTING_DEFAULTS));
    /**
     * Omnichannel custom fields the admin defined (setCustomFields refuses any other key, like Rocket.Chat),
     * with the regular expression a value must match when one is set.
     */
    public readonly livechatCustomFields = new Map<string, { scope: 'visitor' | 'room'; regexp?: string }>();
    /** Omnichannel contacts (tools/host/bridges/contacts.ts). */
    public readonly contacts = new Map<string, HostContact>();
    public readonly ephemeral: EphemeralNotice[] = [];
    public readonly typing: { roomId: string; username: string; isTyping: boolean; at: number }[] = [];

    public readonly appMetadata = new Map<string, IAppStorageItem>();
    public readonly appSources = new Map<string, Buffer>();
    public readonly appLogs: unknown[] = [];
    public readonly appLogEntries: import('@rocket.chat/apps-engine/server/logging').ILoggerStorageEntry[] = [];
    /** Every request any instance's apps made over HTTP (a restarted instance's included). */
    public readonly httpExchanges: HttpExchange[] = [];
    /** Every answer any instance's app endpoints gave. */
    public readonly endpointAnswers: EndpointAnswer[] = [];
    public readonly runtimeOutput: RuntimeOutput[] = [];
    public readonly jobs = new Map<string, ScheduledJob>();
    /**
     * The running instances on this database, as Rocket.Chat's broadcast reaches them: an app setting saved
     * on one is applied on every other (apps.settingUpdated → SettingsManager.updateAppSetting → the hook).
     */
    public readonly instances = new Set<{ receiveAppSetting(appId: string, setting: object): Promise<void> }>();

    /** Signs installed apps; generating RSA keys is most of a host's start-up, so hosts sharing a store share them. */
    public readonly federationKeys = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });

    private idCounter = 0;

    constructor(options: StoreOptions = {}) {
        this.clock = options.clock ?? new SystemClock();
        this.visitorUploadCheck = options.visitorUploadCheck ?? 'token';
        if (options.acceptChatsWithNoAgents !== undefined)
            this.acceptChatsWithNoAgents = options.acceptChatsWithNoAgents;
        for (const [id, value] of Object.entries(options.serverSettings ?? {})) this.serverSettings.set(id, value);
    }

    public get acceptChatsWithNoAgents(): boolean {
        return this.serverSettings.get('Livechat_accept_chats_with_no_agents') === true;
    }

    public set acceptChatsWithNoAgents(accept: boolean) {
        this.serverSettings.set('Livechat_accept_chats_with_no_agents', accept);
    }

    /** Deterministic ids shaped like Meteor's 17-character ones. */
    public newId(prefix = ''): string {
        this.idCounter++;
        return `${prefix}${this.idCounter.toString(36).padStart(17 - prefix.length, '0')}`;
    }

    private objectIdCounter = 0;

    /**
     * A MongoDB-like ObjectId (seconds, then a counter). The counter belongs to the store, not to a host: a
     * restarted host or a second instance sharing the database must never mint an id that already exists.
     */
    /**
     * Runs engine work that may start an app's runtime; under a clock that moves only when told (a manual
     * clock), the runtime started meanwhile shares it (app-clock.ts).
     */
    public async spawningApps<T>(work: () => Promise<T>): Promise<T> {
        const clock = this.clock as { onChange?: unknown; addQuiesceHook?: unknown };
        if (!clock.onChange && !clock.addQuiesceHook) return work();
        this.clockLink ??= new AppClockLink(this.clock);
        return this.clockLink.whileSpawning(work);
    }

    public newObjectId(): string {
        this.objectIdCounter++;
        const time = Math.floor(this.clock.now() / 1000)
            .toString(16)
            .padStart(8, '0');
        return `${time}${this.objectIdCounter.toString(16).padStart(16, '0')}`;
    }

    public now(): Date {
        return new Date(this.clock.now());
    }

    public appPersistence(appId: string): PersistedRecords {
        let records = this.persistence.get(appId);
        if (!records) {
            records = new PersistedRecords();
            this.persistence.set(appId, records);
        }
        return records;
    }

    public roomMessages(roomId: string): IMessage[] {
        return [...this.messages.values()].filter((m) => m.room.id === roomId);
    }

    public userByUsername(username: string): IUser | undefined {
        return [...this.users.values()].find((u) => u.username === username);
    }
}
