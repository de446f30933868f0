/**
 * Seeded pseudo-random source (mulberry32). Every token, id tail and fault probability in the
 * simulator comes from here, so one seed reproduces a whole session.
 */
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class SeededRandom {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    /** A float in [0, 1). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** An integer in [0, bound). */
    int(bound: number): number {
        return Math.floor(this.next() * bound);
    }

    /** A random string over `alphabet` (alphanumeric by default). */
    string(length: number, alphabet: string = ALPHANUMERIC): string {
        let out = '';
        for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
        return out;
    }

    /** A string of decimal digits whose first digit is not zero. */
    digits(length: number): string {
        return String(1 + this.int(9)) + this.string(length - 1, '0123456789');
    }

    /** True with the given probability. */
    chance(probability: number): boolean {
        return this.next() < probability;
    }
}
