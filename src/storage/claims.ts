/**
 * Whether `claim` is the first claim written among those read. Readers that see the same claims agree,
 * and a reader that sees only its own claim wrote first: whoever writes later reads both and yields.
 * (Instance clocks play no part; only a MongoDB commit reordering of microseconds could fool it.)
 */
export function wins(claims: { claim?: string }[] | undefined, claim: string): boolean {
    return !!claims?.length && claims[0].claim === claim;
}
