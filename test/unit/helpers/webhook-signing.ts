/**
 * What tests need around the shipped signature check and no shipped code does: signing raw bytes as X
 * does (the simulator's signer, written apart from the verifier), the single-header form of the check,
 * the candidate list itself, and the work limits under their long-standing names.
 */
import { sha256Signature } from '../../../tools/x-sim/delivery/webhook-crypto';
import { LEGACY_SIGNATURE_HEADER, SignatureCheck, verifyDeliverySignature } from '../../../src/x/webhook-signature';
import { planCandidates, Serialization, SIGNED_BODY_LIMITS } from '../../../src/x/webhook-serializations';

export { constantTimeEqual } from '../../../src/lib/constant-time';
export {
    crcResponseToken,
    LEGACY_SIGNATURE_HEADER,
    OAUTH2_SIGNATURE_HEADER,
    verifyDeliverySignature,
} from '../../../src/x/webhook-signature';

export const ROCKETCHAT_BODY_LIMIT_BYTES = SIGNED_BODY_LIMITS.rocketChatBytes;
export const MAX_BODY_BYTES = SIGNED_BODY_LIMITS.verifiedBytes;
export const MAX_CANDIDATES = SIGNED_BODY_LIMITS.candidates;
export const WORK_BUDGET_BYTES = SIGNED_BODY_LIMITS.workBudgetBytes;

/** The header value X would send for these raw body bytes. */
export function signWebhookBody(secret: string, rawBody: string): string {
    return sha256Signature(secret, rawBody);
}

/** Checks one signature header keyed with one secret. */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: unknown): SignatureCheck {
    return verifyDeliverySignature([{ name: LEGACY_SIGNATURE_HEADER, value: header, secret }], body);
}

/** The candidate serializations with their style labels; empty when the body isn't JSON data or is too large. */
export function labelledSerializations(body: unknown): Serialization[] {
    const plan = planCandidates(body);
    return plan === 'too-large' ? [] : [...plan];
}

/** Distinct byte strings X may have signed for this parsed body, the plain compact form first. */
export function candidateSerializations(body: unknown): string[] {
    return labelledSerializations(body).map((candidate) => candidate.text);
}
