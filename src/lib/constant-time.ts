import * as crypto from 'crypto';

/** Byte equality that takes the same time wherever the buffers differ; unequal lengths are unequal. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
    if (a.length !== b.length) {
        // Still spend a comparison so the length check is not the only work done.
        crypto.timingSafeEqual(a, a);
        return false;
    }
    return crypto.timingSafeEqual(a, b);
}
