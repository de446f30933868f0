/**
 * The few Rocket.Chat REST calls that install or update a private app, made the way @rocket.chat/apps-cli's
 * `deploy` makes them (RocketChat/Rocket.Chat.Apps-cli `src/misc/deployHelpers.ts`: getServerInfo, checkUpload,
 * asyncSubmitData) and answered the way Rocket.Chat answers them (RocketChat/Rocket.Chat
 * `apps/meteor/app/api/server/ApiClass.ts` for login and the error shapes,
 * `apps/meteor/ee/server/apps/communication/rest.ts` for the apps routes).
 *
 * apps-cli itself is not a dependency: its only npm release (1.9.0) pulls in TypeScript 3, oclif, hapi, axios and
 * an older apps-engine for these four requests, and exposes them only through its command line.
 *
 * Secrets (password, token, the session token login returns) only ever travel in request bodies and headers;
 * no message built here contains them.
 */

export interface Session {
    userId: string;
    authToken: string;
}

export interface InstalledApp {
    id: string;
    name?: string;
    version?: string;
    status?: string;
}

/** A refusal explained for the person running the deploy; `status` is the HTTP status when there was one. */
export class DeployError extends Error {
    constructor(
        message: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = 'DeployError';
    }
}

type Body = Record<string, unknown>;

interface Answer {
    status: number;
    body: Body;
}

const requestTimeoutMs = 60_000;
const uploadTimeoutMs = 300_000;

export class RocketChatAppsApi {
    private readonly base: string;

    constructor(
        serverUrl: string,
        private readonly fetchImpl: typeof fetch = fetch,
    ) {
        this.base = serverUrl.replace(/\/+$/, '');
    }

    /**
     * `GET /api/info` without credentials: `{ version: "8.4", … }` (major.minor only for anonymous callers,
     * apps/meteor/app/api/server/lib/getServerInfo.ts). undefined when the server does not say.
     */
    async serverVersion(): Promise<string | undefined> {
        const { status, body } = await this.call('GET', '/api/info');
        if (status !== 200) {
            throw new DeployError(
                `${this.base}/api/info answered ${status}: is this the address of a Rocket.Chat server?`,
                status,
            );
        }
        return typeof body.version === 'string' ? body.version : undefined;
    }

    /** `POST /api/v1/login` with `{ user, password[, code] }` → `{ status: "success", data: { userId, authToken } }`. */
    async login(user: string, password: string, code?: string): Promise<Session> {
        const { status, body } = await this.call('POST', '/api/v1/login', {
            json: { user, password, ...(code ? { code } : {}) },
        });
        const data = body.data as Body | undefined;
        if (status === 200 && typeof data?.userId === 'string' && typeof data.authToken === 'string') {
            return { userId: data.userId, authToken: data.authToken };
        }
        if (status === 401) {
            // Rocket.Chat 8.x answers every failed login with the same body; older servers name a missing 2FA code.
            const totp = body.error === 'totp-required' || body.error === 'totp-invalid';
            throw new DeployError(
                totp
                    ? `Rocket.Chat wants a two-factor code for ${user} (401): pass --code <code>.`
                    : `Rocket.Chat refused the login of ${user} (401): wrong user name or password, or the account needs a two-factor code (--code).`,
                status,
            );
        }
        throw this.unexpected('login', status, body);
    }

    /**
     * A personal access token goes with its user's id in X-User-Id / X-Auth-Token; `GET /api/v1/me` checks the pair
     * (apps-cli does the same) and names the user.
     */
    async checkToken(userId: string, token: string): Promise<{ session: Session; username?: string }> {
        const session = { userId, authToken: token };
        const { status, body } = await this.call('GET', '/api/v1/me', { session });
        if (status === 200 && body.success !== false) {
            return { session, username: typeof body.username === 'string' ? body.username : undefined };
        }
        if (status === 401) {
            throw new DeployError(
                `Rocket.Chat refused the token for user id ${userId} (401): check --user-id and --token, or whether the token was removed.`,
                status,
            );
        }
        throw this.unexpected('token check', status, body);
    }

    /** `GET /api/apps/<id>`: 200 `{ app }` when installed, 404 when not (rest.ts `:id` get). */
    async findApp(session: Session, appId: string): Promise<InstalledApp | undefined> {
        const { status, body } = await this.call('GET', `/api/apps/${encodeURIComponent(appId)}`, { session });
        if (status === 200 && body.success === true) return toApp(body.app, appId);
        if (status === 404) return undefined;
        throw this.refusal('looking up the installed app', status, body);
    }

    /**
     * `POST /api/apps` (install) or `POST /api/apps/<id>` (update) with the zip as multipart field `app`, and the
     * manifest's permissions as field `permissions` when it lists any (apps-cli's uploadApp; rest.ts reads the file
     * with getUploadFormData({ field: 'app' }) and `permissions` as JSON).
     */
    async upload(
        session: Session,
        zip: { fileName: string; data: Buffer },
        options: { appId: string; update: boolean; permissions?: unknown[] },
    ): Promise<InstalledApp> {
        const form = new FormData();
        form.append('app', new Blob([zip.data], { type: 'application/zip' }), zip.fileName);
        if (options.permissions?.length) form.append('permissions', JSON.stringify(options.permissions));
        const path = options.update ? `/api/apps/${encodeURIComponent(options.appId)}` : '/api/apps';
        const { status, body } = await this.call('POST', path, { session, form, timeoutMs: uploadTimeoutMs });
        if (status === 200 && body.success === true) return toApp(body.app, options.appId);
        throw this.refusal(options.update ? 'updating the app' : 'installing the app', status, body);
    }

    private async call(
        method: 'GET' | 'POST',
        path: string,
        options: { session?: Session; json?: Body; form?: FormData; timeoutMs?: number } = {},
    ): Promise<Answer> {
        const headers: Record<string, string> = { Accept: 'application/json' };
        if (options.session) {
            headers['X-User-Id'] = options.session.userId;
            headers['X-Auth-Token'] = options.session.authToken;
        }
        let body: string | FormData | undefined;
        if (options.json) {
            headers['Content-Type'] = 'application/json';
            body = JSON.stringify(options.json);
        } else if (options.form) {
            body = options.form; // fetch writes the multipart boundary into Content-Type
        }
        const url = this.base + path;
        let response: Response;
        try {
            response = await this.fetchImpl(url, {
                method,
                headers,
                body,
                // A redirect could carry X-Auth-Token (not a header fetch strips) to another host: never follow one.
                redirect: 'manual',
                signal: AbortSignal.timeout(options.timeoutMs ?? requestTimeoutMs),
            });
        } catch (e) {
            const cause = (e as { cause?: { code?: string; message?: string } }).cause;
            const why = cause?.code ?? cause?.message ?? (e as Error).message;
            throw new DeployError(`Could not reach ${this.base} (${method} ${path}): ${why}`);
        }
        if (response.status >= 300 && response.status < 400) {
            const to = response.headers.get('location') ?? 'elsewhere';
            throw new DeployError(
                `${url} redirects to ${to}: pass the final address as --url (redirects are not followed, so credentials stay with the host you named).`,
                response.status,
            );
        }
        const text = await response.text();
        let parsed: unknown;
        try {
            parsed = text ? JSON.parse(text) : {};
        } catch {
            parsed = undefined;
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw new DeployError(
                `${method} ${url} answered ${response.status} with something other than a JSON object: is this the address of a Rocket.Chat server?`,
                response.status,
            );
        }
        return { status: response.status, body: parsed as Body };
    }

    /** Rocket.Chat's answers to an authenticated apps call that failed, in words that say what to do. */
    private refusal(step: string, status: number, body: Body): DeployError {
        const error = typeof body.error === 'string' ? body.error : '';
        if (status === 401) {
            return new DeployError(
                `Rocket.Chat no longer accepts the session (401) while ${step}: log in again.`,
                status,
            );
        }
        if (status === 403) {
            return new DeployError(
                `Rocket.Chat refused ${step} (403): the user lacks the manage-apps permission (an administrator has it).`,
                status,
            );
        }
        if (error === 'private_app_install_disabled') {
            return new DeployError(
                `This workspace does not allow private apps (${status} private_app_install_disabled: the server runs with DISABLE_PRIVATE_APP_INSTALLATION, as Rocket.Chat Cloud does).`,
                status,
            );
        }
        // rest.ts refuses every update of a private app by upload on a workspace without a license. Uninstalling
        // is the only way forward there, and it purges the app's persistence (Apps-Engine AppManager.removeLocal):
        // whoever follows this advice must know what they lose.
        if (error === 'Cannot_Update_Exempt_App') {
            return new DeployError(
                `Rocket.Chat refuses to update a private app by upload on a Community workspace (Cannot_Update_Exempt_App). ` +
                    `The only way is to uninstall it in Administration → Apps, then deploy again — but uninstalling deletes everything the app stored: ` +
                    `the linked X account and its tokens, the webhook address registered at X, and which rooms belong to which customers ` +
                    `(replies from rooms opened before will no longer reach X). Afterwards, fill in the settings and run /twitter authorize again.`,
                status,
            );
        }
        // RequiredApiVersionError ("… as it requires v^1.62.0 of the App API however your server comes with v1.61.0"),
        // or, from engines whose error message itself fails on the range, semver's "Invalid Version: ^1.62.0".
        if (/of the App API however your server comes with|^Invalid Version: \^/.test(error)) {
            return new DeployError(`This Rocket.Chat is too old for the app: ${error}`, status);
        }
        if (error === 'App already exists.') {
            return new DeployError(
                `Rocket.Chat already has an app with this app's id or name slug (${status} "App already exists."): another "Twitter" app (such as Rocket.Chat's deprecated one) must be uninstalled first.`,
                status,
            );
        }
        if (body.status === 'compiler_error' && Array.isArray(body.messages)) {
            return new DeployError(`Rocket.Chat could not compile the app: ${JSON.stringify(body.messages)}`, status);
        }
        return this.unexpected(step, status, body);
    }

    private unexpected(step: string, status: number, body: Body): DeployError {
        const detail = [body.error, body.message, body.messages]
            .filter((x) => x !== undefined)
            .map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
        return new DeployError(
            `Rocket.Chat answered ${status} to ${step}${detail.length ? `: ${detail.join(' — ')}` : ''}`,
            status,
        );
    }
}

function toApp(value: unknown, fallbackId: string): InstalledApp {
    const app = (value && typeof value === 'object' ? value : {}) as Body;
    const text = (x: unknown) => (typeof x === 'string' ? x : undefined);
    return {
        id: text(app.id) ?? fallbackId,
        name: text(app.name),
        version: text(app.version),
        status: text(app.status),
    };
}
