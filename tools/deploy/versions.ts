/**
 * Which Rocket.Chat releases ship which Apps-Engine, from the "Engine versions" block of Rocket.Chat's release
 * notes (github.com/RocketChat/Rocket.Chat/releases; ../shared/research/test-host.md §10, apps-engine.md §3).
 * The first release carrying each engine minor.
 */
export const firstRocketChatWithEngine: Readonly<Record<string, string>> = {
    '1.62': '8.4',
    '1.63': '8.5',
    '1.64': '8.6',
    '1.65': '8.7',
    '1.66': '8.8',
    '1.67': '8.9',
    '1.68': '9.0',
};

type Triple = [number, number, number];

function parseVersion(text: string): Triple | undefined {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
    return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareVersions(a: string, b: string): number {
    const [x, y] = [parseVersion(a), parseVersion(b)];
    if (!x || !y) throw new Error(`not a version: ${x ? b : a}`);
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
}

/** `version` satisfies a caret range `^M.m.p` with M ≥ 1 (the only form app.json uses), as semver defines it. */
export function satisfiesCaret(version: string, range: string): boolean {
    const m = /^\^(\d+\.\d+\.\d+)$/.exec(range.trim());
    if (!m) throw new Error(`not a caret range: ${range}`);
    const [major] = parseVersion(m[1]) as Triple;
    if (major < 1) throw new Error(`caret ranges below 1.0.0 are not supported: ${range}`);
    const v = parseVersion(version);
    return !!v && v[0] === major && compareVersions(version, m[1]) >= 0;
}

/** The oldest Rocket.Chat whose engine satisfies app.json's `^M.m.p`, when the table knows that engine. */
export function minimumRocketChat(requiredApiVersion: string): string | undefined {
    const m = /^\^(\d+\.\d+)\.\d+$/.exec(requiredApiVersion.trim());
    return m ? firstRocketChatWithEngine[m[1]] : undefined;
}
