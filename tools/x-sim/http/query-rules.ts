import { listParameterEnum, specOperation } from '../openapi/spec';
import type { SimRequest } from './request';
import type { SimResponse } from './response';
import { invalidRequest } from './x-errors';

/**
 * X refuses query parameters its API does not define for the endpoint, with 400 invalid-request, before doing
 * anything else; the rules come from the operation in the checked-in OpenAPI subset:
 * - a name the operation does not declare → "The query parameter [previous_token] is not one of [query,…]"
 *   (a captured answer: github.com/plhery/node-twitter-api-v2/issues/597);
 * - a list value (`dm_event.fields`, `expansions`, `user.fields`, `media.fields`, …) outside the spec's enum →
 *   "The `tweet.fields` query parameter value [x] is not one of [attachments,author_id,…]" with
 *   `parameters: {"tweet.fields": ["x"]}` (captured: github.com/redouane59/twittered/issues/118);
 * - an empty list → "The ids query parameter can not be empty" (captured: github.com/PipedreamHQ/pipedream/issues/10108).
 * Routes without an operationId (OAuth, ton.twitter.com) are not checked.
 */
export function checkQueryAgainstSpec(operationId: string | undefined, request: SimRequest): SimResponse | undefined {
    const operation = operationId ? specOperation(operationId) : undefined;
    if (!operation) return undefined;
    const declared = operation.parameters.filter((p) => p.in === 'query');
    for (const [name, value] of request.queryPairs) {
        const parameter = declared.find((p) => p.name === name);
        if (!parameter) {
            return invalidRequest(
                `The query parameter [${name}] is not one of [${declared.map((p) => p.name).join(',')}]`,
                name,
                value,
            );
        }
        const allowed = listParameterEnum(parameter);
        if (!allowed) continue;
        const items = value.split(',');
        if (value === '' || items.some((item) => item === ''))
            return invalidRequest(`The ${name} query parameter can not be empty`, name, value);
        const unknown = items.find((item) => !allowed.includes(item));
        if (unknown !== undefined) {
            return invalidRequest(
                `The \`${name}\` query parameter value [${unknown}] is not one of [${allowed.join(',')}]`,
                name,
                unknown,
            );
        }
    }
    return undefined;
}
