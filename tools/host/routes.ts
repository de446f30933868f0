/** Express-style path patterns (`webhook/:secret`) as Rocket.Chat's app router matches them. */
export function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
    const want = pattern.replace(/^\/+|\/+$/g, '').split('/');
    const got = path.replace(/^\/+|\/+$/g, '').split('/');
    if (want.length !== got.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < want.length; i++) {
        if (want[i].startsWith(':')) {
            if (!got[i]) return undefined;
            try {
                params[want[i].slice(1)] = decodeURIComponent(got[i]);
            } catch {
                return undefined;
            }
        } else if (want[i].toLowerCase() !== got[i].toLowerCase()) {
            return undefined;
        }
    }
    return params;
}
