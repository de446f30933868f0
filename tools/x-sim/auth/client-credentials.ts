import type { SimRequest } from '../http/request';

/** Decodes `Authorization: Basic b64(urlenc(id):urlenc(secret))` (twitter-api-v2 URL-encodes both halves). */
export function basicCredentials(request: SimRequest): { id: string; secret: string } | undefined {
    const header = String(request.headers.authorization ?? '');
    const encoded = /^Basic\s+(.+)$/i.exec(header)?.[1];
    if (!encoded) return undefined;
    const decoded = Buffer.from(encoded.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return undefined;
    try {
        return {
            id: decodeURIComponent(decoded.slice(0, colon)),
            secret: decodeURIComponent(decoded.slice(colon + 1)),
        };
    } catch {
        return undefined;
    }
}
