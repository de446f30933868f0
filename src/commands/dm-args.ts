/**
 * The words after `/twitter dm`: typed by a person, so anything. The customer's handle first (X's username
 * rule), `--from @business` just before or after it, `--confirm` only as the last word, the rest is the message.
 */
import { parseXHandle } from '../x/ids';

const CONFIRM_FLAG = '--confirm';
const FROM_FLAG = '--from';

type DmArguments =
    | { ok: true; handle: string; text: string; confirmed: boolean; from?: string }
    | { ok: false; problem: 'usage' | 'bad-handle' | 'empty-text' | 'bad-from'; handle?: string };

/**
 * `--from @business` just before or just after the customer's handle: elsewhere it is part of the message.
 * Returns the business handle (or `null`: the flag without a valid handle) and the other words.
 */
function takeFrom(words: string[]): { from?: string | null; words: string[] } {
    const typed = words.map((w, i) => ({ w: w.trim(), i })).filter(({ w }) => w !== '');
    const at = [0, 1].find((k) => typed[k]?.w === FROM_FLAG);
    if (at === undefined) return { words };
    const value = typed[at + 1];
    const from = value ? (parseXHandle(value.w) ?? null) : null;
    const drop = new Set([typed[at].i, ...(value ? [value.i] : [])]);
    return { from, words: words.filter((_, i) => !drop.has(i)) };
}

/** The message words and whether `--confirm` is the last word typed (`/twitter dm`, `/twitter move-to-dm`). */
export function messageAndConfirm(typed: string[]): { text: string; confirmed: boolean } {
    // A trailing space leaves an empty last word: `--confirm` is still the last word typed.
    const end = typed.length - [...typed].reverse().findIndex((w) => w.trim() !== '');
    const rest = end > typed.length ? [] : typed.slice(0, end);
    const confirmed = rest.length > 0 && rest[rest.length - 1].trim() === CONFIRM_FLAG;
    return { text: (confirmed ? rest.slice(0, -1) : rest).join(' ').trim(), confirmed };
}

export function parseDmArguments(all: string[]): DmArguments {
    const { from, words } = takeFrom(all);
    if (from === null) return { ok: false, problem: 'bad-from' };
    // Rocket.Chat splits the command line at single spaces: doubled spaces leave empty words.
    const start = words.findIndex((w) => w.trim() !== '');
    const [first, ...typed] = start < 0 ? [] : words.slice(start);
    if (!first) return { ok: false, problem: 'usage' };
    const handle = parseXHandle(first);
    if (!handle) return { ok: false, problem: 'bad-handle', handle: first.slice(0, 40) };
    const { text, confirmed } = messageAndConfirm(typed);
    if (!text) return { ok: false, problem: 'empty-text', handle };
    return { ok: true, handle, text, confirmed, ...(from ? { from } : {}) };
}
