/**
 * The mentions timeline poll (src/jobs/mentions-poll.ts): a cursor older than the dedupe horizon counts as a
 * first poll (nothing read back, nothing posted), posts older than the horizon are not opened, a quiet
 * timeline keeps its cursor fresh, and unlinking the account removes its cursor.
 */
import type { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { BridgeContext } from '../../../src/bridge/context';
import { processPosts } from '../../../src/bridge/public-inbound';
import { pollMentions } from '../../../src/jobs/mentions-poll';
import { PublicMentions } from '../../../src/settings/ids';
import { removeAccount } from '../../../src/storage/accounts';
import { mentionsCursorRecord } from '../../../src/storage/public-threads';
import { DEDUPE_HORIZON_MS } from '../../../src/storage/retention';
import type { InboundPost } from '../../../src/x/event-types';
import { FakePersistence } from '../helpers/fake-bridge';

jest.mock('../../../src/bridge/public-inbound', () => ({ processPosts: jest.fn(async () => []) }));
const processed = processPosts as jest.MockedFunction<typeof processPosts>;

const ACCOUNT = '1700000000000000001';
const NOW = Date.UTC(2026, 5, 1, 12);
const post = (id: string, createdAt: number) => ({ eventId: id, createdAt }) as unknown as InboundPost;

function setUp(timeline: { posts: InboundPost[]; newestId?: string }) {
    const store = new FakePersistence();
    const reader = store.reader() as unknown as IPersistenceRead;
    const persistence = store.accessor as unknown as IPersistence;
    const asked: { sinceId?: string; maxResults: number }[] = [];
    const warnings: string[] = [];
    const ctx = {
        account: { accountId: ACCOUNT },
        settings: { publicMentions: PublicMentions.On },
        read: { getPersistenceReader: () => reader },
        persistence,
        now: () => NOW,
        logger: { warn: (m: string) => warnings.push(m) },
        x: async () => ({
            mentions: async (_id: string, options: { sinceId?: string; maxResults: number }) => {
                asked.push(options);
                return { ...timeline, nextToken: undefined };
            },
        }),
    } as unknown as BridgeContext;
    const cursor = mentionsCursorRecord(ACCOUNT);
    return { ctx, reader, persistence, asked, warnings, cursor };
}

beforeEach(() => processed.mockClear());

describe('mentions poll', () => {
    it('takes a cursor older than the dedupe horizon for a first poll: notes the timeline, posts nothing', async () => {
        const { ctx, reader, persistence, asked, cursor } = setUp({ posts: [post('90', NOW)], newestId: '90' });
        await cursor.write(persistence, { sinceId: '10', at: NOW - DEDUPE_HORIZON_MS - 1 });
        await pollMentions(ctx);
        expect(asked).toEqual([expect.objectContaining({ sinceId: undefined, maxResults: 5 })]);
        expect(processed).not.toHaveBeenCalled();
        expect(await cursor.read(reader)).toEqual({ sinceId: '90', at: NOW });
    });

    it('does not open posts older than the dedupe horizon', async () => {
        const { ctx, persistence, asked, warnings, cursor } = setUp({
            posts: [post('20', NOW - DEDUPE_HORIZON_MS - 1), post('30', NOW - 1_000)],
            newestId: '30',
        });
        await cursor.write(persistence, { sinceId: '10', at: NOW - 60_000 });
        await pollMentions(ctx);
        expect(asked).toEqual([expect.objectContaining({ sinceId: '10', maxResults: 100 })]);
        expect(processed.mock.calls[0][1].map((p) => p.eventId)).toEqual(['30']);
        expect(warnings).toEqual([expect.stringContaining('1 post(s) older than the dedupe horizon')]);
    });

    it('keeps a quiet timeline’s cursor fresh, so it is never taken for a stale one', async () => {
        const { ctx, reader, persistence, cursor } = setUp({ posts: [] });
        await cursor.write(persistence, { sinceId: '10', at: NOW - 2 * 3_600_000 });
        await pollMentions(ctx);
        expect(await cursor.read(reader)).toEqual({ sinceId: '10', at: NOW });
    });

    it('unlinking the account removes its cursor', async () => {
        const { reader, persistence, cursor } = setUp({ posts: [] });
        await cursor.write(persistence, { sinceId: '10', at: NOW });
        await removeAccount(persistence, ACCOUNT);
        expect(await cursor.read(reader)).toBeUndefined();
    });
});
