/**
 * The records of linking an account with OAuth 2.0 (admin/link.ts, admin/pending-link.ts): the PKCE state
 * of an authorize link, and a linked token waiting for the admin's confirmation.
 */
import type { XUser } from '../x/client-types';
import type { OAuth2Tokens } from '../x/credentials';
import { miscKey } from './associations';

/** One authorize link: single use, bound to the admin who asked for it. */
export interface OAuthState {
    type: 'oauth-state';
    state: string;
    codeVerifier: string;
    adminId: string;
    redirectUri: string;
    expiresAt: number;
}

export const oauthStateKey = (state: string) => miscKey(`x-oauth-state:${state}`);

/** A token X granted, waiting for the admin who started to confirm the account it is for. */
export interface PendingLink {
    type: 'pending-link';
    id: string;
    /** The Rocket.Chat admin who ran `/twitter authorize`: the only one who may confirm. */
    adminId: string;
    account: XUser;
    tokens: OAuth2Tokens;
    expiresAt: number;
    /** The confirmation message in the setup room, updated once the link is decided. */
    messageId?: string;
}

export const pendingLinkKeys = {
    /** Every pending link carries the shared key (to find expired ones) and its own. */
    all: miscKey('x-pending-link'),
    own: (id: string) => miscKey(`x-pending-link:${id}`),
    /** Claims on deciding one pending link (admin/pending-link.ts, take()). */
    decision: (id: string) => miscKey(`x-pending-link-decision:${id}`),
};
