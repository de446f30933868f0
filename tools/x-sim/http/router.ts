import type { AuthContext } from '../auth/authenticate';
import type { AuthRequirement } from '../auth/policy';
import type { LoggedAuthType } from '../ops/request-log';
import type { SimServices } from '../services';
import type { SimRequest, XHostname } from './request';
import type { SimResponse } from './response';

/** What a handler sees: the request, path parameters, the verified caller and the simulator. */
export interface RouteContext {
    request: SimRequest;
    params: Record<string, string>;
    services: SimServices;
    /** Present when the route declares `auth` (already verified and authorised). */
    auth?: AuthContext;
    /** Records billed resources on the request log entry. */
    bill(units: number): void;
    /** Lets self-authenticating endpoints (OAuth) describe the caller in the request log. */
    describeCaller(caller: { authType: LoggedAuthType; appId?: string; userId?: string }): void;
}

export interface Route {
    method: string;
    /** Hosts this route answers on (API hosts when absent). */
    hosts?: readonly XHostname[];
    /** Pattern with `:name` segments, e.g. `/2/dm_events/:event_id`. */
    path: string;
    /** Rate-limit group and log label. */
    endpoint?: string;
    /** OpenAPI operationId, when the spec describes this route. */
    operationId?: string;
    auth?: AuthRequirement;
    handle(context: RouteContext): SimResponse | Promise<SimResponse>;
}

export const API_HOSTS: readonly XHostname[] = ['api.x.com', 'upload.x.com', 'api.twitter.com'];

export interface RouteMatch {
    route: Route;
    params: Record<string, string>;
}

export function matchRoute(routes: readonly Route[], request: SimRequest): RouteMatch | undefined {
    const segments = request.path.split('/');
    for (const route of routes) {
        if (route.method !== request.method) continue;
        if (!(route.hosts ?? API_HOSTS).includes(request.host)) continue;
        const params = matchPattern(route.path.split('/'), segments);
        if (params) return { route, params };
    }
    return undefined;
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
    if (pattern.length !== segments.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < pattern.length; i++) {
        if (pattern[i].startsWith(':')) {
            if (!segments[i]) return undefined;
            params[pattern[i].slice(1)] = decodeURIComponent(segments[i]);
        } else if (pattern[i] !== segments[i]) {
            return undefined;
        }
    }
    return params;
}
