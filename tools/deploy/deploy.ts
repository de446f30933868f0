/**
 * `npm run deploy -- --url https://chat.example --user admin --password …` (or `--token … --user-id …`):
 * packages the app and installs it on a Rocket.Chat server through its REST API, or updates it when an app with
 * this id is installed already — what `rc-apps deploy` does, see rocketchat-apps-api.ts.
 */
import * as fs from 'fs';
import JSZip from 'jszip';
import * as path from 'path';
import { parseArgs } from 'util';
import { repoRoot } from '../host/paths';
import { DeployError, InstalledApp, RocketChatAppsApi, Session } from './rocketchat-apps-api';
import { compareVersions, minimumRocketChat } from './versions';

export interface DeployOptions {
    url: string;
    user?: string;
    password?: string;
    token?: string;
    userId?: string;
    /** Two-factor code for a password login. */
    code?: string;
    zipPath: string;
    /** Allow plain http:// to a host other than this machine (credentials would cross the network readable). */
    allowHttp?: boolean;
}

export interface DeployOutcome {
    action: 'installed' | 'updated';
    app: InstalledApp;
    serverVersion?: string;
}

interface Manifest {
    id: string;
    name: string;
    version: string;
    requiredApiVersion: string;
    permissions?: unknown[];
}

const enabledStatuses = new Set(['auto_enabled', 'manually_enabled']);
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

export async function deploy(
    options: DeployOptions,
    log: (line: string) => void,
    fetchImpl: typeof fetch = fetch,
): Promise<DeployOutcome> {
    const serverUrl = checkedServerUrl(options.url, options.allowHttp === true);
    checkCredentialOptions(options);
    const manifest = await readManifest(options.zipPath);
    const api = new RocketChatAppsApi(serverUrl, fetchImpl);

    // Before any credential leaves this machine: is it a Rocket.Chat, and one new enough?
    const serverVersion = await api.serverVersion();
    const minimum = minimumRocketChat(manifest.requiredApiVersion);
    if (serverVersion && minimum && compareVersions(serverVersion, minimum) < 0) {
        throw new DeployError(
            `Rocket.Chat ${serverVersion} at ${serverUrl} is too old for ${manifest.name} ${manifest.version}: it needs Rocket.Chat ${minimum} or newer (Apps-Engine ${manifest.requiredApiVersion}).`,
        );
    }
    log(`Rocket.Chat ${serverVersion ?? '(version not shown)'} at ${serverUrl}`);

    const session = await authenticate(api, options);
    const installed = await api.findApp(session, manifest.id);
    log(
        `${installed ? 'Updating' : 'Installing'} ${manifest.name} ${manifest.version} (${manifest.id})${installed?.version ? `, installed: ${installed.version}` : ''}`,
    );

    const app = await api.upload(
        session,
        { fileName: path.basename(options.zipPath), data: fs.readFileSync(options.zipPath) },
        { appId: manifest.id, update: installed !== undefined, permissions: manifest.permissions },
    );
    const action = installed ? 'updated' : 'installed';
    log(
        `${action === 'installed' ? 'Installed' : 'Updated'} ${app.name ?? manifest.name} ${app.version ?? manifest.version}: status ${app.status ?? 'unknown'}`,
    );
    if (app.status && !enabledStatuses.has(app.status)) {
        log(
            `Warning: Rocket.Chat did not enable the app (status ${app.status}). Enable it in Administration → Apps → Private Apps; ` +
                'a Community workspace limits how many private apps can be enabled.',
        );
    }
    return { action, app, serverVersion };
}

function checkCredentialOptions(options: DeployOptions): void {
    if (options.token !== undefined) {
        if (options.password !== undefined) throw new DeployError('Give either --password or --token, not both.');
        if (!options.userId) {
            throw new DeployError(
                'A personal access token needs its user id: --user-id <id> (shown when the token is created in My Account → Personal Access Tokens).',
            );
        }
        return;
    }
    if (options.password === undefined)
        throw new DeployError('Give --password (with --user) or --token (with --user-id).');
    if (!options.user) throw new DeployError('--password needs --user <username or email>.');
}

async function authenticate(api: RocketChatAppsApi, options: DeployOptions): Promise<Session> {
    if (options.token !== undefined && options.userId) {
        const { session, username } = await api.checkToken(options.userId, options.token);
        if (options.user && username && options.user !== username) {
            throw new DeployError(`The token belongs to ${username}, not ${options.user}.`);
        }
        return session;
    }
    return api.login(options.user as string, options.password as string, options.code);
}

function checkedServerUrl(raw: string, allowHttp: boolean): string {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new DeployError(`--url is not a URL: ${JSON.stringify(raw)} (example: https://chat.example.com)`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new DeployError(`--url must be an https:// address, not ${url.protocol}`);
    if (url.username || url.password)
        throw new DeployError('--url must not carry credentials: use --user with --password, or --token.');
    if (url.search || url.hash) throw new DeployError('--url is the server address only, without ? or #.');
    if (url.protocol === 'http:' && !loopbackHosts.has(url.hostname) && !allowHttp) {
        throw new DeployError(
            `--url ${url.origin} is plain http: the password or token would cross the network readable. Use https, or --allow-http if you must.`,
        );
    }
    return url.origin + url.pathname.replace(/\/+$/, '');
}

async function readManifest(zipPath: string): Promise<Manifest> {
    if (!fs.existsSync(zipPath))
        throw new DeployError(`${zipPath} does not exist: run npm run package first (npm run deploy does).`);
    let manifest: Partial<Manifest>;
    try {
        const zip = await JSZip.loadAsync(fs.readFileSync(zipPath));
        const entry = zip.file('app.json');
        if (!entry) throw new Error('no app.json in it');
        manifest = JSON.parse(await entry.async('string'));
    } catch (e) {
        throw new DeployError(`${zipPath} is not an app package: ${(e as Error).message}`);
    }
    for (const key of ['id', 'name', 'version', 'requiredApiVersion'] as const) {
        if (typeof manifest[key] !== 'string') throw new DeployError(`${zipPath}: app.json has no ${key}`);
    }
    return manifest as Manifest;
}

/** dist/<nameSlug>_<version>.zip, where tools/build/package.ts writes this repository's app. */
export function defaultZipPath(): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'app.json'), 'utf8'));
    return path.join(repoRoot, 'dist', `${manifest.nameSlug}_${manifest.version}.zip`);
}

/** Every text this tool prints, with the secrets it was given blanked out whatever a server echoes. */
export function redactor(secrets: Array<string | undefined>): (text: string) => string {
    const known = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
    return (text) => known.reduce((out, secret) => out.split(secret).join('***'), text);
}

const usage = `Usage: npm run deploy -- --url <https://your.rocket.chat> --user <admin> --password <password> [--code <2FA code>]
       npm run deploy -- --url <https://your.rocket.chat> --user-id <id> --token <personal access token>

Packages the app (dist/*.zip) and installs it, or updates it when Rocket.Chat already has it.
The user needs the manage-apps permission (administrators have it).
ROCKETCHAT_PASSWORD / ROCKETCHAT_TOKEN in the environment stand for --password / --token (keeps them out of shell history).
Other options: --zip <file> (another package), --allow-http (plain http to a remote host; credentials readable on the way).`;

async function main(argv: string[]): Promise<number> {
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                url: { type: 'string' },
                user: { type: 'string', short: 'u' },
                password: { type: 'string', short: 'p' },
                token: { type: 'string', short: 't' },
                'user-id': { type: 'string', short: 'i' },
                code: { type: 'string', short: 'c' },
                zip: { type: 'string' },
                'allow-http': { type: 'boolean' },
                help: { type: 'boolean', short: 'h' },
            },
            strict: true,
        }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n\n${usage}\n`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(`${usage}\n`);
        return 0;
    }
    const str = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
    const password =
        str('password') ?? (str('token') === undefined ? process.env.ROCKETCHAT_PASSWORD || undefined : undefined);
    const token = str('token') ?? (password === undefined ? process.env.ROCKETCHAT_TOKEN || undefined : undefined);
    const redact = redactor([password, token, str('code')]);
    if (!str('url')) {
        process.stderr.write(`--url is required.\n\n${usage}\n`);
        return 2;
    }
    try {
        await deploy(
            {
                url: str('url') as string,
                user: str('user'),
                password,
                token,
                userId: str('user-id'),
                code: str('code'),
                zipPath: path.resolve(str('zip') ?? defaultZipPath()),
                allowHttp: values['allow-http'] === true,
            },
            (line) => process.stdout.write(`${redact(line)}\n`),
        );
        return 0;
    } catch (e) {
        const message = e instanceof DeployError ? e.message : `unexpected failure: ${(e as Error).message}`;
        process.stderr.write(`deploy failed: ${redact(message)}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}

export { main as runDeployCli };
