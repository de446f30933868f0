/**
 * Writes into a conversation's room: customer messages as the visitor, mirrored replies and notices as the
 * app. Within Rocket.Chat's rules on a default server: no message custom fields (refused unless an admin
 * enables them), texts split to Message_MaxAllowedSize, and no timestamp on the app user's messages
 * (executeSendMessage refuses one more than a minute off the server's clock).
 */
import type { ILivechatMessage, ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { Translate } from '../i18n/translate';
import { InstanceCopy } from '../lib/instance-state';
import { serverTranslator } from '../lib/language';
import type { ConversationRecord } from '../storage/conversations';
import type { InboundMessage } from '../x/event-types';
import type { BridgeContext } from './context';
import { roomMessageMaxLength } from '../lib/server-settings';
import { inboundText, splitForDm } from './format';
import { fetchInboundMedia, uploadInboundMedia } from './inbound-media';

/** A room and its visitor: a DM conversation's, or a public thread's (storage/public-threads.ts). */
export type RoomTarget = Pick<
    ConversationRecord,
    'roomId' | 'visitorId' | 'visitorToken' | 'visitorUsername' | 'visitorName'
>;

/** What Rocket.Chat needs to post into a known room (its id and kind) without reading the room first. */
const minimalRoom = (conversation: RoomTarget) =>
    ({ id: conversation.roomId, type: RoomType.LIVE_CHAT }) as ILivechatRoom;

function visitorOf(conversation: RoomTarget): IVisitor {
    return {
        id: conversation.visitorId,
        token: conversation.visitorToken,
        username: conversation.visitorUsername,
        name: conversation.visitorName,
    } as IVisitor;
}

export interface PostOptions {
    /** Parts of the text (by index) a delivery that died half-way posted already: left out. */
    alreadyPosted?: ReadonlySet<number>;
    /** Called with the file's size before it is uploaded (uploading a large file takes long). */
    beforeUpload?: (bytes: number) => Promise<void>;
}

/**
 * Posts a customer's DM as the visitor and returns the ids of the messages it became. Each carries X's
 * timestamp (a visitor's message keeps it), so Rocket.Chat shows redelivered or reordered events in the
 * order the customer wrote them; the parts of a long DM follow one another a millisecond apart.
 */
export async function postCustomerMessage(
    ctx: BridgeContext,
    conversation: RoomTarget,
    message: InboundMessage,
    { alreadyPosted, beforeUpload }: PostOptions = {},
): Promise<string[]> {
    const text = inboundText(message);
    // The server's language is read only when a note about the file needs it.
    let t: Promise<Translate> | undefined;
    const translate = () => (t ??= serverTranslator(ctx.read, ctx.now()));
    const fetched = message.media ? await fetchInboundMedia(ctx, message.media, translate) : undefined;
    const note = fetched && !fetched.ok ? `_${fetched.note}_` : undefined;
    // Resuming a delivery that died after part of the text: the note cannot join a part already posted.
    const resumed = (alreadyPosted?.size ?? 0) > 0;
    const body = [text, resumed ? undefined : note].filter(Boolean).join('\n');
    const ids = body ? await postVisitorText(ctx, conversation, message, body, alreadyPosted) : [];
    if (resumed && note) await postRoomNotice(ctx, conversation.roomId, note);
    if (message.media && fetched?.ok) {
        await beforeUpload?.(fetched.bytes.length);
        const upload = await uploadInboundMedia(ctx, conversation, message.media, fetched, translate);
        // The text is in; a failed notice must not fail the delivery (X's retry would find the text and stop).
        if (!upload.posted)
            await postRoomNotice(ctx, conversation.roomId, upload.notice).catch((e) =>
                ctx.logger.warn(`Could not post a media notice: ${(e as Error).message}`),
            );
    }
    return ids;
}

/** The parts a text is posted as: each within the server's Message_MaxAllowedSize, split at word boundaries. */
export async function roomMessageParts(ctx: BridgeContext, text: string): Promise<string[]> {
    return splitForDm(text, await roomMessageMaxLength(ctx.read, ctx.now()));
}

async function postVisitorText(
    ctx: BridgeContext,
    conversation: RoomTarget,
    message: InboundMessage,
    body: string,
    alreadyPosted?: ReadonlySet<number>,
): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, part] of (await roomMessageParts(ctx, body)).entries()) {
        if (alreadyPosted?.has(i)) continue;
        const builder = ctx.modify
            .getCreator()
            .startLivechatMessage()
            .setData({ createdAt: new Date(message.createdAt + i) } as ILivechatMessage)
            .setRoom(minimalRoom(conversation))
            .setVisitor(visitorOf(conversation))
            .setText(part);
        ids.push(await ctx.modify.getCreator().finish(builder));
    }
    return ids;
}

/** The app's own user never changes while the app is installed. */
const appUserCopy = new InstanceCopy<IUser>(Infinity);

async function appUser(ctx: BridgeContext): Promise<IUser> {
    const kept = appUserCopy.get(0);
    if (kept) return kept;
    const user = await ctx.read.getUserReader().getAppUser();
    if (!user) throw new Error('The app user is missing');
    return appUserCopy.keep(user, 0);
}

/**
 * A mirrored reply older than this says when it was written on X: it is stamped with the time it is
 * posted (the app user's messages cannot carry X's), so after downtime or a poll it would seem newer.
 */
const SHOW_X_TIME_AFTER_MS = 60_000;

/** X's time of a DM as agents read it: the time of day in UTC, with the date when it is not today's. */
export function xTimeLabel(at: number, now: number): string {
    const iso = new Date(at).toISOString();
    const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
    return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** A reply the business typed in X's own app, shown to agents as such; returns the ids of the messages it became. */
export async function postMirroredReply(
    ctx: BridgeContext,
    conversation: RoomTarget,
    message: InboundMessage,
): Promise<string[]> {
    const t = await serverTranslator(ctx.read, ctx.now());
    const text = inboundText(message) || t('media_kind_attachment');
    const late = ctx.now() - message.createdAt > SHOW_X_TIME_AFTER_MS;
    const full = late
        ? t('mirrored_from_x_at', { time: xTimeLabel(message.createdAt, ctx.now()), text })
        : t('mirrored_from_x', { text });
    const sender = await appUser(ctx);
    const ids: string[] = [];
    for (const part of await roomMessageParts(ctx, full)) {
        const builder = ctx.modify
            .getCreator()
            .startMessage()
            .setRoom(minimalRoom(conversation))
            .setSender(sender)
            .setText(part);
        ids.push(await ctx.modify.getCreator().finish(builder));
    }
    return ids;
}

/** A notice for the agents of a room (a refused file, an undeliverable reply…), from the app user. */
export async function postRoomNotice(ctx: BridgeContext, roomId: string, text: string): Promise<void> {
    const builder = ctx.modify
        .getCreator()
        .startMessage()
        .setRoom({ id: roomId, type: RoomType.LIVE_CHAT } as ILivechatRoom)
        .setSender(await appUser(ctx))
        .setGroupable(false)
        .setText(text);
    await ctx.modify.getCreator().finish(builder);
}
