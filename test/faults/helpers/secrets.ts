/**
 * The secrets audit: every line the app and the Apps-Engine runtime produced during a scenario, and every
 * request the app made, are searched for every secret the scenario involved. A secret may appear only where
 * it must (a rule below says where and why); anywhere else it is a hit, and the expected number is 0.
 *
 * Lines scanned (all of them; none is dropped for where it came from):
 * - the app's log as Rocket.Chat stores it (Administration → Apps → Logs), including the runtime's own
 *   trace lines in it. The runtime's lines are recognized by their exact text, never by the calling function:
 *   the packaged bundle is minified, so the app's own `.catch((e) => logger.warn(…))` lines report the same
 *   anonymous caller as the runtime's.
 * - what the runtime printed outside that log (tools/host/runtime-output.ts): the Deno process's stderr and
 *   the engine's console lines, which go to Rocket.Chat's server log.
 * - the test host's own log (listener errors, failed jobs), every message in every room (the setup room
 *   too): text, attachments, blocks, custom fields; every notice (command answers); every DM the business
 *   sent on X; every answer of the app's endpoints (webhook, CRC, OAuth callback pages); the app's
 *   persisted records.
 * Not scanned, and why: the Apps-Engine's `debug` traces (DEBUG=appsEngine:*, off unless an admin turns
 *   them on) print every bridge call with its parameters (AppsEngineDenoRuntime.js "Handling bridge message
 *   %s().%s() with params %s"); the HTTP bridge's parameters are the app's requests to X, Authorization
 *   header included, so they hold the credentials whatever the app does.
 *
 * Secrets listed: the app's PASSWORD settings (API Key Secret, OAuth 2.0 Client Secret, Access Token and
 * Secret, Bearer Token) and the simulator's defaults for them; every credential X issued (authorization
 * codes, OAuth 2.0 access and refresh tokens including rotated ones, OAuth 1.0a tokens and secrets, app-only
 * bearer tokens); every credential the app sent to X (Authorization header values, `client_secret`, `code`,
 * `code_verifier`, `refresh_token`, `token` parameters); OAuth states and PKCE verifiers (persisted, in X's
 * request log, in authorize links); the install-time secrets (webhook URL segment, visitor token key); and
 * every Omnichannel visitor token.
 *
 * Requests: every request any instance's app made (the store keeps them across restarts). Credentials go
 * only to X's hosts that take them (src/x/media-hosts.ts and X's API hosts); a request to any other host
 * (video.twimg.com included: X's video CDN takes none) carries no Authorization header and no secret.
 */
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type { HostStore } from '../../../tools/host/store';
import { DEFAULT_APP, DEFAULT_BUSINESS_OAUTH1 } from '../../../tools/x-sim/defaults';
import { record } from './summary';

/** X's hosts that receive credentials (src/x/client.ts, src/x/media-hosts.ts, X's OpenAPI servers). */
export const CREDENTIAL_HOSTS = new Set([
    'api.x.com',
    'api.twitter.com',
    'upload.x.com',
    'upload.twitter.com',
    'ton.twitter.com',
]);

export type LineKind =
    | 'app log'
    | 'runtime trace'
    | 'runtime output'
    | 'host log'
    | 'message'
    | 'notice'
    | 'DM on X'
    | 'endpoint answer'
    | 'persisted record'
    | 'extra';

export interface ScannedLine {
    kind: LineKind;
    where: string;
    text: string;
}

export interface SecretHit {
    /** What kind of secret (never its value). */
    secret: string;
    where: string;
    /** The surroundings, with the secret replaced by `<its kind>`. */
    excerpt: string;
}

export interface SecretScan {
    linesScanned: number;
    linesByKind: Partial<Record<LineKind, number>>;
    /** Distinct secret values searched for, and their kinds. */
    secretsListed: number;
    secretKinds: string[];
    requestsInspected: number;
    /** Requests to hosts that take no credentials (by host). */
    otherHosts: Record<string, number>;
    /** Appearances where none may be: the audit's verdict (expected: none). */
    hits: SecretHit[];
    /** Appearances where the secret must be, counted by rule. */
    expected: Record<string, number>;
}

/** What the scan needs from the X simulator (tools/x-sim/sim.ts). */
export interface SimRecords {
    issuedCredentials(): { kind: string; value: string }[];
    requests(): { path: string; query: string }[];
}

export interface ScanInput {
    store: HostStore;
    appId: string;
    sim?: SimRecords;
    /** Business account whose DMs on X are scanned (all DMs it sent). */
    dmsOnX?: { recipientId: string; text: string }[];
    extra?: { where: string; text: string }[];
}

interface Secret {
    kind: string;
    value: string;
}

const WEBHOOK_SEGMENT = 'webhook URL secret segment';
const VISITOR_TOKEN_KEY = 'visitor token key';
const VISITOR_TOKEN = 'visitor token';
const OAUTH_STATE = 'OAuth state';
const PKCE_VERIFIER = 'PKCE code verifier';
const AUTH_CODE = 'OAuth 2.0 authorization code';
const OAUTH2_TOKEN = /^OAuth 2\.0 (access|refresh) token$/;

/** The app's PASSWORD settings (src/settings/ids.ts), named as the admin sees them. */
const SETTING_KINDS: Record<string, string> = {
    api_key_secret: 'API Key Secret',
    oauth2_client_secret: 'OAuth 2.0 Client Secret',
    bearer_token: 'Bearer Token',
    access_token: 'Access Token',
    access_token_secret: 'Access Token Secret',
};
/** The secrets an admin types into the app's PASSWORD settings. */
const SETTING_SECRETS = new Set(Object.values(SETTING_KINDS));

// ---- the secrets ------------------------------------------------------------------------------------

function records(input: ScanInput) {
    return [...input.store.appPersistence(input.appId).values()];
}

/** Filed under `id`, or under `id:<accountId>` (the records kept per linked account). */
const associated = (r: { associations: { id: string }[] }, id: string) =>
    r.associations.some((a) => a.id === id || new RegExp(`^${id}:\\d+$`).test(a.id));

/** Every secret the scenario involved, from every place that knows one. */
export function listSecrets(input: ScanInput): Secret[] {
    const found: Secret[] = [
        { kind: 'API Key Secret', value: DEFAULT_APP.consumerSecret },
        { kind: 'OAuth 2.0 Client Secret', value: DEFAULT_APP.clientSecret ?? '' },
        { kind: 'Bearer Token', value: DEFAULT_APP.bearerToken ?? '' },
        { kind: 'Access Token', value: DEFAULT_BUSINESS_OAUTH1.accessToken },
        { kind: 'Access Token Secret', value: DEFAULT_BUSINESS_OAUTH1.accessSecret },
    ];
    // The app's PASSWORD settings as an admin saved them last.
    const settings = input.store.appMetadata.get(input.appId)?.settings ?? {};
    for (const setting of Object.values(settings))
        if (setting.type === 'password' && typeof setting.value === 'string')
            found.push({ kind: SETTING_KINDS[setting.id] ?? `PASSWORD setting ${setting.id}`, value: setting.value });
    for (const c of input.sim?.issuedCredentials() ?? []) found.push(c);
    for (const r of records(input)) {
        const data = r.data as Record<string, unknown>;
        const tokens = (associated(r, 'x-oauth2-tokens') ? data : (data.tokens as Record<string, unknown>)) ?? {};
        for (const [field, kind] of [
            ['accessToken', 'OAuth 2.0 access token'],
            ['refreshToken', 'OAuth 2.0 refresh token'],
        ])
            if (typeof tokens[field] === 'string') found.push({ kind, value: tokens[field] as string });
        if (associated(r, 'x-app-secrets')) {
            found.push({ kind: WEBHOOK_SEGMENT, value: String(data.webhookPath ?? '') });
            found.push({ kind: VISITOR_TOKEN_KEY, value: String(data.visitorTokenKey ?? '') });
        }
        if (data.type === 'oauth-state') {
            found.push({ kind: OAUTH_STATE, value: String(data.state ?? '') });
            found.push({ kind: PKCE_VERIFIER, value: String(data.codeVerifier ?? '') });
        }
    }
    // States the admin's browser carried to X (the app removes a state's record once it is used).
    for (const r of input.sim?.requests() ?? []) {
        const state = /\/oauth2\/authorize$/.test(r.path) ? new URLSearchParams(r.query).get('state') : null;
        if (state) found.push({ kind: OAUTH_STATE, value: state });
    }
    for (const notice of input.store.ephemeral)
        for (const m of (notice.text ?? '').matchAll(/[?&]state=([A-Za-z0-9_-]+)/g))
            found.push({ kind: OAUTH_STATE, value: m[1] });
    // What the app itself sent X as credentials.
    for (const e of input.store.httpExchanges) {
        const sent = e.sent;
        if (!sent || !CREDENTIAL_HOSTS.has(new URL(e.url).hostname)) continue;
        const auth = Object.entries(sent.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
        if (auth) found.push(...credentialsIn(auth));
        const params = sentParams(sent);
        for (const [param, kind] of [
            ['client_secret', 'OAuth 2.0 Client Secret'],
            ['code', AUTH_CODE],
            ['code_verifier', PKCE_VERIFIER],
            ['refresh_token', 'OAuth 2.0 refresh token'],
            ['token', 'OAuth 2.0 token (revoked)'],
        ])
            for (const value of params.getAll(param)) found.push({ kind, value });
    }
    for (const visitor of input.store.visitors.values())
        if (visitor.token) found.push({ kind: VISITOR_TOKEN, value: visitor.token });
    // Short values would match by chance; every real secret here is at least 16 characters.
    const byValue = new Map<string, Secret>();
    for (const s of found) if (s.value.length >= 12 && !byValue.has(s.value)) byValue.set(s.value, s);
    return [...byValue.values()];
}

/** The query's and the body's parameters (twitter-api-v2 sends OAuth 2.0 token requests as JSON, others as forms). */
function sentParams(sent: { url: string; body: string }): URLSearchParams {
    const params = new URLSearchParams(new URL(sent.url).search);
    let json: unknown;
    try {
        json = JSON.parse(sent.body);
    } catch {
        for (const [k, v] of new URLSearchParams(sent.body)) params.append(k, v);
    }
    if (json && typeof json === 'object')
        for (const [k, v] of Object.entries(json)) if (typeof v === 'string') params.append(k, v);
    return params;
}

/** The secret parts of an Authorization header value. */
function credentialsIn(header: string): Secret[] {
    const [scheme, rest = ''] = header.split(/\s+(.*)/s);
    if (/^bearer$/i.test(scheme)) return [{ kind: 'bearer credential sent to X', value: rest.trim() }];
    if (/^basic$/i.test(scheme)) {
        const decoded = Buffer.from(rest.trim(), 'base64').toString('utf8');
        return [
            { kind: 'Basic credential sent to X', value: rest.trim() },
            { kind: 'OAuth 2.0 Client Secret', value: decoded.slice(decoded.indexOf(':') + 1) },
        ];
    }
    if (/^oauth$/i.test(scheme)) {
        const token = /oauth_token="([^"]*)"/.exec(rest)?.[1];
        return token ? [{ kind: 'OAuth 1.0a access token', value: decodeURIComponent(token) }] : [];
    }
    return [{ kind: 'Authorization header sent to X', value: header }];
}

// ---- the lines ----------------------------------------------------------------------------------------

/**
 * The runtime's own lines in an app's log, by their exact text (deno-runtime/handlers/app/handler.ts,
 * api-handler.ts, scheduler-handler.ts, slashcommand-handler.ts of Apps-Engine 1.62).
 */
const RUNTIME_MESSAGES = [
    /^A method is being called\.\.\.$/,
    /^'[\w:]+' was (unsuccessful\.|successfully called! The result is:)$/,
    /^Command (is being executed\.\.\.|was successfully executed\.|was unsuccessful\.)$/,
    /^Job processor (is being executed\.\.\.|was successfully executed|was unsuccessful)$/,
];
const RUNTIME_API_LINE =
    /^[\w/:.-]+'s api:[\w/:.-]+ (is being executed\.\.\.|was successfully executed\.|was unsuccessful\.)$/;

/** Whether a log line is the runtime's trace rather than something the app logged. */
export function isRuntimeTrace(args: unknown): boolean {
    const first = Array.isArray(args) ? args[0] : undefined;
    if (typeof first === 'string') return RUNTIME_API_LINE.test(first);
    const msg = first && typeof first === 'object' ? (first as { msg?: unknown }).msg : undefined;
    return typeof msg === 'string' && RUNTIME_MESSAGES.some((m) => m.test(msg));
}

/** Every line the app and the runtime produced, and what the app showed or answered. */
export function collectLines(input: ScanInput): ScannedLine[] {
    const { store } = input;
    const out: ScannedLine[] = [];
    for (const entry of store.appLogEntries as ILoggerStorageEntry[]) {
        for (const line of entry.entries ?? []) {
            const args = (line as { args?: unknown }).args;
            out.push({
                kind: isRuntimeTrace(args) ? 'runtime trace' : 'app log',
                where: `${entry.method} (${line.caller}, ${line.severity})`,
                text: JSON.stringify(args) ?? '',
            });
        }
    }
    for (const o of store.runtimeOutput) out.push({ kind: 'runtime output', where: o.source, text: o.text });
    for (const entry of store.appLogs) out.push({ kind: 'host log', where: 'host log', text: JSON.stringify(entry) });
    const setupRoomId = setupRoom(input);
    for (const m of store.messages.values()) {
        const raw = m as { text?: string; attachments?: unknown; blocks?: unknown; customFields?: unknown };
        out.push({
            kind: 'message',
            where: m.room?.id === setupRoomId ? 'setup room' : `room ${m.room?.id}`,
            text: JSON.stringify([raw.text, raw.attachments, raw.blocks, raw.customFields]),
        });
    }
    for (const e of store.ephemeral)
        out.push({
            kind: 'notice',
            where: `notice to ${e.user.username}`,
            text: JSON.stringify([e.text, (e.message as { blocks?: unknown }).blocks]),
        });
    for (const dm of input.dmsOnX ?? []) out.push({ kind: 'DM on X', where: `DM to ${dm.recipientId}`, text: dm.text });
    for (const a of store.endpointAnswers)
        out.push({
            kind: 'endpoint answer',
            where: `answer of ${a.route} (${a.status})`,
            text: JSON.stringify([a.headers, typeof a.content === 'string' ? a.content : (a.content ?? null)]),
        });
    for (const r of records(input))
        out.push({ kind: 'persisted record', where: recordName(r), text: JSON.stringify([r.associations, r.data]) });
    for (const x of input.extra ?? []) out.push({ kind: 'extra', where: x.where, text: x.text });
    return out;
}

function setupRoom(input: ScanInput): string | undefined {
    const r = records(input).find((x) => associated(x, 'x-setup-room'));
    return (r?.data as { roomId?: string } | undefined)?.roomId;
}

function recordName(r: { associations: { id: string }[]; data: Record<string, unknown> }): string {
    // Per-account records (`x-delivery:<accountId>`) are named by their kind.
    const named = r.associations.find((a) => /^x-[a-z0-9-]+(:\d+)?$/.test(a.id))?.id.replace(/:\d+$/, '');
    return `record ${named ?? (typeof r.data.type === 'string' ? r.data.type : r.associations[0]?.id)}`;
}

// ---- where a secret must appear ----------------------------------------------------------------------

/**
 * The places a secret has to be, each with its reason. Everything else is a hit.
 * Returns the rule's name, or undefined.
 */
function expectedAppearance(secret: Secret, line: ScannedLine): string | undefined {
    const { kind } = secret;
    if (line.kind === 'persisted record') {
        // The app's own state: install secrets, tokens it must use, visitor tokens it posts with, pending states.
        if ((kind === WEBHOOK_SEGMENT || kind === VISITOR_TOKEN_KEY) && line.where === 'record x-app-secrets')
            return 'install-time secrets in their record';
        if (OAUTH2_TOKEN.test(kind) && /^record (x-oauth2-tokens|x-pending-link)$/.test(line.where))
            return 'OAuth 2.0 tokens in the account or pending-link record';
        if ((kind === OAUTH_STATE || kind === PKCE_VERIFIER) && line.where === 'record oauth-state')
            return 'a pending authorization in its record';
        if (kind === WEBHOOK_SEGMENT && line.where === 'record x-delivery')
            return 'the webhook URL registered at X in the delivery record';
        if (kind === VISITOR_TOKEN) return 'visitor tokens in the conversation records';
        return undefined;
    }
    // Admins need the webhook URL (README, setup room): the segment is shown there, and nowhere else.
    if (kind === WEBHOOK_SEGMENT && line.kind === 'message' && line.where === 'setup room')
        return 'webhook URL shown to admins in the setup room';
    // The authorize link carries its state to X (RFC 6749 §4.1.1); only the admin who asked sees it.
    if (kind === OAUTH_STATE && line.kind === 'notice' && /oauth2\/authorize\?/.test(line.text))
        return 'OAuth state in the authorize link';
    // The runtime logs what the app's onPreSettingUpdate returns (handlers/app/handler.ts formatResult), which is
    // the setting being saved, value included (App.onPreSettingUpdate returns context.newSetting, and must:
    // Rocket.Chat saves what it returns): every PASSWORD setting an admin saves is in Rocket.Chat's app log.
    if (
        line.kind === 'runtime trace' &&
        SETTING_SECRETS.has(kind) &&
        line.text.startsWith(`[{"msg":"'onPreSettingUpdate' was successfully called! The result is:"`)
    )
        return "saved settings in the runtime's onPreSettingUpdate trace";
    // The runtime logs every endpoint request's data before the app runs (api-handler.ts: `logger.debug(…,
    // requestData)`): the webhook route's path parameter and the OAuth callback's query are in Rocket.Chat's
    // app log whatever the app does. Only that line, only those secrets.
    if (
        line.kind === 'runtime trace' &&
        /^\["[^"]*'s api:[^"]* is being executed\.\.\.",/.test(line.text) &&
        (kind === WEBHOOK_SEGMENT || kind === OAUTH_STATE || kind === AUTH_CODE)
    )
        return 'endpoint request data in the runtime trace';
    return undefined;
}

// ---- the scan ---------------------------------------------------------------------------------------

export function scanSecrets(input: ScanInput): SecretScan {
    const secrets = listSecrets(input);
    const lines = collectLines(input);
    const hits: SecretHit[] = [];
    const expected: Record<string, number> = {};
    const linesByKind: SecretScan['linesByKind'] = {};
    for (const line of lines) {
        linesByKind[line.kind] = (linesByKind[line.kind] ?? 0) + 1;
        for (const secret of secrets) {
            const at = line.text.indexOf(secret.value);
            if (at < 0) continue;
            const rule = expectedAppearance(secret, line);
            if (rule) expected[rule] = (expected[rule] ?? 0) + 1;
            else hits.push(hit(secret, `${line.kind}: ${line.where}`, line.text, at));
        }
    }
    const otherHosts: Record<string, number> = {};
    for (const e of input.store.httpExchanges) {
        const host = new URL(e.url).hostname;
        if (CREDENTIAL_HOSTS.has(host)) {
            // X gets the credentials, but no visitor token or install secret but the webhook URL it must call.
            for (const secret of secrets.filter((s) => s.kind === VISITOR_TOKEN || s.kind === VISITOR_TOKEN_KEY))
                for (const [part, text] of sentParts(e.sent))
                    if (text.includes(secret.value))
                        hits.push(
                            hit(secret, `request ${e.method} ${host} (${part})`, text, text.indexOf(secret.value)),
                        );
            continue;
        }
        otherHosts[host] = (otherHosts[host] ?? 0) + 1;
        if (e.authorization || !e.sent)
            hits.push({
                secret: e.sent ? 'Authorization header' : 'request not recorded',
                where: `request ${e.method} ${host}`,
                excerpt: e.url.replace(/\?.*/, '?…'),
            });
        for (const [part, text] of sentParts(e.sent))
            for (const secret of secrets) {
                const at = text.indexOf(secret.value);
                if (at >= 0) hits.push(hit(secret, `request ${e.method} ${host} (${part})`, text, at));
            }
    }
    return {
        linesScanned: lines.length,
        linesByKind,
        secretsListed: secrets.length,
        secretKinds: [...new Set(secrets.map((s) => s.kind))].sort(),
        requestsInspected: input.store.httpExchanges.length,
        otherHosts,
        hits,
        expected,
    };
}

function sentParts(sent: { url: string; headers: Record<string, string>; body: string } | undefined) {
    if (!sent) return [];
    return [
        ['URL', sent.url],
        ['headers', JSON.stringify(sent.headers)],
        ['body', sent.body],
    ] as const;
}

function hit(secret: Secret, where: string, text: string, at: number): SecretHit {
    const excerpt = text.slice(Math.max(0, at - 60), at + secret.value.length + 20).split(secret.value);
    return { secret: secret.kind, where, excerpt: excerpt.join(`<${secret.kind}>`) };
}

/** The figures the fault suite reports for a scan (test/faults/helpers/summary.ts, `secrets` records). */
export function secretCounts(scan: SecretScan) {
    return {
        linesScanned: scan.linesScanned,
        secretsListed: scan.secretsListed,
        requestsInspected: scan.requestsInspected,
        hits: scan.hits.length,
    };
}

export function formatScan(scan: SecretScan): string {
    const kinds = Object.entries(scan.linesByKind)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
    const other = Object.entries(scan.otherHosts)
        .map(([h, n]) => `${h} ×${n}`)
        .join(', ');
    return [
        `secrets: ${scan.linesScanned} lines (${kinds}) and ${scan.requestsInspected} requests (to hosts taking no credentials: ${other || 'none'}) searched for ${scan.secretsListed} secret values (${scan.secretKinds.join(', ')}) → ${scan.hits.length} hits`,
        ...scan.hits.slice(0, 10).map((h) => `  ${h.secret} in ${h.where}: …${h.excerpt}…`),
        ...Object.entries(scan.expected).map(([rule, n]) => `  where they must be: ${rule} ×${n}`),
    ].join('\n');
}

/** What a rig (test/faults) or a world (test/e2e) holds that the scan reads. */
export interface ScannedSystem {
    host: { store: HostStore; appId: string };
    sim: SimRecords & { dmsSentBy(id: string): { recipientId: string; text: string }[] };
    business: { id: string };
}

/** Scans everything a system's app and runtime produced and every request the app made. */
export function scanSystem(system: ScannedSystem, extra: { where: string; text: string }[] = []): SecretScan {
    return scanSecrets({
        store: system.host.store,
        appId: system.host.appId,
        sim: system.sim,
        dmsOnX: system.sim.dmsSentBy(system.business.id),
        extra,
    });
}

/**
 * Scans a fault scenario's system, records the counts for the fault suite's secrets row, and returns the scan
 * (the caller asserts `hits` is empty).
 */
export function auditSecrets(
    file: string,
    scenario: string,
    rig: ScannedSystem,
    extra: { where: string; text: string }[] = [],
): SecretScan {
    const scan = scanSystem(rig, extra);
    record(file, scenario, 'secrets', { secrets: secretCounts(scan) });
    return scan;
}
