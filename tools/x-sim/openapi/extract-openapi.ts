/**
 * `npm run spec:extract [-- <path to X's openapi.json>]`: writes x-openapi-subset.json, the part of X's OpenAPI
 * spec this repository relies on — every operation a simulator route declares (the app calls nothing else: its
 * e2e tests run against the simulator) with every component those operations reach, plus the error schemas.
 * The subset is checked in, so the simulator's parameter rules and the conformance test work in any clone;
 * the full spec (default `../shared/x-api/openapi.json`) is only needed to refresh it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ALL_ROUTES } from '../routes';
import { FULL_SPEC_PATH, SUBSET_PATH, specSourceLabel } from './subset-path';

export { FULL_SPEC_PATH, SUBSET_PATH };

type Json = Record<string, unknown>;

/** Schemas the conformance test validates error bodies with, whichever operation answered. */
const ALWAYS_INCLUDED = ['#/components/schemas/Problem', '#/components/schemas/Error'];

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/** The OpenAPI operationIds the simulator's routes declare, sorted. */
export function simulatorOperationIds(): string[] {
    return [
        ...new Set(ALL_ROUTES.map((route) => route.operationId).filter((id): id is string => typeof id === 'string')),
    ].sort();
}

/** Every local `$ref` (and discriminator mapping target) reachable from `value`. */
function collectRefs(value: unknown, into: Set<string>): void {
    if (Array.isArray(value)) {
        for (const item of value) collectRefs(item, into);
        return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Json)) {
        if (key === '$ref' && typeof child === 'string') into.add(child);
        else if (key === 'discriminator' && child && typeof child === 'object') {
            for (const target of Object.values(((child as Json).mapping ?? {}) as Json))
                if (typeof target === 'string') into.add(target);
        }
        collectRefs(child, into);
    }
}

function resolvePointer(spec: Json, ref: string): unknown {
    if (!ref.startsWith('#/')) throw new Error(`only local references are supported: ${ref}`);
    let node: unknown = spec;
    for (const raw of ref.slice(2).split('/')) {
        const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        node = node && typeof node === 'object' ? (node as Json)[segment] : undefined;
        if (node === undefined) throw new Error(`unresolved reference ${ref}`);
    }
    return node;
}

/** The subset of `spec` holding `operationIds` and everything they reference, in a stable order. */
export function extractSubset(spec: Json, operationIds: string[], source: { file: string; sha256: string }): Json {
    const wanted = new Set(operationIds);
    const found = new Set<string>();
    const paths: Json = {};
    for (const [specPath, item] of Object.entries(spec.paths as Record<string, Json>)) {
        const kept: Json = {};
        for (const [key, value] of Object.entries(item)) {
            if (!HTTP_METHODS.has(key)) continue;
            const operationId = (value as Json).operationId;
            if (typeof operationId === 'string' && wanted.has(operationId)) {
                kept[key] = value;
                found.add(operationId);
            }
        }
        if (Object.keys(kept).length === 0) continue;
        // Path-level fields (shared parameters, summary) apply to the kept operations too.
        for (const [key, value] of Object.entries(item)) if (!HTTP_METHODS.has(key)) kept[key] = value;
        paths[specPath] = kept;
    }
    const missing = [...wanted].filter((id) => !found.has(id));
    if (missing.length > 0) throw new Error(`operations not in the spec: ${missing.join(', ')}`);

    // Transitive closure of references.
    const refs = new Set<string>(ALWAYS_INCLUDED);
    collectRefs(paths, refs);
    const done = new Set<string>();
    while (done.size < refs.size) {
        for (const ref of [...refs]) {
            if (done.has(ref)) continue;
            done.add(ref);
            collectRefs(resolvePointer(spec, ref), refs);
        }
    }
    const components: Record<string, Json> = {};
    for (const ref of [...refs].sort()) {
        const match = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
        if (!match) throw new Error(`reference outside components: ${ref}`);
        const [, section, name] = match;
        (components[section] ??= {})[name.replace(/~1/g, '/').replace(/~0/g, '~')] = resolvePointer(spec, ref);
    }
    const specComponents = (spec.components ?? {}) as Json;
    if (specComponents.securitySchemes) components.securitySchemes = specComponents.securitySchemes as Json;
    const sortedComponents: Json = {};
    for (const section of Object.keys(components).sort()) sortedComponents[section] = components[section];

    const info = spec.info as Json;
    return {
        openapi: spec.openapi,
        info,
        'x-extracted': {
            note: 'Generated by `npm run spec:extract`; do not edit by hand.',
            from: source.file,
            specVersion: info.version,
            sha256: source.sha256,
            operations: [...found].sort(),
        },
        servers: spec.servers,
        paths,
        components: sortedComponents,
    };
}

export function subsetText(subset: Json): string {
    return `${JSON.stringify(subset, null, 2)}\n`;
}

/** Reads the full spec and builds the subset the simulator's routes need. */
export function extractFromFile(fullSpecPath: string): Json {
    const raw = fs.readFileSync(fullSpecPath);
    return extractSubset(JSON.parse(raw.toString('utf8')), simulatorOperationIds(), {
        file: specSourceLabel(fullSpecPath),
        sha256: createHash('sha256').update(raw).digest('hex'),
    });
}

if (require.main === module) {
    const source = path.resolve(process.argv[2] ?? FULL_SPEC_PATH);
    if (!fs.existsSync(source)) {
        process.stderr.write(
            `spec:extract: ${source} does not exist (X's full OpenAPI spec; pass its path as the argument)\n`,
        );
        process.exit(1);
    }
    const subset = extractFromFile(source);
    fs.writeFileSync(SUBSET_PATH, subsetText(subset));
    const extracted = subset['x-extracted'] as { specVersion: string; operations: string[] };
    process.stdout.write(
        `wrote ${path.relative(process.cwd(), SUBSET_PATH)}: X API spec ${extracted.specVersion}, ${extracted.operations.length} operations, ${Object.values(subset.components as Json).reduce<number>((n, s) => n + Object.keys(s as Json).length, 0)} components\n`,
    );
}
