/**
 * The month's cost in `/twitter status` after housekeeping: seen markers double as ledger entries (DM
 * creates, billed webhook deliveries), and housekeeping drops markers after SEEN_RETENTION_DAYS. What they
 * billed must stay in the month's totals, also for markers written by versions before the day summary.
 */
import { runHousekeeping } from '../../../src/jobs/housekeeping';
import { DAY, utcDay } from '../../../src/lib/time';
import { ConversationStore } from '../../../src/storage/conversations';
import { recordBillable, summarizeSeenMarkers, totalsForDay, totalsForMonth } from '../../../src/storage/ledger';
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
        expect(before.units).toEqual({ dm_event_read: 10, dm_create: 6, dm_received: 8, user_read: 0 });
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
});
