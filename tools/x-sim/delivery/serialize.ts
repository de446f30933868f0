import type { SerializationStyle } from '../ops/faults';

/**
 * Writes a delivery body in one of the styles X's serializers have been seen to use. The
 * signature is always computed over the returned string's UTF-8 bytes, so receivers that
 * re-serialize the parsed body must try these variants.
 */
export function serializeDelivery(payload: unknown, style: SerializationStyle): string {
  let text = JSON.stringify(payload);
  if (style === 'escapedSlashes' || style === 'both') text = text.replace(/\//g, '\\/');
  if (style === 'unicodeEscaped' || style === 'both') text = escapeNonAscii(text);
  return text;
}

/** Non-ASCII as `\uXXXX`; characters outside the BMP become two escapes (a surrogate pair). */
function escapeNonAscii(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out += unit < 0x80 ? text[i] : '\\u' + unit.toString(16).padStart(4, '0');
  }
  return out;
}
