import {
    downloadInRanges,
    parseContentRange,
    RANGE_REQUEST_TIMEOUT_MS,
    RangeAnswer,
    RangeDeadlineError,
    RangeProtocolError,
} from '../../../src/x/ranged-download';

const FILE = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
const SIZES = { first: 1000, next: 700 };

/** A server honouring single ranges (RFC 9110) over FILE, recording what was asked. */
function rangeServer(file = FILE, options: { total?: boolean } = {}) {
    const asked: [number, number][] = [];
    const fetch = async (first: number, last: number): Promise<RangeAnswer> => {
        asked.push([first, last]);
        if (first >= file.length)
            return { status: 416, contentRange: `bytes */${file.length}`, bytes: Buffer.alloc(0) };
        const end = Math.min(last, file.length - 1);
        return {
            status: 206,
            contentRange: `bytes ${first}-${end}/${options.total === false ? '*' : file.length}`,
            bytes: file.subarray(first, end + 1),
        };
    };
    return { fetch, asked };
}

describe('bounded range downloads', () => {
    it('fetches a file that fits in ranges no larger than asked', async () => {
        const server = rangeServer();
        const result = await downloadInRanges(server.fetch, 10_000, SIZES);
        expect(result.ok && result.bytes.equals(FILE)).toBe(true);
        expect(server.asked).toEqual([
            [0, 999],
            [1000, 1699],
            [1700, 2399],
            [2400, 3099],
        ]);
    });

    it('stops after one bounded range when the size it learns is over the limit', async () => {
        const server = rangeServer();
        expect(await downloadInRanges(server.fetch, 2499, SIZES)).toEqual({
            ok: false,
            tooLarge: true,
            sizeBytes: 2500,
        });
        expect(server.asked).toEqual([[0, 999]]);
    });

    it('never asks for more than the limit, even for the first range', async () => {
        const server = rangeServer();
        expect(await downloadInRanges(server.fetch, 300, SIZES)).toEqual({
            ok: false,
            tooLarge: true,
            sizeBytes: 2500,
        });
        expect(server.asked).toEqual([[0, 299]]);
        expect(await downloadInRanges(server.fetch, 0, SIZES)).toEqual({ ok: false, tooLarge: true });
        expect(server.asked).toHaveLength(1);
    });

    it('asks only for whole bytes when the limit is not a whole number (a decimal MB setting)', async () => {
        // `bytes=0-314571.8` is not a valid range: a server ignores it and sends the whole file (RFC 9110 §14.2).
        const server = rangeServer();
        expect(await downloadInRanges(server.fetch, 1200.8, SIZES)).toEqual({
            ok: false,
            tooLarge: true,
            sizeBytes: 2500,
        });
        expect(server.asked).toEqual([[0, 999]]);
        const small = rangeServer();
        await downloadInRanges(small.fetch, 300.6, SIZES);
        expect(small.asked).toEqual([[0, 299]]);
    });

    it('accepts a file of exactly the limit', async () => {
        const result = await downloadInRanges(rangeServer().fetch, 2500, SIZES);
        expect(result.ok && result.bytes.length).toBe(2500);
    });

    it('without a total, stops at a short range or at the limit', async () => {
        const server = rangeServer(FILE, { total: false });
        const fits = await downloadInRanges(server.fetch, 10_000, SIZES);
        expect(fits.ok && fits.bytes.equals(FILE)).toBe(true);
        const over = rangeServer(FILE, { total: false });
        expect(await downloadInRanges(over.fetch, 1500, SIZES)).toEqual({ ok: false, tooLarge: true });
        expect(over.asked).toEqual([
            [0, 999],
            [1000, 1499],
        ]);
    });

    it('ends at a 416 exactly where the file ends', async () => {
        const exact = Buffer.alloc(1700, 1);
        const result = await downloadInRanges(rangeServer(exact, { total: false }).fetch, 10_000, SIZES);
        expect(result.ok && result.bytes.length).toBe(1700);
    });

    it('takes a server that ignores Range at its word, and still refuses a whole answer over the limit', async () => {
        const whole = async (): Promise<RangeAnswer> => ({ status: 200, bytes: FILE });
        const fits = await downloadInRanges(whole, 10_000, SIZES);
        expect(fits.ok && fits.bytes.equals(FILE)).toBe(true);
        expect(await downloadInRanges(whole, 2000, SIZES)).toEqual({ ok: false, tooLarge: true, sizeBytes: 2500 });
    });

    it.each<[string, RangeAnswer]>([
        ['more bytes than asked', { status: 206, contentRange: 'bytes 0-1999/2500', bytes: FILE.subarray(0, 2000) }],
        ['another range', { status: 206, contentRange: 'bytes 5-1004/2500', bytes: FILE.subarray(5, 1005) }],
        [
            'a body that does not match its range',
            { status: 206, contentRange: 'bytes 0-999/2500', bytes: FILE.subarray(0, 10) },
        ],
        ['no Content-Range', { status: 206, bytes: FILE.subarray(0, 1000) }],
        ['an odd status', { status: 204, bytes: Buffer.alloc(0) }],
        ['a 416 in the middle', { status: 416, contentRange: 'bytes */2500', bytes: Buffer.alloc(0) }],
    ])('refuses %s', async (_what, answer) => {
        await expect(downloadInRanges(async () => answer, 10_000, SIZES)).rejects.toBeInstanceOf(RangeProtocolError);
    });

    it('refuses a file whose size changes between ranges', async () => {
        let call = 0;
        const shifty = async (first: number, last: number): Promise<RangeAnswer> => ({
            status: 206,
            contentRange: `bytes ${first}-${last}/${call++ === 0 ? 2500 : 2600}`,
            bytes: FILE.subarray(first, last + 1),
        });
        await expect(downloadInRanges(shifty, 10_000, SIZES)).rejects.toBeInstanceOf(RangeProtocolError);
    });

    it('refuses a server that knows the size but sends less than asked (it would only buy itself more requests)', async () => {
        const asked: number[] = [];
        const dribble = async (first: number): Promise<RangeAnswer> => (
            asked.push(first),
            { status: 206, contentRange: `bytes ${first}-${first}/2500`, bytes: FILE.subarray(first, first + 1) }
        );
        await expect(downloadInRanges(dribble, 10_000, SIZES)).rejects.toThrow('a shorter range than asked');
        expect(asked).toEqual([0]);
    });

    it('starts no request after the deadline, and bounds each request by the time left', async () => {
        let clock = 1_000;
        const timeouts: (number | undefined)[] = [];
        const slow = async (first: number, last: number, timeoutMs?: number): Promise<RangeAnswer> => {
            timeouts.push(timeoutMs);
            clock += 12_000;
            return { status: 206, contentRange: `bytes ${first}-${last}/2500`, bytes: FILE.subarray(first, last + 1) };
        };
        const deadline = { at: 1_000 + 30_000, now: () => clock };
        await expect(downloadInRanges(slow, 10_000, SIZES, deadline)).rejects.toBeInstanceOf(RangeDeadlineError);
        expect(timeouts).toEqual([RANGE_REQUEST_TIMEOUT_MS, 18_000, 6_000]);
        // Without a deadline nothing is passed: the accessor's own timeout applies.
        const server = rangeServer();
        await downloadInRanges(
            async (first, last, timeoutMs) => (timeouts.push(timeoutMs), server.fetch(first, last)),
            10_000,
            SIZES,
        );
        expect(timeouts.slice(3)).toEqual([undefined, undefined, undefined, undefined]);
    });

    it('parses Content-Range strictly', () => {
        expect(parseContentRange('bytes 0-9/10')).toEqual({ first: 0, last: 9, total: 10 });
        expect(parseContentRange('bytes 0-9/*')).toEqual({ first: 0, last: 9 });
        expect(parseContentRange('bytes 0-10/10')).toBeUndefined();
        expect(parseContentRange('bytes 9-0/10')).toBeUndefined();
        expect(parseContentRange('items 0-9/10')).toBeUndefined();
        expect(parseContentRange(`bytes 0-9/${'9'.repeat(30)}`)).toBeUndefined();
        expect(parseContentRange(undefined)).toBeUndefined();
    });
});
