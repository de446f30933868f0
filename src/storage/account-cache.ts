/** The linked account, cached per instance: it is read on every event, and each read is a round trip. */
import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { InstanceCopy } from '../lib/instance-state';
import { LinkedAccount, readAccount } from './account';

/** The account, or null when none is linked (also worth keeping: every event asks). */
const copy = new InstanceCopy<LinkedAccount | null>(30_000);

export async function cachedAccount(read: IRead, now: number): Promise<LinkedAccount | undefined> {
    const kept = copy.get(now);
    if (kept !== undefined) return kept ?? undefined;
    const account = await readAccount(read.getPersistenceReader());
    return copy.keep(account ?? null, now) ?? undefined;
}

/** After linking, unlinking or marking the link broken on this instance; other instances follow within the TTL. */
export function invalidateAccount(): void {
    copy.forget();
}
