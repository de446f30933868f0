/**
 * Hard security bound: every text transform an agent's (or X's) text goes through finishes a 20,000-character
 * input in under 50 ms, however the input is crafted. The app runs in one runtime process per instance, so a
 * quadratic transform lets one message stall every delivery, reply and job (before the fix, a URL followed by
 * 20,000 `)` took 4 s in `parkUrl`).
 *
 * Inputs repeat short adversarial patterns, which is what makes a backtracking pattern or a rescanning loop
 * quadratic: every opener without a closer, every `(` without `)`, a fence never closed, …
 */
import fc from 'fast-check';
import { formatAgentMessage, inboundText } from '../../../src/bridge/format';
import { renderForX } from '../../../src/bridge/markdown';
import { splitForDm } from '../../../src/bridge/split';

const LENGTH = 20_000;
const BOUND_MS = 50;

/** Pieces of markup that open something, close something, or break a line; repeated, they are the worst cases. */
const UNITS = [
    'a',
    '1',
    ' ',
    '  ',
    '\n',
    '\t',
    '.',
    '!',
    '。',
    ':',
    '@',
    '#',
    '\\',
    '|',
    '<',
    '>',
    '[',
    ']',
    '(',
    ')',
    '](',
    '`',
    '``',
    '```',
    '```\n',
    '*',
    '**',
    '_',
    '__',
    '~',
    '~~',
    'http://',
    'https://x',
    'www.',
    '<http:',
    '<https:a',
    '<mailto:',
    '<ftp:',
    ':smile',
    ':smile:',
    '\ue000',
    '\ue001',
    '\u2028',
    '\u00a0',
    '😀',
    '𝐀',
    '&amp;',
    '&lt',
    'https://t.co/a',
    '{agent}',
    '{text}',
];

const fill = (pattern: string, prefix: string, suffix: string) => {
    const body = pattern.repeat(Math.ceil((LENGTH - prefix.length - suffix.length) / pattern.length));
    return (prefix + body).slice(0, LENGTH - suffix.length) + suffix;
};

/** A recipe rather than the text, so that a failure report shows how the input was built. */
const adversarialRecipe = fc.record({
    pattern: fc.array(fc.constantFrom(...UNITS), { minLength: 1, maxLength: 6 }).map((units) => units.join('')),
    prefix: fc.array(fc.constantFrom(...UNITS), { maxLength: 4 }).map((units) => units.join('')),
    suffix: fc.array(fc.constantFrom(...UNITS), { maxLength: 4 }).map((units) => units.join('')),
});

/** Known worst cases of the earlier implementation, kept as regressions. */
const KNOWN = [
    fill(')', 'http://x', ''),
    fill('.', 'http://', 'a'),
    fill('[', '', ''),
    fill('<http:a', '', ''),
    fill('<http:a|b', '', ''),
    fill('~~a ', '', ''),
    fill('*a ', '', ''),
    fill('```\n', '', ''),
    fill('a`', '``', ''),
    Array.from({ length: LENGTH }, (_, i) => String.fromCharCode(0xe000 + (i % 6400))).join(''),
    fill(' ', '', 'https://t.co/a'),
    // A fence with a long run of spaces (or tabs) before a character a language tag cannot hold.
    fill(' ', '```', '!'),
    fill('\t', '```js', '!'),
    // Words, then a long whitespace tail: trimming the rest before every part rescans the tail.
    fill('a ', '', ' '.repeat(LENGTH / 2)),
];

const TCO_LINKS = Array.from({ length: 40 }, (_, i) => ({
    url: `https://t.co/a${i}`,
    expandedUrl: `https://example.com/${i}`,
}));

const TRANSFORMS: [string, (text: string) => unknown][] = [
    ['renderForX', (text) => renderForX(text)],
    [
        'formatAgentMessage (default template)',
        (text) => formatAgentMessage('*{agent}*: {text}', { agent: 'Agent _Smith_', text }),
    ],
    ['splitForDm (X limit)', (text) => splitForDm(text)],
    ['splitForDm (limit 2)', (text) => splitForDm(text, 2)],
    ['splitForDm (limit 280)', (text) => splitForDm(text, 280)],
    ['inboundText', (text) => inboundText({ text, urls: TCO_LINKS, media: { tcoUrl: 'https://t.co/a' } } as never)],
];

/**
 * Milliseconds one call takes. A shared test machine can pause any process for a while, so a slow run is
 * measured twice more and the fastest counts: a quadratic input is slow every time.
 */
function millis(transform: (text: string) => unknown, text: string): number {
    let best = Infinity;
    for (let attempt = 0; attempt < 3 && best >= BOUND_MS; attempt++) {
        const started = performance.now();
        transform(text);
        best = Math.min(best, performance.now() - started);
    }
    return best;
}

/** What a failure shows: the input's start and the time. */
function timing(transform: (text: string) => unknown, text: string) {
    const ms = millis(transform, text);
    return { input: JSON.stringify(text.slice(0, 40)), ms: Math.round(ms), withinBound: ms < BOUND_MS };
}

describe(`text transforms: ${LENGTH.toLocaleString('en')}-character adversarial inputs in under ${BOUND_MS} ms`, () => {
    beforeAll(() => {
        // Compile the regular expressions and warm the JIT on every kind of piece, so the bound measures
        // the algorithm and not the first run of freshly loaded code.
        const warmUp = [
            fill(UNITS.join(''), '', ''),
            fill(UNITS.join('\n'), '', ''),
            ...UNITS.map((unit) => unit.repeat(200)),
        ];
        for (const [, transform] of TRANSFORMS) for (const text of warmUp) transform(text);
    });

    it.each(TRANSFORMS)('%s: known worst cases', (_name, transform) => {
        for (const text of KNOWN) {
            expect(text).toHaveLength(LENGTH);
            expect(timing(transform, text)).toMatchObject({ withinBound: true });
        }
    });

    it.each(TRANSFORMS)('%s: generated inputs', (_name, transform) => {
        fc.assert(
            fc.property(adversarialRecipe, ({ pattern, prefix, suffix }) => {
                const text = fill(pattern, prefix, suffix);
                expect(text).toHaveLength(LENGTH);
                expect(timing(transform, text)).toMatchObject({ withinBound: true });
            }),
            { numRuns: 60, seed: 12 },
        );
    });
});
