import type { SimStore } from './store';
import type { DeveloperApp, DmAcceptance, OAuth1AccessLevel, XUser } from './types';

export interface NewAppInput {
    id?: string;
    name?: string;
    url?: string;
    consumerKey?: string;
    consumerSecret?: string;
    clientId?: string;
    /** `null` makes a public OAuth 2.0 client. */
    clientSecret?: string | null;
    bearerToken?: string;
    callbackUrls?: string[];
    oauth1AccessLevel?: OAuth1AccessLevel;
    webhookLimit?: number;
    accountActivitySubscriptionLimit?: number;
}

/** A developer app together with its app-only bearer token. */
export interface AppCredentials extends DeveloperApp {
    bearerToken: string;
}

export function createDeveloperApp(store: SimStore, input: NewAppInput = {}): AppCredentials {
    const id = input.id ?? store.random.digits(8);
    if (store.apps.has(id)) throw new Error(`x-sim: app ${id} already exists`);
    const app: DeveloperApp = {
        id,
        name: input.name ?? `x-sim app ${id}`,
        url: input.url ?? 'https://example.com',
        consumerKey: input.consumerKey ?? store.token(25),
        consumerSecret: input.consumerSecret ?? store.token(50),
        clientId: input.clientId ?? store.token(34),
        clientSecret: input.clientSecret === undefined ? store.token(50) : input.clientSecret,
        callbackUrls: [...(input.callbackUrls ?? ['http://127.0.0.1/callback'])],
        oauth1AccessLevel: input.oauth1AccessLevel ?? 'read-write-dm',
        webhookLimit: input.webhookLimit ?? 1,
        accountActivitySubscriptionLimit: input.accountActivitySubscriptionLimit ?? 3,
    };
    const bearerToken = input.bearerToken ?? `AAAAAAAAAAAAAAAAAAAAA${store.token(80)}`;
    store.apps.set(id, app);
    store.appBearerTokens.set(bearerToken, id);
    return { ...app, bearerToken };
}

export interface NewUserInput {
    id?: string;
    username: string;
    name?: string;
    profileImageUrl?: string;
    description?: string;
    protected?: boolean;
    verified?: boolean;
    acceptsDmsFrom?: DmAcceptance;
}

/** X handles: 1–15 letters, digits or underscores. */
const USERNAME_PATTERN = /^[A-Za-z0-9_]{1,15}$/;

export function createXUser(store: SimStore, input: NewUserInput): XUser {
    if (!USERNAME_PATTERN.test(input.username))
        throw new Error(`x-sim: @${input.username} is not a valid X username (1-15 letters, digits, _)`);
    if (store.userByUsername(input.username)) throw new Error(`x-sim: username @${input.username} is taken`);
    const id = input.id ?? store.ids.next();
    if (store.users.has(id)) throw new Error(`x-sim: user ${id} already exists`);
    const user: XUser = {
        id,
        username: input.username,
        name: input.name ?? input.username,
        profileImageUrl:
            input.profileImageUrl ?? `https://pbs.twimg.com/profile_images/${id}/${input.username}_normal.jpg`,
        description: input.description ?? '',
        createdAt: store.clock.now(),
        protected: input.protected ?? false,
        verified: input.verified ?? false,
        acceptsDmsFrom: input.acceptsDmsFrom ?? 'everyone',
        blocked: new Set(),
    };
    store.users.set(id, user);
    return user;
}
