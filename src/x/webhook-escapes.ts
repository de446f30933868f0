/** The escape styles of candidate serializations: which ones change a text, and the text in each. */
/** How string contents are escaped in one candidate serialization. */
interface EscapeStyle {
    readonly name: string;
    readonly slash: boolean;
    readonly nonAscii: boolean;
    readonly html: boolean;
    readonly upper: boolean;
}

/** What the compact text holds that escape styles change, counted in one pass. */
interface TextFeatures {
    slashes: number;
    /** `<` and `>` (their escapes hold hex letters) and `&`. */
    angles: number;
    ampersands: number;
    /** U+2028 and U+2029 (escaped by HTML-safe writers even when non-ASCII stays raw). */
    separators: number;
    /** UTF-8 bytes gained when every non-ASCII code unit becomes a six-byte `\uXXXX`. */
    nonAsciiExtraBytes: number;
    nonAsciiUnits: number;
    /** Whether escaping the non-ASCII units, or the escapes JSON.stringify already wrote, yield a hex letter (so case matters). */
    nonAsciiHexLetters: boolean;
    existingHexLetters: boolean;
}

// Order of likelihood: what recorded deliveries and common JSON writers produce first.
const STYLE_ORDER: readonly (readonly [boolean, boolean, boolean, boolean])[] = [
    // [slash, nonAscii, html, upper]
    [false, false, false, false],
    [false, true, false, false],
    [true, false, false, false],
    [true, true, false, false],
    [false, false, true, false],
    [true, true, true, false],
    [false, true, true, false],
    [true, false, true, false],
    [false, true, false, true],
    [true, true, false, true],
    [false, false, true, true],
    [true, true, true, true],
    [false, true, true, true],
    [true, false, true, true],
    [false, false, false, true],
    [true, false, false, true],
];

function styleName(slash: boolean, nonAscii: boolean, html: boolean, upper: boolean): string {
    const parts = [
        slash ? 'escaped-slash' : '',
        nonAscii ? (upper ? 'ascii-upper' : 'ascii-lower') : '',
        html ? (upper ? 'html-upper' : 'html-lower') : '',
    ].filter(Boolean);
    if (upper && !nonAscii && !html) parts.push('hex-upper');
    return parts.length === 0 ? 'compact' : parts.join('+');
}

/** The styles that change this text (others would repeat a candidate), likeliest first. */
export function relevantStyles(features: TextFeatures): EscapeStyle[] {
    const hasNonAscii = features.nonAsciiUnits > 0;
    const hasHtml = features.angles + features.ampersands > 0 || (features.separators > 0 && !hasNonAscii);
    return STYLE_ORDER.filter(([slash, nonAscii, html, upper]) => {
        if (slash && features.slashes === 0) return false;
        if (nonAscii && !hasNonAscii) return false;
        if (html && !hasHtml) return false;
        return (
            !upper ||
            features.existingHexLetters ||
            (nonAscii && features.nonAsciiHexLetters) ||
            (html && features.angles > 0)
        );
    }).map(([slash, nonAscii, html, upper]) => ({
        name: styleName(slash, nonAscii, html, upper),
        slash,
        nonAscii,
        html,
        upper,
    }));
}

export function textFeatures(compact: string): TextFeatures {
    const features: TextFeatures = {
        slashes: 0,
        angles: 0,
        ampersands: 0,
        separators: 0,
        nonAsciiExtraBytes: 0,
        nonAsciiUnits: 0,
        nonAsciiHexLetters: false,
        existingHexLetters: false,
    };
    for (let i = 0; i < compact.length; i++) {
        const unit = compact.charCodeAt(i);
        if (unit < 0x80) {
            if (unit === 0x2f) features.slashes++;
            else if (unit === 0x3c || unit === 0x3e) features.angles++;
            else if (unit === 0x26) features.ampersands++;
            else if (unit === 0x5c && compact.charCodeAt(i + 1) === 0x75 && !features.existingHexLetters)
                features.existingHexLetters = /[a-f]/.test(compact.slice(i + 2, i + 6));
            continue;
        }
        features.nonAsciiUnits++;
        if (unit === 0x2028 || unit === 0x2029) features.separators++;
        if (!features.nonAsciiHexLetters) features.nonAsciiHexLetters = hasHexLetter(unit);
        // UTF-8 length → six bytes: 2-byte units gain 4, 3-byte units gain 3, a surrogate pair (4 bytes) gains 8.
        if (unit < 0x800) features.nonAsciiExtraBytes += 4;
        else if (unit >= 0xd800 && unit <= 0xdbff) features.nonAsciiExtraBytes += 4;
        else if (unit >= 0xdc00 && unit <= 0xdfff) features.nonAsciiExtraBytes += 4;
        else features.nonAsciiExtraBytes += 3;
    }
    return features;
}

/** Whether the four hex digits of a code unit include a letter (so upper and lower case differ). */
function hasHexLetter(unit: number): boolean {
    return (unit & 0xf) > 9 || ((unit >> 4) & 0xf) > 9 || ((unit >> 8) & 0xf) > 9 || ((unit >> 12) & 0xf) > 9;
}

/** Exactly how many UTF-8 bytes a style adds to the compact text (hex case changes no length). */
export function styledExtraBytes(style: EscapeStyle, f: TextFeatures): number {
    let extra = style.slash ? f.slashes : 0;
    if (style.nonAscii) extra += f.nonAsciiExtraBytes;
    if (style.html) extra += 5 * (f.angles + f.ampersands) + (style.nonAscii ? 0 : 3 * f.separators);
    return extra;
}

/** `\uXXXX` of a code unit, lower-case hex; cached (at most 65,536 short strings). */
const LOWER_ESCAPES: string[] = [];
const UPPER_ESCAPES: string[] = [];

function unicodeEscape(unit: number, upper: boolean): string {
    const cache = upper ? UPPER_ESCAPES : LOWER_ESCAPES;
    let escape = cache[unit];
    if (escape === undefined) {
        const hex = (unit + 0x10000).toString(16).slice(1);
        escape = cache[unit] = `\\u${upper ? hex.toUpperCase() : hex}`;
    }
    return escape;
}

/**
 * Rewrites a compact JSON text in one style, in one pass: `/`, `<>&` and non-ASCII occur only inside
 * strings, and the escapes JSON.stringify wrote are stepped over whole (so `\\u0041` is never read
 * as an escape), only re-cased in upper-case styles.
 */
export function restyle(text: string, style: EscapeStyle): string {
    if (!style.slash && !style.nonAscii && !style.html && !style.upper) return text;
    let out = '';
    let copiedUpTo = 0;
    for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        let escape: string | undefined;
        let width = 1;
        if (unit === 0x5c) {
            if (text.charCodeAt(i + 1) !== 0x75) {
                i++;
                continue;
            }
            if (!style.upper) {
                i += 5;
                continue;
            }
            escape = `\\u${text.slice(i + 2, i + 6).toUpperCase()}`;
            width = 6;
        } else if (unit === 0x2f) {
            if (style.slash) escape = '\\/';
        } else if (unit === 0x3c || unit === 0x3e || unit === 0x26) {
            if (style.html) escape = unicodeEscape(unit, style.upper);
        } else if (unit >= 0x80) {
            if (style.nonAscii || (style.html && (unit === 0x2028 || unit === 0x2029)))
                escape = unicodeEscape(unit, style.upper);
        }
        if (escape !== undefined) {
            out += text.slice(copiedUpTo, i) + escape;
            copiedUpTo = i + width;
            i += width - 1;
        }
    }
    return out + text.slice(copiedUpTo);
}
