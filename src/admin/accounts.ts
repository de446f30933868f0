/**
 * The services behind the admin's view of several linked accounts (`/twitter accounts`, `/twitter department`,
 * `/twitter unauthorize @handle`, `/twitter status @handle` and the setup room's buttons): each finds the
 * account by its handle, so a command never needs X ids.
 */
import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { I18nKey, Translate } from '../i18n/translate';
import { utcDay } from '../lib/time';
import { readSettings } from '../settings/reader';
import { invalidateAccount } from '../storage/account-cache';
import {
    DeliveryRegistration,
    deliveryRecords,
    findAccountByUsername,
    LinkedAccount,
    listAccounts,
    readForAccount,
    writeAccount,
} from '../storage/accounts';
import { HealthState, healthRecords } from '../storage/job-state';
import { totalsForDay } from '../storage/ledger';
import type { AdminAccessors } from './link';
import { unlinkAccount, UnlinkOutcome } from './unlink';
import { statusReport } from './status';

/**
 * One line of `/twitter accounts`: the account, where its conversations go, its delivery, health and cost.
 */
export interface AccountOverview {
    account: LinkedAccount;
    /** The department its rooms open in: its own, else the *Default department* setting (absent: none). */
    department?: { id: string; name: string; own: boolean };
    delivery?: DeliveryRegistration;
    health?: HealthState;
    /** What X billed for this account today (UTC), in USD. */
    todayUsd: number;
}

/** Every linked account with its department, delivery, health and today's cost (`/twitter accounts`, the setup room). */
export async function listLinkedAccounts(a: Pick<AdminAccessors, 'read' | 'now'>): Promise<AccountOverview[]> {
    const reader = a.read.getPersistenceReader();
    const accounts = await listAccounts(reader);
    const defaultDepartment = (await readSettings(a.read)).department;
    return Promise.all(
        accounts.map(async (account) => {
            const [delivery, health, today, department] = await Promise.all([
                readForAccount(reader, deliveryRecords, account.accountId),
                readForAccount(reader, healthRecords, account.accountId),
                totalsForDay(reader, utcDay(a.now()), account.accountId),
                departmentOf(a.read, account.department || defaultDepartment),
            ]);
            return {
                account,
                department: department && { ...department, own: !!account.department },
                delivery,
                health,
                todayUsd: today.usd,
            };
        }),
    );
}

async function departmentOf(
    read: IRead,
    wanted: string | undefined,
): Promise<{ id: string; name: string } | undefined> {
    if (!wanted) return undefined;
    const department = await read.getLivechatReader().getLivechatDepartmentByIdOrName(wanted);
    return department && { id: department.id, name: department.name ?? department.id };
}

type AccountLookup = { ok: true; account: LinkedAccount } | { ok: false; reasonKey: I18nKey; handle: string };

/** The linked account with this handle (`@` optional, any case). */
async function accountByHandle(read: IRead, handle: string): Promise<AccountLookup> {
    const account = await findAccountByUsername(read.getPersistenceReader(), handle);
    return account
        ? { ok: true, account }
        : { ok: false, reasonKey: 'accounts_unknown_handle', handle: handle.replace(/^@/, '') };
}

export type DepartmentOutcome =
    | { ok: true; account: LinkedAccount; department?: { id: string; name: string } }
    | { ok: false; reasonKey: I18nKey; handle?: string; department?: string };

/**
 * Routes the account's new conversations to `department` (name or id): it must exist and be enabled. An
 * empty value goes back to the *Default department* setting. Rooms already open stay where they are. The
 * department's id is stored (a renamed department keeps its accounts).
 */
export async function setAccountDepartment(
    a: Pick<AdminAccessors, 'read' | 'persistence'>,
    handle: string,
    department: string,
): Promise<DepartmentOutcome> {
    const found = await accountByHandle(a.read, handle);
    if (!found.ok) return found;
    const wanted = department.trim();
    let chosen: { id: string; name: string } | undefined;
    if (wanted) {
        const existing = await a.read.getLivechatReader().getLivechatDepartmentByIdOrName(wanted);
        if (!existing) return { ok: false, reasonKey: 'accounts_department_unknown', department: wanted };
        if (!existing.enabled) return { ok: false, reasonKey: 'accounts_department_disabled', department: wanted };
        chosen = { id: existing.id, name: existing.name ?? existing.id };
    }
    const account: LinkedAccount = { ...found.account, department: chosen?.id };
    if (!chosen) delete account.department;
    await writeAccount(a.persistence, account);
    invalidateAccount();
    return { ok: true, account, department: chosen };
}

/** Unlinks the account with this handle only (its delivery at X, its records); the others keep working. */
export async function unlinkByHandle(
    a: AdminAccessors,
    handle: string,
): Promise<UnlinkOutcome | Extract<AccountLookup, { ok: false }>> {
    const found = await accountByHandle(a.read, handle);
    if (!found.ok) return found;
    return unlinkAccount(a, found.account.accountId);
}

/** `/twitter status [@handle]`: one account's status (without a handle, the account linked longest). */
export async function accountStatus(a: AdminAccessors, t: Translate, handle?: string): Promise<string> {
    if (handle === undefined) return statusReport(a.read, a.http, a.persistence, t, a.now());
    const found = await accountByHandle(a.read, handle);
    if (!found.ok) return t(found.reasonKey, { handle: found.handle });
    return statusReport(a.read, a.http, a.persistence, t, a.now(), found.account.accountId);
}
