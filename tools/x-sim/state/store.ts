import type { SimClock } from '../core/clock';
import { SnowflakeIds } from '../core/ids';
import type { SeededRandom } from '../core/random';
import type {
    AccountActivitySubscription,
    ActivitySubscription,
    DeveloperApp,
    DmMessage,
    MediaUpload,
    Post,
    OAuth1AccessToken,
    OAuth1RequestToken,
    OAuth2AccessToken,
    OAuth2AuthorizationCode,
    OAuth2RefreshToken,
    Webhook,
    XUser,
} from './types';

/** All in-memory state of one simulator instance, plus its id and token generators. */
export class SimStore {
    readonly ids: SnowflakeIds;

    readonly apps = new Map<string, DeveloperApp>();
    readonly users = new Map<string, XUser>();
    /** App-only bearer token → app id. */
    readonly appBearerTokens = new Map<string, string>();
    readonly oauth1AccessTokens = new Map<string, OAuth1AccessToken>();
    readonly oauth1RequestTokens = new Map<string, OAuth1RequestToken>();
    readonly oauth2Codes = new Map<string, OAuth2AuthorizationCode>();
    readonly oauth2AccessTokens = new Map<string, OAuth2AccessToken>();
    readonly oauth2RefreshTokens = new Map<string, OAuth2RefreshToken>();
    /** DM history, in creation order (ids increase). */
    readonly messages: DmMessage[] = [];
    /** Public posts, in creation order (ids increase). */
    readonly posts: Post[] = [];
    readonly media = new Map<string, MediaUpload>();
    readonly webhooks = new Map<string, Webhook>();
    readonly activitySubscriptions = new Map<string, ActivitySubscription>();
    readonly accountActivitySubscriptions: AccountActivitySubscription[] = [];

    constructor(
        readonly clock: SimClock,
        readonly random: SeededRandom,
    ) {
        this.ids = new SnowflakeIds(clock, random);
    }

    /** A random opaque credential string (tokens, secrets, codes). */
    token(length = 40): string {
        return this.random.string(length);
    }

    appByConsumerKey(consumerKey: string): DeveloperApp | undefined {
        for (const app of this.apps.values()) if (app.consumerKey === consumerKey) return app;
        return undefined;
    }

    appByClientId(clientId: string): DeveloperApp | undefined {
        for (const app of this.apps.values()) if (app.clientId === clientId) return app;
        return undefined;
    }

    userByUsername(username: string): XUser | undefined {
        const wanted = username.toLowerCase();
        for (const user of this.users.values()) if (user.username.toLowerCase() === wanted) return user;
        return undefined;
    }

    requireUser(userId: string): XUser {
        const user = this.users.get(userId);
        if (!user) throw new Error(`x-sim: unknown user ${userId}`);
        return user;
    }

    requireApp(appId: string): DeveloperApp {
        const app = this.apps.get(appId);
        if (!app) throw new Error(`x-sim: unknown app ${appId}`);
        return app;
    }

    message(eventId: string): DmMessage | undefined {
        return this.messages.find((m) => m.id === eventId);
    }

    webhooksOfApp(appId: string): Webhook[] {
        return [...this.webhooks.values()].filter((w) => w.appId === appId);
    }
}

/** 1:1 conversation ids are `{smallerId}-{largerId}` (numeric order). */
export function conversationIdOf(a: string, b: string): string {
    const [low, high] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
    return `${low}-${high}`;
}
