/**
 * Which delivery the settings allow, before asking X anything. Automatic tries the best webhook mode
 * these settings can set up and polls otherwise (admin/auto-delivery.ts).
 */
import { ActiveDeliveryMode, AuthMethod, DeliveryMode, WebhookDeliveryMode } from './ids';
import type { AppSettings } from './reader';

/**
 * The Account Activity API's end of life (docs.x.com: pricing page, account-activity quickstart and the
 * AAA-to-XAA migration guide, research/x-api.md §1): Automatic no longer picks it from then on.
 */
const AAA_END_OF_LIFE = Date.UTC(2027, 0, 1);

export type WebhookChoice =
    { mode: WebhookDeliveryMode } | { mode?: undefined; why: 'delivery_needs_api_secret' | 'auto_aaa_ended' };

/**
 * The webhook mode Automatic tries: the X Activity API with OAuth 2.0 (its DM subscriptions need the
 * account's OAuth 2.0 token), else the Account Activity API while X offers it.
 */
export function bestWebhookMode(settings: AppSettings, now: number): WebhookChoice {
    if (!settings.apiKeySecret || (!settings.bearerToken && !settings.apiKey))
        return { why: 'delivery_needs_api_secret' };
    if (settings.authMethod === AuthMethod.OAuth2) return { mode: DeliveryMode.ActivityApi };
    if (now < AAA_END_OF_LIFE) return { mode: DeliveryMode.AccountActivityApi };
    return { why: 'auto_aaa_ended' };
}

/**
 * The webhook mode deliveries arrive by: the setting's, or Automatic's choice. (Under Automatic a
 * delivery may arrive while polling is active: X re-validated the webhook on its own.)
 */
export function webhookModeOf(settings: AppSettings, now: number): WebhookDeliveryMode | undefined {
    if (settings.deliveryMode === DeliveryMode.Auto) return bestWebhookMode(settings, now).mode;
    return settings.deliveryMode === DeliveryMode.Polling ? undefined : settings.deliveryMode;
}

/** What delivers now: the explicit mode, or Automatic's last decision (registered at X, see DeliveryRegistration). */
export function activeModeOf(settings: AppSettings, registered: ActiveDeliveryMode | undefined): ActiveDeliveryMode {
    if (settings.deliveryMode !== DeliveryMode.Auto) return settings.deliveryMode;
    return registered ?? DeliveryMode.Polling;
}
