/**
 * Polled DMs into the pipeline (src/jobs/poll-posting.ts): a DM whose handling always throws costs that
 * DM — tried in three polls, then given up — never the others, and never a poller stuck on it.
 */
import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import type { BridgeContext } from '../../../src/bridge/context';
import { processInbound } from '../../../src/bridge/inbound';
import { postEach, stillRetrying } from '../../../src/jobs/poll-posting';
import type { InboundEvent } from '../../../src/x/event-types';

jest.mock('../../../src/bridge/inbound', () => ({ processInbound: jest.fn() }));
const pipeline = processInbound as jest.MockedFunction<typeof processInbound>;

const ctx = {} as BridgeContext;
const dm = (eventId: string, createdAt: number) =>
    ({
        kind: 'message',
        eventId,
        createdAt,
        senderId: '2',
        accountId: '1',
        text: eventId,
        users: {},
    }) as unknown as InboundEvent;
const logged: string[] = [];
const logger = { error: (m: string) => logged.push(m) } as unknown as ILogger;

beforeEach(() => {
    logged.length = 0;
    pipeline.mockReset();
    // "bad" always throws, as a DM Rocket.Chat refuses every time would.
    pipeline.mockImplementation(async (_ctx, events) => {
        if (events.some((e) => e.kind === 'message' && e.eventId === 'bad')) throw new Error('refused by the server');
        return { outcomes: [] };
    });
});

const handled = () => pipeline.mock.calls.map(([, events]) => (events[0] as { eventId: string }).eventId);

describe('a polled DM whose handling throws', () => {
    it('costs only itself: the DMs around it are handed on, oldest first', async () => {
        const failed = await postEach(ctx, [dm('late', 3), dm('bad', 2), dm('early', 1)], {}, logger);
        expect(handled()).toEqual(['early', 'bad', 'late']);
        expect(failed).toEqual({ bad: 1 });
        expect(stillRetrying(failed)).toBe(true);
        expect(logged).toEqual([expect.stringContaining('Polled DM bad could not be handled (1 of 3)')]);
    });

    it('holds the cursor for three polls at most, then is given up (logged) and skipped', async () => {
        let failed: Record<string, number> = {};
        for (let poll = 1; poll <= 3; poll++)
            failed = { ...failed, ...(await postEach(ctx, [dm('bad', 2)], failed, logger)) };
        expect(failed).toEqual({ bad: 3 });
        expect(stillRetrying(failed)).toBe(false);
        expect(logged[2]).toContain('(3 of 3, given up)');
        pipeline.mockClear();
        expect(await postEach(ctx, [dm('bad', 2), dm('next', 4)], failed, logger)).toEqual({});
        expect(handled()).toEqual(['next']);
    });

    it('lets the cursor move when nothing failed', async () => {
        const failed = await postEach(ctx, [dm('a', 1), dm('b', 2)], {}, logger);
        expect(failed).toEqual({});
        expect(stillRetrying(failed)).toBe(false);
        expect(logged).toEqual([]);
    });
});
