/**
 * The *Blocked X users* setting: X user ids and @handles, one per line or comma-separated. Admin input,
 * but also what decides whether a customer's DM is dropped: every entry is checked, nothing unclear is
 * guessed at (an entry that is neither an id nor a handle is reported, not matched).
 */

export interface BlockedList {
    /** X user ids (decimal, as X writes them). */
    ids: string[];
    /** Handles without the @, lower-cased (X handles are case-insensitive). */
    handles: string[];
    /** Entries that are neither, as written (reported in the settings review). */
    invalid: string[];
}

/** X's ids are 64-bit snowflakes: at most 20 digits. */
const ID = /^\d{1,20}$/;
/** X handles: 1–15 letters, digits or underscores (X's username rule; the simulator and X answer 400 otherwise). */
const HANDLE = /^@?([A-Za-z0-9_]{1,15})$/;
/** More entries than any sane block list: the rest is reported, not silently dropped. */
const MAX_BLOCKED_ENTRIES = 1000;

export function parseBlockedList(raw: string): BlockedList {
    const list: BlockedList = { ids: [], handles: [], invalid: [] };
    const entries = raw
        .split(/[\n\r,;]+/)
        .map((e) => e.trim())
        .filter(Boolean);
    for (const [i, entry] of entries.entries()) {
        const handle = HANDLE.exec(entry);
        if (i >= MAX_BLOCKED_ENTRIES) list.invalid.push(entry);
        else if (ID.test(entry) && !entry.startsWith('@')) list.ids.push(String(BigInt(entry)));
        else if (handle) list.handles.push(handle[1].toLowerCase());
        else list.invalid.push(entry);
    }
    list.ids = [...new Set(list.ids)];
    list.handles = [...new Set(list.handles)];
    return list;
}
