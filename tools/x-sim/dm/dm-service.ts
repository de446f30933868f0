import type { DeliveryRecord } from '../delivery/dispatcher';
import type { ActivityFanOut } from '../delivery/fan-out';
import type { SimStore } from '../state/store';
import { conversationIdOf } from '../state/store';
import type { DmAttachment, DmMessage } from '../state/types';
import { composeDmText } from './compose';

/** Texts longer than this are refused (X's DM limit, from its v2 send docs). */
export const MAX_DM_TEXT_LENGTH = 10_000;

export interface NewDm {
    senderId: string;
    recipientId: string;
    text?: string;
    attachment?: DmAttachment;
    /** The app that sent it through the API; absent for DMs typed in X's own clients. */
    sourceAppId?: string;
}

export interface DmRefusal {
    status: 400 | 403;
    message: string;
    /** The request parameter at fault (for 400 answers). */
    parameter?: 'text' | 'participant_id';
    /** X's error code for a refusal by the recipient's settings (see refusalFor). */
    code?: number;
}

/** Creating DMs (from the API or the driver), X's permission rules, and fan-out to webhooks. */
export class DmService {
    constructor(
        private readonly store: SimStore,
        private readonly fanOut: ActivityFanOut,
    ) {}

    /** X's reasons to refuse a send, checked before anything is stored. */
    refusalFor(senderId: string, recipientId: string, text: string | undefined): DmRefusal | undefined {
        if (text !== undefined && Array.from(text).length > MAX_DM_TEXT_LENGTH) {
            return { status: 400, message: `text must be at most ${MAX_DM_TEXT_LENGTH} characters`, parameter: 'text' };
        }
        const recipient = this.store.users.get(recipientId);
        if (!recipient)
            return {
                status: 400,
                message: `The participant_id ${recipientId} does not exist`,
                parameter: 'participant_id',
            };
        if (recipientId === senderId)
            return {
                status: 400,
                message: 'You cannot send a direct message to yourself',
                parameter: 'participant_id',
            };
        // X names these refusals by code (captured bodies, research/x-api.md §10): 349 for a block or closed DMs,
        // 476 when the recipient takes message requests only from verified accounts.
        if (recipient.blocked.has(senderId))
            return { status: 403, code: 349, message: 'You cannot send messages to this user.' };
        // Closed DMs still accept replies in a conversation the recipient started.
        if (this.hasWritten(recipientId, senderId)) return undefined;
        if (recipient.acceptsDmsFrom === 'nobody')
            return { status: 403, code: 349, message: 'You cannot send messages to this user.' };
        if (recipient.acceptsDmsFrom === 'verified' && !this.store.requireUser(senderId).verified) {
            return { status: 403, code: 476, message: 'Sender is not verified to send message requests' };
        }
        return undefined;
    }

    create(dm: NewDm): { message: DmMessage; deliveries: DeliveryRecord[] } {
        const id = this.store.ids.next();
        const composed = composeDmText(
            dm.text ?? '',
            this.store.random,
            dm.attachment ? { expandedUrl: `https://x.com/messages/media/${id}` } : undefined,
        );
        const message: DmMessage = {
            id,
            conversationId: conversationIdOf(dm.senderId, dm.recipientId),
            senderId: dm.senderId,
            recipientId: dm.recipientId,
            text: composed.text,
            urls: composed.urls,
            attachment: dm.attachment,
            createdAt: this.store.clock.now(),
            sourceAppId: dm.sourceAppId,
        };
        this.store.messages.push(message);
        return { message, deliveries: this.fanOut.publish({ kind: 'message', message }) };
    }

    /** DMs visible to `userId` (sent or received) within the 30-day history window, newest first. */
    historyOf(userId: string, withParticipant?: string): DmMessage[] {
        const horizon = this.store.clock.now() - 30 * 24 * 60 * 60 * 1000;
        return this.store.messages
            .filter((m) => m.createdAt >= horizon && (m.senderId === userId || m.recipientId === userId))
            .filter((m) => !withParticipant || m.senderId === withParticipant || m.recipientId === withParticipant)
            .reverse(); // stored in creation order, and ids grow with it
    }

    private hasWritten(authorId: string, toId: string): boolean {
        return this.store.messages.some((m) => m.senderId === authorId && m.recipientId === toId);
    }
}
