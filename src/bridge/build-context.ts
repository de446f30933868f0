/**
 * Assembles a BridgeContext for one unit of work. Settings, the linked account and the app secrets are
 * read through short-lived in-memory caches (each read would be a round trip to the server); the X client
 * is built only when something actually talks to X.
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';
import { readSettings } from '../settings/reader';
import { tokensRecord } from '../storage/account';
import { cachedAccount } from '../storage/account-cache';
import { readAppSecrets } from '../storage/app-secrets';
import { ConversationStore } from '../storage/conversations';
import { recordBillable } from '../storage/ledger';
import { TwitterXClient } from '../x/client';
import type { XClient, XFailure } from '../x/client-types';
import { CreditsAccessors, noteCreditsDepleted } from '../admin/credits';
import { markLinkBroken } from '../admin/link-broken';
import { CredentialSource, credentialSource } from '../x/credentials';
import { ihttpSender } from '../x/ihttp-sender';
import { rateLimits } from '../x/limits';
import { createTransportPlugin } from '../x/transport';
import type { BridgeContext } from './context';

export { invalidateAccount } from '../storage/account-cache';

export type ContextResult = { ok: true; ctx: BridgeContext } | { ok: false; reason: 'not-linked' | 'not-installed' };

export interface ContextOptions {
    /** Record X's DM event reads in the ledger (polling and confirmation lookups). */
    billReads?: boolean;
    /** Credentials other than the linked account's (a token waiting for the admin's confirmation). */
    credentials?: CredentialSource;
    /** Where the app may react to failures that concern everyone (depleted credits, a broken link). */
    modify?: IModify;
}

/** How every X call travels: Rocket.Chat's HTTP accessor, with X's rate-limit headers noted on the way back. */
export function xTransport(http: IHttp, now: () => number): ITwitterApiClientPlugin[] {
    return [createTransportPlugin(ihttpSender(http), (info) => rateLimits.observe(info, now()))];
}

export function xClientFor(
    read: IRead,
    http: IHttp,
    persistence: IPersistence | undefined,
    settings: BridgeContext['settings'],
    now: () => number,
    options: ContextOptions = {},
): XClient {
    const plugins = xTransport(http, now);
    const modify = options.modify;
    return new TwitterXClient({
        credentials:
            options.credentials ??
            credentialSource({
                settings,
                tokens: {
                    read: () => tokensRecord.read(read.getPersistenceReader()),
                    write: persistence && ((tokens) => tokensRecord.write(persistence, tokens)),
                },
                plugins,
                now,
            }),
        plugins,
        now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        onDmEventsRead:
            options.billReads && persistence
                ? (count) => recordBillable(persistence, 'dm_event_read', count, now())
                : undefined,
        // Public posts read (the mentions timeline, a thread's root looked up). Replies are billed by the
        // record that also recognizes their echo (storage/public-threads.ts recordOwnReply), not here.
        onPostsRead: persistence ? (count) => recordBillable(persistence, 'post_read', count, now()) : undefined,
        // A token still waiting for the admin's confirmation is not the linked account's: its failures concern only the caller.
        onFailure:
            modify && persistence && !options.credentials
                ? (failure, credentials) => reactToXFailure({ read, modify, persistence }, failure, credentials, now())
                : undefined,
    });
}

/**
 * Failures that concern every part of the app are handled here once, whoever's call met them: depleted
 * credits pause everything until X accepts calls again; X refusing the account's own credentials (it
 * answered, status ≠ 0) means the link is broken.
 */
async function reactToXFailure(
    a: CreditsAccessors,
    failure: XFailure,
    credentials: 'user' | 'app',
    now: number,
): Promise<void> {
    if (failure.kind === 'credits-depleted') await noteCreditsDepleted(a, now);
    else if (failure.kind === 'token-invalid' && credentials === 'user' && failure.status !== 0)
        await markLinkBroken(a, now);
}

export async function buildBridgeContext(
    read: IRead,
    modify: IModify,
    persistence: IPersistence,
    http: IHttp,
    logger: ILogger,
    options: ContextOptions = { billReads: true },
): Promise<ContextResult> {
    const now = () => Date.now();
    const [settings, account, secrets] = await Promise.all([
        readSettings(read),
        cachedAccount(read, now()),
        readAppSecrets(read.getPersistenceReader()),
    ]);
    if (!secrets) return { ok: false, reason: 'not-installed' };
    if (!account) return { ok: false, reason: 'not-linked' };
    let client: XClient | undefined;
    const ctx: BridgeContext = {
        read,
        modify,
        persistence,
        http,
        settings,
        account,
        secrets,
        conversations: new ConversationStore(),
        x: async () => (client ??= xClientFor(read, http, persistence, settings, now, { ...options, modify })),
        now,
        logger,
    };
    return { ok: true, ctx };
}
