import {
    accountsMessage,
    departmentModal,
    overviewLine,
    USE_DEFAULT_DEPARTMENT,
} from '../../../src/admin/accounts-view';
import type { AccountOverview } from '../../../src/admin/accounts';
import { translator } from '../../../src/i18n/translate';
import { AuthMethod, DeliveryMode } from '../../../src/settings/ids';
import type { LinkedAccount } from '../../../src/storage/accounts';

const t = translator('en');
const account: LinkedAccount = {
    accountId: '101',
    username: 'AcmeSales',
    name: 'Acme Sales',
    authMethod: AuthMethod.OAuth2,
    linkedAt: 1,
    linkedBy: 'admin',
};
const overview = (o: Partial<AccountOverview> = {}): AccountOverview => ({
    account,
    department: { id: 'd1', name: 'Sales', own: true },
    delivery: { mode: DeliveryMode.ActivityApi, registeredAt: 1 },
    health: { open: {} },
    todayUsd: 0.125,
    ...o,
});

describe('the accounts overview', () => {
    it('names the department, its origin, the delivery, health and cost on one line', () => {
        expect(overviewLine(t, overview())).toBe(
            '• @AcmeSales — department: Sales — delivery: X Activity API webhook, healthy — X cost today: $0.13',
        );
        expect(overviewLine(t, overview({ department: { id: 'd0', name: 'Support', own: false } }))).toContain(
            'department: Support (Default department setting)',
        );
        expect(overviewLine(t, overview({ department: undefined, delivery: undefined }))).toContain(
            'department: none (Default department setting is empty) — delivery: not registered',
        );
    });

    it('shows a revoked token first, else the first open health problem', () => {
        const problem = overview({ health: { open: { webhook: { since: 1, reason: 'health_webhook_missing' } } } });
        expect(overviewLine(t, problem)).toContain('⚠️ X no longer has this Rocket.Chat');
        expect(overviewLine(t, { ...problem, account: { ...account, revokedAt: 5 } })).toContain('⚠️ access revoked');
    });

    it('gives each account its two buttons, valued with its id', () => {
        const { blocks, text } = accountsMessage(t, 'app-id', [overview()], Date.now());
        expect(text.split('\n')[0]).toBe('*Linked X accounts (1)*');
        const actions = blocks.find((b) => b.type === 'actions') as unknown as {
            elements: { actionId: string; value: string; appId: string }[];
        };
        expect(actions.elements.map((e) => [e.actionId, e.value, e.appId])).toEqual([
            ['x-account-department', '101', 'app-id'],
            ['x-account-unlink', '101', 'app-id'],
        ]);
    });
});

describe("the X app's registrations", () => {
    it("counts webhooks and both APIs' subscriptions against the pay-per-use limits", () => {
        const { text } = accountsMessage(
            t,
            'app-id',
            [
                overview({
                    delivery: {
                        mode: DeliveryMode.ActivityApi,
                        registeredAt: 1,
                        webhookId: 'w1',
                        activitySubscriptionIds: ['s1', 's2'],
                    },
                }),
                overview({
                    delivery: {
                        mode: DeliveryMode.AccountActivityApi,
                        registeredAt: 1,
                        webhookId: 'w1',
                        accountActivitySubscribed: true,
                    },
                }),
                overview({ delivery: undefined }),
            ],
            Date.now(),
        );
        expect(text.split('\n').at(-1)).toBe(
            'Registered at X for this app: 1 webhook(s) (the plan allows 1); Account Activity subscriptions 1/3, ' +
                'X Activity API subscriptions 2/1,500 (pay-per-use limits: a further account needs a free one)',
        );
    });
});

describe('the department modal', () => {
    it('offers the listed departments and the Default setting, the current one chosen', () => {
        const view = departmentModal(t, { ...account, department: 'd2' }, [
            { id: 'd1', name: 'Support' },
            { id: 'd2', name: 'Sales' },
        ] as never);
        const element = (view.blocks[0] as unknown as { element: Record<string, unknown> }).element;
        expect(element.type).toBe('static_select');
        expect(element.initialValue).toBe('d2');
        expect((element.options as { value: string }[]).map((o) => o.value)).toEqual([
            USE_DEFAULT_DEPARTMENT,
            'd1',
            'd2',
        ]);
    });

    it('falls back to a text field when no department can be listed', () => {
        const view = departmentModal(t, account, []);
        expect((view.blocks[0] as unknown as { element: { type: string } }).element.type).toBe('plain_text_input');
    });
});
