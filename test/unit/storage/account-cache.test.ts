import { sendingAccountCount } from '../../../src/storage/account-cache';
import type { LinkedAccount } from '../../../src/storage/accounts';

const account = (accountId: string, revokedAt?: number) =>
    ({ accountId, username: accountId, linkedAt: 1, ...(revokedAt ? { revokedAt } : {}) }) as LinkedAccount;

describe('sendingAccountCount', () => {
    it('leaves revoked accounts out of the send budget split, and is never below one', () => {
        expect(sendingAccountCount([account('1'), account('2'), account('3', 5)])).toBe(2);
        expect(sendingAccountCount([account('1', 5)])).toBe(1);
        expect(sendingAccountCount([])).toBe(1);
    });
});
