import type { DeveloperApp } from '../state/types';

/**
 * Which secret X keys an app's CRC challenge with. X's docs (late 2026) say the OAuth 2.0 client secret
 * "when available, or the OAuth 1.0 consumer secret for existing OAuth 1.0-only integrations", while X's
 * own CLI (xurl) answers with the consumer secret: which one X uses for a given app cannot be known in
 * advance, and it may change after linking (research/x-api.md §12). The default is the consumer secret
 * (what X did when the simulator was first written); tests and the sandbox switch it at runtime.
 */
export type CrcKeyKind = 'consumer-secret' | 'client-secret';

export const CRC_KEY_KINDS: readonly CrcKeyKind[] = ['consumer-secret', 'client-secret'];

/** The secret X uses: the client secret only "when available" (a public client has none). */
export function crcSecretOf(app: DeveloperApp, kind: CrcKeyKind): string {
    return kind === 'client-secret' && app.clientSecret ? app.clientSecret : app.consumerSecret;
}
