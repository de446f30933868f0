import type { SeededRandom } from '../core/random';
import type { UrlEntity } from '../state/types';

const URL_PATTERN = /https?:\/\/[^\s]+/g;

export interface ComposedText {
    text: string;
    urls: UrlEntity[];
}

/**
 * Stores a DM's text the way X does: every link becomes a t.co link listed in `entities.urls`,
 * and a DM with media ends with one more t.co link pointing at the media.
 * Offsets count code points, like X's entity indices.
 */
export function composeDmText(
    rawText: string,
    random: SeededRandom,
    mediaLink?: { expandedUrl: string },
): ComposedText {
    const urls: UrlEntity[] = [];
    let text = '';
    let lastIndex = 0;
    for (const match of rawText.matchAll(URL_PATTERN)) {
        text += rawText.slice(lastIndex, match.index);
        const tco = shortLink(random);
        const start = codePointLength(text);
        text += tco;
        urls.push({
            url: tco,
            expandedUrl: match[0],
            displayUrl: displayUrlOf(match[0]),
            start,
            end: start + codePointLength(tco),
        });
        lastIndex = (match.index ?? 0) + match[0].length;
    }
    text += rawText.slice(lastIndex);
    if (mediaLink) {
        const tco = shortLink(random);
        if (text.length > 0) text += ' ';
        const start = codePointLength(text);
        text += tco;
        urls.push({
            url: tco,
            expandedUrl: mediaLink.expandedUrl,
            displayUrl: `pic.x.com/${tco.slice(-10)}`,
            start,
            end: start + codePointLength(tco),
        });
    }
    return { text, urls };
}

function shortLink(random: SeededRandom): string {
    return `https://t.co/${random.string(10)}`;
}

function displayUrlOf(url: string): string {
    const bare = url.replace(/^https?:\/\//, '');
    return bare.length > 26 ? `${bare.slice(0, 25)}…` : bare;
}

function codePointLength(text: string): number {
    return Array.from(text).length;
}
