/**
 * Whether a customer is blocked: listed by id in the *Blocked X users* setting, or by a handle the settings
 * review resolved to their id (admin/blocked-users.ts). Costs no X call, and no host call unless handles
 * are listed and this instance's copy of their ids is missing or older than the settings cache.
 */
import type { IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { InstanceCopies } from '../lib/instance-state';
import type { BlockedList } from '../settings/blocked-list';
import { resolvedHandlesRecord } from '../storage/blocked-handles';
import type { BridgeContext } from './context';

/** As long as the settings are cached (settings/reader.ts): a changed list is a different key at once. */
const TTL_MS = 10 * 60_000;
/** By the listed handles (a changed list is another key): their ids as persistence last said. */
const resolvedCopies = new InstanceCopies<Set<string>>(TTL_MS);

async function resolvedIds(reader: IPersistenceRead, handles: string[], now: number): Promise<Set<string>> {
    const copy = resolvedCopies.of(handles.join(','));
    const kept = copy.get(now);
    if (kept) return kept;
    const resolved = (await resolvedHandlesRecord.read(reader))?.ids ?? {};
    const ids = new Set(handles.map((h) => resolved[h]).filter((id): id is string => !!id));
    // Kept only once every handle is decided: until the settings review has asked X, each DM reads again.
    if (handles.every((h) => h in resolved)) copy.keep(ids, now);
    return ids;
}

export async function isBlockedCustomer(
    ctx: Pick<BridgeContext, 'read' | 'now'> & { settings: { blockedUsers: BlockedList } },
    customerId: string,
): Promise<boolean> {
    const list = ctx.settings.blockedUsers;
    if (list.ids.includes(customerId)) return true;
    if (list.handles.length === 0) return false;
    return (await resolvedIds(ctx.read.getPersistenceReader(), list.handles, ctx.now())).has(customerId);
}
