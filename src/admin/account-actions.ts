/**
 * Changing one linked account, from `/twitter department`/`/twitter unauthorize @handle` or from the buttons
 * of `/twitter accounts` (setup room): the same checks and the same report in the setup room either way.
 * Button presses and modal submissions are requests a client shapes (Rocket.Chat's
 * apps/meteor/ee/server/apps/communication/uikit.ts passes actionId, value and the view from the body
 * unchecked; only the user comes from the login): the presser's roles are checked on every request, the
 * account is looked up again, and the department is validated like the command's argument.
 */
import type { IUIKitResponse } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUIKitSurface } from '@rocket.chat/apps-engine/definition/uikit/IUIKitSurface';
import type { UIKitInteractionResponder } from '@rocket.chat/apps-engine/definition/uikit/UIKitInteractionResponder';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { Translate } from '../i18n/translate';
import { serverTranslator } from '../lib/language';
import { quoteInput } from '../lib/quote-input';
import { readAccount } from '../storage/accounts';
import { accountStatus, DepartmentOutcome, listLinkedAccounts, setAccountDepartment } from './accounts';
import {
    ACCOUNT_DEPARTMENT_ACTION,
    ACCOUNT_UNLINK_ACTION,
    accountsMessage,
    overviewLine,
    sendBudgetLine,
    DEPARTMENT_BLOCK,
    DEPARTMENT_INPUT,
    DEPARTMENT_VIEW,
    departmentModal,
    UNLINK_VIEW,
    unlinkModal,
    USE_DEFAULT_DEPARTMENT,
} from './accounts-view';
import type { AdminAccessors } from './link';
import { unlinkAccount, UnlinkOutcome } from './unlink';
import { isAdmin } from './roles';
import { announceInSetupRoom } from './setup-room';

/** Rocket.Chat department names have no length rule; no real one is this long, and the answer quotes it. */
const MAX_DEPARTMENT_LENGTH = 100;

/** Why a typed department (name or id) is refused before Rocket.Chat is asked; undefined when acceptable. */
export function departmentInputProblem(text: string): 'accounts_department_bad' | undefined {
    const value = text.trim();
    if ([...value].length > MAX_DEPARTMENT_LENGTH || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(value))
        return 'accounts_department_bad';
    return undefined;
}

/** `/twitter accounts`: every linked account on one line, with its buttons. */
export async function accountsReply(
    a: AdminAccessors,
    t: Translate,
): Promise<{ text: string; blocks?: ReturnType<typeof accountsMessage>['blocks'] }> {
    const overview = await listLinkedAccounts(a);
    if (overview.length === 0) return { text: t('accounts_none') };
    return accountsMessage(t, a.appId, overview, a.now());
}

/**
 * `/twitter status [@handle]`: one account in full; without a handle and several accounts linked, a short line
 * per account (the full report asks X about the webhook: once per account named, not for all at once).
 */
export async function statusCommand(a: AdminAccessors, t: Translate, handle: string | undefined): Promise<string> {
    if (handle === undefined) {
        const overview = await listLinkedAccounts(a);
        if (overview.length > 1)
            return [
                t('status_title'),
                ...overview.map((o) => overviewLine(t, o)),
                sendBudgetLine(t, a.now()),
                t('status_name_account', { handle: overview[0].account.username }),
            ].join('\n');
    }
    return accountStatus(a, t, handle);
}

/** What the admin is told about a department change. */
export function describeDepartment(t: Translate, outcome: DepartmentOutcome): string {
    if (!outcome.ok)
        return t(outcome.reasonKey, {
            handle: outcome.handle ?? '',
            department: outcome.department === undefined ? '' : quoteInput(outcome.department),
        });
    const username = outcome.account.username;
    return outcome.department
        ? t('accounts_department_set', { username, department: outcome.department.name })
        : t('accounts_department_cleared', { username });
}

/**
 * Sets (or, empty, clears) the account's department and, when it changed, says so in the setup room (in the
 * server's language, with the accounts' refreshed lines and buttons).
 */
export async function changeDepartment(
    a: AdminAccessors,
    by: IUser,
    handle: string,
    department: string,
): Promise<DepartmentOutcome> {
    const problem = departmentInputProblem(department);
    if (problem) return { ok: false, reasonKey: problem, department };
    const outcome = await setAccountDepartment(a, handle, department);
    if (outcome.ok) {
        const t = await serverTranslator(a.read, a.now());
        await report(
            a,
            t,
            t('accounts_department_report', { admin: by.username, text: describeDepartment(t, outcome) }),
        );
    }
    return outcome;
}

/** An account unlinked by `by`: said in the setup room, with the remaining accounts' lines and buttons. */
export async function reportUnlink(a: AdminAccessors, by: IUser, outcome: UnlinkOutcome): Promise<void> {
    if (!outcome.account) return;
    const t = await serverTranslator(a.read, a.now());
    await report(a, t, t('accounts_unlink_report', { admin: by.username, username: outcome.account.username }));
}

async function report(a: AdminAccessors, t: Translate, text: string): Promise<void> {
    const overview = await listLinkedAccounts(a);
    const message = overview.length > 0 ? accountsMessage(t, a.appId, overview, a.now()) : undefined;
    await announceInSetupRoom(
        a.read,
        a.modify,
        a.persistence,
        [text, message?.text].filter(Boolean).join('\n\n'),
        message && [{ type: 'section', text: { type: 'mrkdwn', text } }, ...message.blocks],
    );
}

/** What a button press or a submission answers the presser (besides the interaction's response). */
type Tell = (text: string) => Promise<void>;

/** "Set department" / "Unlink" pressed: opens the modal for the account, if the presser is an admin. */
export async function pressAccountButton(
    a: AdminAccessors,
    press: { user: IUser; actionId: string; value?: string },
    responder: UIKitInteractionResponder,
    t: Translate,
    tell: Tell,
): Promise<IUIKitResponse> {
    if (!isAdmin(press.user)) {
        await tell(t('command_admins_only', { subcommand: 'accounts' }));
        return responder.errorResponse();
    }
    const account = press.value ? await readAccount(a.read.getPersistenceReader(), press.value) : undefined;
    if (!account) {
        await tell(t('accounts_gone'));
        return responder.errorResponse();
    }
    if (press.actionId === ACCOUNT_DEPARTMENT_ACTION) {
        const departments = await a.read.getLivechatReader().getDepartmentsEnabledWithAgents();
        return responder.openModalViewResponse(departmentModal(t, account, departments));
    }
    if (press.actionId === ACCOUNT_UNLINK_ACTION) return responder.openModalViewResponse(unlinkModal(t, account));
    return responder.successResponse();
}

/** Whether a submitted view is one of this module's modals. */
export const isAccountView = (viewId: string | undefined): boolean =>
    !!viewId && [DEPARTMENT_VIEW, UNLINK_VIEW].includes(viewId.split(':')[0]);

/** A modal submitted: checked like the command (admin, account, department), then done and reported. */
export async function submitAccountView(
    a: AdminAccessors,
    submit: { user: IUser; view: Pick<IUIKitSurface, 'id' | 'state'> },
    responder: UIKitInteractionResponder,
    t: Translate,
    tell: Tell,
): Promise<IUIKitResponse> {
    const viewId = submit.view.id;
    const [kind, accountId] = viewId.split(':');
    const fieldError = (text: string) =>
        responder.viewErrorResponse({
            viewId,
            errors: { [kind === DEPARTMENT_VIEW ? DEPARTMENT_INPUT : 'x-unlink']: text },
        });
    if (!isAdmin(submit.user)) {
        const text = t('command_admins_only', { subcommand: 'accounts' });
        await tell(text);
        return fieldError(text);
    }
    const account = accountId ? await readAccount(a.read.getPersistenceReader(), accountId) : undefined;
    if (!account) {
        await tell(t('accounts_gone'));
        return fieldError(t('accounts_gone'));
    }
    if (kind === UNLINK_VIEW) {
        const outcome = await unlinkAccount(a, account.accountId);
        await reportUnlink(a, submit.user, outcome);
        await tell(describeUnlink(t, outcome));
        return responder.successResponse();
    }
    const state = submit.view.state as Record<string, Record<string, unknown>> | undefined;
    const raw = state?.[DEPARTMENT_BLOCK]?.[DEPARTMENT_INPUT];
    const department = typeof raw === 'string' && raw !== USE_DEFAULT_DEPARTMENT ? raw : '';
    if (raw !== undefined && typeof raw !== 'string')
        return fieldError(t('accounts_department_bad', { department: '' }));
    const outcome = await changeDepartment(a, submit.user, account.username, department);
    const text = describeDepartment(t, outcome);
    if (!outcome.ok) return fieldError(text);
    await tell(text);
    return responder.successResponse();
}

/** What the admin is told after unlinking one account. */
export function describeUnlink(t: Translate, outcome: UnlinkOutcome): string {
    if (!outcome.account) return t('unauthorize_nothing_linked');
    const lines = [t('unauthorize_done', { username: outcome.account.username })];
    if (outcome.problems.length) lines.push(t('unauthorize_partial', { problems: outcome.problems.join(', ') }));
    return lines.join('\n');
}
