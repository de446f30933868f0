/**
 * The arguments of the commands that name a business account (`status`, `unauthorize`, `department`): typed
 * by a person, so anything; handles are checked against X's username rule, and what is refused is quoted
 * back harmlessly. Rocket.Chat splits the command line at single spaces: doubled spaces leave empty words.
 */
import { departmentInputProblem } from '../admin/account-actions';
import { quoteInput } from '../lib/quote-input';
import { parseXHandle } from '../x/ids';

export type HandleArgument = { ok: true; handle?: string } | { ok: false; shown: string };

/** `[@handle]`: nothing, or exactly one handle. */
export function parseOptionalHandle(words: string[]): HandleArgument {
    const typed = words.map((w) => w.trim()).filter(Boolean);
    if (typed.length === 0) return { ok: true };
    const handle = typed.length === 1 ? parseXHandle(typed[0]) : undefined;
    return handle ? { ok: true, handle } : { ok: false, shown: quoteInput(typed.join(' ')) };
}

export type DepartmentArguments =
    | { ok: true; handle: string; department: string }
    | { ok: false; problem: 'usage' }
    | { ok: false; problem: 'bad-handle' | 'bad-department'; shown: string };

/** `@handle [<department>]`: the department's name may hold spaces; none means the *Default department*. */
export function parseDepartmentArguments(words: string[]): DepartmentArguments {
    const start = words.findIndex((w) => w.trim() !== '');
    if (start < 0) return { ok: false, problem: 'usage' };
    const handle = parseXHandle(words[start]);
    if (!handle) return { ok: false, problem: 'bad-handle', shown: quoteInput(words[start]) };
    const department = words
        .slice(start + 1)
        .join(' ')
        .trim();
    if (departmentInputProblem(department))
        return { ok: false, problem: 'bad-department', shown: quoteInput(department) };
    return { ok: true, handle, department };
}
