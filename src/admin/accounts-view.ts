/**
 * What admins see of several linked accounts: the lines of `/twitter accounts` (and of `/twitter status` with
 * several accounts), with a "Set department" and an "Unlink" button per account, and the two modals those
 * buttons open. Rendering only: the buttons' handling is in account-actions.ts.
 */
import type { IDepartment } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUIKitModalViewParam } from '@rocket.chat/apps-engine/definition/uikit/UIKitInteractionResponder';
import type { LayoutBlock } from '@rocket.chat/ui-kit';
import { deliveryModeLabel } from '../i18n/setting-labels';
import type { Translate } from '../i18n/translate';
import type { LinkedAccount } from '../storage/accounts';
import { appSendBudget } from '../x/limits';
import type { AccountOverview } from './accounts';

export const ACCOUNT_DEPARTMENT_ACTION = 'x-account-department';
export const ACCOUNT_UNLINK_ACTION = 'x-account-unlink';
/** Modal ids are `<kind>:<accountId>`; the client sends the id back on submit (untrusted, checked again). */
export const DEPARTMENT_VIEW = 'x-account-department-view';
export const UNLINK_VIEW = 'x-account-unlink-view';
export const DEPARTMENT_BLOCK = 'x-account-department-block';
export const DEPARTMENT_INPUT = 'department';
/** The select's choice "no own department": back to the *Default department* setting (never a department id). */
export const USE_DEFAULT_DEPARTMENT = '@default';

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** One account on one line: handle, department, delivery and health, today's cost. */
export function overviewLine(t: Translate, o: AccountOverview): string {
    const department = !o.department
        ? t('accounts_department_none')
        : o.department.own
          ? o.department.name
          : t('accounts_department_default', { department: o.department.name });
    const problem = Object.values(o.health?.open ?? {})[0];
    const health = o.account.revokedAt
        ? t('accounts_health_revoked')
        : problem
          ? t('accounts_health_problem', { reason: t(problem.reason) })
          : t('accounts_health_ok');
    return t('accounts_line', {
        username: o.account.username,
        department,
        delivery: o.delivery ? t(deliveryModeLabel(o.delivery.mode)) : t('accounts_delivery_none'),
        health,
        today: o.todayUsd.toFixed(2),
    });
}

/** X's daily DM budget of the X app, shared by every linked account, as this instance last saw it. */
export function sendBudgetLine(t: Translate, now: number): string {
    const day = appSendBudget.current(now);
    return day
        ? t('accounts_send_budget', { remaining: day.remaining, limit: day.limit, reset: clock(day.resetAt) })
        : t('accounts_send_budget_unknown');
}

/**
 * The X app's subscriptions and webhooks as the accounts' delivery records hold them, against the pay-per-use
 * plan's limits (research/x-api.md §3: Account Activity 3 subscriptions and 1 webhook; Activity API 1,500
 * subscriptions self-serve): a fourth account on Account Activity is refused by X, and this says why beforehand.
 */
function subscriptionsLine(t: Translate, overview: AccountOverview[]): string {
    const deliveries = overview.flatMap((o) => (o.delivery ? [o.delivery] : []));
    const webhooks = new Set(deliveries.flatMap((d) => (d.webhookId ? [d.webhookId] : []))).size;
    const activity = deliveries.reduce((sum, d) => sum + (d.activitySubscriptionIds?.length ?? 0), 0);
    const accountActivity = deliveries.filter((d) => d.accountActivitySubscribed).length;
    return t('accounts_subscriptions', {
        webhooks,
        accountActivity,
        accountActivityLimit: AAA_SUBSCRIPTION_LIMIT,
        activity,
        activityLimit: XAA_SUBSCRIPTION_LIMIT.toLocaleString('en-US'),
    });
}

const AAA_SUBSCRIPTION_LIMIT = 3;
const XAA_SUBSCRIPTION_LIMIT = 1_500;

/** `/twitter accounts`: the text, and the same lines as blocks with each account's buttons. */
export function accountsMessage(
    t: Translate,
    appId: string,
    overview: AccountOverview[],
    now: number,
): { text: string; blocks: LayoutBlock[] } {
    const title = t('accounts_title', { count: overview.length });
    const lines = overview.map((o) => overviewLine(t, o));
    const budget = sendBudgetLine(t, now);
    const section = (text: string): LayoutBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
    const blocks: LayoutBlock[] = [section(title)];
    overview.forEach((o, i) => {
        const blockId = `x-account:${o.account.accountId}`;
        const button = (actionId: string, key: 'accounts_set_department' | 'accounts_unlink') => ({
            type: 'button',
            appId,
            blockId,
            actionId,
            value: o.account.accountId,
            text: { type: 'plain_text', text: t(key) },
            ...(actionId === ACCOUNT_UNLINK_ACTION ? { style: 'danger' } : {}),
        });
        blocks.push(section(lines[i]), {
            type: 'actions',
            blockId,
            elements: [
                button(ACCOUNT_DEPARTMENT_ACTION, 'accounts_set_department'),
                button(ACCOUNT_UNLINK_ACTION, 'accounts_unlink'),
            ],
        } as LayoutBlock);
    });
    const subscriptions = subscriptionsLine(t, overview);
    blocks.push(section(budget), section(subscriptions));
    return { text: [title, ...lines, budget, subscriptions].join('\n'), blocks };
}

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/**
 * "Set department": a static select of the departments Apps-Engine 1.62 can list
 * (`ILivechatRead.getDepartmentsEnabledWithAgents`: enabled, with agents), plus "the Default department
 * setting"; with none listed, a text input for a name or id (validated on submit like the command).
 */
export function departmentModal(
    t: Translate,
    account: LinkedAccount,
    departments: IDepartment[],
): IUIKitModalViewParam {
    const options = [
        { text: plain(t('accounts_modal_use_default')), value: USE_DEFAULT_DEPARTMENT },
        ...departments.map((d) => ({ text: plain(d.name ?? d.id), value: d.id })),
    ];
    const current = account.department && departments.some((d) => d.id === account.department);
    const element =
        departments.length > 0
            ? {
                  type: 'static_select',
                  actionId: DEPARTMENT_INPUT,
                  placeholder: plain(t('accounts_modal_department_placeholder')),
                  options,
                  initialValue: current ? account.department : USE_DEFAULT_DEPARTMENT,
              }
            : {
                  type: 'plain_text_input',
                  actionId: DEPARTMENT_INPUT,
                  placeholder: plain(t('accounts_modal_department_placeholder')),
                  initialValue: account.department ?? '',
              };
    return {
        id: `${DEPARTMENT_VIEW}:${account.accountId}`,
        title: plain(t('accounts_modal_department_title', { username: account.username })),
        blocks: [
            {
                type: 'input',
                blockId: DEPARTMENT_BLOCK,
                optional: true,
                label: plain(t('accounts_modal_department_label')),
                element,
            },
        ] as LayoutBlock[],
        submit: {
            type: 'button',
            actionId: 'submit',
            blockId: DEPARTMENT_BLOCK,
            text: plain(t('accounts_modal_save')),
        },
        close: {
            type: 'button',
            actionId: 'close',
            blockId: DEPARTMENT_BLOCK,
            text: plain(t('accounts_modal_cancel')),
        },
    } as IUIKitModalViewParam;
}

/** "Unlink": asks first, since unlinking stops the account's deliveries at X at once. */
export function unlinkModal(t: Translate, account: LinkedAccount): IUIKitModalViewParam {
    return {
        id: `${UNLINK_VIEW}:${account.accountId}`,
        title: plain(t('accounts_modal_unlink_title', { username: account.username })),
        blocks: [
            {
                type: 'section',
                text: { type: 'mrkdwn', text: t('accounts_modal_unlink_text', { username: account.username }) },
            },
        ] as LayoutBlock[],
        submit: {
            type: 'button',
            actionId: 'submit',
            blockId: 'x-unlink',
            style: 'danger',
            text: plain(t('accounts_unlink')),
        },
        close: { type: 'button', actionId: 'close', blockId: 'x-unlink', text: plain(t('accounts_modal_cancel')) },
    } as IUIKitModalViewParam;
}
