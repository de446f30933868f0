/**
 * Which secret answers X's webhook challenge (CRC). X's docs moved the key from the API Key (consumer)
 * secret to the OAuth 2.0 client secret in 2026 while X's own CLI still uses the consumer secret, and X
 * may change it for an app after linking (research/x-api.md §12): it cannot be known in advance. So, in
 * the automatic setting, the app answers with the key it currently believes; when X refuses a
 * registration or re-validation with `CrcValidationFailed`, it tries the other key and remembers the one
 * that worked. The belief is persisted (any instance may receive X's challenge) and written BEFORE the
 * call that makes X challenge, so whichever instance answers uses the key being tried.
 */
import { IPersistence, IPersistenceRead, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ChallengeKeySetting } from '../settings/ids';
import { AppSettings, readSettings } from '../settings/reader';
import { XFailure } from '../x/client-types';
import { ChallengeKey, challengeKeyRecord } from '../storage/admin-state';
import { crcResponseToken } from '../x/webhook-signature';

type KeySettings = Pick<AppSettings, 'webhookChallengeKey' | 'apiKeySecret' | 'oauth2ClientSecret'>;

/** The settings' English labels, for answers to X (which nobody translates). */
export const CHALLENGE_KEY_LABELS: Record<ChallengeKey, string> = {
    api_key_secret: 'API Key Secret',
    oauth2_client_secret: 'OAuth 2.0 Client Secret',
};

function secretFor(settings: KeySettings, key: ChallengeKey): string {
    return key === ChallengeKeySetting.ApiKeySecret ? settings.apiKeySecret : settings.oauth2ClientSecret;
}

/** The key used when nothing is known yet: the API Key Secret (what X's CLI uses), else the client secret. */
function firstGuess(settings: KeySettings): ChallengeKey {
    return settings.apiKeySecret || !settings.oauth2ClientSecret
        ? ChallengeKeySetting.ApiKeySecret
        : ChallengeKeySetting.OAuth2ClientSecret;
}

export async function currentChallengeKey(reader: IPersistenceRead, settings: KeySettings): Promise<ChallengeKey> {
    if (settings.webhookChallengeKey !== ChallengeKeySetting.Auto) return settings.webhookChallengeKey;
    return (await challengeKeyRecord.read(reader))?.key ?? firstGuess(settings);
}

/** The CRC answer, made with the key believed now; none when that key's setting is not filled in. */
export async function answerChallenge(
    read: IRead,
    crcToken: string,
): Promise<{ ok: true; responseToken: string } | { ok: false; key: ChallengeKey }> {
    const settings = await readSettings(read);
    const key = await currentChallengeKey(read.getPersistenceReader(), settings);
    const secret = secretFor(settings, key);
    return secret ? { ok: true, responseToken: crcResponseToken(secret, crcToken) } : { ok: false, key };
}

const isCrcRefusal = (e: unknown) => e instanceof XFailure && e.reason === 'CrcValidationFailed';

/**
 * Runs a call that makes X challenge the webhook (registration, re-validation). If X refuses the answer
 * and the setting is automatic, the other key (when its secret is set) is tried once; the key that
 * worked is remembered. `switchedTo` tells the caller when the belief changed.
 */
export async function withChallengeKeyFallback<T>(
    reader: IPersistenceRead,
    persistence: IPersistence,
    settings: KeySettings,
    now: number,
    challenged: () => Promise<T>,
): Promise<{ result: T; switchedTo?: ChallengeKey }> {
    const current = await currentChallengeKey(reader, settings);
    try {
        const result = await challenged();
        if (settings.webhookChallengeKey === ChallengeKeySetting.Auto)
            await challengeKeyRecord.write(persistence, { key: current, confirmedAt: now });
        return { result };
    } catch (e) {
        const other: ChallengeKey =
            current === ChallengeKeySetting.ApiKeySecret
                ? ChallengeKeySetting.OAuth2ClientSecret
                : ChallengeKeySetting.ApiKeySecret;
        if (
            !isCrcRefusal(e) ||
            settings.webhookChallengeKey !== ChallengeKeySetting.Auto ||
            !secretFor(settings, other)
        )
            throw e;
        await challengeKeyRecord.write(persistence, { key: other });
        try {
            const result = await challenged();
            await challengeKeyRecord.write(persistence, { key: other, confirmedAt: now });
            return { result, switchedTo: other };
        } catch (again) {
            // Neither key worked (the URL is unreachable, say): keep believing the first one.
            await challengeKeyRecord.write(persistence, { key: current });
            throw isCrcRefusal(again) ? e : again;
        }
    }
}
