import { TwitterApi, type TwitterApiTokens } from 'twitter-api-v2';
import { nodeSender } from '../../../tools/x-sim/node-sender';
import type { XSim } from '../../../tools/x-sim';
import { createTransportPlugin, type TransportObservation } from '../../../src/x/transport';

/** Unmodified twitter-api-v2 talking to the simulator through the app's transport plugin. */
export function xClient(
    sim: XSim,
    credentials: string | TwitterApiTokens | { clientId: string; clientSecret?: string },
    observe?: (info: TransportObservation) => void,
): TwitterApi {
    return new TwitterApi(credentials as TwitterApiTokens, {
        plugins: [createTransportPlugin(nodeSender(sim), observe)],
    });
}

/** The default app's app-only client. */
export function appOnlyClient(sim: XSim): TwitterApi {
    return xClient(sim, sim.defaultApp!.bearerToken);
}

/** An OAuth 1.0a user client for the default app. */
export function oauth1Client(sim: XSim, userId: string): TwitterApi {
    const link = sim.linkOAuth1(sim.defaultApp!.id, userId);
    return xClient(sim, {
        appKey: link.appKey,
        appSecret: link.appSecret,
        accessToken: link.accessToken,
        accessSecret: link.accessSecret,
    });
}

/** An OAuth 2.0 user client for the default app (tokens issued directly). */
export function oauth2Client(sim: XSim, userId: string, scopes?: string[]): TwitterApi {
    return xClient(sim, sim.linkOAuth2(sim.defaultApp!.id, userId, scopes).access_token);
}

/**
 * twitter-api-v2 types `sendDmToParticipant`'s result as X's `data` object but returns X's whole
 * body (`{ data: {...} }`); this unwraps it with the right type.
 */
export function sentDmIds(result: unknown): SentDmIds {
    return (result as { data: SentDmIds }).data;
}

export interface SentDmIds {
    dm_conversation_id: string;
    dm_event_id: string;
}

/** The DM event fields these tests read (the library does not export its DM types from the root). */
export interface DmEventJson {
    id: string;
    event_type: string;
    text?: string;
    sender_id?: string;
    created_at?: string;
    dm_conversation_id?: string;
}
