/**
 * Rocket.Chat markdown → the plain text an X DM shows. X renders no markup, so markers are
 * dropped and the words kept; links become `label (url)`. Block quotes keep their `> ` prefix,
 * which reads as a quote in plain text too, and list bullets are left as typed.
 *
 * Agents type the input: every step is linear in the text (see markdown-inline.ts), so no message,
 * however crafted, can stall the app.
 */
import {
    findAngleLinks,
    findCodeSpans,
    findEmphasis,
    findLabelledAngleLinks,
    findMarkdownLinks,
    InlineMatch,
    replaceMatches,
} from './markdown-inline';

/** The shortcodes people use most, as Unicode; any other `:name:` is left as typed. */
const EMOJI: Record<string, string> = {
    smile: '😄',
    smiley: '😃',
    grinning: '😀',
    grin: '😁',
    laughing: '😆',
    satisfied: '😆',
    joy: '😂',
    rofl: '🤣',
    slight_smile: '🙂',
    wink: '😉',
    blush: '😊',
    innocent: '😇',
    heart_eyes: '😍',
    kissing_heart: '😘',
    yum: '😋',
    stuck_out_tongue: '😛',
    sunglasses: '😎',
    thinking: '🤔',
    neutral_face: '😐',
    expressionless: '😑',
    unamused: '😒',
    roll_eyes: '🙄',
    confused: '😕',
    worried: '😟',
    slight_frown: '🙁',
    frowning: '😦',
    cry: '😢',
    sob: '😭',
    angry: '😠',
    rage: '😡',
    scream: '😱',
    sweat_smile: '😅',
    upside_down: '🙃',
    relieved: '😌',
    pensive: '😔',
    disappointed: '😞',
    hugs: '🤗',
    hugging: '🤗',
    partying_face: '🥳',
    '+1': '👍',
    thumbsup: '👍',
    '-1': '👎',
    thumbsdown: '👎',
    ok_hand: '👌',
    clap: '👏',
    wave: '👋',
    pray: '🙏',
    raised_hands: '🙌',
    muscle: '💪',
    point_right: '👉',
    point_left: '👈',
    eyes: '👀',
    heart: '❤️',
    broken_heart: '💔',
    fire: '🔥',
    tada: '🎉',
    star: '⭐',
    sparkles: '✨',
    '100': '💯',
    white_check_mark: '✅',
    heavy_check_mark: '✔️',
    x: '❌',
    warning: '⚠️',
    question: '❓',
    exclamation: '❗',
    rocket: '🚀',
    bulb: '💡',
    shrug: '🤷',
};

/**
 * A fence's language tag, tested on the trimmed line: a pattern with `\s*[\w+#.-]*\s*$` after the backticks
 * backtracks over a long run of spaces once per space (a second for 20,000 of them).
 */
const FENCE_LANGUAGE = /^[\w+#.-]*$/;
const HEADING = /^\s{0,3}(?:#{1,6}[ \t]+)+/;
const ESCAPE = /\\([!-/:-@[-`{-~])/g;
const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>]+/g;
const URL_TRAILING_PUNCTUATION = new Set([...'*_~.,;:!?\'"']);
const MENTION = /(^|[^\p{L}\p{N}_@#])([@#][\p{L}\p{N}_.-]+)/gu;
const EMOJI_SHORTCODE = /:([a-z0-9_+-]+):/g;
/** Emphasis markers, longest first so `**x**` is not read as `*` around `*x*`. */
const EMPHASIS_MARKERS = ['**', '__', '~~', '*', '_', '~'];
const EMPHASIS_CHARACTERS = /[*_~]/;
const MAX_EMPHASIS_PASSES = 8;
const WORD_EDGE = /[\p{L}\p{N}]/u;

/** Plain text for X from Rocket.Chat markdown; words, links, mentions and code content all kept. */
export function renderForX(markdown: string): string {
    const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
    const closingFence = nextClosingFences(lines);
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
        const close = isOpeningFence(lines[i]) ? closingFence[i] : -1;
        if (close !== -1) {
            // A fenced block: its lines verbatim, the fences and language tag dropped.
            out.push(...lines.slice(i + 1, close));
            i = close;
        } else {
            out.push(renderInline(lines[i].replace(HEADING, '')));
        }
    }
    return out.join('\n');
}

/** For each line, the index of the first later line that closes a fence, or -1 (one pass from the end). */
function nextClosingFences(lines: string[]): number[] {
    const next = new Array<number>(lines.length);
    let closing = -1;
    for (let i = lines.length - 1; i >= 0; i--) {
        next[i] = closing;
        if (isClosingFence(lines[i])) closing = i;
    }
    return next;
}

/** Three backticks and an optional language tag, alone on the line (spaces around allowed). */
function isOpeningFence(line: string): boolean {
    const trimmed = line.trim();
    return trimmed.startsWith('```') && FENCE_LANGUAGE.test(trimmed.slice(3).trimStart());
}

/** Three backticks alone on the line (spaces around allowed). */
function isClosingFence(line: string): boolean {
    return line.trim() === '```';
}

/** Characters without which a line has nothing to render (URLs and mentions are parked and put back as they were). */
const INLINE_MARKUP = /[`\\[<:*_~]/;

/** One line outside code blocks. Literal pieces are parked behind placeholders while markers are stripped. */
function renderInline(line: string): string {
    // Most lines, and every line of a flood of blank ones, need none of the steps below.
    if (!INLINE_MARKUP.test(line)) return line;
    const parked = new Placeholders(line);
    const replace = (text: string, find: (text: string) => InlineMatch[], replacement: (groups: string[]) => string) =>
        replaceMatches(text, find(text), (match) => replacement(match.groups));
    // Code spans and escapes sit between punctuation in the source (backticks, a backslash).
    let text = replace(line, findCodeSpans, ([, code]) => parked.park(code, 'punctuation'));
    text = text.replace(ESCAPE, (_match, char: string) => parked.park(char, 'punctuation'));
    text = replace(text, findMarkdownLinks, ([label, url]) => linkText(label, url, parked));
    text = replace(text, findLabelledAngleLinks, ([url, label]) => linkText(label, url, parked));
    text = replace(text, findAngleLinks, ([url]) => parked.park(url));
    text = text.replace(BARE_URL, (url) => parkUrl(url, parked));
    text = text.replace(MENTION, (_match, before: string, mention: string) => before + parked.park(mention));
    text = replaceEmojiShortcodes(text);
    text = stripEmphasis(text, parked.wordFence);
    return parked.restore(text);
}

/** `label (url)`, or the URL alone when the label only repeats it. */
function linkText(label: string, url: string, parked: Placeholders): string {
    const bare = (value: string) =>
        value
            .trim()
            .replace(/^(?:https?:\/\/|mailto:)/i, '')
            .replace(/\/$/, '');
    return bare(label) === bare(url) ? parked.park(url) : `${label} (${parked.park(url)})`;
}

/**
 * Parks a bare URL, leaving trailing punctuation and markers (`*see x.com*`) in the text. Closing
 * parentheses the URL did not open are trailing punctuation too; counted once, not per character.
 */
function parkUrl(match: string, parked: Placeholders): string {
    let end = withoutTrailingPunctuation(match, match.length);
    let unmatchedClosing = 0;
    for (let i = 0; i < end; i++) {
        if (match[i] === '(') unmatchedClosing--;
        else if (match[i] === ')') unmatchedClosing++;
    }
    while (unmatchedClosing > 0 && match[end - 1] === ')') {
        unmatchedClosing--;
        end = withoutTrailingPunctuation(match, end - 1);
    }
    return parked.park(match.slice(0, end)) + match.slice(end);
}

/** `end` moved back over trailing punctuation (which holds no parenthesis). */
function withoutTrailingPunctuation(text: string, end: number): number {
    while (end > 0 && URL_TRAILING_PUNCTUATION.has(text[end - 1])) end--;
    return end;
}

function replaceEmojiShortcodes(text: string): string {
    let out = '';
    let copiedUpTo = 0;
    EMOJI_SHORTCODE.lastIndex = 0;
    for (let match = EMOJI_SHORTCODE.exec(text); match !== null; match = EMOJI_SHORTCODE.exec(text)) {
        const emoji = Object.prototype.hasOwnProperty.call(EMOJI, match[1]) ? EMOJI[match[1]] : undefined;
        if (emoji === undefined) {
            // `12:30:smile:` — the closing colon may open the next shortcode.
            EMOJI_SHORTCODE.lastIndex = match.index + match[0].length - 1;
            continue;
        }
        out += text.slice(copiedUpTo, match.index) + emoji;
        copiedUpTo = match.index + match[0].length;
    }
    return out + text.slice(copiedUpTo);
}

/**
 * Drops emphasis markers until none are left, so nested and adjacent markers all go. Flanking as
 * in CommonMark, simplified: no letter or digit outside a marker, no space inside; a placeholder
 * edge fenced with `wordFence` counts as a letter.
 */
function stripEmphasis(text: string, wordFence: string): string {
    if (!EMPHASIS_CHARACTERS.test(text)) return text;
    let current = text;
    for (let pass = 0; pass < MAX_EMPHASIS_PASSES; pass++) {
        let next = current;
        for (const marker of EMPHASIS_MARKERS) {
            const source = next;
            next = replaceMatches(source, findEmphasis(source, marker, wordFence), (match) =>
                /[^\s*_~]/.test(match.groups[0]) ? match.groups[0] : source.slice(match.start, match.end),
            );
        }
        if (next === current) {
            break;
        }
        current = next;
    }
    return current;
}

/**
 * Stand-ins for literal text while markers are processed: private-use characters absent from the
 * line bracket each index, so no marker, shortcode or URL pattern can match across or inside one.
 * An edge uses `wordFence` when the source has a letter or digit there, so emphasis next to a
 * placeholder is judged as it would be next to the source text.
 */
class Placeholders {
    readonly wordFence: string;
    private readonly otherFence: string;
    private readonly values: string[] = [];

    constructor(line: string) {
        // One pass over the line: a line may hold thousands of private-use characters.
        const used = new Set<number>();
        for (let i = 0; i < line.length; i++) {
            const code = line.charCodeAt(i);
            if (code >= 0xe000 && code <= 0xf8ff) used.add(code);
        }
        const unused: string[] = [];
        for (let code = 0xe000; unused.length < 2; code++) {
            if (!used.has(code)) {
                unused.push(String.fromCharCode(code));
            }
        }
        [this.wordFence, this.otherFence] = unused;
    }

    /** A placeholder for `value`; its edges act like the value's own first and last characters unless told otherwise. */
    park(value: string, edges: 'own' | 'punctuation' = 'own'): string {
        this.values.push(value);
        const fenceFor = (char: string) => (edges === 'own' && WORD_EDGE.test(char) ? this.wordFence : this.otherFence);
        const left = fenceFor(value.charAt(0));
        const right = fenceFor(value.charAt(value.length - 1));
        return `${left}${this.values.length - 1}${right}`;
    }

    /** Puts the parked values back: a fence, the index, a fence (one pass, no pattern compiled per line). */
    restore(text: string): string {
        if (this.values.length === 0) return text;
        const isFence = (char: string | undefined) => char === this.wordFence || char === this.otherFence;
        const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';
        let out = '';
        let copiedUpTo = 0;
        for (let i = 0; i < text.length; i++) {
            if (!isFence(text[i])) continue;
            let end = i + 1;
            while (isDigit(text[end])) end++;
            if (end === i + 1 || !isFence(text[end])) continue;
            out += text.slice(copiedUpTo, i) + this.values[Number(text.slice(i + 1, end))];
            copiedUpTo = end + 1;
            i = end;
        }
        return out + text.slice(copiedUpTo);
    }
}
