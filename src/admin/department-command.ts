/**
 * `/twitter department @handle [department]`: routes one linked account's new conversations to a department
 * (name or id, checked against Rocket.Chat's), or back to the *Default department* setting without one.
 */
import type { Translate } from '../i18n/translate';
import { setAccountDepartment } from './accounts';
import type { AdminAccessors } from './link';

/** Longer than any X handle or sensible department name: arguments beyond it are refused, not looked up. */
const MAX_ARGUMENT = 100;

export async function departmentCommand(a: AdminAccessors, args: string[], t: Translate): Promise<string> {
    const [handle, ...words] = args;
    const department = words.join(' ').trim();
    if (!handle || handle.length > MAX_ARGUMENT || department.length > MAX_ARGUMENT) return t('department_usage');
    const outcome = await setAccountDepartment(a, handle, department);
    if (!outcome.ok)
        return t(outcome.reasonKey, { handle: outcome.handle ?? '', department: outcome.department ?? '' });
    const username = outcome.account.username;
    return outcome.department
        ? t('department_set', { handle: username, department: outcome.department.name })
        : t('department_cleared', { handle: username });
}
