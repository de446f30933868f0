/**
 * The month's cost in `/twitter status` after housekeeping: seen markers double as ledger entries (DM
 * creates, billed webhook deliveries), and housekeeping drops markers after SEEN_RETENTION_DAYS. What they
 * billed must stay in the month's totals, also for markers written by versions before the day summary.
 */
import { runHousekeeping } from '../../../src/jobs/housekeeping';
import { DAY, utcDay } from '../../../src/lib/time';
import { ConversationStore } from '../../../src/storage/conversations';
import {
    anonymizeLedgerEntries,
    recordBillable,
    summarizeSeenMarkers,
    totalsForDay,
    totalsForMonth,
} from '../../../src/storage/ledger';
import { conversationKey } from '../../../src/storage/conversation-keys';
import { claimPost, recordOwnReply } from '../../../src/storage/public-threads';
import { FakePersistence } from '../helpers/fake-bridge';

const ACCOUNT = '1600000000000000001';
/** 20 November: the 5th is 15 days old (its markers go), the 18th two days old (its markers stay). */
const NOW = Date.UTC(2026, 10, 20, 12);
const OLD = Date.UTC(2026, 10, 5, 9);
const RECENT = Date.UTC(2026, 10, 18, 9);

/** A month of traffic as the current version records it: sends, billed deliveries (one claimed twice), reads. */
async function seedMonth(db: FakePersistence) {
    const store = new ConversationStore();
    for (const at of [OLD, RECENT]) {
        for (let i = 0; i < 3; i++) await store.markSent(db.accessor as never, ACCOUNT, '42', `sent-${at}-${i}`, at);
        for (let i = 0; i < 4; i++)
            await store.markSeen(db.accessor as never, ACCOUNT, '42', `recv-${at}-${i}`, at, 'dm_received', `c${i}`);
        // A second instance's claim on one delivery X billed once.
        await store.markSeen(db.accessor as never, ACCOUNT, '42', `recv-${at}-0`, at, 'dm_received', 'late');
        await recordBillable(db.accessor as never, 'dm_event_read', 5, at);
    }
}

describe('housekeeping keeps the month cost whole', () => {
    it('drops old seen markers but the month totals (and the old day) stay the same', async () => {
        const db = new FakePersistence();
        await seedMonth(db);
        const before = await totalsForMonth(db.reader() as never, NOW);
        expect(before.units).toEqual({
            dm_event_read: 10,
            dm_create: 6,
            dm_received: 8,
            user_read: 0,
            post_mention: 0,
            post_read: 0,
            post_create: 0,
            post_create_url: 0,
        });
        const oldDayBefore = await totalsForDay(db.reader() as never, utcDay(OLD));

        await runHousekeeping(db.reader() as never, db.accessor as never, NOW);

        // The markers of the old day are gone (X no longer redelivers), those of the recent day stay.
        const markersOf = (at: number) => db.ofType('seen').filter((r) => r.at === at);
        expect(markersOf(OLD)).toHaveLength(0);
        expect(markersOf(RECENT).length).toBeGreaterThan(0);
        expect(await totalsForMonth(db.reader() as never, NOW)).toEqual(before);
        expect(await totalsForDay(db.reader() as never, utcDay(OLD))).toEqual(oldDayBefore);

        // A second run (next day, or two instances) changes nothing.
        await runHousekeeping(db.reader() as never, db.accessor as never, NOW + DAY);
        expect(await totalsForMonth(db.reader() as never, NOW + DAY)).toEqual(before);
    });

    it("keeps what public mentions billed (claim markers and the app's replies) when their markers go", async () => {
        const db = new FakePersistence();
        const thread = { accountId: ACCOUNT, customerId: '42', threadId: '7' };
        for (const at of [OLD, RECENT]) {
            await claimPost(
                db.accessor as never,
                thread,
                { postId: `p-${at}`, createdAt: at },
                `c-${at}`,
                at,
                'post_mention',
            );
            await recordOwnReply(db.accessor as never, thread, `r-${at}`, at, 'post_create');
            await recordOwnReply(db.accessor as never, thread, `u-${at}`, at, 'post_create_url');
        }
        const before = await totalsForMonth(db.reader() as never, NOW);
        expect(before.units).toMatchObject({ post_mention: 2, post_create: 2, post_create_url: 2 });
        expect(before.usd).toBe(2 * (0.005 + 0.015 + 0.2));
        await runHousekeeping(db.reader() as never, db.accessor as never, NOW);
        expect(db.ofType('public-seen').filter((r) => r.at === OLD)).toHaveLength(0);
        expect(await totalsForMonth(db.reader() as never, NOW)).toEqual(before);
    });

    it('counts a day once when the run stopped between the summary and the removal', async () => {
        const db = new FakePersistence();
        await seedMonth(db);
        const before = await totalsForMonth(db.reader() as never, NOW);
        await summarizeSeenMarkers(db.reader() as never, db.accessor as never, utcDay(OLD));
        expect(await totalsForMonth(db.reader() as never, NOW)).toEqual(before);
        await runHousekeeping(db.reader() as never, db.accessor as never, NOW);
        expect(await totalsForMonth(db.reader() as never, NOW)).toEqual(before);
    });

    it('forgets ledger days only when no total shows them any more', async () => {
        const db = new FakePersistence();
        await seedMonth(db);
        const lastMonth = Date.UTC(2026, 9, 25, 9);
        await recordBillable(db.accessor as never, 'dm_event_read', 7, lastMonth);
        const later = NOW + 45 * DAY;
        await runHousekeeping(db.reader() as never, db.accessor as never, NOW);
        expect((await totalsForDay(db.reader() as never, utcDay(lastMonth))).units.dm_event_read).toBe(7);
        await runHousekeeping(db.reader() as never, db.accessor as never, later);
        expect((await totalsForDay(db.reader() as never, utcDay(lastMonth))).units.dm_event_read).toBe(0);
    });

    it('counts a blocked DM once per event, and still after its records went with the seen markers', async () => {
        const db = new FakePersistence();
        const store = new ConversationStore();
        for (const at of [OLD, RECENT]) {
            await store.markBlocked(db.accessor as never, ACCOUNT, '66', `blocked-${at}`, at);
            // A redelivery recorded again by a second instance counts once.
            await store.markBlocked(db.accessor as never, ACCOUNT, '66', `blocked-${at}`, at + 1);
        }
        expect((await totalsForMonth(db.reader() as never, NOW)).blocked).toBe(2);
        await runHousekeeping(db.reader() as never, db.accessor as never, NOW);
        expect(db.ofType('blocked').filter((r) => r.at === OLD)).toHaveLength(0);
        expect((await totalsForMonth(db.reader() as never, NOW)).blocked).toBe(2);
        expect((await totalsForDay(db.reader() as never, utcDay(OLD))).blocked).toBe(1);
    });

    it('erasure keeps the month cost whole: what a forgotten customer billed stays, naming nobody', async () => {
        const db = new FakePersistence();
        await seedMonth(db);
        await store().markBlocked(db.accessor as never, ACCOUNT, '42', 'blocked-1', RECENT);
        // The old day is already summarized: its markers no longer count, nothing is written again for it.
        await summarizeSeenMarkers(db.reader() as never, db.accessor as never, utcDay(OLD));
        const before = await totalsForMonth(db.reader() as never, NOW);
        const records = await db.reader().readByAssociation(conversationKey(ACCOUNT, '42'));
        await anonymizeLedgerEntries(db.reader() as never, db.accessor as never, records);
        await store().forgetCustomer(db.accessor as never, ACCOUNT, '42');
        expect(await db.reader().readByAssociation(conversationKey(ACCOUNT, '42'))).toEqual([]);
        expect(JSON.stringify(db.records)).not.toMatch(/:42"|"42"/);
        expect(await totalsForMonth(db.reader() as never, NOW)).toEqual(before);
    });
});

const store = () => new ConversationStore();
