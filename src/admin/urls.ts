import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { readAppSecrets, secretsEqual } from '../storage/app-secrets';

export const WEBHOOK_PATH = 'webhook/:secret';
export const OAUTH_CALLBACK_PATH = 'oauth/callback';

/** Rocket.Chat's public app endpoint address: /api/apps/public/<app id>/<path>, on the server's Site URL. */
async function publicEndpointUrl(read: IRead, appId: string, path: string): Promise<string> {
    const siteUrl = String(
        (await read.getEnvironmentReader().getServerSettings().getValueById('Site_Url')) ?? '',
    ).replace(/\/+$/, '');
    return `${siteUrl}/api/apps/public/${appId}/${path}`;
}

/** Whether a request's secret path segment is this installation's (anything else is answered 404). */
export async function isOurWebhook(read: IRead, secretSegment: string | undefined): Promise<boolean> {
    const secrets = await readAppSecrets(read.getPersistenceReader());
    return !!secrets && secretsEqual(secrets.webhookPath, secretSegment);
}

/** The webhook URL's last segment is a secret: status output and notices get pasted into bug reports. */
export const maskWebhookUrl = (url: string) => url.replace(/\/webhook\/[^/?#]+/, '/webhook/…');

export async function webhookUrl(read: IRead, appId: string, secretSegment: string): Promise<string> {
    return publicEndpointUrl(read, appId, WEBHOOK_PATH.replace(':secret', encodeURIComponent(secretSegment)));
}

export async function oauthCallbackUrl(read: IRead, appId: string): Promise<string> {
    return publicEndpointUrl(read, appId, OAUTH_CALLBACK_PATH);
}
