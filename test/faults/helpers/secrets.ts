/**
 * The secrets audit: every log line, message, notice and HTTP answer captured during a scenario is scanned
 * for the configured secret values (the PASSWORD settings, the OAuth 2.0 tokens the app holds, its
 * install-time keys). Expected hits: 0.
 */
import { DEFAULT_APP, DEFAULT_BUSINESS_OAUTH1 } from '../../../tools/x-sim/defaults';
import type { TestHost } from '../../../tools/host/host';
import type { XSim } from '../../../tools/x-sim/sim';

export interface SecretHit {
    secret: string;
    where: string;
    excerpt: string;
}

export interface SecretScan {
    secretsChecked: string[];
    textsScanned: number;
    hits: SecretHit[];
    /**
     * Where the webhook URL's secret path segment appears. Not a configured secret: the app makes it up at
     * install and shows the URL to admins in its setup room; reported, not counted as a leak.
     */
    webhookSegmentSeen: SecretHit[];
}

const WEBHOOK_SEGMENT = 'webhook URL secret segment';

/** Named secret values to look for: what the admin configured and what the app stored. */
export function secretValues(host: TestHost): Record<string, string> {
    const values: Record<string, string> = {
        'API Key Secret': DEFAULT_APP.consumerSecret,
        'OAuth 2.0 Client Secret': DEFAULT_APP.clientSecret,
        'Access Token': DEFAULT_BUSINESS_OAUTH1.accessToken,
        'Access Token Secret': DEFAULT_BUSINESS_OAUTH1.accessSecret,
        'Bearer Token': DEFAULT_APP.bearerToken,
    };
    for (const record of host.store.appPersistence(host.appId).values()) {
        const ids = record.associations.map((a) => a.id);
        const data = record.data as Record<string, unknown>;
        if (ids.includes('x-oauth2-tokens')) {
            if (typeof data.accessToken === 'string') values['OAuth 2.0 access token'] = data.accessToken;
            if (typeof data.refreshToken === 'string') values['OAuth 2.0 refresh token'] = data.refreshToken;
        }
        if (ids.includes('x-app-secrets')) {
            if (typeof data.visitorTokenKey === 'string') values['visitor token key'] = data.visitorTokenKey;
            if (typeof data.webhookPath === 'string') values['webhook URL secret segment'] = data.webhookPath;
        }
    }
    for (const [name, value] of Object.entries(values)) if (!value || value.length < 8) delete values[name];
    return values;
}

/**
 * Lines the Apps-Engine runtime itself writes into an app's log (its handlers trace every call with its
 * arguments and results), as opposed to what the app's code logs. Told apart by the runtime handler the
 * line comes from.
 */
const ENGINE_HANDLERS =
    /-> (apiHandler|handleApp|handleConstructApp|handleInitialize|handleListener|handleOnDisable|handleOnInstall|handleOnSettingUpdated|handleOnUninstall|handleOnUpdate|handleScheduler|handleSetStatus|handleUIKitInteraction|handleUploadEvents|outboundMessageHandler|slashCommandHandler|videoConferenceHandler|handleGetStatus|handleOnEnable|handleOnPreSettingUpdate|formatResult|handleExecutor|handlePreviewItem|App)$/;

export function isEngineLogLine(caller: string | undefined): boolean {
    return caller === undefined || caller === 'anonymous OR constructor' || ENGINE_HANDLERS.test(caller);
}

/** Everything the app said or wrote that people or X can read, labelled by where it was captured. */
export function capturedTexts(
    host: TestHost,
    sim: XSim | undefined,
    business: string | undefined,
    extra: { where: string; text: string }[] = [],
): { where: string; text: string }[] {
    const out: { where: string; text: string }[] = [];
    for (const entry of host.store.appLogEntries) {
        const lines = ((entry as { entries?: { caller?: string; severity?: string; args?: unknown }[] }).entries ??
            []) as { caller?: string; severity?: string; args?: unknown }[];
        for (const line of lines) {
            const engine = isEngineLogLine(line.caller);
            out.push({
                where: `${engine ? 'Apps-Engine runtime log' : 'app log'} (${line.caller}, ${line.severity})`,
                text: JSON.stringify(line.args),
            });
        }
    }
    for (const entry of host.store.appLogs) out.push({ where: 'host log', text: JSON.stringify(entry) });
    for (const m of host.store.messages.values()) {
        const raw = m as { text?: string; attachments?: unknown; blocks?: unknown; customFields?: unknown };
        out.push({
            where: `message in room ${m.room?.id}`,
            text: JSON.stringify({
                text: raw.text,
                attachments: raw.attachments,
                blocks: raw.blocks,
                customFields: raw.customFields,
            }),
        });
    }
    for (const e of host.store.ephemeral)
        out.push({
            where: `notice to ${e.user.username}`,
            text: JSON.stringify({ text: e.text, blocks: (e.message as { blocks?: unknown }).blocks }),
        });
    if (sim && business)
        for (const dm of sim.dmsSentBy(business)) out.push({ where: `DM to ${dm.recipientId}`, text: dm.text });
    return [...out, ...extra];
}

/** The app's own output only: the runtime's call traces are Rocket.Chat's (reported apart, see engineLogHits). */
export function scanForSecrets(host: TestHost, texts: { where: string; text: string }[]): SecretScan {
    return scanTexts(
        host,
        texts.filter((t) => !t.where.startsWith('Apps-Engine runtime log')),
    );
}

/** Secret values the Apps-Engine runtime's own call traces contain (setting values, request params). */
export function engineLogHits(host: TestHost, texts: { where: string; text: string }[]): SecretScan {
    return scanTexts(
        host,
        texts.filter((t) => t.where.startsWith('Apps-Engine runtime log')),
    );
}

function scanTexts(host: TestHost, texts: { where: string; text: string }[]): SecretScan {
    const values = secretValues(host);
    const hits: SecretHit[] = [];
    for (const { where, text } of texts) {
        for (const [secret, value] of Object.entries(values)) {
            const at = text.indexOf(value);
            if (at >= 0)
                hits.push({
                    secret,
                    where,
                    excerpt: text.slice(Math.max(0, at - 60), at + value.length + 20).replace(value, `<${secret}>`),
                });
        }
    }
    return {
        secretsChecked: Object.keys(values).filter((k) => k !== WEBHOOK_SEGMENT),
        textsScanned: texts.length,
        hits: hits.filter((h) => h.secret !== WEBHOOK_SEGMENT),
        webhookSegmentSeen: hits.filter((h) => h.secret === WEBHOOK_SEGMENT),
    };
}

export function formatScan(scan: SecretScan): string {
    return `secrets: ${scan.textsScanned} texts scanned for ${scan.secretsChecked.length} secret values (${scan.secretsChecked.join(', ')}) → ${scan.hits.length} hits${
        scan.hits.length
            ? `\n  ${scan.hits
                  .slice(0, 10)
                  .map((h) => `${h.secret} in ${h.where}: …${h.excerpt}…`)
                  .join('\n  ')}`
            : ''
    }${scan.webhookSegmentSeen.length ? ` (the webhook URL's secret segment appears ${scan.webhookSegmentSeen.length}× — ${[...new Set(scan.webhookSegmentSeen.map((h) => h.where.replace(/ r\w+$/, '')))].join(', ')})` : ''}`;
}
