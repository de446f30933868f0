/** Automatic delivery's choice and its explanation (src/settings/delivery-modes.ts, src/admin/delivery-explain.ts). */
import { explainAutomatic } from '../../../src/admin/delivery-explain';
import { translator } from '../../../src/i18n/translate';
import { bestWebhookMode, webhookModeOf } from '../../../src/settings/delivery-modes';
import { normalizeSettings } from '../../../src/settings/reader';
import type { DeliveryRegistration } from '../../../src/storage/accounts';

const t = translator('en');
const DEC_2026 = Date.UTC(2026, 11, 5);
const JAN_2027 = Date.UTC(2027, 0, 1);
const keys = { api_key: 'k', api_key_secret: 's' };

describe('the webhook mode Automatic tries', () => {
    it('is the X Activity API with OAuth 2.0, the Account Activity API with pasted tokens until X ends it', () => {
        expect(bestWebhookMode(normalizeSettings({ ...keys, auth_method: 'oauth2' }), DEC_2026)).toEqual({
            mode: 'xaa',
        });
        expect(bestWebhookMode(normalizeSettings({ ...keys, auth_method: 'tokens' }), DEC_2026)).toEqual({
            mode: 'aaa',
        });
        expect(bestWebhookMode(normalizeSettings({ ...keys, auth_method: 'tokens' }), JAN_2027)).toEqual({
            why: 'auto_aaa_ended',
        });
        expect(bestWebhookMode(normalizeSettings({ auth_method: 'oauth2' }), DEC_2026)).toEqual({
            why: 'delivery_needs_api_secret',
        });
    });

    it('decides which webhook deliveries are billed: an explicit mode is its own answer', () => {
        expect(webhookModeOf(normalizeSettings({ ...keys, delivery_mode: 'auto' }), DEC_2026)).toBe('xaa');
        expect(webhookModeOf(normalizeSettings({ ...keys, delivery_mode: 'aaa' }), DEC_2026)).toBe('aaa');
        expect(webhookModeOf(normalizeSettings({ ...keys, delivery_mode: 'polling' }), DEC_2026)).toBeUndefined();
    });

    it('is the default for new installs, while a mode an admin chose stays (an upgrade keeps setting values)', () => {
        expect(normalizeSettings({}).deliveryMode).toBe('auto');
        expect(normalizeSettings({ delivery_mode: 'nonsense' }).deliveryMode).toBe('auto');
        for (const mode of ['xaa', 'aaa', 'polling'])
            expect(normalizeSettings({ delivery_mode: mode }).deliveryMode).toBe(mode);
    });
});

describe("Automatic's explanation", () => {
    const volume = { received: 100, sent: 120 };

    it('while polling: the delay, the cost a day at this volume, why, and what instant delivery would cost and need', () => {
        const polling: DeliveryRegistration = {
            mode: 'polling',
            registeredAt: DEC_2026,
            automatic: {
                switches: 1,
                webhookMode: 'xaa',
                url: 'https://chat.example/api/apps/public/app/webhook/…',
                reason: 'auto_reason_unreachable',
                detail: 'CrcValidationFailed: connect ECONNREFUSED',
                attempts: 2,
                nextTryAt: Date.UTC(2026, 11, 5, 14, 5),
            },
        };
        const text = explainAutomatic(t, polling, volume, 60);
        // README's example: 100 in, 120 out — polling $4.00, the X Activity API $2.80 a day.
        expect(text).toContain('about 1 min late: about $4.00 a day');
        expect(text).toContain('(100 DMs in, 120 out a day)');
        expect(text).toContain('X could not complete its check (CRC) of the webhook https://chat.example/');
        expect(text).toContain('connect ECONNREFUSED');
        expect(text).toContain('For instant delivery (about $2.80 a day)');
        expect(text).toContain('again at 14:05 UTC');
        expect(explainAutomatic(t, polling, volume, 300)).toContain('about 5 min late');
    });

    it('while polling for a reason only settings fix: the reason names the fix, no retry is promised', () => {
        const text = explainAutomatic(
            t,
            {
                mode: 'polling',
                registeredAt: DEC_2026,
                automatic: { switches: 0, attempts: 0, reason: 'auto_aaa_ended' },
            },
            volume,
            60,
        );
        expect(text).toContain('the Account Activity API ended on 2027-01-01');
        expect(text).not.toContain('tries the webhook again');
    });

    it('with the webhook: at once, its cost and what polling would cost', () => {
        const webhook: DeliveryRegistration = {
            mode: 'aaa',
            registeredAt: DEC_2026,
            automatic: { switches: 0, attempts: 0, webhookMode: 'aaa', url: 'https://chat.example/…' },
        };
        const text = explainAutomatic(t, webhook, volume, 60);
        expect(text).toContain('arrive at once through the Account Activity API webhook');
        expect(text).toContain('about $1.80 a day');
        expect(text).toContain('polling would cost about $4.00');
    });
});
