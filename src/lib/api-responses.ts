import { IApiResponse } from '@rocket.chat/apps-engine/definition/api';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** An error X (or an admin's curl) can read: a stable code and a sentence. */
export function jsonError(status: number, error: string, message: string): IApiResponse {
    return { status, headers: JSON_HEADERS, content: { error, message } };
}

export function jsonOk(content: Record<string, unknown>): IApiResponse {
    return { status: 200, headers: JSON_HEADERS, content };
}
