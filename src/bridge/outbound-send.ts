/**
 * One Direct Message to X, and what its failure means. A file is read from Rocket.Chat's uploads and
 * uploaded to X in its DM category first; nothing reaches the customer unless the whole DM can be sent.
 */
import type { XFailureKind } from '../x/client-types';
import { XFailure } from '../x/client-types';
import type { OutboxFile } from '../storage/outbox';
import type { BridgeContext } from './context';

export type DeliveryFailureKind = XFailureKind | 'file-unreadable';

export interface DeliveryFailure {
    kind: DeliveryFailureKind;
    /** For rate limits: when X accepts sends again. */
    retryAt?: number;
    /** The DM may have reached X (timeout, 5xx after sending): ask X before sending it again. */
    uncertain: boolean;
    detail?: string;
}

export type SendOutcome = { ok: true; dmEventId: string } | { ok: false; failure: DeliveryFailure };

export interface DmToSend {
    text?: string;
    file?: OutboxFile;
}

/** What a failure means for what is still waiting. */
export type FailureScope = 'transient' | 'message' | 'conversation';

export function failureScope(kind: DeliveryFailureKind): FailureScope {
    switch (kind) {
        case 'rate-limited':
        case 'credits-depleted':
        case 'unavailable':
            return 'transient';
        case 'media-not-permitted':
        case 'invalid-request':
        case 'forbidden':
        case 'file-unreadable':
            return 'message';
        case 'recipient-refuses-dms':
        case 'recipient-not-following':
        case 'sender-unverified':
        case 'not-found':
        case 'token-invalid':
        case 'missing-permission':
            return 'conversation';
    }
}

function asFailure(e: unknown, stage: 'upload' | 'send'): DeliveryFailure {
    if (e instanceof XFailure) {
        // Only a send that got no clear answer can have reached the customer.
        return {
            kind: e.kind,
            retryAt: e.retryAt,
            uncertain: stage === 'send' && e.kind === 'unavailable',
            detail: e.detail,
        };
    }
    return { kind: 'unavailable', uncertain: stage === 'send', detail: e instanceof Error ? e.message : String(e) };
}

/**
 * Sends one DM and records it (the record is the echo marker and the ledger entry). Once X has accepted
 * the DM it counts as sent, even if recording it fails: sending it again would reach the customer twice.
 */
export async function sendOneDm(ctx: BridgeContext, customerId: string, dm: DmToSend): Promise<SendOutcome> {
    let mediaId: string | undefined;
    if (dm.file) {
        let bytes: Buffer;
        try {
            bytes = await ctx.read.getUploadReader().getBufferById(dm.file.id);
        } catch (e) {
            ctx.logger.warn(`Upload ${dm.file.id} could not be read: ${(e as Error)?.message ?? e}`);
            return { ok: false, failure: { kind: 'file-unreadable', uncertain: false } };
        }
        try {
            mediaId = await (await ctx.x()).uploadDmMedia(Buffer.from(bytes), dm.file.type);
        } catch (e) {
            return { ok: false, failure: asFailure(e, 'upload') };
        }
    }
    let dmEventId: string;
    try {
        dmEventId = (await (await ctx.x()).sendDm(customerId, dm.text || undefined, mediaId)).dmEventId;
    } catch (e) {
        return { ok: false, failure: asFailure(e, 'send') };
    }
    try {
        await ctx.conversations.markSent(ctx.persistence, ctx.account.accountId, customerId, dmEventId, ctx.now());
    } catch (e) {
        ctx.logger.error(`DM ${dmEventId} was sent but could not be recorded: ${(e as Error)?.message ?? e}`);
    }
    return { ok: true, dmEventId };
}
