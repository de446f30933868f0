/**
 * What Rocket.Chat checks when an app's message is saved, with its own error texts:
 *
 * - every message, a visitor's too (sendMessage → validateMessage, apps/meteor/app/lib/server/functions/sendMessage.ts):
 *   `customFields` are refused while Message_CustomFields_Enabled is off ("Custom fields not enabled") and
 *   otherwise validated against the admin's Message_CustomFields JSON schema with no other property allowed
 *   (apps/meteor/app/lib/server/lib/validateCustomMessageFields.ts: "Invalid custom fields");
 * - a user's message, the app user's included (AppMessageBridge.create → executeSendMessage,
 *   apps/meteor/app/lib/server/methods/sendMessage.ts): a timestamp more than 60 s from the server's clock
 *   is refused (error-message-ts-out-of-sync), one 10 to 60 s off is replaced by now, and a text longer
 *   than Message_MaxAllowedSize is refused (error-message-size-exceeded).
 *
 * A visitor's message (AppLivechatBridge.createMessage → livechat sendMessage → functions/sendMessage)
 * does not pass executeSendMessage: its timestamp is kept and its length is not checked.
 */
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { HostStore } from '../store';
import { rcSetting } from '../server-settings';

/** A Meteor.Error as it crosses the bridge: its reason, then the error code in brackets. */
export class MeteorError extends Error {
    constructor(
        public readonly error: string,
        reason: string,
    ) {
        super(`${reason} [${error}]`);
    }
}

const ajv = new Ajv();
const compiled = new Map<string, ValidateFunction>();

function customFieldsValidator(schemaText: string): ValidateFunction {
    let validate = compiled.get(schemaText);
    if (!validate) {
        const schema = JSON.parse(schemaText) as { type?: string };
        if (schema.type && schema.type !== 'object') throw new Error('Invalid custom fields config');
        validate = ajv.compile({ ...schema, type: 'object', additionalProperties: false });
        compiled.set(schemaText, validate);
    }
    return validate;
}

/** validateMessage's custom-fields rule, for any message carrying `customFields`. */
export function checkCustomFields(store: HostStore, message: { customFields?: unknown }): void {
    if (message.customFields === undefined || message.customFields === null) return;
    if (rcSetting<boolean>(store, 'Message_CustomFields_Enabled') !== true)
        throw new Error('Custom fields not enabled');
    if (!customFieldsValidator(rcSetting<string>(store, 'Message_CustomFields'))(message.customFields))
        throw new Error('Invalid custom fields');
}

/** How far a message's timestamp may be from the server's clock before it is refused, and before it is replaced. */
export const TS_REFUSED_BEYOND_MS = 60_000;
export const TS_REPLACED_BEYOND_MS = 10_000;

/**
 * executeSendMessage's rules for a user's message; returns the timestamp it is saved with. (The apps'
 * message converter stamps a message without `createdAt` with the server's time, so that one always passes.)
 */
export function checkUserMessage(store: HostStore, message: { createdAt?: Date | string; text?: string }): Date {
    const now = store.now();
    let ts = message.createdAt !== undefined ? new Date(message.createdAt) : now;
    const skew = Math.abs(ts.getTime() - now.getTime());
    if (!(skew <= TS_REFUSED_BEYOND_MS))
        throw new MeteorError('error-message-ts-out-of-sync', 'Message timestamp is out of sync');
    if (skew > TS_REPLACED_BEYOND_MS) ts = now;
    const text = message.text ?? '';
    if (text && text.length > (rcSetting<number>(store, 'Message_MaxAllowedSize') ?? 0)) {
        throw new MeteorError('error-message-size-exceeded', 'Message size exceeds Message_MaxAllowedSize');
    }
    return ts;
}
