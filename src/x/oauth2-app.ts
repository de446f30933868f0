import { TwitterApi } from 'twitter-api-v2';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';
import type { AppSettings } from '../settings/reader';

/**
 * The app's own OAuth 2.0 client, for the calls made as the app rather than with a user's token: the
 * authorize link, the code exchange, refreshing and revoking tokens. A public client has no secret.
 */
export function oauth2AppClient(
    settings: Pick<AppSettings, 'oauth2ClientId' | 'oauth2ClientSecret'>,
    plugins: ITwitterApiClientPlugin[],
): TwitterApi {
    return new TwitterApi(
        { clientId: settings.oauth2ClientId, clientSecret: settings.oauth2ClientSecret || undefined },
        { plugins },
    );
}
