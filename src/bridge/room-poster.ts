/** Writes into a conversation's room: customer messages as the visitor, mirrored replies and notices as the app. */
import type { ILivechatMessage, ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { Translate, translator } from '../i18n/translate';
import type { ConversationRecord } from '../storage/conversations';
import type { InboundMessage } from '../x/event-types';
import type { BridgeContext } from './context';
import { inboundText } from './format';
import { fetchInboundMedia, uploadInboundMedia } from './inbound-media';

/** What Rocket.Chat needs to post into a known room (its id and kind) without reading the room first. */
const minimalRoom = (conversation: ConversationRecord) => ({ id: conversation.roomId, type: RoomType.LIVE_CHAT }) as ILivechatRoom;

function visitorOf(conversation: ConversationRecord): IVisitor {
    return { id: conversation.visitorId, token: conversation.visitorToken, username: conversation.visitorUsername, name: conversation.visitorName } as IVisitor;
}

/** The server's language, for text the app writes into rooms (agents of any language share them). */
async function serverTranslator(ctx: BridgeContext) {
    const language = await ctx.read.getEnvironmentReader().getServerSettings().getValueById('Language').catch(() => 'en');
    return translator(typeof language === 'string' ? language : 'en');
}

/**
 * Posts a customer's DM as the visitor. The message carries X's timestamp, so Rocket.Chat shows
 * redelivered or reordered events in the order the customer wrote them, and the X event id.
 */
export async function postCustomerMessage(ctx: BridgeContext, conversation: ConversationRecord, message: InboundMessage): Promise<void> {
    const text = inboundText(message);
    // The server's language is read only when a note about the file needs it.
    let t: Promise<Translate> | undefined;
    const translate = () => (t ??= serverTranslator(ctx));
    const fetched = message.media ? await fetchInboundMedia(ctx, message.media, translate) : undefined;
    const note = fetched && !fetched.ok ? `_${fetched.note}_` : undefined;
    const body = [text, note].filter(Boolean).join('\n');
    if (body) await postVisitorText(ctx, conversation, message, body);
    if (message.media && fetched?.ok) {
        const upload = await uploadInboundMedia(ctx, conversation, message.media, fetched, translate);
        // The text is in; a failed notice must not fail the delivery (X's retry would find the text and stop).
        if (!upload.posted) await postRoomNotice(ctx, conversation.roomId, upload.notice).catch((e) => ctx.logger.warn(`Could not post a media notice: ${(e as Error).message}`));
    }
}

async function postVisitorText(ctx: BridgeContext, conversation: ConversationRecord, message: InboundMessage, body: string): Promise<void> {
    const builder = ctx.modify
        .getCreator()
        .startLivechatMessage()
        .setData({ createdAt: new Date(message.createdAt), customFields: { xEventId: message.eventId } } as unknown as ILivechatMessage)
        .setRoom(minimalRoom(conversation))
        .setVisitor(visitorOf(conversation))
        .setText(body);
    await ctx.modify.getCreator().finish(builder);
}

let appUserCache: IUser | undefined;

async function appUser(ctx: BridgeContext): Promise<IUser> {
    appUserCache ??= await ctx.read.getUserReader().getAppUser();
    if (!appUserCache) throw new Error('The app user is missing');
    return appUserCache;
}

/** A reply the business typed in X's own app, shown to agents as such. */
export async function postMirroredReply(ctx: BridgeContext, conversation: ConversationRecord, message: InboundMessage): Promise<void> {
    const t = await serverTranslator(ctx);
    const text = t('mirrored_from_x', { text: inboundText(message) || t('media_kind_attachment') });
    const builder = ctx.modify
        .getCreator()
        .startMessage()
        .setData({ createdAt: new Date(message.createdAt), customFields: { xEventId: message.eventId, sentFromX: true } } as never)
        .setRoom(minimalRoom(conversation))
        .setSender(await appUser(ctx))
        .setText(text);
    await ctx.modify.getCreator().finish(builder);
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

export { serverTranslator };
