/**
 * Which Rocket.Chat messages become Direct Messages, decided from the event alone (no server round trip):
 * only messages written by an agent (a user or bot, not an app) in an open livechat room this app opened
 * for an X customer. Visitor messages (they carry the visitor's token, including the customer messages the
 * app itself posts), the app's own notices, system messages and edits never go to X.
 */
import type { ILivechatMessage, ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IMessage, IMessageFile } from '@rocket.chat/apps-engine/definition/messages';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AgentDisplay } from '../settings/ids';
import { splitForDm } from './split';
import { parseThreadVisitorToken, parseVisitorToken } from '../x/ids';

type SkipReason =
    | 'not-livechat'
    | 'not-our-room'
    | 'room-closed'
    | 'system-message'
    | 'visitor-message'
    | 'app-message'
    | 'edited'
    | 'empty';

/** The X side of a room this app opened: derivable from the visitor token, no lookup. */
export interface XConversationRef {
    accountId: string;
    customerId: string;
    roomId: string;
    visitorToken: string;
}

/** A public thread's room (issue 19): its own token kind, so no DM path ever takes it for a DM room. */
export interface XThreadRef extends XConversationRef {
    threadId: string;
}

export type RoomVerdict<R extends XConversationRef = XConversationRef> =
    { ours: true; ref: R; open: boolean } | { ours: false; reason: 'not-livechat' | 'not-our-room' };

type TokenParser<R extends XConversationRef> = (
    token: string | undefined,
) => Omit<R, 'roomId' | 'visitorToken'> | undefined;

function classifyRoomBy<R extends XConversationRef>(
    room: Partial<ILivechatRoom> | undefined,
    appId: string,
    parse: TokenParser<R>,
): RoomVerdict<R> {
    if (!room || room.type !== 'l') return { ours: false, reason: 'not-livechat' };
    const token = room.visitor?.token;
    const parsed = parse(token);
    if (!parsed || !room.id) return { ours: false, reason: 'not-our-room' };
    // Rocket.Chat sets the source of app-created rooms to the app; a widget room with a token shaped like ours is not ours.
    const source = room.source as { type?: string; id?: string } | undefined;
    if (source && (source.type !== 'app' || (source.id && source.id !== appId)))
        return { ours: false, reason: 'not-our-room' };
    return { ours: true, ref: { ...parsed, roomId: room.id, visitorToken: token! } as R, open: room.isOpen !== false };
}

/** Whether a room is one of this app's X DM conversations (the token's MAC is checked where the key is at hand). */
export function classifyRoom(room: Partial<ILivechatRoom> | undefined, appId: string): RoomVerdict {
    return classifyRoomBy(room, appId, parseVisitorToken);
}

/** Whether a room is one of this app's public threads. */
export function classifyThreadRoom(room: Partial<ILivechatRoom> | undefined, appId: string): RoomVerdict<XThreadRef> {
    return classifyRoomBy<XThreadRef>(room, appId, parseThreadVisitorToken);
}

type RoomClassifier<R extends XConversationRef> = (
    room: Partial<ILivechatRoom> | undefined,
    appId: string,
) => RoomVerdict<R>;

export type MessageVerdict<R extends XConversationRef = XConversationRef> =
    { act: true; ref: R; agent: IUser } | { act: false; reason: SkipReason; ref?: R };

function isSystemMessage(message: IMessage): boolean {
    return !!((message as IMessage & { t?: string }).t || message.type);
}

/** IPostMessageSent: is this an agent's reply to send to the customer on X (by DM, or in public with `classify`)? */
export function classifyAgentMessage<R extends XConversationRef = XConversationRef>(
    message: IMessage,
    appId: string,
    classify: RoomClassifier<R> = classifyRoom as unknown as RoomClassifier<R>,
): MessageVerdict<R> {
    const change = classifyAgentChange(message, appId, classify);
    if (!change.act) return change;
    if (message.editedAt) return { act: false, reason: 'edited', ref: change.ref };
    // Pure and cheap: the room as the hook delivered it, read again for its open flag.
    const room = classify(message.room as ILivechatRoom, appId);
    if (!room.ours || !room.open) return { act: false, reason: 'room-closed', ref: change.ref };
    if (!messageText(message) && messageFiles(message).length === 0)
        return { act: false, reason: 'empty', ref: change.ref };
    return change;
}

/** IPostMessageUpdated / IPostMessageDeleted: an agent's message in one of our rooms, which X cannot follow. */
export function classifyAgentChange<R extends XConversationRef = XConversationRef>(
    message: IMessage,
    appId: string,
    classify: RoomClassifier<R> = classifyRoom as unknown as RoomClassifier<R>,
): MessageVerdict<R> {
    const room = classify(message.room as ILivechatRoom, appId);
    if (!room.ours) return { act: false, reason: room.reason };
    if (isSystemMessage(message)) return { act: false, reason: 'system-message', ref: room.ref };
    if ((message as ILivechatMessage).token) return { act: false, reason: 'visitor-message', ref: room.ref };
    const sender = message.sender;
    if (!sender || (sender.type as string) === 'app' || (sender.type as string) === 'unknown')
        return { act: false, reason: 'app-message', ref: room.ref };
    return { act: true, ref: room.ref, agent: sender };
}

/**
 * A Rocket.Chat quote or reply-in-DM starts the text with a link to the quoted message, `[ ](<Site URL>/…?msg=<id>)`
 * (`prependReplies`, apps/meteor/client/lib/utils/prependReplies.ts): an internal address, never for X.
 */
const QUOTE_LINK = /\[ \]\(https?:\/\/[^\s)]+[?&]msg=[^\s)]+\)\s*/g;

/**
 * The text of a message, without quote links. Rocket.Chat keeps a file's caption in the message text in recent
 * versions and in the attachment's description in older ones.
 */
export function messageText(message: IMessage): string {
    const text = (message.text ?? '').replace(QUOTE_LINK, '').trim();
    if (text) return text;
    if (messageFiles(message).length === 0) return '';
    return (message.attachments ?? []).map((a) => (a.description ?? '').trim()).find(Boolean) ?? '';
}

export type InternalContent = 'thread-reply' | 'quote' | 'mention';

type Unmapped = { _unmappedProperties_?: Record<string, unknown> };
type Mention = { _id?: string; username?: string };

/** A field Rocket.Chat's converter passes through unmapped (apps/meteor/app/apps/server/converters/messages.js). */
function unmapped<T>(value: object, field: string): T | undefined {
    return ((value as Record<string, unknown>)[field] ?? (value as Unmapped)._unmappedProperties_?.[field]) as
        T | undefined;
}

/**
 * What in an agent's message is meant for colleagues, not for X (issue 19: public answers only): a reply in a
 * Rocket.Chat thread (`tmid`), a quote (its attachment carries `message_link`, its text the link), an `@all`
 * or `@here`, or an @mention of a Rocket.Chat user that is not the customer's handle. Rocket.Chat records the
 * users a message mentions in `mentions` (apps/meteor/app/mentions/server/Mentions.ts); when the event carries
 * no such list, every @word other than the customer's handle counts as one (the strict reading).
 */
export function internalContent(message: IMessage, customerHandle: string | undefined): InternalContent | undefined {
    if (message.threadId || unmapped(message, 'tmid')) return 'thread-reply';
    const text = message.text ?? '';
    QUOTE_LINK.lastIndex = 0;
    const quoted =
        QUOTE_LINK.test(text) || (message.attachments ?? []).some((a) => !!unmapped<string>(a, 'message_link'));
    QUOTE_LINK.lastIndex = 0;
    if (quoted) return 'quote';
    const customer = customerHandle?.toLowerCase();
    const words = [...text.matchAll(/(?:^|[^\w@])@([\w.-]+)/g)].map((m) => m[1].replace(/[.-]+$/, '').toLowerCase());
    if (words.some((w) => w === 'all' || w === 'here')) return 'mention';
    const mentions = unmapped<Mention[]>(message, 'mentions');
    const internal = Array.isArray(mentions) ? mentions.map((m) => (m.username ?? m._id ?? '').toLowerCase()) : words;
    return internal.some((name) => name && name !== customer && words.includes(name)) ? 'mention' : undefined;
}

/** The files attached to a message, without the thumbnails Rocket.Chat adds for images. */
export function messageFiles(message: IMessage): IMessageFile[] {
    const files = message.files?.length ? message.files : message.file ? [message.file] : [];
    const seen = new Set<string>();
    return files.filter((f) => {
        if (!f?._id || f.typeGroup === 'thumb' || seen.has(f._id)) return false;
        seen.add(f._id);
        return true;
    });
}

/** The agent's name as the "Agents Display Name" setting wants it ('' shows no name). */
export function agentDisplayName(display: AgentDisplay, agent: Pick<IUser, 'name' | 'username'>): string {
    switch (display) {
        case AgentDisplay.Name:
            return (agent.name || agent.username || '').trim();
        case AgentDisplay.Username:
            return (agent.username || '').trim();
        case AgentDisplay.None:
            return '';
    }
}

export interface PlannedFile {
    id: string;
    name: string;
    type: string;
}

/** One Direct Message to send: text, a file, or both. */
export interface PlannedDm<F extends PlannedFile = PlannedFile> {
    part: number;
    text?: string;
    file?: F;
}

/**
 * The DMs one Rocket.Chat message becomes, in order: the text split at word boundaries into ≤ 10,000
 * characters; X takes one attachment per DM, so the first file travels with the first part of the text,
 * the other parts follow, then any further file on its own.
 */
export function planDms<F extends PlannedFile>(body: string, files: F[], maxLength?: number): PlannedDm<F>[] {
    const parts = body ? splitForDm(body, maxLength) : [];
    const dms: Omit<PlannedDm<F>, 'part'>[] = [];
    if (files.length === 0) dms.push(...parts.map((text) => ({ text })));
    else {
        dms.push({ ...(parts[0] ? { text: parts[0] } : {}), file: files[0] });
        dms.push(...parts.slice(1).map((text) => ({ text })));
        dms.push(...files.slice(1).map((file) => ({ file })));
    }
    return dms.map((dm, part) => ({ ...dm, part }));
}
