/**
 * Rocket.Chat server settings the app obeys (message size, Omnichannel routing), read through a short
 * per-instance cache: each read is a round trip, and an admin's change is seen within a minute.
 */
import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { InstanceCopies } from './instance-state';

const copies = new InstanceCopies<unknown>(60_000);

/** The setting's value, or `fallback` when it is unset or not readable (the server decides what apps may read). */
export async function serverSetting<T>(read: IRead, id: string, fallback: T, now: number): Promise<T> {
    const copy = copies.of(id);
    const kept = copy.get(now);
    if (kept !== undefined) return kept as T;
    const value = await read
        .getEnvironmentReader()
        .getServerSettings()
        .getValueById(id)
        .catch(() => undefined);
    const result =
        value === undefined || value === null || (typeof fallback === 'number' && typeof value !== 'number')
            ? fallback
            : (value as T);
    return copy.keep(result, now) as T;
}

/** Rocket.Chat's default Message_MaxAllowedSize: executeSendMessage refuses a longer text. */
const DEFAULT_MESSAGE_MAX_LENGTH = 5000;

/** The longest text one Rocket.Chat message may carry on this server (the app splits longer ones). */
export async function roomMessageMaxLength(read: IRead, now: number): Promise<number> {
    const max = await serverSetting<number>(read, 'Message_MaxAllowedSize', DEFAULT_MESSAGE_MAX_LENGTH, now);
    return Number.isInteger(max) && max >= 2 ? max : DEFAULT_MESSAGE_MAX_LENGTH;
}
