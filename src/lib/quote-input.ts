/**
 * Text a person typed, shown back to them in an answer (an unknown department, a refused argument): it may be
 * anything, so it is cut short, loses control and invisible formatting characters, and is shown as inline code,
 * where Rocket.Chat renders no markdown, mention, emoji or link.
 */
const MAX_SHOWN = 64;

export function quoteInput(text: string): string {
    const plain = text
        .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
        .replace(/`/g, "'")
        .trim();
    const cut = [...plain];
    return `\`${cut.length > MAX_SHOWN ? `${cut.slice(0, MAX_SHOWN).join('')}…` : plain}\``;
}
