/** Loads X payload fixtures and rebuilds the raw bytes X would send, independently of src/. */
import * as fs from 'fs';
import * as path from 'path';

const FIXTURE_DIR = path.join(__dirname, '..', '..', 'fixtures', 'x-events');

/** The fixture file's text exactly as stored (pretty-printed, numbers as written). */
export function fixtureText(name: string): string {
    return fs.readFileSync(path.join(FIXTURE_DIR, name), 'utf8');
}

/** The fixture as the app receives it: parsed by JSON.parse. */
export function fixture(name: string): unknown {
    return JSON.parse(fixtureText(name));
}

/** Every fixture file name, for tests that must hold across all payloads. */
export function fixtureNames(): string[] {
    return fs
        .readdirSync(FIXTURE_DIR)
        .filter((name) => name.endsWith('.json'))
        .sort();
}

/**
 * Drops whitespace outside strings, keeping key order and number spellings byte for byte:
 * the compact body X sends, rebuilt from a pretty-printed fixture without a parse.
 */
export function compactJsonText(raw: string): string {
    let out = '';
    let inString = false;
    for (let i = 0; i < raw.length; i++) {
        const ch = raw[i];
        if (inString) {
            out += ch;
            if (ch === '\\') {
                out += raw[++i];
            } else if (ch === '"') {
                inString = false;
            }
        } else if (ch === '"') {
            inString = true;
            out += ch;
        } else if (!/\s/.test(ch)) {
            out += ch;
        }
    }
    return out;
}

/** Raw JSON text with every `/` written as `\/` (a `/` can only occur inside strings). */
export function escapeSlashes(raw: string): string {
    return raw.split('/').join('\\/');
}

/**
 * Raw JSON text with every non-ASCII code unit (U+0080 and up) written as `\uXXXX` (only strings hold
 * them). U+007F is ASCII and stays raw, as Jackson, Go, Ruby and JSON.stringify write it.
 */
export function escapeNonAscii(raw: string, hexCase: 'lower' | 'upper'): string {
    let out = '';
    for (let i = 0; i < raw.length; i++) {
        const unit = raw.charCodeAt(i);
        if (unit >= 0x80) {
            const hex = unit.toString(16).padStart(4, '0');
            out += `\\u${hexCase === 'upper' ? hex.toUpperCase() : hex}`;
        } else {
            out += raw[i];
        }
    }
    return out;
}

/**
 * Raw JSON text with HTML-safe escapes, as Go's encoding/json and Rails write it: `<` `>` `&` and
 * U+2028/U+2029 as `\u003c`-style sequences (only strings hold them).
 */
export function escapeHtml(raw: string, hexCase: 'lower' | 'upper'): string {
    return raw.replace(/[<>&\u2028\u2029]/g, (c) => {
        const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
        return `\\u${hexCase === 'upper' ? hex.toUpperCase() : hex}`;
    });
}
