/**
 * `npm run deploy` against a local stub of Rocket.Chat's REST API (test/unit/helpers/rocketchat-apps-stub.ts),
 * which checks each request as Rocket.Chat would.
 */
import * as fs from 'fs';
import JSZip from 'jszip';
import * as os from 'os';
import * as path from 'path';
import { deploy, DeployOptions, redactor, runDeployCli } from '../../tools/deploy/deploy';
import { DeployError } from '../../tools/deploy/rocketchat-apps-api';
import { minimumRocketChat, satisfiesCaret } from '../../tools/deploy/versions';
import { parseMultipart, RocketChatAppsStub, StubOptions } from './helpers/rocketchat-apps-stub';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../app.json'), 'utf8'));
const appId: string = manifest.id;
const password = 'admin-pass';
const pat = 'personal-access-token-0123456789';

let zipPath: string;
let zipBytes: Buffer;

beforeAll(async () => {
    const zip = new JSZip();
    zip.file('app.json', JSON.stringify({ ...manifest, implements: [] }));
    zip.file('TwitterApp.js', 'exports.TwitterApp = class {};');
    zipBytes = await zip.generateAsync({ type: 'nodebuffer' });
    zipPath = path.join(
        fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-')),
        `${manifest.nameSlug}_${manifest.version}.zip`,
    );
    fs.writeFileSync(zipPath, zipBytes);
});

let stub: RocketChatAppsStub;
let url: string;
let lines: string[];

async function startStub(options: StubOptions = {}): Promise<void> {
    stub = new RocketChatAppsStub(options);
    url = await stub.start();
}

afterEach(async () => {
    await stub?.stop();
});

beforeEach(() => {
    lines = [];
});

const run = (options: Partial<DeployOptions> = {}) =>
    deploy({ url, user: 'admin', password, zipPath, ...options }, (line) => lines.push(line));

const routes = () => stub.requests.map((r) => `${r.method} ${r.path}`);

const failure = async (promise: Promise<unknown>): Promise<DeployError> => {
    try {
        await promise;
    } catch (e) {
        expect(e).toBeInstanceOf(DeployError);
        return e as DeployError;
    }
    throw new Error('expected the deploy to fail');
};

const installedTwitter = {
    id: appId,
    nameSlug: manifest.nameSlug,
    name: manifest.name,
    version: '0.0.9',
    status: 'manually_enabled',
};

describe('npm run deploy: install or update through the REST API', () => {
    it('installs a new app: server info, login, lookup, then the zip as multipart field "app" with the session headers', async () => {
        await startStub();
        const outcome = await run();

        expect(outcome.action).toBe('installed');
        expect(routes()).toEqual(['GET /api/info', 'POST /api/v1/login', `GET /api/apps/${appId}`, 'POST /api/apps']);
        const [info, login, lookup, upload] = stub.requests;
        expect(info.headers['x-auth-token']).toBeUndefined();
        expect(login.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(login.body.toString())).toEqual({ user: 'admin', password });
        for (const authed of [lookup, upload]) {
            expect(authed.headers['x-user-id']).toBe('admin-id');
            expect(authed.headers['x-auth-token']).toMatch(/^session-/);
        }
        const parts = parseMultipart(upload);
        expect(parts).not.toEqual(expect.any(String));
        expect(parts).toHaveLength(1); // app.json lists no permissions, so no `permissions` field
        const [file] = parts as Exclude<typeof parts, string>;
        expect(file).toMatchObject({ name: 'app', filename: path.basename(zipPath), contentType: 'application/zip' });
        expect(file.data.equals(zipBytes)).toBe(true);
        expect(stub.installed.get(appId)).toMatchObject({ version: manifest.version, status: 'manually_enabled' });
        expect(lines.join('\n')).toContain(`Installed ${manifest.name} ${manifest.version}: status manually_enabled`);
    });

    it('updates the installed app through POST /api/apps/<id>', async () => {
        await startStub({ installed: [installedTwitter] });
        const outcome = await run();

        expect(outcome.action).toBe('updated');
        expect(routes().slice(-2)).toEqual([`GET /api/apps/${appId}`, `POST /api/apps/${appId}`]);
        expect(stub.installed.get(appId)?.version).toBe(manifest.version);
        expect(lines.join('\n')).toContain('installed: 0.0.9');
    });

    it('sends the manifest permissions as the JSON field "permissions" when the app lists some', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-perm-'));
        const zip = new JSZip();
        const permissions = [{ name: 'networking' }, { name: 'persistence' }];
        zip.file('app.json', JSON.stringify({ ...manifest, permissions }));
        const withPermissions = path.join(dir, 'app.zip');
        fs.writeFileSync(withPermissions, await zip.generateAsync({ type: 'nodebuffer' }));
        await startStub();
        await run({ zipPath: withPermissions });

        const parts = parseMultipart(stub.requests[stub.requests.length - 1]) as Exclude<
            ReturnType<typeof parseMultipart>,
            string
        >;
        const field = parts.find((p) => p.name === 'permissions');
        expect(field?.filename).toBeUndefined();
        expect(JSON.parse(field!.data.toString())).toEqual(permissions);
    });

    it('with a personal access token: checks it on /api/v1/me with X-User-Id and X-Auth-Token and never logs in', async () => {
        await startStub({
            users: [{ id: 'admin-id', username: 'admin', password, canManageApps: true, tokens: [pat] }],
        });
        const outcome = await run({ password: undefined, token: pat, userId: 'admin-id' });

        expect(outcome.action).toBe('installed');
        expect(routes()).toEqual(['GET /api/info', 'GET /api/v1/me', `GET /api/apps/${appId}`, 'POST /api/apps']);
        for (const r of stub.requests.slice(1)) {
            expect(r.headers['x-user-id']).toBe('admin-id');
            expect(r.headers['x-auth-token']).toBe(pat);
        }
    });

    it('refuses a token of another user than --user', async () => {
        await startStub({ users: [{ id: 'u2', username: 'bob', password: 'x', canManageApps: true, tokens: [pat] }] });
        const e = await failure(run({ password: undefined, token: pat, userId: 'u2', user: 'admin' }));
        expect(e.message).toBe('The token belongs to bob, not admin.');
        expect(routes()).not.toContain('POST /api/apps');
    });

    it('asks for --user-id with a token, before sending anything', async () => {
        await startStub();
        const e = await failure(run({ password: undefined, token: pat }));
        expect(e.message).toMatch(/--user-id/);
        expect(stub.requests).toHaveLength(0);
    });
});

describe('npm run deploy: clear errors', () => {
    it('401 on a wrong password, and goes no further', async () => {
        await startStub();
        const e = await failure(run({ password: 'wrong-password' }));
        expect(e.status).toBe(401);
        expect(e.message).toMatch(/refused the login of admin \(401\).*wrong user name or password.*--code/);
        expect(e.message).not.toContain('wrong-password');
        expect(routes()).toEqual(['GET /api/info', 'POST /api/v1/login']);
    });

    it('401 on an unknown token', async () => {
        await startStub();
        const e = await failure(run({ password: undefined, token: 'not-a-token', userId: 'admin-id' }));
        expect(e.status).toBe(401);
        expect(e.message).toMatch(/refused the token for user id admin-id \(401\)/);
        expect(e.message).not.toContain('not-a-token');
    });

    it('a two-factor account logs in with --code', async () => {
        await startStub({
            users: [{ id: 'admin-id', username: 'admin', password, canManageApps: true, totpCode: '123456' }],
        });
        expect((await failure(run())).status).toBe(401);
        await expect(run({ code: '123456' })).resolves.toMatchObject({ action: 'installed' });
        expect(JSON.parse(stub.requests.filter((r) => r.path === '/api/v1/login')[1].body.toString())).toEqual({
            user: 'admin',
            password,
            code: '123456',
        });
    });

    it('private apps disabled on the server (Rocket.Chat Cloud)', async () => {
        await startStub({ privateAppsDisabled: true });
        const e = await failure(run());
        expect(e.status).toBe(500);
        expect(e.message).toMatch(/does not allow private apps .*private_app_install_disabled/);
        expect(stub.installed.size).toBe(0);
    });

    it('a Rocket.Chat older than the app needs is refused before any credential is sent', async () => {
        await startStub({ rocketChatVersion: '8.3.2', appsEngineVersion: '1.61.0' });
        const e = await failure(run());
        expect(e.message).toBe(
            `Rocket.Chat 8.3 at ${url} is too old for ${manifest.name} ${manifest.version}: it needs Rocket.Chat 8.4 or newer (Apps-Engine ^1.62.0).`,
        );
        expect(routes()).toEqual(['GET /api/info']);
    });

    it("an engine too old for requiredApiVersion (the server's own refusal) is named as such", async () => {
        // A server whose /api/info does not betray it (e.g. a patched build): the install itself is refused.
        await startStub({ rocketChatVersion: '8.4.0', appsEngineVersion: '1.61.0' });
        const e = await failure(run());
        expect(e.status).toBe(400);
        expect(e.message).toBe('This Rocket.Chat is too old for the app: Invalid Version: ^1.62.0');
    });

    it('a user without manage-apps gets 403 with the permission named', async () => {
        await startStub({ users: [{ id: 'agent-id', username: 'agent', password, canManageApps: false }] });
        const e = await failure(run({ user: 'agent' }));
        expect(e.status).toBe(403);
        expect(e.message).toMatch(/manage-apps/);
    });

    it('a Community workspace refuses to update a private app', async () => {
        await startStub({ communityWorkspace: true, installed: [installedTwitter] });
        const e = await failure(run());
        expect(e.message).toMatch(/Cannot_Update_Exempt_App.*uninstall it/);
        // Uninstalling purges the app's persistence (Apps-Engine AppManager.removeLocal): the advice says what is lost.
        expect(e.message).toMatch(/deletes everything the app stored.*linked X account.*\/twitter authorize again/);
    });

    it('another app with the same name slug (the deprecated Twitter app) blocks the install', async () => {
        await startStub({ installed: [{ ...installedTwitter, id: '11111111-2222-4333-8444-555555555555' }] });
        const e = await failure(run());
        expect(e.message).toMatch(/already has an app with this app's id or name slug/);
    });

    it('warns when Rocket.Chat installed the app without enabling it', async () => {
        await startStub({ enableRefused: true });
        const outcome = await run();
        expect(outcome.app.status).toBe('initialized');
        expect(lines.join('\n')).toMatch(/Warning: Rocket.Chat did not enable the app \(status initialized\)/);
    });

    it('refuses plain http to a remote host, credentials in the URL, and a missing package, before any request', async () => {
        const neverCalled = jest.fn(async () => new Response('{}'));
        const attempt = (options: Partial<DeployOptions>) =>
            deploy(
                { url: 'x', user: 'admin', password, zipPath, ...options },
                () => undefined,
                neverCalled as unknown as typeof fetch,
            );
        expect((await failure(attempt({ url: 'http://chat.example.com' }))).message).toMatch(/plain http/);
        expect((await failure(attempt({ url: 'https://admin:pw@chat.example.com' }))).message).toMatch(
            /must not carry credentials/,
        );
        expect((await failure(attempt({ url: 'chat.example.com' }))).message).toMatch(/not a URL/);
        expect(
            (await failure(attempt({ url: 'https://chat.example.com', zipPath: '/nonexistent/app.zip' }))).message,
        ).toMatch(/npm run package/);
        expect(neverCalled).not.toHaveBeenCalled();
    });

    it('does not follow a redirect (X-Auth-Token is not a header fetch strips for another host)', async () => {
        const redirecting = jest.fn(
            async () =>
                new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/api/info' } }),
        );
        const e = await failure(
            deploy(
                { url: 'https://chat.example.com', user: 'admin', password, zipPath },
                () => undefined,
                redirecting as unknown as typeof fetch,
            ),
        );
        expect(e.message).toMatch(/redirects to https:\/\/elsewhere.example\/api\/info/);
        expect(redirecting).toHaveBeenCalledTimes(1);
        expect((redirecting.mock.calls[0] as unknown[])[1]).toMatchObject({ redirect: 'manual' });
    });

    it('a server that is not Rocket.Chat', async () => {
        const html = jest.fn(async () => new Response('<html>hello</html>', { status: 200 }));
        const e = await failure(
            deploy(
                { url: 'https://chat.example.com', user: 'admin', password, zipPath },
                () => undefined,
                html as unknown as typeof fetch,
            ),
        );
        expect(e.message).toMatch(
            /answered 200 with something other than a JSON object: is this the address of a Rocket.Chat server/,
        );
    });
});

describe('npm run deploy: the command line', () => {
    let out: string[];
    beforeEach(() => {
        out = [];
        jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
        jest.spyOn(process.stderr, 'write').mockImplementation((s) => (out.push(String(s)), true));
    });
    afterEach(() => {
        jest.restoreAllMocks();
        delete process.env.ROCKETCHAT_PASSWORD;
    });

    it('takes the password from ROCKETCHAT_PASSWORD and never prints it', async () => {
        await startStub();
        process.env.ROCKETCHAT_PASSWORD = password;
        expect(await runDeployCli(['--url', url, '--user', 'admin', '--zip', zipPath])).toBe(0);
        expect(stub.installed.has(appId)).toBe(true);
        expect(out.join('')).toContain('Installed');
        expect(out.join('')).not.toContain(password);
    });

    it('exit 1 with the reason on stderr, secrets blanked', async () => {
        await startStub();
        expect(
            await runDeployCli(['--url', url, '--user', 'admin', '--password', 'hunter2-secret', '--zip', zipPath]),
        ).toBe(1);
        expect(out.join('')).toMatch(/deploy failed: .*\(401\)/);
        expect(out.join('')).not.toContain('hunter2-secret');
    });

    it('exit 2 on a usage error', async () => {
        expect(await runDeployCli(['--user', 'admin'])).toBe(2);
        expect(await runDeployCli(['--url', 'https://x.example', '--bogus'])).toBe(2);
        expect(out.join('')).toContain('Usage: npm run deploy');
    });

    it('blanks any echo of a secret in what it prints', () => {
        const redact = redactor(['s3cret', undefined, '']);
        expect(redact('server said: bad password s3cret (s3cret)')).toBe('server said: bad password *** (***)');
    });
});

describe('versions', () => {
    it('reads caret ranges as semver does', () => {
        expect(satisfiesCaret('1.62.0', '^1.62.0')).toBe(true);
        expect(satisfiesCaret('1.69.3', '^1.62.0')).toBe(true);
        expect(satisfiesCaret('1.61.9', '^1.62.0')).toBe(false);
        expect(satisfiesCaret('2.0.0', '^1.62.0')).toBe(false);
    });

    it("maps app.json's range to the first Rocket.Chat shipping that engine", () => {
        expect(minimumRocketChat(manifest.requiredApiVersion)).toBe('8.4');
        expect(minimumRocketChat('^1.66.0')).toBe('8.8');
        expect(minimumRocketChat('^1.99.0')).toBeUndefined();
    });
});
