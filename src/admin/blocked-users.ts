/**
 * Resolves the *Blocked X users* handles to X ids, once each: when settings are saved (the settings review)
 * and by the daily housekeeping (handles listed before the account was linked). Each user X returns is
 * billed as a User read, recorded in the ledger. DMs are then matched by id alone (bridge/blocked.ts).
 */
import { IHttp, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { xClientFor } from '../bridge/build-context';
import { Translate } from '../i18n/translate';
import { explainFailure } from '../i18n/x-failures';
import type { AppSettings } from '../settings/reader';
import { listAccounts } from '../storage/accounts';
import { resolvedHandlesRecord } from '../storage/blocked-handles';
import { recordBillable } from '../storage/ledger';
import { toXFailure } from '../x/errors';

/** Entries shown back to the admin are cut short: the setting is free text. */
const shown = (entries: string[]) =>
    entries
        .slice(0, 5)
        .map((e) => (e.length > 40 ? `${e.slice(0, 40)}…` : e))
        .join(', ') + (entries.length > 5 ? ', …' : '');

/** Problems with the setting itself, as sentences for the settings review. */
export function blockedListProblems(settings: AppSettings, t: Translate): string[] {
    const invalid = settings.blockedUsers.invalid;
    return invalid.length ? [t('settings_blocked_invalid', { entries: shown(invalid) })] : [];
}

/**
 * Asks X about listed handles not yet resolved; returns sentences for the settings review (handles X does
 * not know, a failure that leaves some for the next try).
 */
export async function resolveBlockedHandles(
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    settings: AppSettings,
    now: () => number,
    t: Translate,
): Promise<string[]> {
    const handles = settings.blockedUsers.handles;
    if (handles.length === 0) return [];
    const reader = read.getPersistenceReader();
    const record = (await resolvedHandlesRecord.read(reader)) ?? { ids: {} };
    // Only the listed handles are kept: a handle removed from the list is forgotten with it.
    const ids: Record<string, string | null> = {};
    for (const handle of handles) if (handle in record.ids) ids[handle] = record.ids[handle];
    const missing = handles.filter((h) => !(h in ids));
    const lines: string[] = [];
    const [account] = missing.length ? await listAccounts(reader) : [];
    if (missing.length && !account) return [t('settings_blocked_not_linked')];
    const x = missing.length ? xClientFor(read, http, persistence, settings, now, { account }) : undefined;
    for (const handle of missing) {
        try {
            const user = await x!.userByUsername(handle);
            ids[handle] = user?.id ?? null;
            if (user) await recordBillable(persistence, 'user_read', 1, now());
        } catch (e) {
            lines.push(t('settings_blocked_lookup_failed', { reason: explainFailure(t, toXFailure(e, now())) }));
            break;
        }
    }
    const unknown = handles.filter((h) => ids[h] === null);
    if (unknown.length) lines.push(t('settings_blocked_unknown', { handles: shown(unknown.map((h) => `@${h}`)) }));
    const changed = Object.keys(record.ids).length !== Object.keys(ids).length || missing.some((h) => h in ids);
    if (changed) await resolvedHandlesRecord.write(persistence, { ids });
    return lines;
}
