import type { AuthKind } from '../auth/authenticate';

export type LoggedAuthType = AuthKind | 'basic' | 'oauth1-request' | 'none' | 'invalid';

/** One API call as the sandbox shows it. */
export interface RequestLogEntry {
    seq: number;
    at: number;
    method: string;
    host: string;
    path: string;
    query: string;
    /** The request's Content-Type (lower-cased), when it had one. */
    requestContentType?: string;
    /** The request's parsed JSON body, when it sent JSON. */
    requestBody?: unknown;
    status: number;
    authType: LoggedAuthType;
    appId?: string;
    userId?: string;
    /** Rate-limit / route group, e.g. `dm.send`. */
    endpoint?: string;
    /** OpenAPI operationId of the route, when the spec has one. */
    operationId?: string;
    /** Resources billed for this call (DM events returned, DMs created). */
    billableUnits: number;
    responseContentType?: string;
    /** Parsed JSON response body, when the response was JSON. */
    responseBody?: unknown;
    /** Name of the injected fault that shaped this answer, if any. */
    fault?: string;
    /** The request's Range header, when it had one. */
    range?: string;
    /** Bytes in the answer's body. */
    responseBytes?: number;
}

export class RequestLog {
    private readonly entries: RequestLogEntry[] = [];
    private nextSeq = 1;

    add(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
        const full = { seq: this.nextSeq++, ...entry };
        this.entries.push(full);
        return full;
    }

    list(): RequestLogEntry[] {
        return this.entries.map((entry) => ({ ...entry }));
    }
}
