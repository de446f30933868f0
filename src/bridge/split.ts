/**
 * Splits outbound text into DMs X accepts.
 *
 * Length is counted in UTF-16 code units, which is never less than the code-point count X is
 * believed to use (an emoji outside the BMP counts 2 here, 1 or 2 there), so a part within the
 * limit here is within it at X. Not accounted for: if X counted each URL as a 23-character t.co
 * link, a text of many very short URLs could exceed the limit after wrapping.
 */

/** X's DM text limit (the 2015 product limit; the API documents no maximum). */
export const DM_MAX_LENGTH = 10000;

/** Whitespace a part may break at; no-break spaces are deliberately absent. */
const BREAKABLE_SPACE = /[\t\n\v\f\r \u1680\u2000-\u200a\u2028\u2029\u205f\u3000]/;
const ANY_SPACE = /\s/;
const SENTENCE_END = /[.!?…]/;
/** CJK sentence ends, after which a break needs no space. */
const FULL_WIDTH_SENTENCE_END = /[。！？]/;

/**
 * Parts of at most `max` UTF-16 units, in order, none empty and none starting or ending with
 * whitespace; joined they hold every non-whitespace character of `text` in order. Breaks prefer
 * a blank line, then a line end, then a sentence end (each only in the second half of a part, so
 * parts stay large), then any space; a run without spaces is cut hard, never inside a surrogate pair.
 */
export function splitForDm(text: string, max: number = DM_MAX_LENGTH): string[] {
    if (!Number.isInteger(max) || max < 2) {
        // Below 2 an astral character could not fit in any part.
        throw new RangeError(`splitForDm: max must be an integer of at least 2, got ${max}`);
    }
    const parts: string[] = [];
    // Where the text ends without its trailing whitespace, found once: trimming the rest before every
    // part would make a long text with a small limit quadratic.
    const end = text.trimEnd().length;
    let start = skipSpace(text, 0);
    while (start < end) {
        if (end - start <= max) {
            parts.push(text.slice(start, end));
            break;
        }
        const cut = chooseCut(text, start, start + max, start + Math.floor(max / 2));
        parts.push(text.slice(start, cut).trimEnd());
        start = skipSpace(text, cut);
    }
    return parts;
}

/**
 * Where the part starting at `start` ends (exclusive), at most `limit`. Preferred boundaries count
 * only from `preferredFrom` on; `text[start]` is not whitespace.
 */
function chooseCut(text: string, start: number, limit: number, preferredFrom: number): number {
    const finders = [paragraphBreakAt, lineBreakAt, sentenceEndAt];
    for (const isBoundary of finders) {
        for (let cut = limit; cut > preferredFrom; cut--) {
            if (isBoundary(text, cut)) {
                return cut;
            }
        }
    }
    for (let cut = limit; cut > start; cut--) {
        if (BREAKABLE_SPACE.test(text[cut])) {
            return cut;
        }
    }
    return splitsSurrogatePair(text, limit) ? limit - 1 : limit;
}

/** A line break that begins a blank line. */
function paragraphBreakAt(text: string, index: number): boolean {
    if (text[index] !== '\n') {
        return false;
    }
    let next = index + 1;
    while (next < text.length && (text[next] === ' ' || text[next] === '\t' || text[next] === '\r')) {
        next++;
    }
    return text[next] === '\n';
}

function lineBreakAt(text: string, index: number): boolean {
    return text[index] === '\n' || (text[index] === '\r' && text[index + 1] === '\n');
}

/** A cut right after sentence punctuation: before a space, or anywhere after a CJK full stop. */
function sentenceEndAt(text: string, index: number): boolean {
    const previous = text[index - 1] ?? '';
    if (FULL_WIDTH_SENTENCE_END.test(previous)) {
        return true;
    }
    return SENTENCE_END.test(previous) && index < text.length && BREAKABLE_SPACE.test(text[index]);
}

function splitsSurrogatePair(text: string, index: number): boolean {
    const before = text.charCodeAt(index - 1);
    const after = text.charCodeAt(index);
    return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

function skipSpace(text: string, index: number): number {
    let next = index;
    while (next < text.length && ANY_SPACE.test(text[next])) {
        next++;
    }
    return next;
}
