import type { XFailureKind } from '../x/client-types';
import type { Translate } from './translate';

/** The sentence that explains an X failure to a person (literal keys, so the i18n check can see them). */
export function failureReasonKey(kind: XFailureKind) {
    switch (kind) {
        case 'rate-limited':
            return 'x_failure_rate_limited' as const;
        case 'credits-depleted':
            return 'x_failure_credits_depleted' as const;
        case 'recipient-refuses-dms':
            return 'x_failure_recipient_refuses_dms' as const;
        case 'recipient-not-following':
            return 'x_failure_recipient_not_following' as const;
        case 'sender-unverified':
            return 'x_failure_sender_unverified' as const;
        case 'forbidden':
            return 'x_failure_forbidden' as const;
        case 'media-not-permitted':
            return 'x_failure_media_not_permitted' as const;
        case 'token-invalid':
            return 'x_failure_token_invalid' as const;
        case 'missing-permission':
            return 'x_failure_missing_permission' as const;
        case 'unavailable':
            return 'x_failure_unavailable' as const;
        case 'not-found':
            return 'x_failure_not_found' as const;
        case 'invalid-request':
            return 'x_failure_invalid_request' as const;
    }
}

/** The reason sentence, plus X's own short explanation when it gave one (never credentials). */
export function explainFailure(t: Translate, failure: { kind: XFailureKind; detail?: string }): string {
    const reason = t(failureReasonKey(failure.kind));
    return failure.detail ? `${reason} ${t('x_said', { detail: failure.detail })}` : reason;
}
