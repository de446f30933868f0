import { nodeSender } from '../../../tools/x-sim/node-sender';
import type { XSim } from '../../../tools/x-sim';
import type { HttpMethod } from '../../../src/x/transport';

export interface RawResponse {
    status: number;
    headers: Record<string, string>;
    text: string;
    json: unknown;
}

/** A hand-made request to the simulator (for what the library can't send: forged signatures, multipart, ...). */
export async function rawRequest(
    sim: XSim,
    method: HttpMethod,
    url: string,
    options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
    const response = await nodeSender(sim)({ method, url, headers: options.headers ?? {}, content: options.body });
    const text = String(response.content ?? '');
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
}
