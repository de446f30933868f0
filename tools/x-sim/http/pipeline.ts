import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, tokenUserId } from '../auth/authenticate';
import { enforceAuth } from '../auth/policy';
import type { LoggedAuthType } from '../ops/request-log';
import type { SimServices } from '../services';
import { checkQueryAgainstSpec } from './query-rules';
import { buildSimRequest, type SimRequest } from './request';
import { withHeaders, type SimResponse } from './response';
import { matchRoute, type Route, type RouteContext } from './router';
import { creditsDepleted, genericProblem, tooManyRequests, v1Error } from './x-errors';

/** Facts about one call, filled in as it passes the layers, for the request log. */
interface CallRecord {
    authType: LoggedAuthType;
    appId?: string;
    userId?: string;
    billableUnits: number;
    fault?: string;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

function readBody(incoming: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(new Error('request body too large'));
                incoming.destroy();
                return;
            }
            chunks.push(chunk);
        });
        incoming.on('end', () => resolve(Buffer.concat(chunks)));
        incoming.on('error', reject);
    });
}

function notFound(request: SimRequest): SimResponse {
    return request.path.startsWith('/2/') ? genericProblem(404) : v1Error(404, 34, 'Sorry, that page does not exist.');
}

/** Auth, rate limits, then the handler; returns the answer with rate-limit headers attached. */
async function runRoute(
    services: SimServices,
    route: Route,
    params: Record<string, string>,
    request: SimRequest,
    call: CallRecord,
): Promise<SimResponse> {
    const context: RouteContext = {
        request,
        params,
        services,
        bill: (units) => {
            call.billableUnits += units;
        },
        describeCaller: (caller) => Object.assign(call, caller),
    };
    if (!route.auth) return route.handle(context);

    const outcome = authenticate(request, services.store, services.oauth1Verifier);
    if (outcome.status === 'ok') {
        const { context: auth } = outcome;
        Object.assign(call, {
            authType: auth.kind,
            appId: auth.app.id,
            userId: auth.kind === 'app-bearer' ? undefined : auth.user.id,
        });
    } else {
        call.authType = outcome.status === 'none' ? 'none' : 'invalid';
    }
    const decision = enforceAuth(outcome, route.auth);
    if (!decision.ok) return decision.response;
    context.auth = decision.context;
    if (needsCredits(route) && services.ledger.isDepleted(decision.context.app.id)) return creditsDepleted();

    let rateHeaders: Record<string, string> = {};
    if (route.endpoint && services.rateLimiter.policy(route.endpoint)) {
        const limit = services.rateLimiter.consume(route.endpoint, decision.context);
        if (!limit.allowed) return withHeaders(tooManyRequests(), limit.headers);
        rateHeaders = limit.headers;
    }
    const refusal = checkQueryAgainstSpec(route.operationId, request);
    if (refusal) return withHeaders(refusal, rateHeaders);
    return withHeaders(await route.handle(context), rateHeaders);
}

/** Every v2 API call draws on pay-per-use credits; the OAuth flows that sign users in do not. */
const needsCredits = (route: Route) => route.path.startsWith('/2/') && !route.path.startsWith('/2/oauth2/');

function write(outgoing: ServerResponse, response: SimResponse, transactionId: string): void {
    outgoing.writeHead(response.status, {
        ...response.headers,
        'x-transaction-id': transactionId,
        'content-length': String(response.body.length),
    });
    outgoing.end(response.body);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Serves one HTTP request end to end: parse, faults, route, log, answer. */
export async function serveRequest(
    services: SimServices,
    routes: readonly Route[],
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    onHang: (response: ServerResponse) => void,
): Promise<void> {
    const body = await readBody(incoming);
    const request = buildSimRequest(incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers, body);
    const match = matchRoute(routes, request);
    const call: CallRecord = { authType: 'none', billableUnits: 0 };
    const log = (response: SimResponse | undefined) =>
        services.requestLog.add({
            at: services.clock.now(),
            method: request.method,
            host: request.host,
            path: request.path,
            query: request.rawQuery,
            requestContentType: request.contentType || undefined,
            requestBody: request.json,
            status: response?.status ?? 0,
            endpoint: match?.route.endpoint,
            operationId: match?.route.operationId,
            responseContentType: response?.headers['content-type'],
            responseBody: response?.json,
            ...(typeof request.headers.range === 'string' ? { range: request.headers.range } : {}),
            ...(response ? { responseBytes: response.body.length } : {}),
            ...call,
        });

    const fault = services.faults.takeApiFault({
        method: request.method,
        host: request.host,
        path: request.path,
        endpoint: match?.route.endpoint,
        userId: tokenUserId(request, services.store),
    });
    let response: SimResponse | undefined;
    if (fault) {
        call.fault = fault.id;
        const effect = fault.effect;
        if ('dropConnection' in effect) {
            log(undefined);
            incoming.socket.destroy();
            return;
        }
        if ('hang' in effect) {
            log(undefined);
            onHang(outgoing);
            return;
        }
        if ('delayMs' in effect) await sleep(effect.delayMs);
        if ('status' in effect) {
            response =
                effect.body === undefined
                    ? genericProblem(effect.status)
                    : {
                          ...genericProblem(effect.status),
                          body: Buffer.from(JSON.stringify(effect.body)),
                          json: effect.body,
                      };
        }
    }
    if (!response) {
        try {
            response = match ? await runRoute(services, match.route, match.params, request, call) : notFound(request);
        } catch (error) {
            console.error('x-sim: handler failed', request.method, request.path, error);
            response = genericProblem(500);
        }
    }
    log(response);
    write(outgoing, response, services.random.string(16, '0123456789abcdef'));
}
