import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { randomBytes } from 'crypto';
import { constantTimeEqual } from '../lib/constant-time';
import { KeyedRecord } from './records';

/**
 * Install-time random secrets: the webhook URL's path segment and the key that makes visitor tokens
 * unguessable. Written once; every instance reads the same values and caches them (they never change).
 */
export interface AppSecrets {
    webhookPath: string;
    visitorTokenKey: string;
}

const record = KeyedRecord.named<AppSecrets>('x-app-secrets');
let cached: AppSecrets | undefined;

export async function readAppSecrets(reader: IPersistenceRead): Promise<AppSecrets | undefined> {
    if (cached) return cached;
    cached = await record.read(reader);
    return cached;
}

export async function ensureAppSecrets(reader: IPersistenceRead, persistence: IPersistence): Promise<AppSecrets> {
    const existing = await readAppSecrets(reader);
    if (existing) return existing;
    await record.write(persistence, {
        webhookPath: randomBytes(24).toString('base64url'),
        visitorTokenKey: randomBytes(32).toString('base64url'),
    });
    // Another instance may have written at the same moment: whatever persistence holds now wins everywhere.
    cached = undefined;
    const stored = await readAppSecrets(reader);
    if (!stored) throw new Error('App secrets could not be stored');
    return stored;
}

export function secretsEqual(expected: string, given: string | undefined): boolean {
    if (!given) return false;
    return constantTimeEqual(Buffer.from(expected), Buffer.from(given));
}
