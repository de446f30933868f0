/**
 * Carries twitter-api-v2's signed requests through Rocket.Chat's HTTP accessor: the server's proxy and
 * SSRF rules apply, calls are logged where admins look, and the test host can route X's hostnames to the
 * simulator without any switch in the app.
 */
import { IHttp, IHttpRequest, IHttpResponse } from '@rocket.chat/apps-engine/definition/accessors';
import { HttpSendRequest, HttpSendResponse, HttpSender } from './transport';

const DEFAULT_TIMEOUT_MS = 20_000;

export function ihttpSender(http: IHttp): HttpSender {
    return async (request: HttpSendRequest): Promise<HttpSendResponse> => {
        const options: IHttpRequest = {
            headers: request.headers,
            content: request.content,
            timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            ...(request.binary ? { encoding: null } : {}),
        };
        const response = await send(http, request.method, request.url, options);
        return {
            statusCode: response.statusCode,
            headers: Object.fromEntries(
                Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
            ),
            content: response.content as string | Buffer | undefined,
            data: response.data,
        };
    };
}

function send(
    http: IHttp,
    method: HttpSendRequest['method'],
    url: string,
    options: IHttpRequest,
): Promise<IHttpResponse> {
    switch (method) {
        case 'GET':
            return http.get(url, options);
        case 'POST':
            return http.post(url, options);
        case 'PUT':
            return http.put(url, options);
        case 'DELETE':
            return http.del(url, options);
        case 'PATCH':
            return http.patch(url, options);
    }
}
