/**
 * Public mentions with several linked accounts (issues 17 and 19): the shared list of waiting mentions
 * gives each account's pending job only its own, and today's cost per account includes its mentions,
 * post reads and public replies.
 */
import type { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { recordBillable, totalsForDay } from '../../../src/storage/ledger';
import { addPendingPost, claimPost, pendingPostsOf, recordOwnReply } from '../../../src/storage/public-threads';
import { utcDay } from '../../../src/lib/time';
import { FakePersistence } from '../helpers/fake-bridge';

const FIRST = '1700000000000000001';
const SECOND = '1700000000000000002';
const NOW = Date.UTC(2026, 5, 1, 12);

function setUp() {
    const store = new FakePersistence();
    return {
        reader: store.reader() as unknown as IPersistenceRead,
        persistence: store.accessor as unknown as IPersistence,
    };
}

describe('waiting mentions', () => {
    it("each account's pending job takes only its own", async () => {
        const { reader, persistence } = setUp();
        await addPendingPost(persistence, 'p1', { eventId: 'p1', accountId: FIRST, createdAt: 1 }, NOW);
        await addPendingPost(persistence, 'p2', { eventId: 'p2', accountId: SECOND, createdAt: 2 }, NOW);
        expect((await pendingPostsOf(reader, FIRST)).map((p) => p.postId)).toEqual(['p1']);
        expect((await pendingPostsOf(reader, SECOND)).map((p) => p.postId)).toEqual(['p2']);
    });
});

describe("today's cost per account", () => {
    it('counts mention deliveries, post reads and public replies for the account billed', async () => {
        const { reader, persistence } = setUp();
        const ref = (accountId: string) => ({ accountId, customerId: '42', threadId: 't1' });
        await claimPost(persistence, ref(FIRST), { postId: 'm1', createdAt: 1 }, 'c1', NOW, 'post_mention');
        await claimPost(persistence, ref(SECOND), { postId: 'm2', createdAt: 1 }, 'c2', NOW, 'post_mention');
        await recordOwnReply(persistence, ref(FIRST), 'r1', NOW, 'post_create');
        await recordBillable(persistence, 'post_read', 3, NOW, FIRST);

        const first = await totalsForDay(reader, utcDay(NOW), FIRST);
        expect(first.units).toMatchObject({ post_mention: 1, post_create: 1, post_read: 3 });
        const second = await totalsForDay(reader, utcDay(NOW), SECOND);
        expect(second.units).toMatchObject({ post_mention: 1, post_create: 0, post_read: 0 });
        // The app's total is every entry, whichever account it names.
        expect((await totalsForDay(reader, utcDay(NOW))).units).toMatchObject({ post_mention: 2, post_create: 1 });
    });
});
