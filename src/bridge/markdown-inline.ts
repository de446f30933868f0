/**
 * The inline constructs of Rocket.Chat markdown found in time linear in the line: code spans, links and
 * emphasis. Agents type the input, so a regular expression that rescans the rest of the line from every
 * opener (`[[[[…`, `*a *a *a…`, a long run of backticks) would let one message stall the app's single
 * runtime process for seconds. Each finder reports the same matches, left to right, as the regular
 * expression in its comment would, but looks at each character a bounded number of times: closers are
 * found by pointers that only move forward.
 */

/** A match: `[start, end)` of the text and the captured pieces. */
export interface InlineMatch {
    start: number;
    end: number;
    groups: string[];
}

/** `\s` of JavaScript regular expressions (the same set with and without the `u` flag). */
const SPACE = /\s/;
/** Characters `.` does not match. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
const WORD = /[\p{L}\p{N}]/u;

const isSpace = (char: string | undefined): boolean => char !== undefined && char !== '' && SPACE.test(char);

/**
 * The smallest index at or after `from` whose character satisfies `test`, asked with `from` never
 * decreasing: the previous answer is reused while it is still ahead, so a whole scan costs O(n).
 */
class NextFinder {
    private from = 0;
    private answer = -1;

    constructor(
        private readonly text: string,
        private readonly test: (char: string) => boolean,
    ) {}

    find(from: number): number {
        // Nothing in [this.from, this.answer) satisfies the test, so the last answer still holds.
        if (from >= this.from && from <= this.answer) return this.answer;
        let i = from;
        while (i < this.text.length && !this.test(this.text[i])) i++;
        this.from = from;
        this.answer = i;
        return i;
    }
}

/** Replaces each match with what `replace` returns; text between matches is kept. */
export function replaceMatches(text: string, matches: InlineMatch[], replace: (match: InlineMatch) => string): string {
    if (matches.length === 0) return text;
    let out = '';
    let copiedUpTo = 0;
    for (const match of matches) {
        out += text.slice(copiedUpTo, match.start) + replace(match);
        copiedUpTo = match.end;
    }
    return out + text.slice(copiedUpTo);
}

/**
 * Code spans, as ``/(?<!\\)(`+)(?!`)(.+?)(?<!`)\1(?!`)/g``: an opener is the rest of a backtick run (its
 * first backtick not escaped), the closer the next run of exactly that length on the same line; when
 * none exists the opener is retried one backtick later in its run. groups: [ticks, code].
 */
export function findCodeSpans(text: string): InlineMatch[] {
    if (!text.includes('`')) return [];
    const runs: { start: number; length: number }[] = [];
    for (let i = 0; i < text.length; i++) {
        if (text[i] !== '`') continue;
        let end = i;
        while (text[end] === '`') end++;
        runs.push({ start: i, length: end - i });
        i = end - 1;
    }
    // For each run length, the runs of that length in order and a cursor that only moves forward.
    const byLength = new Map<number, { indices: number[]; cursor: number }>();
    runs.forEach((run, index) => {
        const entry = byLength.get(run.length) ?? { indices: [], cursor: 0 };
        entry.indices.push(index);
        byLength.set(run.length, entry);
    });
    const nextRunOfLength = (length: number, after: number): number | undefined => {
        const entry = byLength.get(length);
        if (!entry) return undefined;
        while (entry.cursor < entry.indices.length && entry.indices[entry.cursor] <= after) entry.cursor++;
        return entry.indices[entry.cursor];
    };
    const terminator = new NextFinder(text, (char) => LINE_TERMINATOR.test(char));
    const matches: InlineMatch[] = [];
    for (let r = 0; r < runs.length; r++) {
        const run = runs[r];
        const runEnd = run.start + run.length;
        for (let offset = 0; offset < run.length; offset++) {
            if (offset === 0 && text[run.start - 1] === '\\') continue;
            const length = run.length - offset;
            const closer = nextRunOfLength(length, r);
            if (closer === undefined || terminator.find(runEnd) < runs[closer].start) continue;
            const closerStart = runs[closer].start;
            matches.push({
                start: run.start + offset,
                end: closerStart + length,
                groups: [text.slice(run.start + offset, runEnd), text.slice(runEnd, closerStart)],
            });
            r = closer;
            break;
        }
    }
    return matches;
}

/**
 * `[label](url)`, as `/\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/g`: the URL may hold one level of
 * balanced parentheses (Wikipedia links). groups: [label, url].
 */
export function findMarkdownLinks(text: string): InlineMatch[] {
    if (!text.includes('](')) return [];
    const n = text.length;
    // urlEnd[s]: where the URL's greedy match starting at s stops (the pattern never needs to backtrack:
    // a shorter match would be followed by a URL character or `(`, never by the closing `)`).
    const urlEnd = new Int32Array(n + 1);
    urlEnd[n] = n;
    let nextParenOrSpace = n;
    for (let s = n - 1; s >= 0; s--) {
        const char = text[s];
        if (char === ')' || isSpace(char)) {
            urlEnd[s] = s;
        } else if (char === '(') {
            urlEnd[s] = nextParenOrSpace < n && text[nextParenOrSpace] === ')' ? urlEnd[nextParenOrSpace + 1] : s;
        } else {
            urlEnd[s] = urlEnd[s + 1];
        }
        if (char === '(' || char === ')' || isSpace(char)) nextParenOrSpace = s;
    }
    const closeBracket = new NextFinder(text, (char) => char === ']');
    const matches: InlineMatch[] = [];
    for (let p = 0; p < n; p++) {
        if (text[p] !== '[') continue;
        const q = closeBracket.find(p + 1);
        if (q >= n || q === p + 1 || text[q + 1] !== '(') continue;
        const end = urlEnd[q + 2];
        if (end === q + 2 || text[end] !== ')') continue;
        matches.push({ start: p, end: end + 1, groups: [text.slice(p + 1, q), text.slice(q + 2, end)] });
        p = end;
    }
    return matches;
}

const LINK_SCHEMES = ['https:', 'http:', 'mailto:', 'ftp:'];

/** Where the URL of `<scheme:…` starting at `p` begins after the scheme, or -1. */
function angleUrlStart(text: string, p: number): number {
    if (text[p] !== '<') return -1;
    const scheme = LINK_SCHEMES.find((s) => text.startsWith(s, p + 1));
    return scheme ? p + 1 + scheme.length : -1;
}

/**
 * `<url|label>`, as `/<((?:https?|mailto|ftp):[^|>\s]+)\|([^>]+)>/g`. groups: [url, label].
 */
export function findLabelledAngleLinks(text: string): InlineMatch[] {
    if (!text.includes('<')) return [];
    const urlStop = new NextFinder(text, (char) => char === '|' || char === '>' || isSpace(char));
    const labelStop = new NextFinder(text, (char) => char === '>');
    const matches: InlineMatch[] = [];
    for (let p = 0; p < text.length; p++) {
        const body = angleUrlStart(text, p);
        if (body === -1) continue;
        const pipe = urlStop.find(body);
        if (pipe === body || text[pipe] !== '|') continue;
        const close = labelStop.find(pipe + 1);
        if (close >= text.length || close === pipe + 1) continue;
        matches.push({ start: p, end: close + 1, groups: [text.slice(p + 1, pipe), text.slice(pipe + 1, close)] });
        p = close;
    }
    return matches;
}

/** `<url>`, as `/<((?:https?|mailto|ftp):[^>\s]+)>/g`. groups: [url]. */
export function findAngleLinks(text: string): InlineMatch[] {
    if (!text.includes('<')) return [];
    const urlStop = new NextFinder(text, (char) => char === '>' || isSpace(char));
    const matches: InlineMatch[] = [];
    for (let p = 0; p < text.length; p++) {
        const body = angleUrlStart(text, p);
        if (body === -1) continue;
        const close = urlStop.find(body);
        if (close === body || text[close] !== '>') continue;
        matches.push({ start: p, end: close + 1, groups: [text.slice(p + 1, close)] });
        p = close;
    }
    return matches;
}

function codePointBefore(text: string, index: number): string {
    const low = text.charCodeAt(index - 1);
    if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
        const high = text.charCodeAt(index - 2);
        if (high >= 0xd800 && high <= 0xdbff) return text.slice(index - 2, index);
    }
    return text.slice(index - 1, index);
}

function codePointAt(text: string, index: number): string {
    const point = text.codePointAt(index);
    return point === undefined ? '' : String.fromCodePoint(point);
}

/**
 * Emphasis with `marker`, as `(?<!W)M(?!\s)(.+?)(?<!\s)M(?!W)` with the `gu` flags, W being a letter,
 * a digit or `wordFence`: the closer is the first marker after at least one character of content that
 * has no space before it and no word character after it, on the same line. groups: [inner].
 */
export function findEmphasis(text: string, marker: string, wordFence: string): InlineMatch[] {
    if (!text.includes(marker)) return [];
    const isWord = (point: string) => point !== '' && (point === wordFence || WORD.test(point));
    const closers: number[] = [];
    for (let q = text.indexOf(marker, 1); q !== -1; q = text.indexOf(marker, q + 1)) {
        if (!isSpace(text[q - 1]) && !isWord(codePointAt(text, q + marker.length))) closers.push(q);
    }
    const terminator = new NextFinder(text, (char) => LINE_TERMINATOR.test(char));
    const matches: InlineMatch[] = [];
    let cursor = 0;
    for (let p = text.indexOf(marker); p !== -1; p = text.indexOf(marker, p + 1)) {
        const content = p + marker.length;
        if (content >= text.length || isSpace(text[content]) || (p > 0 && isWord(codePointBefore(text, p)))) continue;
        while (cursor < closers.length && closers[cursor] <= content) cursor++;
        if (cursor === closers.length) break;
        const q = closers[cursor];
        if (terminator.find(content) < q) continue;
        matches.push({ start: p, end: q + marker.length, groups: [text.slice(content, q)] });
        p = q + marker.length - 1;
    }
    return matches;
}
