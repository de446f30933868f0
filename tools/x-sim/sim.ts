import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueTokens, type TokenResponse } from './auth/oauth2-grants';
import { revokeUserAccess } from './auth/revocation';
import { buildServices, type XSimOptions } from './build-services';
import { isManualClock, type ManualClock, type SimClock } from './core/clock';
import type { CrcCheck } from './delivery/crc';
import type { CrcKeyKind } from './delivery/crc-key';
import type { DeliveryRecord, SignatureHeaderMode } from './delivery/dispatcher';
import { DEFAULT_APP, DEFAULT_BUSINESS_ACCOUNT, DEFAULT_BUSINESS_OAUTH1, SECOND_BUSINESS_ACCOUNT } from './defaults';
import { mediaUrls } from './dm/views';
import { serveRequest } from './http/pipeline';
import { newDmAttachment, type MediaHost, type VideoFacts } from './media/media-service';
import type { Faults } from './ops/faults';
import type { LedgerView } from './ops/ledger';
import type { RateLimitPolicy } from './ops/rate-limits';
import type { RequestLogEntry } from './ops/request-log';
import { ALL_ROUTES } from './routes';
import { accessTokenFor } from './routes/oauth1';
import type { ConsentSettings, SimServices } from './services';
import {
    createDeveloperApp,
    createXUser,
    type AppCredentials,
    type NewAppInput,
    type NewUserInput,
} from './state/accounts';
import type { DmMediaType, DmMessage, Webhook, XUser } from './state/types';
import { postInApp, postView, type CreatedPostView, type PostOptions, type PostView } from './posts/post-driver';

export interface DmMediaInput extends VideoFacts {
    type: DmMediaType;
    bytes: Buffer;
    contentType: string;
}

export interface DriverDm {
    from: string;
    to: string;
    text?: string;
    media?: DmMediaInput;
    /**
     * The X client it was typed in, when that client has an app id (X's web app does; AAA deliveries then
     * carry it as `source_app_id`). A documented guess: absent by default.
     */
    clientAppId?: string;
}

/** A DM as the driver reports it (what a user would see in the X app). */
export interface DmView {
    id: string;
    conversationId: string;
    senderId: string;
    recipientId: string;
    /** Stored text (links as t.co, plus the trailing media link). */
    text: string;
    /** X's `entities.urls`: each t.co link in `text` and the link it stands for (the last one, with media, the media's page). */
    urls: { url: string; expandedUrl: string }[];
    /** `url` is where X serves the file: ton.twitter.com for photos (authenticated), video.twimg.com for videos and GIFs. */
    media?: { mediaId: string; type: DmMediaType; contentType: string; bytes: Buffer; url: string };
    /** The app that sent it via the API; undefined when typed in the X app. */
    sourceAppId?: string;
    createdAt: number;
}

export interface SentDm {
    dm: DmView;
    deliveries: DeliveryRecord[];
}

export interface WaitOption {
    /** Wait for the resulting webhook deliveries' first attempts (default true). */
    awaitDelivery?: boolean;
}

/** Credentials a user pastes into the app after linking it with OAuth 1.0a. */
export interface OAuth1Link {
    appKey: string;
    appSecret: string;
    accessToken: string;
    accessSecret: string;
    userId: string;
    screenName: string;
}

export type WebhookView = Webhook;

/**
 * A running X simulator: HTTP server plus the driver API tests and the sandbox use. `C` is the
 * clock's type, so `sim.clock.advance()` type-checks with the default ManualClock.
 */
export class XSim<C extends SimClock = ManualClock> {
    readonly url: string;
    readonly port: number;
    /** Injected fault rules (API answers and webhook deliveries). */
    readonly faults: Faults;
    readonly clock: C;
    /** The seeded developer app (undefined with `seedDefaults: false`). */
    readonly defaultApp?: AppCredentials;
    /** The seeded business account (undefined with `seedDefaults: false`); `businesses[0]`. */
    readonly business?: XUser;
    /** The seeded business accounts, @AcmeSupport first (empty with `seedDefaults: false`). */
    readonly businesses: readonly XUser[];

    private readonly hanging = new Set<ServerResponse>();
    private readonly detachQuiesce?: () => void;

    private constructor(
        private readonly server: http.Server,
        private readonly services: SimServices,
        defaults: { app?: AppCredentials; businesses?: XUser[] },
        quiesceRealMs: number,
    ) {
        const { port } = server.address() as AddressInfo;
        this.port = port;
        this.url = `http://127.0.0.1:${port}`;
        this.faults = services.faults;
        // buildServices uses the given clock, or a ManualClock (C's default) when none is given.
        this.clock = services.clock as C;
        this.defaultApp = defaults.app;
        this.businesses = defaults.businesses ?? [];
        this.business = this.businesses[0];
        if (isManualClock(services.clock)) {
            this.detachQuiesce = services.clock.addQuiesceHook(async () => {
                services.dispatcher.releaseHeld();
                await services.inFlight.settleWithin(quiesceRealMs);
            });
        }
        services.webhooks.startPeriodicChecks();
    }

    static async start<C extends SimClock = ManualClock>(options: XSimOptions<C> = {}): Promise<XSim<C>> {
        const seedDefaults = options.seedDefaults ?? true;
        const services = buildServices(options, seedDefaults ? DEFAULT_BUSINESS_ACCOUNT.id : '');
        const defaults = seedDefaults ? seedDefaultAccounts(services, options.businessAccounts ?? 2) : {};
        let sim: XSim<C> | undefined;
        const server = http.createServer((incoming, outgoing) => {
            serveRequest(services, ALL_ROUTES, incoming, outgoing, (response) => sim?.hanging.add(response)).catch(
                (error) => {
                    console.error('x-sim: request failed', error);
                    if (!outgoing.headersSent) outgoing.writeHead(500).end();
                },
            );
        });
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
        });
        sim = new XSim<C>(server, services, defaults, options.quiesceRealMs ?? 250);
        return sim;
    }

    async close(): Promise<void> {
        this.services.webhooks.stopPeriodicChecks();
        this.detachQuiesce?.();
        for (const response of this.hanging) response.destroy();
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
        await this.services.inFlight.settle();
    }

    // ---- accounts ---------------------------------------------------------------------------

    createApp(input: NewAppInput = {}): AppCredentials {
        return createDeveloperApp(this.services.store, input);
    }

    createUser(input: NewUserInput): XUser {
        const user = createXUser(this.services.store, input);
        // Without seeded defaults the first user is the one "signed in" at the consent pages.
        if (!this.services.store.users.has(this.services.consent.userId)) this.services.consent.userId = user.id;
        return user;
    }

    user(userId: string): XUser {
        return this.services.store.requireUser(userId);
    }

    /** Changes who a user accepts DMs from. */
    setAcceptsDmsFrom(userId: string, acceptsDmsFrom: XUser['acceptsDmsFrom']): void {
        this.services.store.requireUser(userId).acceptsDmsFrom = acceptsDmsFrom;
    }

    /** `blocker` blocks `blocked` (who then can't DM them). */
    block(blockerId: string, blockedId: string): void {
        this.services.store.requireUser(blockerId).blocked.add(blockedId);
    }

    addCallbackUrl(appId: string, url: string): void {
        const app = this.services.store.requireApp(appId);
        if (!app.callbackUrls.includes(url)) app.callbackUrls.push(url);
    }

    /** Links a user to an app with OAuth 1.0a, as if they completed the flow; returns pasteable credentials. */
    linkOAuth1(appId: string, userId: string): OAuth1Link {
        const app = this.services.store.requireApp(appId);
        const user = this.services.store.requireUser(userId);
        const token = accessTokenFor(this.services, app.id, user.id);
        return {
            appKey: app.consumerKey,
            appSecret: app.consumerSecret,
            accessToken: token.token,
            accessSecret: token.secret,
            userId: user.id,
            screenName: user.username,
        };
    }

    /** Issues OAuth 2.0 user tokens directly, skipping the browser flow. */
    linkOAuth2(
        appId: string,
        userId: string,
        scopes: string[] = ['tweet.read', 'users.read', 'dm.read', 'dm.write', 'media.write', 'offline.access'],
    ): TokenResponse {
        this.services.store.requireUser(userId);
        return issueTokens(this.services, this.services.store.requireApp(appId), userId, scopes);
    }

    /** The user revokes app access: their tokens for the app (or all apps) stop working, AAA subscriptions end. */
    revokeUserTokens(userId: string, appId?: string): void {
        revokeUserAccess(this.services, userId, appId);
    }

    /**
     * Every credential X issued, by kind: OAuth 2.0 authorization codes, access and refresh tokens (rotated
     * ones too), OAuth 1.0a tokens and their secrets, app-only bearer tokens. What must never leak anywhere.
     */
    issuedCredentials(): { kind: string; value: string }[] {
        const store = this.services.store;
        return [
            ...[...store.oauth2Codes.keys()].map((value) => ({ kind: 'OAuth 2.0 authorization code', value })),
            ...[...store.oauth2AccessTokens.keys()].map((value) => ({ kind: 'OAuth 2.0 access token', value })),
            ...[...store.oauth2RefreshTokens.keys()].map((value) => ({ kind: 'OAuth 2.0 refresh token', value })),
            ...[...store.oauth1AccessTokens.values()].flatMap((t) => [
                { kind: 'OAuth 1.0a access token', value: t.token },
                { kind: 'OAuth 1.0a access token secret', value: t.secret },
            ]),
            ...[...store.oauth1RequestTokens.values()].map((t) => ({
                kind: 'OAuth 1.0a request token secret',
                value: t.secret,
            })),
            ...[...store.appBearerTokens.keys()].map((value) => ({ kind: 'app-only bearer token', value })),
        ];
    }

    /** Which secret X keys the app's CRC challenges with from the next check on (X changed it in 2026). */
    setCrcKey(kind: CrcKeyKind, appId = this.requireDefaultAppId()): void {
        this.services.store.requireApp(appId);
        this.services.webhooks.setCrcKey(appId, kind);
    }

    /**
     * Whether X can reach webhook URLs. Unreachable, every CRC challenge and delivery fails to connect:
     * registering or re-validating a webhook answers 400 `CrcValidationFailed` (research/x-api.md §3; X's
     * webhooks docs list it as the reason when the CRC check fails), deliveries are retried and dropped, and
     * X's own hourly check marks the webhook invalid only after 28 hours of such failures (§2).
     */
    setWebhookReachable(reachable: boolean): void {
        this.faults.webhookUnreachable = !reachable;
    }

    /** The app's prepaid pay-per-use balance in USD (undefined = unlimited, the default). */
    setCredits(usd: number | undefined, appId = this.requireDefaultAppId()): void {
        this.services.ledger.setCredits(this.services.store.requireApp(appId).id, usd);
    }

    /** Buys credits: X accepts calls again once the balance is above zero. */
    addCredits(usd: number, appId = this.requireDefaultAppId()): void {
        this.services.ledger.addCredits(this.services.store.requireApp(appId).id, usd);
    }

    credits(appId = this.requireDefaultAppId()): number | undefined {
        return this.services.ledger.credits(appId);
    }

    /** Deletes a webhook (and its subscriptions) as the developer portal does, behind the app's back. */
    deleteWebhook(webhookId: string): void {
        const webhook = this.services.store.webhooks.get(webhookId);
        if (!webhook) throw new Error(`x-sim: no webhook ${webhookId}`);
        this.services.webhooks.delete(webhook);
    }

    private requireDefaultAppId(): string {
        if (!this.defaultApp) throw new Error('x-sim: no default app (seedDefaults: false); pass an app id');
        return this.defaultApp.id;
    }

    /** Who is "signed in" at the OAuth pages, and whether they approve, deny, or see a consent page. */
    setConsent(consent: Partial<ConsentSettings>): void {
        Object.assign(this.services.consent, consent);
    }

    /**
     * Runs `authorize` with `userId` signed in at X's authorization pages (e.g. to link a second business
     * account), then signs the previous user back in, whatever `authorize` did.
     */
    async signedInAs<T>(userId: string, authorize: () => Promise<T>): Promise<T> {
        this.services.store.requireUser(userId);
        const previous = this.services.consent.userId;
        this.services.consent.userId = userId;
        try {
            return await authorize();
        } finally {
            this.services.consent.userId = previous;
        }
    }

    // ---- conversation activity --------------------------------------------------------------

    /** A customer (or anyone) DMs a user from the X app; delivered to subscribed webhooks. */
    async sendDm(dm: DriverDm, wait: WaitOption = {}): Promise<SentDm> {
        const refusal = this.services.dms.refusalFor(dm.from, dm.to, dm.text);
        if (refusal) throw new Error(`x-sim: X would refuse this DM: ${refusal.message}`);
        if (!dm.text && !dm.media) throw new Error('x-sim: a DM needs text or media');
        const { message, deliveries } = this.services.dms.create({
            senderId: dm.from,
            recipientId: dm.to,
            text: dm.text,
            attachment: dm.media
                ? newDmAttachment(
                      this.services.store,
                      this.services.store.ids.next(),
                      dm.media.type,
                      dm.media.contentType,
                      dm.media.bytes,
                      dm.media,
                  )
                : undefined,
            sourceAppId: dm.clientAppId,
        });
        if (wait.awaitDelivery ?? true) await this.settle();
        return { dm: dmView(message), deliveries };
    }

    /** The business account types a reply in X's own app (delivered as `dm.sent` without our app id). */
    typeInNativeApp(
        input: { account: string; to: string; text?: string; media?: DmMediaInput; clientAppId?: string },
        wait: WaitOption = {},
    ): Promise<SentDm> {
        return this.sendDm(
            { from: input.account, to: input.to, text: input.text, media: input.media, clientAppId: input.clientAppId },
            wait,
        );
    }

    // ---- public posts -------------------------------------------------------------------------

    /**
     * A customer mentions the business in a public post from X's app (`@handle` is put first unless the text has
     * it); with `retweet` it reposts a post instead. Delivered as XAA `post.mention.create` / AAA
     * `tweet_create_events` to subscribed webhooks.
     */
    async customerMentions(
        customerId: string,
        businessId: string,
        text: string,
        options: PostOptions = {},
        wait: WaitOption = {},
    ): Promise<CreatedPostView> {
        const handle = `@${this.user(businessId).username}`;
        const mentioned = text.toLowerCase().includes(handle.toLowerCase()) ? text : `${handle} ${text}`;
        return this.postFromApp(customerId, options.inReplyTo || options.retweet ? text : mentioned, options, wait);
    }

    /** Anyone posts from X's app: a reply typed there by the business (no app id), or any other post. */
    async postFromApp(
        authorId: string,
        text: string,
        options: PostOptions = {},
        wait: WaitOption = {},
    ): Promise<CreatedPostView> {
        const { post, deliveries } = postInApp(this.services, authorId, text, options);
        if (wait.awaitDelivery ?? true) await this.settle();
        return { post: postView(post), deliveries };
    }

    post(postId: string): PostView | undefined {
        const post = this.services.posts.post(postId);
        return post ? postView(post) : undefined;
    }

    /** Posts by `authorId`, oldest first; `inReplyTo` narrows to its replies to one post. */
    postsBy(authorId: string, filter: { inReplyTo?: string } = {}): PostView[] {
        return this.services.store.posts
            .filter((p) => p.authorId === authorId && (!filter.inReplyTo || p.inReplyToPostId === filter.inReplyTo))
            .map(postView);
    }

    /** Every post of a thread (its conversation id), oldest first. */
    thread(conversationId: string): PostView[] {
        return this.services.store.posts.filter((p) => p.conversationId === conversationId).map(postView);
    }

    deletePost(postId: string): void {
        this.services.posts.delete(postId);
    }

    async indicateTyping(input: { from: string; to: string }, wait: WaitOption = {}): Promise<DeliveryRecord[]> {
        const deliveries = this.services.fanOut.publish({
            kind: 'typing',
            actorId: input.from,
            targetId: input.to,
            at: this.clock.now(),
        });
        if (wait.awaitDelivery ?? true) await this.settle();
        return deliveries;
    }

    /** `reader` reads `of`'s messages (up to the latest one unless given). */
    async markRead(
        input: { reader: string; of: string; lastReadEventId?: string },
        wait: WaitOption = {},
    ): Promise<DeliveryRecord[]> {
        const lastReadEventId =
            input.lastReadEventId ??
            this.services.dms.historyOf(input.reader, input.of).find((m) => m.senderId === input.of)?.id;
        if (!lastReadEventId) throw new Error(`x-sim: ${input.of} has sent nothing to ${input.reader} to mark read`);
        const deliveries = this.services.fanOut.publish({
            kind: 'read',
            actorId: input.reader,
            targetId: input.of,
            lastReadEventId,
            at: this.clock.now(),
        });
        if (wait.awaitDelivery ?? true) await this.settle();
        return deliveries;
    }

    /** DMs `accountId` sent (optionally only to `to`), oldest first. */
    dmsSentBy(accountId: string, filter: { to?: string } = {}): DmView[] {
        return this.services.store.messages
            .filter((m) => m.senderId === accountId && (!filter.to || m.recipientId === filter.to))
            .map(dmView);
    }

    /** Every DM between two users, oldest first. */
    conversation(a: string, b: string): DmView[] {
        return this.services.store.messages
            .filter((m) => (m.senderId === a && m.recipientId === b) || (m.senderId === b && m.recipientId === a))
            .map(dmView);
    }

    // ---- observation ------------------------------------------------------------------------

    ledger(filter: { appId?: string } = {}): LedgerView {
        return this.services.ledger.view(filter);
    }

    requests(): RequestLogEntry[] {
        return this.services.requestLog.list();
    }

    webhooks(): WebhookView[] {
        return [...this.services.store.webhooks.values()].map((webhook) => ({ ...webhook }));
    }

    deliveries(): DeliveryRecord[] {
        return this.services.dispatcher.list();
    }

    crcChecks(): CrcCheck[] {
        return this.services.crc.list();
    }

    /** Runs X's periodic CRC re-check now (all webhooks, or one). */
    runCrcCheck(webhookId?: string): Promise<CrcCheck[]> {
        return this.services.webhooks.runPeriodicChecks(webhookId);
    }

    /** Whether a media host answers Range requests (defaults: MediaService.rangeSupport). */
    setMediaRangeSupport(host: MediaHost, enabled: boolean): void {
        this.services.media.rangeSupport[host] = enabled;
    }

    /** The Content-Type a media host answers with (undefined: its usual one). */
    setMediaContentType(host: MediaHost, contentType: string | undefined): void {
        if (contentType === undefined) delete this.services.media.answerType[host];
        else this.services.media.answerType[host] = contentType;
    }

    /** Which signature headers deliveries carry from now on (default `auto`: the OAuth 2.0 one alone for an app with a client secret). */
    setSignatureHeaders(mode: SignatureHeaderMode): void {
        this.services.dispatcher.signatureHeaders = mode;
    }

    setRateLimit(endpointKey: string, policy: Partial<RateLimitPolicy>): void {
        this.services.rateLimiter.setPolicy(endpointKey, policy);
    }

    /** Waits until no webhook delivery or CRC check is in flight (held reorders are released). */
    async settle(): Promise<void> {
        this.services.dispatcher.releaseHeld();
        await this.services.inFlight.settle();
    }
}

function dmView(message: DmMessage): DmView {
    const { attachment } = message;
    return {
        id: message.id,
        conversationId: message.conversationId,
        senderId: message.senderId,
        recipientId: message.recipientId,
        text: message.text,
        urls: message.urls.map((u) => ({ url: u.url, expandedUrl: u.expandedUrl })),
        media: attachment
            ? {
                  mediaId: attachment.mediaId,
                  type: attachment.type,
                  contentType: attachment.contentType,
                  bytes: attachment.bytes,
                  url: mediaUrls(message, attachment).file,
              }
            : undefined,
        sourceAppId: message.sourceAppId,
        createdAt: message.createdAt,
    };
}

function seedDefaultAccounts(services: SimServices, count: 1 | 2): { app: AppCredentials; businesses: XUser[] } {
    const app = createDeveloperApp(services.store, { ...DEFAULT_APP, callbackUrls: [...DEFAULT_APP.callbackUrls] });
    const business = createXUser(services.store, {
        ...DEFAULT_BUSINESS_ACCOUNT,
        description: 'Customer support (simulated)',
        verified: true,
    });
    const businesses = [business];
    // The second account has no pasted tokens: it links with OAuth 2.0, as a second account must.
    if (count === 2)
        businesses.push(
            createXUser(services.store, {
                ...SECOND_BUSINESS_ACCOUNT,
                description: 'Sales (simulated)',
                verified: true,
            }),
        );
    services.store.oauth1AccessTokens.set(DEFAULT_BUSINESS_OAUTH1.accessToken, {
        token: DEFAULT_BUSINESS_OAUTH1.accessToken,
        secret: DEFAULT_BUSINESS_OAUTH1.accessSecret,
        appId: app.id,
        userId: business.id,
        revoked: false,
    });
    return { app, businesses };
}

/** Starts a simulator on 127.0.0.1 (see XSimOptions); `close()` it when done. */
export function startXSim<C extends SimClock = ManualClock>(options: XSimOptions<C> = {}): Promise<XSim<C>> {
    return XSim.start(options);
}
