/**
 * Automatic delivery's switches under concurrency (src/admin/auto-delivery.ts): two instances that both
 * saw the webhook fail (or come back) at the same moment make one switch and one notice, and the back-off
 * schedule of webhook retries. Over fake persistence with Rocket.Chat's semantics and a scripted X.
 */
import { retryWebhook, webhookRetryDue } from '../../../src/admin/auto-delivery';
import type { DeliveryDeps } from '../../../src/admin/delivery';
import { normalizeSettings } from '../../../src/settings/reader';
import { DeliveryRegistration, deliveryRecords } from '../../../src/storage/accounts';
import { XFailure } from '../../../src/x/client-types';
import { FakePersistence } from '../helpers/fake-bridge';

const NOW = Date.UTC(2026, 11, 5, 12);
const URL = 'https://chat.example/api/apps/public/app/webhook/secret-segment';
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** X as the webhook calls see it: one webhook of ours, whose challenge passes or fails. */
function scriptedX(reachable: () => boolean) {
    const calls: string[] = [];
    const x = {
        async listWebhooks() {
            calls.push('list');
            await tick();
            return [{ id: 'w1', url: URL, valid: false }];
        },
        async revalidateWebhook() {
            calls.push('revalidate');
            await tick();
            if (!reachable())
                throw new XFailure('invalid-request', 400, undefined, 'connect ECONNREFUSED', 'CrcValidationFailed');
        },
        async listActivitySubscriptions() {
            return [];
        },
        async createActivitySubscription(type: string) {
            return { id: `sub-${type}` };
        },
        async createAppActivitySubscription(type: string) {
            return { id: `app-sub-${type}` };
        },
    };
    return { x, calls };
}

function instance(store: FakePersistence, x: unknown, now: number): DeliveryDeps {
    return {
        x: x as DeliveryDeps['x'],
        reader: store.reader() as unknown as DeliveryDeps['reader'],
        persistence: store.accessor as unknown as DeliveryDeps['persistence'],
        modify: {
            getScheduler: () => ({ cancelJob: async () => undefined, scheduleRecurring: async () => 'job' }),
        } as unknown as DeliveryDeps['modify'],
        settings: normalizeSettings({
            delivery_mode: 'auto',
            auth_method: 'oauth2',
            api_key: 'k',
            api_key_secret: 's',
        }),
        account: { accountId: '1', username: 'acme', name: 'Acme', authMethod: 'oauth2', linkedAt: 0, linkedBy: 'a' },
        webhookUrl: URL,
        now: () => now,
    };
}

const polling: DeliveryRegistration = {
    mode: 'polling',
    registeredAt: NOW - 60_000,
    webhookId: 'w1',
    webhookUrl: URL,
    automatic: { switches: 1, webhookMode: 'xaa', reason: 'auto_reason_unreachable', attempts: 1, nextTryAt: NOW },
};

describe('two instances deciding the same switch at once', () => {
    it('store one switch and post one notice: the first claim under the switch number wins', async () => {
        const store = new FakePersistence();
        await deliveryRecords.of('1').write(store.accessor as never, polling);
        const { x } = scriptedX(() => true);
        const notices: DeliveryRegistration[] = [];
        const announce = async (r: DeliveryRegistration) => void notices.push(r);
        // Both read the same registration (polling, switch 1) before either stores anything.
        const [a, b] = await Promise.all([
            retryWebhook(instance(store, x, NOW), polling, announce),
            retryWebhook(instance(store, x, NOW), polling, announce),
        ]);
        expect(notices).toHaveLength(1);
        expect(notices[0]).toEqual(expect.objectContaining({ mode: 'xaa' }));
        expect(notices[0].automatic).toEqual(
            expect.objectContaining({ switches: 2, attempts: 0, pollUntilEventAfter: NOW }),
        );
        const stored = await deliveryRecords.of('1').read(store.reader() as never);
        expect(stored?.automatic?.switches).toBe(2);
        // The loser returns what the winner stored.
        expect([a.automatic?.switches, b.automatic?.switches]).toEqual([2, 2]);
        expect(store.ofType('auto-switch')).toHaveLength(2);
    });
});

describe('webhook retries while polling', () => {
    it('back off doubling (a minute after the first failure) up to 30 minutes, and never switch while X still cannot reach the webhook', async () => {
        const store = new FakePersistence();
        const { x } = scriptedX(() => false);
        const notices: DeliveryRegistration[] = [];
        let current = polling;
        const delays: number[] = [];
        let now = NOW;
        for (let i = 0; i < 7; i++) {
            expect(webhookRetryDue(current, now)).toBe(true);
            expect(webhookRetryDue(current, now - 1)).toBe(false);
            current = await retryWebhook(instance(store, x, now), current, async (r) => void notices.push(r));
            delays.push((current.automatic!.nextTryAt! - now) / 60_000);
            now = current.automatic!.nextTryAt!;
        }
        // The registration had failed once already: the next waits are 2, 4, 8 … minutes.
        expect(delays).toEqual([2, 4, 8, 16, 30, 30, 30]);
        expect(current.mode).toBe('polling');
        expect(current.automatic?.switches).toBe(1);
        expect(notices).toEqual([]);
    });

    it('are not due with the webhook active, nor when only settings can help', () => {
        expect(webhookRetryDue({ ...polling, mode: 'xaa' }, NOW)).toBe(false);
        expect(
            webhookRetryDue({ ...polling, automatic: { switches: 0, attempts: 0, reason: 'auto_aaa_ended' } }, NOW),
        ).toBe(false);
    });
});
