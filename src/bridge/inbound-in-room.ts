/** What a dead claimant already put in the room, so a taker posts only the rest (never a DM twice). */
import type { IMessageRaw } from '@rocket.chat/apps-engine/definition/messages';
import type { ConversationState } from '../storage/conversations';
import type { InboundMessage } from '../x/event-types';
import type { BridgeContext } from './context';
import { inboundText } from './format';
import { writtenBefore } from './inbound-claims';
import { fileOwed } from './inbound-media';
import { roomMessageParts } from './room-poster';

/**
 * For a claim whose owner died (a restart, a crash) before recording its post: how much of the message is
 * already in the room, looked up among its newest messages. `'all'` when the file named after the media id
 * is there, when every part of the text is (part i is the visitor's message stamped X's time + i ms that
 * starts like that part) and no file is owed, or when the DM belongs to an earlier conversation of this
 * customer; else the indexes of the parts that are there — a claimant can die between the parts of a long
 * DM, or between its text and its file (the file is then uploaded, the text not posted again). Also recognizes
 * DMs posted by earlier versions, which recorded no posts and did not split.
 */
export async function inRoomAlready(
    ctx: BridgeContext,
    state: ConversationState,
    message: InboundMessage,
): Promise<'all' | Set<number>> {
    const present = new Set<number>();
    const conversation = state.conversation;
    if (!conversation) return present;
    if (writtenBefore(conversation, message)) return 'all';
    const messages = (
        await ctx.read.getRoomReader().getMessages(conversation.roomId, { limit: 100, sort: { createdAt: 'desc' } })
    ).filter((m: IMessageRaw) => m.sender?.username === conversation.visitorUsername);
    const uploadName = message.media ? `x-${message.media.mediaId}.` : undefined;
    if (uploadName !== undefined && messages.some((m) => m.file?.name?.startsWith(uploadName))) return 'all';
    const at = (i: number) => messages.filter((m) => new Date(m.createdAt).getTime() === message.createdAt + i);
    const text = inboundText(message).trim();
    // A file-only DM whose file could not be shown is posted as the note alone.
    if (!text) return at(0).length > 0 ? 'all' : present;
    const whole = at(0).find((m) => (m.text ?? '').trimStart().startsWith(text));
    if (whole) return fileOwed(message.media, whole, text) ? new Set([0]) : 'all';
    const parts = await roomMessageParts(ctx, text);
    const shown = parts.map((part, i) => at(i).find((m) => (m.text ?? '').trimStart().startsWith(part.slice(0, 100))));
    shown.forEach((m, i) => m && present.add(i));
    const last = shown[parts.length - 1];
    return present.size === parts.length && !(last && fileOwed(message.media, last, parts[parts.length - 1]))
        ? 'all'
        : present;
}
