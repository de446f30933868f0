/**
 * Linking a business X account: with developer-portal tokens (verified with /2/users/me, no browser; the
 * one account those settings name), or with OAuth 2.0 Authorization Code + PKCE (a link for the admin, the
 * callback, then the admin's confirmation in the setup room: see pending-link.ts), which adds an account
 * to the registry — or gives an account already linked its new tokens. Either way the account is stored,
 * delivery is registered at X for the chosen mode, and the outcome is reported. Unlinking: unlink.ts.
 */
import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IUser } from '@rocket.chat/apps-engine/definition/users';
import { randomBytes } from 'crypto';
import { oauth2AppClient } from '../x/oauth2-app';
import { invalidateAccount, xClientFor, xTransport } from '../bridge/build-context';
import { AuthMethod } from '../settings/ids';
import { AppSettings, readSettings } from '../settings/reader';
import { DeliveryRegistration, LinkedAccount, readAccount, tokensRecords, writeAccount } from '../storage/accounts';
import { AppSecrets, ensureAppSecrets } from '../storage/app-secrets';
import type { XUser } from '../x/client-types';
import type { I18nKey } from '../i18n/translate';
import { failureReasonKey } from '../i18n/x-failures';
import {
    forgetCachedCredentials,
    OAuth2Tokens,
    OAUTH2_SCOPES,
    rememberTokens,
    unstoredTokenSource,
} from '../x/credentials';
import { toXFailure } from '../x/errors';
import { rememberAppliedDelivery } from './apply-settings';
import { deliveryPrerequisite } from './delivery';
import { setUpDelivery } from './auto-delivery';
import { DailyVolume, readDailyVolume } from './delivery-explain';
import { oauthCallbackUrl, webhookUrl } from './urls';
import { OAuthState, oauthStateKey } from '../storage/link-records';

export interface AdminAccessors {
    read: IRead;
    modify: IModify;
    persistence: IPersistence;
    http: IHttp;
    appId: string;
    now(): number;
}

export type LinkOutcome =
    | {
          ok: true;
          account: LinkedAccount;
          delivery?: DeliveryRegistration;
          /** For Automatic's explanation of its choice: the day's volume (cost a day) and the polling delay. */
          automaticFacts?: { volume: DailyVolume; pollingIntervalSeconds: number };
          deliveryProblem?: I18nKey;
          deliveryDetail?: string;
      }
    | { ok: false; reasonKey: I18nKey; detail?: string };

const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** i18n key explaining why the settings cannot link an account, or undefined when they can. */
function linkPrerequisite(settings: AppSettings): I18nKey | undefined {
    if (settings.authMethod === AuthMethod.Tokens) {
        return settings.apiKey && settings.apiKeySecret && settings.accessToken && settings.accessTokenSecret
            ? undefined
            : 'link_needs_tokens';
    }
    return settings.oauth2ClientId ? undefined : 'link_needs_client_id';
}

/** Stores the account, then registers delivery for the chosen mode (a delivery problem does not undo the link). */
async function completeLink(
    a: AdminAccessors,
    settings: AppSettings,
    me: XUser,
    admin: string,
    secrets: AppSecrets,
): Promise<LinkOutcome> {
    // The same account signing in again keeps what was learnt about it and its department.
    const previous = await readAccount(a.read.getPersistenceReader(), me.id);
    const account: LinkedAccount = {
        accountId: me.id,
        username: me.username,
        name: me.name,
        authMethod: settings.authMethod,
        linkedAt: a.now(),
        linkedBy: admin,
        ownSourceAppIds: previous?.ownSourceAppIds,
        department: previous?.department,
    };
    await writeAccount(a.persistence, account);
    invalidateAccount();
    const problem = deliveryPrerequisite(settings);
    if (problem) return { ok: true, account, deliveryProblem: problem };
    try {
        const delivery = await setUpDelivery({
            x: xClientFor(a.read, a.http, a.persistence, settings, a.now, { account }),
            reader: a.read.getPersistenceReader(),
            persistence: a.persistence,
            modify: a.modify,
            settings,
            account,
            webhookUrl: await webhookUrl(a.read, a.appId, secrets.webhookPath),
            now: a.now,
        });
        await rememberAppliedDelivery(a.persistence, settings);
        const automaticFacts = delivery.automatic && {
            volume: await readDailyVolume(a.read.getPersistenceReader(), a.now()),
            pollingIntervalSeconds: settings.pollingIntervalSeconds,
        };
        return { ok: true, account, delivery, automaticFacts: automaticFacts || undefined };
    } catch (e) {
        const failure = toXFailure(e, a.now());
        return { ok: true, account, deliveryProblem: failureReasonKey(failure.kind), deliveryDetail: failure.detail };
    }
}

export async function linkWithTokens(a: AdminAccessors, admin: Pick<IUser, 'id'>): Promise<LinkOutcome> {
    const settings = await readSettings(a.read);
    const missing = linkPrerequisite({ ...settings, authMethod: AuthMethod.Tokens });
    if (missing) return { ok: false, reasonKey: missing };
    forgetCachedCredentials();
    try {
        // No account yet: the settings' tokens are the credentials, as the account they name.
        const me = await xClientFor(a.read, a.http, a.persistence, settings, a.now).me();
        return completeLink(
            a,
            settings,
            me,
            admin.id,
            await ensureAppSecrets(a.read.getPersistenceReader(), a.persistence),
        );
    } catch (e) {
        const failure = toXFailure(e, a.now());
        return { ok: false, reasonKey: failureReasonKey(failure.kind), detail: failure.detail };
    }
}

/** The "Click here to authorize" link: the PKCE verifier stays in persistence, bound to this admin for 10 minutes. */
export async function startOAuth2(
    a: AdminAccessors,
    admin: Pick<IUser, 'id'>,
): Promise<{ ok: true; url: string; expiresAt: number } | { ok: false; reasonKey: I18nKey }> {
    const settings = await readSettings(a.read);
    const missing = linkPrerequisite({ ...settings, authMethod: AuthMethod.OAuth2 });
    if (missing) return { ok: false, reasonKey: missing };
    const redirectUri = await oauthCallbackUrl(a.read, a.appId);
    const client = oauth2AppClient(settings, xTransport(a.http, a.now));
    const state = randomBytes(24).toString('base64url');
    const link = client.generateOAuth2AuthLink(redirectUri, { scope: OAUTH2_SCOPES, state });
    const record: OAuthState = {
        type: 'oauth-state',
        state,
        codeVerifier: link.codeVerifier,
        adminId: admin.id,
        redirectUri,
        expiresAt: a.now() + OAUTH_STATE_TTL_MS,
    };
    await a.persistence.createWithAssociation(record, oauthStateKey(state));
    return { ok: true, url: link.url, expiresAt: record.expiresAt };
}

/** What X's redirect back produced: a token for an account, waiting for the admin who started to confirm it. */
export type CallbackOutcome =
    | { ok: true; adminId: string; account: XUser; tokens: OAuth2Tokens }
    | { ok: false; reasonKey: I18nKey; detail?: string; adminId?: string };

/**
 * X's redirect back: the state must exist, be unexpired and unused; then the code is exchanged and X says
 * whose account the token is for. Nothing is stored as the linked account here: whoever opens a leaked
 * authorize link reaches this point with their own X account, so only the admin's confirmation links.
 */
export async function completeOAuth2(
    a: AdminAccessors,
    query: Record<string, string | undefined>,
): Promise<CallbackOutcome> {
    const state = query.state;
    if (!state) return { ok: false, reasonKey: 'oauth_state_invalid' };
    // Removing is what makes the state single-use: a second callback with it finds nothing.
    const [record] = ((await a.persistence.removeByAssociation(oauthStateKey(state))) ?? []) as unknown as OAuthState[];
    if (!record || record.type !== 'oauth-state') return { ok: false, reasonKey: 'oauth_state_invalid' };
    if (record.expiresAt < a.now()) return { ok: false, reasonKey: 'oauth_state_expired', adminId: record.adminId };
    if (query.error)
        return {
            ok: false,
            reasonKey: query.error === 'access_denied' ? 'oauth_denied' : 'oauth_x_error',
            detail: query.error,
            adminId: record.adminId,
        };
    if (!query.code) return { ok: false, reasonKey: 'oauth_x_error', detail: 'no code', adminId: record.adminId };
    const settings = await readSettings(a.read);
    try {
        const client = oauth2AppClient(settings, xTransport(a.http, a.now));
        const login = await client.loginWithOAuth2({
            code: query.code,
            codeVerifier: record.codeVerifier,
            redirectUri: record.redirectUri,
        });
        const tokens: OAuth2Tokens = {
            accessToken: login.accessToken,
            refreshToken: login.refreshToken,
            expiresAt: a.now() + login.expiresIn * 1000,
            scope: login.scope ?? [],
            updatedAt: a.now(),
        };
        const oauth2Settings = { ...settings, authMethod: AuthMethod.OAuth2 };
        const account = await xClientFor(a.read, a.http, undefined, oauth2Settings, a.now, {
            credentials: unstoredTokenSource(tokens.accessToken),
        }).me();
        return { ok: true, adminId: record.adminId, account, tokens };
    } catch (e) {
        const failure = toXFailure(e, a.now());
        return {
            ok: false,
            reasonKey: 'oauth_x_error',
            detail: failure.detail ?? failure.kind,
            adminId: record.adminId,
        };
    }
}

/** Makes `tokens` the account's and links it (after the admin confirmed it): a new account, or new tokens for one. */
export async function linkWithOAuth2Tokens(
    a: AdminAccessors,
    account: XUser,
    tokens: OAuth2Tokens,
    adminId: string,
): Promise<LinkOutcome> {
    const settings = { ...(await readSettings(a.read)), authMethod: AuthMethod.OAuth2 };
    await tokensRecords.of(account.id).write(a.persistence, tokens);
    rememberTokens(account.id, tokens);
    return completeLink(
        a,
        settings,
        account,
        adminId,
        await ensureAppSecrets(a.read.getPersistenceReader(), a.persistence),
    );
}

/** Tells X a token is no longer wanted (an unlink, a link cancelled or expired); a failure is returned, not thrown. */
export async function revokeTokens(a: AdminAccessors, tokens: OAuth2Tokens): Promise<string | undefined> {
    const settings = await readSettings(a.read);
    if (!settings.oauth2ClientId) return 'no client id';
    try {
        const client = oauth2AppClient(settings, xTransport(a.http, a.now));
        await client.revokeOAuth2Token(
            tokens.refreshToken ?? tokens.accessToken,
            tokens.refreshToken ? 'refresh_token' : 'access_token',
        );
        return undefined;
    } catch (e) {
        return toXFailure(e, a.now()).kind;
    }
}
