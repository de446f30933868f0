import { createHmac } from 'node:crypto';

/** `sha256=` + base64(HMAC-SHA256(consumer secret, message)): CRC response tokens and delivery signatures. */
export function sha256Signature(consumerSecret: string, message: string | Buffer): string {
    return 'sha256=' + createHmac('sha256', consumerSecret).update(message).digest('base64');
}

/** The `response_token` a webhook must return for `GET ?crc_token=`. */
export function crcResponseToken(consumerSecret: string, crcToken: string): string {
    return sha256Signature(consumerSecret, crcToken);
}
