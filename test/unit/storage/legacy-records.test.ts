/**
 * Records exactly as the version before the rename (commit 244d540) wrote them — field `xUserId` for the
 * business account or the customer, under the same association keys — are read into the new names, and
 * every write afterwards stores only the new shape.
 */
import { RocketChatAssociationModel } from '@rocket.chat/apps-engine/definition/metadata';
import type { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { migrateLegacyAccount, readAccount, writeAccount } from '../../../src/storage/accounts';
import { conversationKey } from '../../../src/storage/conversation-keys';
import { ConversationStore } from '../../../src/storage/conversations';
import { fromStoredVerifyJob } from '../../../src/storage/waiting-messages';
import { OutboxStore, outboxConversationKey } from '../../../src/storage/outbox';
import { FakePersistence } from '../helpers/fake-bridge';

const ACCOUNT = '1600000000000000001';
const CUSTOMER = '42';
const misc = (id: string) => ({ model: RocketChatAssociationModel.MISC, id });

function setUp() {
    const store = new FakePersistence();
    const reader = store.reader() as unknown as IPersistenceRead;
    const persistence = store.accessor as unknown as IPersistence;
    const stored = (type: string) => store.records.filter((r) => r.data.type === type).map((r) => r.data);
    return { store, reader, persistence, stored };
}

describe('records written before the rename', () => {
    it('linked account: xUserId is the accountId; a later write stores accountId only', async () => {
        const { store, reader, persistence } = setUp();
        const old = {
            xUserId: ACCOUNT,
            username: 'acme',
            name: 'Acme',
            authMethod: 'oauth2',
            linkedAt: 1,
            linkedBy: 'admin-id',
            ownSourceAppIds: ['29'],
        };
        store.records.push({ data: old, keys: [misc('x-account')] });

        const account = await readAccount(reader, ACCOUNT);
        expect(account).toEqual({ ...old, xUserId: undefined, accountId: ACCOUNT });
        expect(account).not.toHaveProperty('xUserId');

        // The upgrade to the registry moves it; a later write stores the new shape under the account's key.
        await migrateLegacyAccount(reader, persistence);
        await writeAccount(persistence, { ...account!, revokedAt: 2 });
        expect(store.records).toHaveLength(1);
        expect(store.records[0].keys).toEqual([misc(`x-account:${ACCOUNT}`), misc('x-accounts')]);
        expect(store.records[0].data).toMatchObject({ accountId: ACCOUNT, revokedAt: 2 });
        expect(store.records[0].data).not.toHaveProperty('xUserId');
    });

    it('conversation record: found by the same keys, xUserId is the customerId, an update rewrites it', async () => {
        const { store, reader, persistence, stored } = setUp();
        const old = {
            type: 'conversation',
            accountId: ACCOUNT,
            xUserId: CUSTOMER,
            roomId: 'room-1',
            visitorId: 'v1',
            visitorToken: 'x1.token',
            visitorUsername: `x-${CUSTOMER}`,
            visitorName: 'Customer',
            openedAt: 5,
        };
        store.records.push({
            data: old,
            keys: [
                misc(`x-conv:${ACCOUNT}:${CUSTOMER}`),
                { model: RocketChatAssociationModel.ROOM, id: 'room-1' },
                misc('x-conversation'),
            ],
        });
        const conversations = new ConversationStore();

        const { conversation } = await conversations.load(reader, ACCOUNT, CUSTOMER);
        expect(conversation).toMatchObject({ accountId: ACCOUNT, customerId: CUSTOMER, roomId: 'room-1' });
        expect(conversation).not.toHaveProperty('xUserId');
        const byRoom = await conversations.byRoom(reader, 'room-1');
        expect(byRoom).toEqual(conversation);

        await conversations.update(persistence, { ...conversation!, lastReadEventId: 'e9', lastReadAt: 6 });
        expect(stored('conversation')).toEqual([
            { ...old, xUserId: undefined, customerId: CUSTOMER, lastReadEventId: 'e9', lastReadAt: 6 },
        ]);
        expect(stored('conversation')[0]).not.toHaveProperty('xUserId');
    });

    it('mirror candidate: xUserId is the customerId, and removing it finds it by the same keys', async () => {
        const { store, reader, persistence } = setUp();
        const old = {
            type: 'mirror-candidate',
            eventId: 'e1',
            xUserId: CUSTOMER,
            at: 3,
            event: { kind: 'message', eventId: 'e1', accountId: ACCOUNT, senderId: ACCOUNT, recipientId: CUSTOMER },
        };
        store.records.push({
            data: old,
            keys: [misc(`x-conv:${ACCOUNT}:${CUSTOMER}`), misc('x-mirror:e1'), misc('x-mirror')],
        });
        const conversations = new ConversationStore();

        const [candidate] = await conversations.allMirrorCandidates(reader);
        expect(candidate).toMatchObject({ eventId: 'e1', customerId: CUSTOMER });
        expect(candidate).not.toHaveProperty('xUserId');

        await conversations.removeMirrorCandidate(persistence, ACCOUNT, candidate);
        expect(store.records).toHaveLength(0);
    });

    it('outbox item: xUserId is the customerId; updates and removal match the keys it was stored under', async () => {
        const { store, reader, persistence, stored } = setUp();
        const old = {
            type: 'outbox-item',
            id: 'm:msg1:0',
            accountId: ACCOUNT,
            xUserId: CUSTOMER,
            roomId: 'room-1',
            orderAt: 10,
            orderId: 'msg1',
            part: 0,
            text: 'queued before the upgrade',
            origin: 'agent',
            queuedAt: 10,
            state: 'queued',
            attempts: 1,
            notBefore: 20,
        };
        const keys = [misc('x-outbox'), misc(`x-outbox:${ACCOUNT}:${CUSTOMER}`), misc('x-outbox-item:m:msg1:0')];
        store.records.push({ data: old, keys });
        const outbox = new OutboxStore();

        const [item] = await outbox.all(reader);
        expect(item).toEqual({ ...old, xUserId: undefined, customerId: CUSTOMER });
        expect(item).not.toHaveProperty('xUserId');

        await outbox.put(persistence, { ...item, attempts: 2 });
        expect(store.records).toHaveLength(1);
        expect(store.records[0].keys).toEqual(keys);
        expect(stored('outbox-item')[0]).toMatchObject({ customerId: CUSTOMER, attempts: 2 });
        expect(stored('outbox-item')[0]).not.toHaveProperty('xUserId');

        store.records.push({
            data: { ...old, id: 'm:msg2:0' },
            keys: [...keys.slice(0, 2), misc('x-outbox-item:m:msg2:0')],
        });
        const removed = await outbox.removeConversation(persistence, ACCOUNT, CUSTOMER);
        expect(removed.map((r) => [r.id, r.customerId])).toEqual([
            ['m:msg1:0', CUSTOMER],
            ['m:msg2:0', CUSTOMER],
        ]);
        expect(store.records).toHaveLength(0);
    });

    it('verification job data: xUserId is the customerId; malformed data is refused', () => {
        expect(fromStoredVerifyJob({ xUserId: CUSTOMER, eventId: 'e1' })).toEqual({
            customerId: CUSTOMER,
            eventId: 'e1',
        });
        expect(fromStoredVerifyJob({ customerId: CUSTOMER, eventId: 'e1' })).toEqual({
            customerId: CUSTOMER,
            eventId: 'e1',
        });
        expect(fromStoredVerifyJob({ eventId: 'e1' })).toBeUndefined();
        expect(fromStoredVerifyJob({ xUserId: 42, eventId: 'e1' })).toBeUndefined();
    });
});

// Old records are found by their association keys: the new code must build them exactly as before.
it('conversation and outbox keys keep their string format', () => {
    expect(conversationKey(ACCOUNT, CUSTOMER).getID()).toBe(`x-conv:${ACCOUNT}:${CUSTOMER}`);
    expect(outboxConversationKey(ACCOUNT, CUSTOMER).getID()).toBe(`x-outbox:${ACCOUNT}:${CUSTOMER}`);
});
