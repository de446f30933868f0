import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { randomBytes } from 'crypto';
import { constantTimeEqual } from '../lib/constant-time';
import { InstanceCopy } from '../lib/instance-state';
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
/** Kept once read: they never change while the app is installed. */
const copy = new InstanceCopy<AppSecrets>(Infinity);

export async function readAppSecrets(reader: IPersistenceRead): Promise<AppSecrets | undefined> {
    const kept = copy.get(0);
    if (kept) return kept;
    const stored = await record.read(reader);
    return stored && copy.keep(stored, 0);
}

export async function ensureAppSecrets(reader: IPersistenceRead, persistence: IPersistence): Promise<AppSecrets> {
    const existing = await readAppSecrets(reader);
    if (existing) return existing;
    await record.write(persistence, {
        webhookPath: randomBytes(24).toString('base64url'),
        visitorTokenKey: randomBytes(32).toString('base64url'),
    });
    // Another instance may have written at the same moment: whatever persistence holds now wins everywhere.
    copy.forget();
    const stored = await readAppSecrets(reader);
    if (!stored) throw new Error('App secrets could not be stored');
    return stored;
}

export function secretsEqual(expected: string, given: string | undefined): boolean {
    if (!given) return false;
    return constantTimeEqual(Buffer.from(expected), Buffer.from(given));
}
