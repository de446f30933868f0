/**
 * A network between Rocket.Chat and X that misbehaves on purpose: the app's HTTP bridge is pointed at this
 * proxy, which forwards to the simulator and, as a seeded policy decides, drops the connection before X
 * sees the request, or after X has done the work (the answer is lost: the caller cannot know whether its DM
 * went out), or holds the answer past the caller's timeout.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { seededRandom } from '../../../bench/trace';

export type NetworkFault = 'drop-before' | 'drop-after' | 'hang';

export interface ProxyRequestInfo {
    method: string;
    host: string;
    path: string;
}

export interface XProxy {
    url: string;
    /** Decides the fate of each request (undefined: forwarded normally). */
    policy: (request: ProxyRequestInfo) => NetworkFault | undefined;
    /** Replaces X's answer to a request with this JSON (200), e.g. a generated page; undefined keeps X's. */
    rewrite?: (request: ProxyRequestInfo) => unknown;
    counts: Record<NetworkFault | 'forwarded', number>;
    close(): Promise<void>;
}

export async function startXProxy(target: { port: number }): Promise<XProxy> {
    const hanging = new Set<http.ServerResponse>();
    const proxy: XProxy = {
        url: '',
        policy: () => undefined,
        counts: { 'drop-before': 0, 'drop-after': 0, hang: 0, forwarded: 0 },
        close: async () => undefined,
    };
    const server = http.createServer((incoming, outgoing) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (c: Buffer) => chunks.push(c));
        incoming.on('end', () => {
            const info = {
                method: incoming.method ?? 'GET',
                host: String(incoming.headers.host ?? ''),
                path: (incoming.url ?? '/').split('?')[0],
            };
            const fault = proxy.policy(info);
            if (fault === 'drop-before') {
                proxy.counts['drop-before']++;
                incoming.socket.destroy();
                return;
            }
            if (fault === 'hang') {
                proxy.counts.hang++;
                hanging.add(outgoing);
                return;
            }
            const body = Buffer.concat(chunks);
            const forward = http.request(
                {
                    host: '127.0.0.1',
                    port: target.port,
                    method: incoming.method,
                    path: incoming.url,
                    headers: incoming.headers,
                },
                (answer) => {
                    const parts: Buffer[] = [];
                    answer.on('data', (c: Buffer) => parts.push(c));
                    answer.on('end', () => {
                        if (fault === 'drop-after') {
                            proxy.counts['drop-after']++;
                            incoming.socket.destroy();
                            return;
                        }
                        proxy.counts.forwarded++;
                        const replaced = proxy.rewrite?.(info);
                        if (replaced !== undefined) {
                            const bytes = Buffer.from(JSON.stringify(replaced) ?? 'null');
                            outgoing.writeHead(200, {
                                ...answer.headers,
                                'content-type': 'application/json; charset=utf-8',
                                'content-length': String(bytes.length),
                            });
                            outgoing.end(bytes);
                            return;
                        }
                        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
                        outgoing.end(Buffer.concat(parts));
                    });
                },
            );
            forward.on('error', () => incoming.socket.destroy());
            forward.end(body);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    proxy.close = async () => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    return proxy;
}

/** A seeded policy: each matching request meets `fault` with probability `p` (first match wins). */
export function randomFaults(
    seed: number,
    rules: { p: number; fault: NetworkFault; when?: (r: ProxyRequestInfo) => boolean; max?: number }[],
) {
    const random = seededRandom(seed);
    const used = rules.map(() => 0);
    return (request: ProxyRequestInfo): NetworkFault | undefined => {
        for (const [i, rule] of rules.entries()) {
            if (rule.when && !rule.when(request)) continue;
            if (rule.max !== undefined && used[i] >= rule.max) continue;
            if (random() < rule.p) {
                used[i]++;
                return rule.fault;
            }
        }
        return undefined;
    };
}
