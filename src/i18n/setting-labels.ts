/** A setting's option label (the i18n key its definition names), for messages that mention the choice. */
import type { AuthMethod, DeliveryMode } from '../settings/ids';

export const deliveryModeLabel = (mode: DeliveryMode) => `setting_delivery_mode_${mode}` as const;
export const authMethodLabel = (method: AuthMethod) => `setting_auth_method_${method}` as const;
