import fc from 'fast-check';
import { DM_MAX_LENGTH, splitForDm } from '../../../src/bridge/split';

const nonWhitespace = (text: string) => text.replace(/\s/g, '');

/** Where each part sits in the original text (parts are substrings in order). */
function partOffsets(text: string, parts: string[]): number[] {
    const offsets: number[] = [];
    let from = 0;
    for (const part of parts) {
        const at = text.indexOf(part, from);
        expect(at).toBeGreaterThanOrEqual(0);
        offsets.push(at);
        from = at + part.length;
    }
    return offsets;
}

function isHigh(unit: number) {
    return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit: number) {
    return unit >= 0xdc00 && unit <= 0xdfff;
}

describe('splitForDm', () => {
    it('defaults to the 10,000-character DM limit', () => {
        expect(DM_MAX_LENGTH).toBe(10000);
        expect(splitForDm('x'.repeat(10000))).toHaveLength(1);
        expect(splitForDm('x'.repeat(10001))).toHaveLength(2);
    });

    it('returns a short text as one trimmed part, and nothing for blank text', () => {
        expect(splitForDm('  Hello there \n')).toEqual(['Hello there']);
        expect(splitForDm('')).toEqual([]);
        expect(splitForDm(' \n\t ')).toEqual([]);
    });

    it('splits 25,000 characters of words into exactly 3 parts', () => {
        const words = ['support', 'order', 'parcel', 'refund', 'thanks', 'a', 'delivery'];
        let text = '';
        for (let i = 0; text.length < 25000; i++) {
            text += `${words[i % words.length]} `;
        }
        text = text.slice(0, 25000);
        const parts = splitForDm(text);
        expect(parts).toHaveLength(3);
        for (const part of parts) {
            expect(part.length).toBeLessThanOrEqual(10000);
        }
        expect(parts.join(' ')).toBe(text.trim());
    });

    it('prefers a blank line, then a line end, then a sentence end, then a space', () => {
        const max = 40;
        expect(splitForDm(`${'a '.repeat(12)}end.\n\nNext paragraph and more words`, max)[0]).toBe(
            `${'a '.repeat(12)}end.`,
        );
        expect(splitForDm(`${'a '.repeat(12)}line one.\nline two goes on and on`, max)[0]).toBe(
            `${'a '.repeat(12)}line one.`,
        );
        expect(splitForDm(`${'a '.repeat(12)}Done. And then some more words here`, max)[0]).toBe(
            `${'a '.repeat(12)}Done.`,
        );
        expect(splitForDm(`${'word '.repeat(20)}`, max)[0]).toBe('word word word word word word word word');
    });

    it('ignores preferred boundaries in the first half of a part', () => {
        const parts = splitForDm(`Hi.\n\n${'word '.repeat(20)}`, 40);
        expect(parts[0].startsWith('Hi.\n\nword')).toBe(true);
        expect(parts[0].length).toBeGreaterThan(20);
    });

    it('hard-splits a run without spaces', () => {
        expect(splitForDm('a'.repeat(25), 10)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
    });

    it('never cuts a surrogate pair', () => {
        const parts = splitForDm('😀'.repeat(10), 5);
        expect(parts).toEqual(['😀😀', '😀😀', '😀😀', '😀😀', '😀😀']);
    });

    it('breaks after a CJK full stop without needing a space', () => {
        const parts = splitForDm('你好世界。'.repeat(5), 12);
        expect(parts[0]).toBe('你好世界。你好世界。');
    });

    it('does not break at a no-break space', () => {
        expect(splitForDm(`aaaa bbbb\u00a0cccc`, 12)).toEqual(['aaaa', 'bbbb\u00a0cccc']);
    });

    it('rejects a limit that cannot hold every character', () => {
        expect(() => splitForDm('abc', 1)).toThrow(RangeError);
        expect(() => splitForDm('abc', 2.5)).toThrow(RangeError);
    });

    const textPiece = fc.oneof(
        fc.constantFrom(
            ' ',
            '  ',
            '\n',
            '\n\n',
            '\r\n',
            '\t',
            '. ',
            '! ',
            '。',
            '\u00a0',
            '😀',
            '👍🏽',
            '\ud800',
            '\udc00',
            'é',
        ),
        fc.stringMatching(/^[a-z]{1,12}$/),
    );
    const texts = fc.oneof(
        fc.array(textPiece, { maxLength: 200 }).map((pieces) => pieces.join('')),
        fc.string({ unit: 'binary', maxLength: 300 }),
    );

    it('keeps every part within the limit, non-empty and trimmed', () => {
        fc.assert(
            fc.property(texts, fc.integer({ min: 2, max: 80 }), (text, max) => {
                for (const part of splitForDm(text, max)) {
                    expect(part.length).toBeGreaterThan(0);
                    expect(part.length).toBeLessThanOrEqual(max);
                    expect(part).toBe(part.trim());
                }
            }),
            { numRuns: 1000 },
        );
    });

    it('preserves all non-whitespace content in order', () => {
        fc.assert(
            fc.property(texts, fc.integer({ min: 2, max: 80 }), (text, max) => {
                const parts = splitForDm(text, max);
                expect(nonWhitespace(parts.join(''))).toBe(nonWhitespace(text));
                partOffsets(text, parts);
            }),
            { numRuns: 1000 },
        );
    });

    it('never splits inside a surrogate pair', () => {
        fc.assert(
            fc.property(texts, fc.integer({ min: 2, max: 80 }), (text, max) => {
                const parts = splitForDm(text, max);
                partOffsets(text, parts).forEach((offset, i) => {
                    const end = offset + parts[i].length;
                    for (const boundary of [offset, end]) {
                        expect(isHigh(text.charCodeAt(boundary - 1)) && isLow(text.charCodeAt(boundary))).toBe(false);
                    }
                });
            }),
            { numRuns: 1000 },
        );
    });

    it('leaves text within the limit whole', () => {
        fc.assert(
            fc.property(texts, (text) => {
                const trimmed = text.trim();
                fc.pre(trimmed.length > 0 && trimmed.length <= 300);
                expect(splitForDm(text, 300)).toEqual([trimmed]);
            }),
        );
    });
});
