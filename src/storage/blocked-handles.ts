/**
 * The *Blocked X users* handles as X resolved them: a handle is looked up at X once (when the settings are
 * saved), never per DM. Ids are what DMs carry and what never changes; a handle X does not know is kept as
 * `null`, so it is not asked about again on every save.
 */
import { KeyedRecord } from './records';

export interface ResolvedHandles {
    /** Lower-cased handle → X user id, or null when X has no such user. */
    ids: Record<string, string | null>;
}

export const resolvedHandlesRecord = KeyedRecord.named<ResolvedHandles>('x-blocked-handles');
