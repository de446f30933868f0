import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { randomBytes, timingSafeEqual } from 'crypto';
import { miscKey } from './associations';

/**
 * The unguessable path segment in the webhook URL. Anyone who can reach Rocket.Chat could otherwise post
 * to the endpoint; with it, only X (which was told the URL) can. Created once, then read on every request.
 */
const key = miscKey('x-webhook-secret');

interface SecretRecord {
    secret: string;
}

export async function readWebhookSecret(reader: IPersistenceRead): Promise<string | undefined> {
    const [record] = (await reader.readByAssociation(key)) as unknown as SecretRecord[];
    return record?.secret;
}

export async function getOrCreateWebhookSecret(reader: IPersistenceRead, persistence: IPersistence): Promise<string> {
    const existing = await readWebhookSecret(reader);
    if (existing) return existing;
    const secret = randomBytes(24).toString('base64url');
    await persistence.updateByAssociation(key, { secret } as SecretRecord, true);
    // Another instance may have written at the same moment: whatever persistence holds now wins everywhere.
    return (await readWebhookSecret(reader)) ?? secret;
}

export function secretsEqual(expected: string, given: string | undefined): boolean {
    if (!given) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
}
