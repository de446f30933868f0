/** RFC 4648 base32hex without padding: X's DM pagination tokens use this alphabet. */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

export function encodeBase32Hex(text: string): string {
    let bits = 0;
    let value = 0;
    let out = '';
    for (const byte of Buffer.from(text, 'utf8')) {
        value = (value << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            out += ALPHABET[(value >>> (bits - 5)) & 31];
            bits -= 5;
        }
        value &= (1 << bits) - 1;
    }
    if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
    return out;
}

export function decodeBase32Hex(token: string): string | undefined {
    let bits = 0;
    let value = 0;
    const bytes: number[] = [];
    for (const char of token.toUpperCase()) {
        const index = ALPHABET.indexOf(char);
        if (index === -1) return undefined;
        value = (value << 5) | index;
        bits += 5;
        if (bits >= 8) {
            bytes.push((value >>> (bits - 8)) & 255);
            bits -= 8;
        }
        value &= (1 << bits) - 1;
    }
    return Buffer.from(bytes).toString('utf8');
}
