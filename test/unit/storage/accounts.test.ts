/**
 * The registry of linked accounts (src/storage/accounts.ts), and the upgrade of a single-account install:
 * records exactly as 0.1.x wrote them (unsuffixed keys, the account's id still `xUserId` in the oldest)
 * become a registry of one, nothing lost, however many instances do it at once.
 */
import { RocketChatAssociationModel } from '@rocket.chat/apps-engine/definition/metadata';
import type { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import {
    deliveryRecords,
    findAccountByUsername,
    LinkedAccount,
    listAccounts,
    migrateLegacyAccount,
    readAccount,
    readForAccount,
    removeAccount,
    tokensRecords,
    writeAccount,
} from '../../../src/storage/accounts';
import { lastEventRecords } from '../../../src/storage/admin-state';
import { healthRecords, pollStateRecords, recoveryRecords } from '../../../src/storage/job-state';
import { FakePersistence } from '../helpers/fake-bridge';

const OLD_ID = '1600000000000000001';
const NEW_ID = '1700000000000000002';
const misc = (id: string) => ({ model: RocketChatAssociationModel.MISC, id });

/** What 0.1.x stored for its one linked account, record by record, under its unsuffixed keys. */
const OLD_RECORDS: Record<string, object> = {
    'x-account': {
        xUserId: OLD_ID,
        username: 'AcmeSupport',
        name: 'Acme',
        authMethod: 'oauth2',
        linkedAt: 1_000,
        linkedBy: 'admin-id',
        ownSourceAppIds: ['29'],
    },
    'x-oauth2-tokens': {
        accessToken: 'old-access',
        refreshToken: 'old-refresh',
        expiresAt: 9_000_000,
        scope: ['dm.read'],
        updatedAt: 1_000,
    },
    'x-delivery': { mode: 'aaa', registeredAt: 1_000, webhookId: 'w1', accountActivitySubscribed: true },
    'x-poll-state': { averageNew: 1, consecutiveEmpty: 0, newestEventId: '55' },
    'x-health': { open: { webhook: { since: 5, reason: 'health_webhook_missing' } } },
    'x-recovery': { coveredUntil: 7 },
    'x-last-event': { at: 8 },
};

function setUp() {
    const store = new FakePersistence();
    for (const [key, data] of Object.entries(OLD_RECORDS)) store.records.push({ data: { ...data }, keys: [misc(key)] });
    const reader = store.reader() as unknown as IPersistenceRead;
    const persistence = store.accessor as unknown as IPersistence;
    const keysOf = () => store.records.map((r) => r.keys.map((k) => k.id).join('+')).sort();
    return { store, reader, persistence, keysOf };
}

const newAccount = (id: string, username: string): LinkedAccount => ({
    accountId: id,
    username,
    name: username,
    authMethod: 'oauth2',
    linkedAt: 2_000,
    linkedBy: 'admin-id',
});

const PER_ACCOUNT = [
    ['x-oauth2-tokens', tokensRecords],
    ['x-delivery', deliveryRecords],
    ['x-poll-state', pollStateRecords],
    ['x-health', healthRecords],
    ['x-recovery', recoveryRecords],
    ['x-last-event', lastEventRecords],
] as const;

describe('a single-account install before the upgrade', () => {
    it('lists its account and reads its records as the fallback, for that account only', async () => {
        const { reader } = setUp();
        expect(await listAccounts(reader)).toEqual([expect.objectContaining({ accountId: OLD_ID })]);
        expect(await readAccount(reader, OLD_ID)).toMatchObject({ accountId: OLD_ID, username: 'AcmeSupport' });
        expect(await readAccount(reader, NEW_ID)).toBeUndefined();
        for (const [name, kind] of PER_ACCOUNT) {
            expect(await readForAccount(reader, kind as never, OLD_ID)).toEqual(OLD_RECORDS[name]);
            // Another account never sees them (the old tokens above all).
            expect(await readForAccount(reader, kind as never, NEW_ID)).toBeUndefined();
        }
    });
});

describe('the upgrade to the registry', () => {
    it('moves every record under the account, drops the old ones and reads the same values', async () => {
        const { reader, persistence, keysOf } = setUp();
        expect(await migrateLegacyAccount(reader, persistence)).toMatchObject({ accountId: OLD_ID });
        expect(keysOf()).toEqual(
            [`x-account:${OLD_ID}+x-accounts`, ...PER_ACCOUNT.map(([name]) => `${name}:${OLD_ID}`)].sort(),
        );
        const account = await readAccount(reader, OLD_ID);
        expect(account).toEqual({ ...OLD_RECORDS['x-account'], xUserId: undefined, accountId: OLD_ID });
        expect(account).not.toHaveProperty('xUserId');
        for (const [name, kind] of PER_ACCOUNT)
            expect(await readForAccount(reader, kind as never, OLD_ID)).toEqual(OLD_RECORDS[name]);
        // Nothing left to move: a second run changes nothing.
        expect(await migrateLegacyAccount(reader, persistence)).toBeUndefined();
        expect(keysOf()).toHaveLength(1 + PER_ACCOUNT.length);
    });

    it('two instances at once agree: one record of each kind, the same values', async () => {
        const { reader, persistence, keysOf } = setUp();
        await Promise.all([migrateLegacyAccount(reader, persistence), migrateLegacyAccount(reader, persistence)]);
        expect(keysOf()).toEqual(
            [`x-account:${OLD_ID}+x-accounts`, ...PER_ACCOUNT.map(([name]) => `${name}:${OLD_ID}`)].sort(),
        );
        expect(await listAccounts(reader)).toHaveLength(1);
        expect(await readForAccount(reader, tokensRecords, OLD_ID)).toEqual(OLD_RECORDS['x-oauth2-tokens']);
    });

    it('keeps a record written under the new key meanwhile (a token refreshed since) over the old copy', async () => {
        const { reader, persistence } = setUp();
        const refreshed = { ...OLD_RECORDS['x-oauth2-tokens'], accessToken: 'new-access', updatedAt: 3_000 };
        await tokensRecords.of(OLD_ID).write(persistence, refreshed as never);
        await migrateLegacyAccount(reader, persistence);
        expect(await readForAccount(reader, tokensRecords, OLD_ID)).toEqual(refreshed);
    });
});

describe('the registry', () => {
    it('lists accounts in the order they were linked, finds one by handle (any case, @ optional)', async () => {
        const { reader, persistence } = setUp();
        await migrateLegacyAccount(reader, persistence);
        await writeAccount(persistence, newAccount(NEW_ID, 'AcmeSales'));
        expect((await listAccounts(reader)).map((a) => a.username)).toEqual(['AcmeSupport', 'AcmeSales']);
        expect(await findAccountByUsername(reader, '@acmesales')).toMatchObject({ accountId: NEW_ID });
        expect(await findAccountByUsername(reader, 'ACMESUPPORT')).toMatchObject({ accountId: OLD_ID });
        expect(await findAccountByUsername(reader, '@')).toBeUndefined();
        expect(await findAccountByUsername(reader, 'acme')).toBeUndefined();
    });

    it('a department set on an account is kept by a later write of the account', async () => {
        const { reader, persistence } = setUp();
        await writeAccount(persistence, { ...newAccount(NEW_ID, 'AcmeSales'), department: 'dep-sales' });
        expect(await readAccount(reader, NEW_ID)).toMatchObject({ department: 'dep-sales' });
        expect(await listAccounts(reader)).toEqual([expect.objectContaining({ department: 'dep-sales' })]);
    });

    it("removing one account removes its records only; the other's stay", async () => {
        const { reader, persistence, keysOf } = setUp();
        await migrateLegacyAccount(reader, persistence);
        await writeAccount(persistence, newAccount(NEW_ID, 'AcmeSales'));
        await deliveryRecords.of(NEW_ID).write(persistence, { mode: 'xaa', registeredAt: 3 });
        await tokensRecords.of(NEW_ID).write(persistence, {
            accessToken: 'a',
            expiresAt: 1,
            scope: [],
            updatedAt: 1,
        });
        await removeAccount(persistence, NEW_ID);
        expect(keysOf().filter((k) => k.includes(NEW_ID))).toEqual([]);
        expect(keysOf().filter((k) => k.includes(OLD_ID))).toHaveLength(1 + PER_ACCOUNT.length);
        expect((await listAccounts(reader)).map((a) => a.accountId)).toEqual([OLD_ID]);
    });
});
