/**
 * Assembles a BridgeContext for one unit of work, for one linked account (the entry point says which: the
 * event's recipient, the conversation's visitor token, the job's data). Settings, the account registry and
 * the app secrets are read through short-lived in-memory caches (each read would be a round trip to the
 * server); the X client is built only when something actually talks to X.
 */
import { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';
import { readSettings } from '../settings/reader';
import { LinkedAccount, readForAccount, tokensRecords } from '../storage/accounts';
import { accountNamed, cachedAccounts } from '../storage/account-cache';
import { readAppSecrets } from '../storage/app-secrets';
import { ConversationStore } from '../storage/conversations';
import { recordBillable } from '../storage/ledger';
import { TwitterXClient } from '../x/client';
import type { XClient, XFailure } from '../x/client-types';
import { CreditsAccessors, noteCreditsDepleted } from '../admin/credits';
import { markLinkBroken } from '../admin/link-broken';
import { CredentialSource, credentialSource } from '../x/credentials';
import { ihttpSender } from '../x/ihttp-sender';
import { observeLimits } from '../x/limits';
import { createTransportPlugin } from '../x/transport';
import type { BridgeContext } from './context';

export { invalidateAccount } from '../storage/account-cache';

export type ContextResult =
    { ok: true; ctx: BridgeContext } | { ok: false; reason: 'not-linked' | 'not-installed' | 'unknown-account' };

export interface ContextOptions {
    /**
     * The linked account whose credentials user-context calls use (and whose rate-limit book they note);
     * without one, only app-only calls can be made.
     */
    account?: Pick<LinkedAccount, 'accountId' | 'authMethod'>;
    /** Record X's DM event reads in the ledger (polling and confirmation lookups). */
    billReads?: boolean;
    /** Credentials other than the linked account's (a token waiting for the admin's confirmation). */
    credentials?: CredentialSource;
    /** Where the app may react to failures that concern everyone (depleted credits, a broken link). */
    modify?: IModify;
}

/**
 * How every X call travels: Rocket.Chat's HTTP accessor, with X's rate-limit headers noted on the way back
 * in the book of the account the call is for.
 */
export function xTransport(http: IHttp, now: () => number, accountId?: string): ITwitterApiClientPlugin[] {
    return [createTransportPlugin(ihttpSender(http), (info) => observeLimits(accountId, info, now()))];
}

export function xClientFor(
    read: IRead,
    http: IHttp,
    persistence: IPersistence | undefined,
    settings: BridgeContext['settings'],
    now: () => number,
    options: ContextOptions = {},
): XClient {
    const account = options.account;
    const plugins = xTransport(http, now, account?.accountId);
    const modify = options.modify;
    const accountId = account?.accountId ?? '';
    return new TwitterXClient({
        credentials:
            options.credentials ??
            credentialSource({
                // Developer-portal tokens (settings) are the account they name; other accounts use OAuth 2.0.
                settings: account ? { ...settings, authMethod: account.authMethod } : settings,
                accountId,
                tokens: {
                    read: async () =>
                        account && readForAccount(read.getPersistenceReader(), tokensRecords, account.accountId),
                    write:
                        account && persistence && ((tokens) => tokensRecords.of(accountId).write(persistence, tokens)),
                },
                plugins,
                now,
            }),
        plugins,
        now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        onDmEventsRead:
            options.billReads && persistence
                ? (count) => recordBillable(persistence, 'dm_event_read', count, now(), account?.accountId)
                : undefined,
        // Public posts read (the mentions timeline, a thread's root looked up). Replies are billed by the
        // record that also recognizes their echo (storage/public-threads.ts recordOwnReply), not here.
        onPostsRead: persistence
            ? (count) => recordBillable(persistence, 'post_read', count, now(), account?.accountId)
            : undefined,
        // A token still waiting for the admin's confirmation is not the linked account's: its failures concern only the caller.
        onFailure:
            modify && persistence && !options.credentials
                ? (failure, credentials) =>
                      reactToXFailure({ read, modify, persistence }, failure, credentials, accountId, now())
                : undefined,
    });
}

/**
 * Failures that concern every part of the app are handled here once, whoever's call met them: depleted
 * credits (the X app's) pause everything until X accepts calls again; X refusing an account's own
 * credentials (it answered, status ≠ 0) means that account's link is broken.
 */
async function reactToXFailure(
    a: CreditsAccessors,
    failure: XFailure,
    credentials: 'user' | 'app',
    accountId: string,
    now: number,
): Promise<void> {
    if (failure.kind === 'credits-depleted') await noteCreditsDepleted(a, now);
    else if (failure.kind === 'token-invalid' && credentials === 'user' && failure.status !== 0 && accountId)
        await markLinkBroken(a, now, accountId);
}

/**
 * Whether a stored record (a waiting DM, an in-doubt event, a mirror candidate) naming `accountId` is the
 * context's account's to handle. Records of versions that served one account may name none: they belong to
 * the account linked longest, as the jobs' data of those versions does.
 */
export async function handlesRecordOf(ctx: BridgeContext, accountId: string | undefined): Promise<boolean> {
    if (accountId !== undefined) return accountId === ctx.account.accountId;
    return accountNamed(await cachedAccounts(ctx.read, ctx.now()), undefined)?.accountId === ctx.account.accountId;
}

/**
 * The context for `accountId`; `undefined` names the only linked account (job data and events stored by
 * versions that served one account name none). `unknown-account`: not linked here (or, with several
 * linked, none was named).
 */
export async function buildBridgeContext(
    read: IRead,
    modify: IModify,
    persistence: IPersistence,
    http: IHttp,
    logger: ILogger,
    accountId: string | undefined,
    options: Omit<ContextOptions, 'account'> = { billReads: true },
): Promise<ContextResult> {
    const now = () => Date.now();
    const [settings, accounts, secrets] = await Promise.all([
        readSettings(read),
        cachedAccounts(read, now()),
        readAppSecrets(read.getPersistenceReader()),
    ]);
    if (!secrets) return { ok: false, reason: 'not-installed' };
    if (accounts.length === 0) return { ok: false, reason: 'not-linked' };
    const account = accountNamed(accounts, accountId);
    if (!account) return { ok: false, reason: 'unknown-account' };
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
        x: async () => (client ??= xClientFor(read, http, persistence, settings, now, { ...options, account, modify })),
        now,
        logger,
    };
    return { ok: true, ctx };
}
