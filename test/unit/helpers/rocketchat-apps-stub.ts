/**
 * A local HTTP server answering the Rocket.Chat REST calls a private-app deploy makes, checking each request the
 * way Rocket.Chat would and answering with Rocket.Chat's shapes and statuses. Sources (RocketChat/Rocket.Chat):
 * - `apps/meteor/app/api/server/default/info.ts` + `lib/getServerInfo.ts`: GET /api/info, anonymous → major.minor;
 * - `apps/meteor/app/api/server/ApiClass.ts`: login (`loginCompatibility` takes only user/username/email/password/code,
 *   anything else is passed through and fails), 8.x error bodies (`applyBreakingChanges`: a failed login is
 *   401 `{success:false,error:'unauthorized'}`, no credentials 401 'You must be logged in to do this.', a missing
 *   permission 403), thrown errors → 400 `{success:false,error:message}`, auth by X-User-Id + X-Auth-Token;
 * - `apps/meteor/ee/server/apps/communication/rest.ts`: GET/POST /api/apps/:id and POST /api/apps (manage-apps),
 *   `private_app_install_disabled` (500), `Cannot_Update_Exempt_App` (Community workspace, 400);
 * - `apps/meteor/app/api/server/lib/getUploadFormData.ts`: multipart, one file, field `app` else 'invalid-field',
 *   FileUpload_MaxFileSize (default 104857600) else 'error-file-too-large';
 * - apps-engine `AppPackageParser` (requiredApiVersion checked with semver; 1.62's error message itself throws
 *   `Invalid Version: ^x.y.z`, ../shared/research/test-host.md §10), `AppManager.update` (the zip's id must be
 *   installed), AppRealStorage.create ('App already exists.' for a taken id or nameSlug).
 */
import * as http from 'http';
import JSZip from 'jszip';
import type { AddressInfo } from 'net';
import { compareVersions, satisfiesCaret } from '../../../tools/deploy/versions';

export interface StubUser {
    id: string;
    username: string;
    password: string;
    /** Holds the manage-apps permission (admins). */
    canManageApps: boolean;
    /** Two-factor code the login needs, if any. */
    totpCode?: string;
    /** Personal access tokens. */
    tokens?: string[];
}

export interface StubApp {
    id: string;
    nameSlug: string;
    name: string;
    version: string;
    status: string;
}

export interface StubOptions {
    rocketChatVersion?: string;
    appsEngineVersion?: string;
    users?: StubUser[];
    installed?: StubApp[];
    /** DISABLE_PRIVATE_APP_INSTALLATION on the server (Rocket.Chat Cloud). */
    privateAppsDisabled?: boolean;
    /** No valid license: private apps uploaded earlier cannot be updated. */
    communityWorkspace?: boolean;
    /** The license refuses to enable another private app: it stays initialized. */
    enableRefused?: boolean;
    maxFileSize?: number;
}

export interface RecordedRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

type Reply = { status: number; body: Record<string, unknown> };

export class RocketChatAppsStub {
    readonly requests: RecordedRequest[] = [];
    readonly installed = new Map<string, StubApp>();
    private readonly sessions = new Map<string, string>(); // authToken → user id
    private server?: http.Server;
    private readonly options: Required<Omit<StubOptions, 'installed'>>;

    constructor(options: StubOptions = {}) {
        this.options = {
            rocketChatVersion: options.rocketChatVersion ?? '8.4.1',
            appsEngineVersion: options.appsEngineVersion ?? '1.62.0',
            users: options.users ?? [
                { id: 'admin-id', username: 'admin', password: 'admin-pass', canManageApps: true },
            ],
            privateAppsDisabled: options.privateAppsDisabled ?? false,
            communityWorkspace: options.communityWorkspace ?? false,
            enableRefused: options.enableRefused ?? false,
            maxFileSize: options.maxFileSize ?? 104857600,
        };
        for (const app of options.installed ?? []) this.installed.set(app.id, { ...app });
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on('data', (c: Buffer) => chunks.push(c));
            req.on('end', () => {
                const request: RecordedRequest = {
                    method: req.method ?? '',
                    path: req.url ?? '',
                    headers: req.headers,
                    body: Buffer.concat(chunks),
                };
                this.requests.push(request);
                this.handle(request).then(
                    (reply) => send(res, reply),
                    (e: Error) =>
                        send(res, { status: 500, body: { success: false, error: `stub failure: ${e.message}` } }),
                );
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    private async handle(req: RecordedRequest): Promise<Reply> {
        const route = `${req.method} ${req.path.split('?')[0]}`;
        if (route === 'GET /api/info') {
            // Anonymous callers get major.minor only.
            return ok({
                version: this.options.rocketChatVersion.replace(/^(\d+\.\d+).*/, '$1'),
                minimumClientVersions: { desktop: '4.9.0', mobile: '4.62.0' },
            });
        }
        if (route === 'POST /api/v1/login') return this.login(req);
        if (route === 'GET /api/v1/me') {
            const user = this.authenticated(req);
            return user ? ok({ _id: user.id, username: user.username }) : notLoggedIn();
        }
        const appRoute = /^(GET|POST) \/api\/apps(?:\/([^/]+))?$/.exec(route);
        if (appRoute && (appRoute[1] === 'POST' || appRoute[2])) {
            const user = this.authenticated(req);
            if (!user) return notLoggedIn();
            if (!user.canManageApps) {
                return {
                    status: 403,
                    body: {
                        success: false,
                        error: 'User does not have the permissions required for this action [error-forbidden]',
                    },
                };
            }
            const id = appRoute[2] ? decodeURIComponent(appRoute[2]) : undefined;
            if (appRoute[1] === 'GET') {
                const app = this.installed.get(id as string);
                return app
                    ? ok({ app: { ...app } })
                    : { status: 404, body: { success: false, error: `No App found by the id of: ${id}` } };
            }
            return this.upload(req, id !== undefined);
        }
        return { status: 404, body: { success: false, error: 'Resource not found' } };
    }

    private login(req: RecordedRequest): Reply {
        const unauthorized: Reply = { status: 401, body: { success: false, error: 'unauthorized' } };
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return unauthorized;
        let body: Record<string, unknown>;
        try {
            body = JSON.parse(req.body.toString('utf8'));
        } catch {
            return { status: 400, body: { success: false, error: 'invalid JSON' } };
        }
        const allowed = ['user', 'username', 'email', 'password', 'code'];
        if (Object.keys(body).some((k) => !allowed.includes(k)) || typeof body.password !== 'string')
            return unauthorized;
        const name = body.user ?? body.username ?? body.email;
        const user = this.options.users.find((u) => u.username === name);
        if (!user || user.password !== body.password) return unauthorized;
        if (user.totpCode && body.code !== user.totpCode) return unauthorized;
        const authToken = `session-${this.sessions.size + 1}-${user.id}`;
        this.sessions.set(authToken, user.id);
        return {
            status: 200,
            body: {
                status: 'success',
                data: { userId: user.id, authToken, me: { _id: user.id, username: user.username } },
            },
        };
    }

    private authenticated(req: RecordedRequest): StubUser | undefined {
        const userId = req.headers['x-user-id'];
        const token = req.headers['x-auth-token'];
        if (typeof userId !== 'string' || typeof token !== 'string') return undefined;
        const user = this.options.users.find((u) => u.id === userId);
        if (!user) return undefined;
        return this.sessions.get(token) === user.id || user.tokens?.includes(token) ? user : undefined;
    }

    private async upload(req: RecordedRequest, update: boolean): Promise<Reply> {
        const parts = parseMultipart(req);
        if (typeof parts === 'string') return failure(parts);
        const files = parts.filter((p) => p.filename !== undefined);
        if (files.length === 0) return failure('No file uploaded');
        if (files.length > 1) return failure('Just 1 file is allowed');
        if (files[0].name !== 'app') return failure('invalid-field');
        if (files[0].data.length > this.options.maxFileSize) return failure('error-file-too-large');
        const permissionsField = parts.find((p) => p.name === 'permissions' && p.filename === undefined);
        if (permissionsField) JSON.parse(permissionsField.data.toString('utf8'));

        if (this.options.privateAppsDisabled)
            return { status: 500, body: { success: false, error: 'private_app_install_disabled' } };
        if (update && this.options.communityWorkspace) return failure('Cannot_Update_Exempt_App');

        let info: Record<string, unknown>;
        try {
            const zip = await JSZip.loadAsync(files[0].data);
            info = JSON.parse(await zip.file('app.json')!.async('string'));
        } catch {
            return failure('Invalid App package. No "app.json" file.');
        }
        const required = String(info.requiredApiVersion);
        if (!satisfiesCaret(this.options.appsEngineVersion, required)) {
            return failure(
                compareVersions(this.options.appsEngineVersion, required.replace(/^\^/, '')) < 0
                    ? `Invalid Version: ${required}`
                    : `Failed to load the App "${info.name}" (${info.id}) as it requires v${required} of the App API however your server comes with v${this.options.appsEngineVersion}.`,
            );
        }
        const id = String(info.id);
        if (update) {
            if (!this.installed.has(id)) return failure('Can not update an App that does not currently exist.');
        } else if (this.installed.has(id) || [...this.installed.values()].some((a) => a.nameSlug === info.nameSlug)) {
            return failure('App already exists.');
        }
        const previous = this.installed.get(id);
        const status = previous ? previous.status : this.options.enableRefused ? 'initialized' : 'manually_enabled';
        const app: StubApp = {
            id,
            nameSlug: String(info.nameSlug),
            name: String(info.name),
            version: String(info.version),
            status,
        };
        this.installed.set(id, app);
        return ok({ app: { ...info, status }, implemented: {}, licenseValidation: { errors: {}, warnings: {} } });
    }
}

const ok = (body: Record<string, unknown>): Reply => ({ status: 200, body: { ...body, success: true } });
const failure = (error: string): Reply => ({ status: 400, body: { success: false, error } });
const notLoggedIn = (): Reply => ({
    status: 401,
    body: { success: false, error: 'You must be logged in to do this.' },
});

function send(res: http.ServerResponse, reply: Reply): void {
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
}

interface Part {
    name: string;
    filename?: string;
    contentType?: string;
    data: Buffer;
}

/** multipart/form-data as busboy reads it (RFC 7578); a string is the error Rocket.Chat would answer. */
export function parseMultipart(req: RecordedRequest): Part[] | string {
    const type = String(req.headers['content-type'] ?? '');
    const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
    if (!boundary) return 'Unsupported content type';
    const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
    const parts: Part[] = [];
    let at = req.body.indexOf(delimiter);
    if (at < 0) return 'Unexpected end of form';
    while (true) {
        at += delimiter.length;
        if (req.body.subarray(at, at + 2).toString() === '--') return parts;
        const headerEnd = req.body.indexOf('\r\n\r\n', at);
        const next = req.body.indexOf(delimiter, headerEnd);
        if (headerEnd < 0 || next < 0) return 'Unexpected end of form';
        const headers = req.body
            .subarray(at + 2, headerEnd)
            .toString('utf8')
            .split('\r\n');
        const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
        const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
        if (name === undefined) return 'Malformed part header';
        const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
        const contentType = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '');
        parts.push({ name, filename, contentType, data: req.body.subarray(headerEnd + 4, next - 2) });
        at = next;
    }
}
