/**
 * How long a post is by X's counting rules, for the 280-character limit. X weighs code points of the
 * NFC-normalized text: Latin, most punctuation and a few spaces count 1, everything else (CJK, emoji) 2, an
 * emoji sequence (ZWJ, skin tone, flag, keycap) counts 2 once, and every URL counts 23 (the t.co link it
 * becomes). Source: twitter-text's config/v3.json (version 3: maxWeightedTweetLength 280, scale 100,
 * defaultWeight 200, emojiParsingEnabled, transformedURLLength 23, the four ranges below) and X's developer
 * docs "Counting characters".
 *
 * The official `twitter-text` package would add its TLD list, emoji parser and core-js to a bundle already over
 * its budget, so the rules are implemented here. Where its URL recognizer and this one could disagree (a bare
 * domain without a scheme), the count is the larger of the two readings: a post judged to fit always fits, and
 * X's own refusal (`too-long`) covers what a person typed in another way.
 */

export const POST_MAX_WEIGHTED_LENGTH = 280;

const SCALE = 100;
const DEFAULT_WEIGHT = 200;
const TRANSFORMED_URL_LENGTH = 23;
/** config/v3.json `ranges`: code points weighing 100 (one character); the rest weigh `defaultWeight`. */
const LIGHT_RANGES: readonly [number, number][] = [
    [0, 4351],
    [8192, 8205],
    [8208, 8223],
    [8242, 8247],
];

const EMOJI_PART = '\\p{Extended_Pictographic}(?:\\uFE0F|\\p{Emoji_Modifier})?';
const EMOJI_SEQUENCE = `\\p{Regional_Indicator}{2}|[0-9#*]\\uFE0F?\\u20E3|${EMOJI_PART}(?:\\u200D${EMOJI_PART})*`;
/** A link with a scheme: always a URL to X. Trailing punctuation is left to the text, as X's recognizer does. */
const SCHEME_URL = 'https?:\\/\\/[^\\s/?#]*?\\.[^\\s]*?(?=[.,!?;:)\\]\'"]*(?:\\s|$))';
/** A bare domain X may or may not take for a link (it checks the TLD against its list). */
const BARE_DOMAIN =
    '(?<![\\p{L}\\p{N}@_./-])(?:[\\p{L}\\p{N}-]+\\.)+\\p{L}{2,}(?:\\/[^\\s]*?)?(?=[.,!?;:)\\]\'"]*(?:\\s|$))';
const TOKEN = new RegExp(`(${SCHEME_URL})|(${BARE_DOMAIN})|(${EMOJI_SEQUENCE})`, 'giu');

function codePointWeight(codePoint: number): number {
    return LIGHT_RANGES.some(([start, end]) => codePoint >= start && codePoint <= end) ? SCALE : DEFAULT_WEIGHT;
}

function plainWeight(text: string): number {
    let weight = 0;
    for (const char of text) weight += codePointWeight(char.codePointAt(0) ?? 0);
    return weight;
}

/** The text's length as X counts it against `POST_MAX_WEIGHTED_LENGTH`. */
export function postWeightedLength(text: string): number {
    const normalized = text.normalize('NFC');
    let weight = 0;
    let from = 0;
    for (const match of normalized.matchAll(TOKEN)) {
        const index = match.index ?? 0;
        weight += plainWeight(normalized.slice(from, index));
        const urlWeight = TRANSFORMED_URL_LENGTH * SCALE;
        if (match[1] !== undefined) weight += urlWeight;
        else if (match[2] !== undefined) weight += Math.max(urlWeight, plainWeight(match[2]));
        else weight += DEFAULT_WEIGHT;
        from = index + match[0].length;
    }
    weight += plainWeight(normalized.slice(from));
    return Math.ceil(weight / SCALE);
}
