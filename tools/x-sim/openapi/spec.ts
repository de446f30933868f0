import fs from 'node:fs';
import { SUBSET_PATH } from './subset-path';

/**
 * The checked-in subset of X's OpenAPI spec (x-openapi-subset.json, written by `npm run spec:extract`), read once,
 * with the lookups the simulator and the conformance test need.
 */

type Json = Record<string, unknown>;

export interface SpecParameter {
    name: string;
    in: 'query' | 'path' | 'header' | 'cookie';
    required?: boolean;
    style?: string;
    explode?: boolean;
    schema?: Json;
}

export interface SpecOperation {
    operationId: string;
    method: string;
    /** The spec's path template, e.g. `/2/dm_events/{event_id}`. */
    path: string;
    parameters: SpecParameter[];
    requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
    responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

let cached: { spec: Json; operations: Map<string, SpecOperation> } | undefined;

function load(): { spec: Json; operations: Map<string, SpecOperation> } {
    if (cached) return cached;
    const spec = JSON.parse(fs.readFileSync(SUBSET_PATH, 'utf8')) as Json;
    const operations = new Map<string, SpecOperation>();
    for (const [specPath, item] of Object.entries(spec.paths as Record<string, Json>)) {
        const shared = ((item.parameters ?? []) as Json[]).map((p) => resolve(spec, p) as unknown as SpecParameter);
        for (const [method, value] of Object.entries(item)) {
            const operation = value as Json;
            if (typeof operation?.operationId !== 'string') continue;
            const own = ((operation.parameters ?? []) as Json[]).map(
                (p) => resolve(spec, p) as unknown as SpecParameter,
            );
            operations.set(operation.operationId, {
                operationId: operation.operationId,
                method: method.toUpperCase(),
                path: specPath,
                parameters: [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own],
                requestBody: operation.requestBody
                    ? (resolve(spec, operation.requestBody as Json) as SpecOperation['requestBody'])
                    : undefined,
                responses: (operation.responses ?? {}) as SpecOperation['responses'],
            });
        }
    }
    cached = { spec, operations };
    return cached;
}

/** Follows a `$ref` at the top of `node` (parameters and request bodies may be references). */
function resolve(spec: Json, node: Json): Json {
    let current = node;
    for (let hops = 0; typeof current.$ref === 'string'; hops++) {
        if (hops > 10) throw new Error(`reference cycle at ${String(node.$ref)}`);
        current = pointer(spec, current.$ref as string) as Json;
    }
    return current;
}

function pointer(spec: Json, ref: string): unknown {
    let at: unknown = spec;
    for (const raw of ref.replace(/^#\//, '').split('/')) {
        at = (at as Json | undefined)?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
        if (at === undefined) throw new Error(`x-openapi-subset.json: unresolved reference ${ref}`);
    }
    return at;
}

/** The parsed subset (for validators that compile its schemas). */
export function specDocument(): Json {
    return load().spec;
}

export function specOperation(operationId: string): SpecOperation | undefined {
    return load().operations.get(operationId);
}

export function specOperations(): SpecOperation[] {
    return [...load().operations.values()];
}

/** The values a list parameter (`dm_event.fields`, `expansions`, …) accepts, when the spec enumerates them. */
export function listParameterEnum(parameter: SpecParameter): string[] | undefined {
    const schema = parameter.schema;
    if (schema?.type !== 'array') return undefined;
    const values = (schema.items as Json | undefined)?.enum;
    return Array.isArray(values) ? [...new Set(values.map(String))] : undefined;
}
