import http from 'node:http';
import https from 'node:https';

export interface OutboundRequest {
    method: 'GET' | 'POST';
    url: string;
    headers: Record<string, string>;
    body?: string;
}

export interface OutboundResponse {
    status: number;
    body: string;
}

/**
 * How "X" reaches a customer's webhook (deliveries and CRC checks). Real HTTP by default; a test
 * host without an HTTP server can pass its own (it must honour the abort signal).
 */
export type WebhookHttpCall = (request: OutboundRequest, signal: AbortSignal) => Promise<OutboundResponse>;

export const httpWebhookCall: WebhookHttpCall = (request, signal) =>
    new Promise((resolve, reject) => {
        const target = new URL(request.url);
        const transport = target.protocol === 'https:' ? https : http;
        const headers =
            request.body === undefined
                ? request.headers
                : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
        const outgoing = transport.request(target, { method: request.method, headers, signal }, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
                resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
            response.on('error', reject);
        });
        outgoing.on('error', reject);
        outgoing.end(request.body);
    });
