/**
 * Rocket.Chat markdown → the plain text an X DM shows. X renders no markup, so markers are
 * dropped and the words kept; links become `label (url)`. Block quotes keep their `> ` prefix,
 * which reads as a quote in plain text too, and list bullets are left as typed.
 */

/** The shortcodes people use most, as Unicode; any other `:name:` is left as typed. */
const EMOJI: Record<string, string> = {
    smile: '😄', smiley: '😃', grinning: '😀', grin: '😁', laughing: '😆', satisfied: '😆', joy: '😂', rofl: '🤣',
    slight_smile: '🙂', wink: '😉', blush: '😊', innocent: '😇', heart_eyes: '😍', kissing_heart: '😘', yum: '😋',
    stuck_out_tongue: '😛', sunglasses: '😎', thinking: '🤔', neutral_face: '😐', expressionless: '😑', unamused: '😒',
    roll_eyes: '🙄', confused: '😕', worried: '😟', slight_frown: '🙁', frowning: '😦', cry: '😢', sob: '😭',
    angry: '😠', rage: '😡', scream: '😱', sweat_smile: '😅', upside_down: '🙃', relieved: '😌', pensive: '😔',
    disappointed: '😞', hugs: '🤗', hugging: '🤗', partying_face: '🥳', '+1': '👍', thumbsup: '👍', '-1': '👎',
    thumbsdown: '👎', ok_hand: '👌', clap: '👏', wave: '👋', pray: '🙏', raised_hands: '🙌', muscle: '💪',
    point_right: '👉', point_left: '👈', eyes: '👀', heart: '❤️', broken_heart: '💔', fire: '🔥', tada: '🎉',
    star: '⭐', sparkles: '✨', '100': '💯', white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌',
    warning: '⚠️', question: '❓', exclamation: '❗', rocket: '🚀', bulb: '💡', shrug: '🤷',
};

const FENCE_OPEN = /^\s*```\s*[\w+#.-]*\s*$/;
const FENCE_CLOSE = /^\s*```\s*$/;
const HEADING = /^\s{0,3}(?:#{1,6}[ \t]+)+/;
const CODE_SPAN = /(?<!\\)(`+)(?!`)(.+?)(?<!`)\1(?!`)/g;
const ESCAPE = /\\([!-/:-@[-`{-~])/g;
/** `[label](url)`, the URL allowed one level of balanced parentheses (Wikipedia links). */
const MARKDOWN_LINK = /\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/g;
const LABELLED_ANGLE_LINK = /<((?:https?|mailto|ftp):[^|>\s]+)\|([^>]+)>/g;
const ANGLE_LINK = /<((?:https?|mailto|ftp):[^>\s]+)>/g;
const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>]+/g;
const URL_TRAILING_PUNCTUATION = /[*_~.,;:!?'"]+$/;
const MENTION = /(^|[^\p{L}\p{N}_@#])([@#][\p{L}\p{N}_.-]+)/gu;
const EMOJI_SHORTCODE = /:([a-z0-9_+-]+):/g;
/** Emphasis markers, longest first so `**x**` is not read as `*` around `*x*`. */
const EMPHASIS_MARKERS = ['**', '__', '~~', '*', '_', '~'];
const MAX_EMPHASIS_PASSES = 8;
const WORD_EDGE = /[\p{L}\p{N}]/u;

/** Plain text for X from Rocket.Chat markdown; words, links, mentions and code content all kept. */
export function renderForX(markdown: string): string {
    const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
        const close = FENCE_OPEN.test(lines[i]) ? lines.findIndex((line, j) => j > i && FENCE_CLOSE.test(line)) : -1;
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

/** One line outside code blocks. Literal pieces are parked behind placeholders while markers are stripped. */
function renderInline(line: string): string {
    const parked = new Placeholders(line);
    // Code spans and escapes sit between punctuation in the source (backticks, a backslash).
    let text = line.replace(CODE_SPAN, (_match, _ticks: string, code: string) => parked.park(code, 'punctuation'));
    text = text.replace(ESCAPE, (_match, char: string) => parked.park(char, 'punctuation'));
    text = text.replace(MARKDOWN_LINK, (_match, label: string, url: string) => linkText(label, url, parked));
    text = text.replace(LABELLED_ANGLE_LINK, (_match, url: string, label: string) => linkText(label, url, parked));
    text = text.replace(ANGLE_LINK, (_match, url: string) => parked.park(url));
    text = text.replace(BARE_URL, (url) => parkUrl(url, parked));
    text = text.replace(MENTION, (_match, before: string, mention: string) => before + parked.park(mention));
    text = replaceEmojiShortcodes(text);
    text = stripEmphasis(text, parked.wordFence);
    return parked.restore(text);
}

/** `label (url)`, or the URL alone when the label only repeats it. */
function linkText(label: string, url: string, parked: Placeholders): string {
    const bare = (value: string) => value.trim().replace(/^(?:https?:\/\/|mailto:)/i, '').replace(/\/$/, '');
    return bare(label) === bare(url) ? parked.park(url) : `${label} (${parked.park(url)})`;
}

/** Parks a bare URL, leaving trailing punctuation and markers (`*see x.com*`) in the text. */
function parkUrl(match: string, parked: Placeholders): string {
    let url = match.replace(URL_TRAILING_PUNCTUATION, '');
    while (url.endsWith(')') && count(url, '(') < count(url, ')')) {
        url = url.slice(0, -1).replace(URL_TRAILING_PUNCTUATION, '');
    }
    return parked.park(url) + match.slice(url.length);
}

function count(text: string, char: string): number {
    return text.split(char).length - 1;
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
    const patterns = EMPHASIS_MARKERS.map((marker) => {
        const m = marker.replace(/\*/g, '\\*');
        const word = `[\\p{L}\\p{N}${wordFence}]`;
        return new RegExp(`(?<!${word})${m}(?!\\s)(.+?)(?<!\\s)${m}(?!${word})`, 'gu');
    });
    let current = text;
    for (let pass = 0; pass < MAX_EMPHASIS_PASSES; pass++) {
        let next = current;
        for (const pattern of patterns) {
            next = next.replace(pattern, (match, inner: string) => (/[^\s*_~]/.test(inner) ? inner : match));
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
        const unused: string[] = [];
        for (let code = 0xe000; unused.length < 2; code++) {
            if (!line.includes(String.fromCharCode(code))) {
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

    restore(text: string): string {
        const fence = `[${this.wordFence}${this.otherFence}]`;
        return text.replace(new RegExp(`${fence}(\\d+)${fence}`, 'g'), (_match, index: string) => this.values[Number(index)]);
    }
}
