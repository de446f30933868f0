import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crcResponseToken } from '../../../tools/x-sim';

export interface ReceivedDelivery {
    rawBody: Buffer;
    /** The legacy header (API key secret) and the OAuth 2.0 one (client secret), when sent. */
    signature: string | undefined;
    oauth2Signature: string | undefined;
    contentType: string | undefined;
    json: unknown;
    /** What the receiver answered ('hang' = never answered). */
    answeredWith: Answer;
}

export type Answer = number | 'hang';

/**
 * A local webhook endpoint: answers CRC checks with the given consumer secret (or a wrong token)
 * and records every POST exactly as received.
 */
export class WebhookReceiver {
    readonly deliveries: ReceivedDelivery[] = [];
    readonly crcRequests: URL[] = [];
    /** Status for the next POSTs, consumed in order; afterwards `defaultAnswer`. */
    readonly answers: Answer[] = [];
    defaultAnswer: Answer = 200;
    crcMode: 'correct' | 'wrong' | 'error' = 'correct';
    private readonly hung = new Set<http.ServerResponse>();

    private constructor(
        private readonly server: http.Server,
        private readonly consumerSecret: string,
    ) {}

    static async start(consumerSecret: string): Promise<WebhookReceiver> {
        let receiver: WebhookReceiver | undefined;
        const server = http.createServer((request, response) => receiver!.handle(request, response));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        receiver = new WebhookReceiver(server, consumerSecret);
        return receiver;
    }

    get url(): string {
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/x`;
    }

    /** Parsed bodies of the deliveries received so far. */
    bodies<T = Record<string, unknown>>(): T[] {
        return this.deliveries.map((d) => d.json as T);
    }

    async close(): Promise<void> {
        for (const response of this.hung) response.destroy();
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
        const url = new URL(request.url ?? '/', 'http://receiver');
        if (request.method === 'GET') {
            this.crcRequests.push(url);
            const token = url.searchParams.get('crc_token') ?? '';
            if (this.crcMode === 'error') return void response.writeHead(503).end();
            const responseToken =
                this.crcMode === 'correct'
                    ? crcResponseToken(this.consumerSecret, token)
                    : 'sha256=bm90IHRoZSByaWdodCB0b2tlbg==';
            response
                .writeHead(200, { 'content-type': 'application/json' })
                .end(JSON.stringify({ response_token: responseToken }));
            return;
        }
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
            const rawBody = Buffer.concat(chunks);
            const answer = this.answers.shift() ?? this.defaultAnswer;
            this.deliveries.push({
                rawBody,
                signature: request.headers['x-twitter-webhooks-signature'] as string | undefined,
                oauth2Signature: request.headers['x-twitter-webhooks-signature-oauth2'] as string | undefined,
                contentType: request.headers['content-type'],
                json: JSON.parse(rawBody.toString('utf8')),
                answeredWith: answer,
            });
            if (answer === 'hang') this.hung.add(response);
            else response.writeHead(answer).end();
        });
    }
}
