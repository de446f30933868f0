/**
 * The developer app, business account and credentials every simulator starts with (unless
 * `seedDefaults: false`), so the common test needs no setup. Fixed strings, independent of the seed.
 */

export const DEFAULT_APP = {
    id: '29820954',
    name: 'Rocket.Chat Omnichannel (x-sim)',
    url: 'https://rocket.chat',
    consumerKey: 'xsimConsumerKey0000000001',
    consumerSecret: 'xsimConsumerSecret00000000000000000000000000000001',
    clientId: 'eHNpbUNsaWVudElkMDAwMDAwMDAwMDAwMDE6MTpjaQ',
    clientSecret: 'xsimClientSecret000000000000000000000000000000001',
    /** Pre-issued app-only bearer token (POST /oauth2/token returns the same one). */
    bearerToken: 'AAAAAAAAAAAAAAAAAAAAAXSimBearerToken000000000000000000000000000000000001',
    callbackUrls: ['http://127.0.0.1/callback', 'https://example.com/oauth/callback'],
} as const;

export const DEFAULT_BUSINESS_ACCOUNT = {
    id: '1600000000000000001',
    username: 'AcmeSupport',
    name: 'Acme Support',
} as const;

/**
 * A second business account of the same company (a sales handle next to support), seeded unless
 * `businessAccounts: 1`: several accounts linked to one developer app share the app's limits and webhook.
 */
export const SECOND_BUSINESS_ACCOUNT = {
    id: '1600000000000000002',
    username: 'AcmeSales',
    name: 'Acme Sales',
} as const;

/** OAuth 1.0a access token of the business account for DEFAULT_APP ("pasted tokens"). */
export const DEFAULT_BUSINESS_OAUTH1 = {
    accessToken: '1600000000000000001-xsimAccessToken000000000000000001',
    accessSecret: 'xsimAccessSecret0000000000000000000000000000001',
} as const;

export const DEFAULT_SEED = 1;
