import http from 'node:http';
import {
    HttpSendTimeoutError,
    type HttpSender,
    type HttpSendRequest,
    type HttpSendResponse,
} from '../../src/x/transport';

/**
 * An HttpSender over Node's `http` module that reaches every X hostname at the simulator:
 * it connects to 127.0.0.1:port and sends the original host in the Host header, so OAuth 1.0a
 * signatures made for https://api.x.com/... verify unchanged.
 */
export function nodeSender(target: { port: number }): HttpSender {
    return (request: HttpSendRequest) => send(target.port, request);
}

function send(port: number, request: HttpSendRequest): Promise<HttpSendResponse> {
    const url = new URL(request.url);
    return new Promise((resolve, reject) => {
        const body = request.content === undefined ? undefined : Buffer.from(request.content, 'utf8');
        const outgoing = http.request(
            {
                host: '127.0.0.1',
                port,
                method: request.method,
                path: url.pathname + url.search,
                headers: {
                    ...request.headers,
                    host: url.host,
                    ...(body ? { 'content-length': String(body.length) } : {}),
                },
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on('data', (chunk: Buffer) => chunks.push(chunk));
                response.on('error', reject);
                response.on('end', () => {
                    const bytes = Buffer.concat(chunks);
                    const headers: Record<string, string> = {};
                    for (const [name, value] of Object.entries(response.headers))
                        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
                    resolve({
                        statusCode: response.statusCode ?? 0,
                        headers,
                        content: request.binary ? bytes : bytes.toString('utf8'),
                    });
                });
            },
        );
        if (request.timeoutMs !== undefined) {
            outgoing.setTimeout(request.timeoutMs, () =>
                outgoing.destroy(new HttpSendTimeoutError(request.timeoutMs ?? 0)),
            );
        }
        outgoing.on('error', reject);
        outgoing.end(body);
    });
}
