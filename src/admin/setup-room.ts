/**
 * #omnichannel-twitter-setup: the private room where the app explains set-up, admins start authorization
 * and the app reports linking, configuration problems and health incidents.
 */
import { IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LayoutBlock } from '@rocket.chat/ui-kit';
import { randomBytes } from 'crypto';
import { Translate } from '../i18n/translate';
import { setupRoomRecord } from '../storage/admin-state';

export const SETUP_ROOM_NAME = 'omnichannel-twitter-setup';
export const START_AUTH_ACTION = 'x-start-authentication';

/**
 * Which room is the setup room: the id of the room the app created, never a name. Anyone may create a
 * public `#omnichannel-twitter-setup` first; a room found by name would hand them the webhook URL and
 * every alert.
 */

/**
 * The setup room, or undefined when there is none (never created, or deleted). Installs from before the
 * id was stored found the room by name: that room is adopted (and its id stored) only if the app user
 * created it.
 */
export async function findSetupRoom(read: IRead, persistence?: IPersistence): Promise<IRoom | undefined> {
    const stored = await setupRoomRecord.read(read.getPersistenceReader());
    if (stored) return (await read.getRoomReader().getById(stored.roomId)) ?? undefined;
    const [named, appUser] = await Promise.all([
        read.getRoomReader().getByName(SETUP_ROOM_NAME),
        read.getUserReader().getAppUser(),
    ]);
    if (!named || !appUser || named.creator?.id !== appUser.id) return undefined;
    if (persistence) await setupRoomRecord.write(persistence, { roomId: named.id });
    return named;
}

/**
 * The setup room with `admin` in it: created if missing, as a private room of the app user. When the name
 * is taken by a room the app did not create, the new room gets a random suffix (a predictable one could be
 * taken in advance too).
 */
export async function ensureSetupRoom(
    read: IRead,
    modify: IModify,
    persistence: IPersistence,
    admin: IUser | undefined,
): Promise<IRoom> {
    const appUser = await read.getUserReader().getAppUser();
    if (!appUser) throw new Error('The app user is missing');
    const existing = await findSetupRoom(read, persistence);
    if (existing) {
        if (admin?.username) {
            const members = await read.getRoomReader().getMembers(existing.id);
            if (!members.some((m) => m.id === admin.id)) {
                const builder = await modify.getUpdater().room(existing.id, appUser);
                await modify.getUpdater().finish(builder.setMembersToBeAddedByUsernames([admin.username]));
            }
        }
        return existing;
    }
    const nameTaken = !!(await read.getRoomReader().getByName(SETUP_ROOM_NAME));
    const name = nameTaken ? `${SETUP_ROOM_NAME}-${randomBytes(3).toString('hex')}` : SETUP_ROOM_NAME;
    const builder = modify
        .getCreator()
        .startRoom()
        .setType(RoomType.PRIVATE_GROUP)
        .setSlugifiedName(name)
        .setDisplayName(name)
        .setCreator(appUser)
        .setMembersToBeAddedByUsernames(admin?.username ? [admin.username] : []);
    const roomId = await modify.getCreator().finish(builder);
    await setupRoomRecord.write(persistence, { roomId });
    const room = await read.getRoomReader().getById(roomId);
    if (!room) throw new Error('The setup room was not created');
    return room;
}

/** Posts from the app user in the setup room; returns the message id, or undefined (nothing posted) when there is no room. */
export async function announceInSetupRoom(
    read: IRead,
    modify: IModify,
    persistence: IPersistence,
    text: string,
    blocks?: LayoutBlock[],
): Promise<string | undefined> {
    const [room, appUser] = await Promise.all([findSetupRoom(read, persistence), read.getUserReader().getAppUser()]);
    if (!room || !appUser) return undefined;
    const message = modify
        .getCreator()
        .startMessage()
        .setRoom(room)
        .setSender(appUser)
        .setText(text)
        .setGroupable(false);
    if (blocks) message.setBlocks(blocks as never);
    return modify.getCreator().finish(message);
}

export function setupInstructions(
    t: Translate,
    appId: string,
    urls: { webhook: string; callback: string },
): { text: string; blocks: LayoutBlock[] } {
    const text = t('setup_instructions', { callbackUrl: urls.callback, webhookUrl: urls.webhook });
    return {
        text,
        blocks: [
            { type: 'section', text: { type: 'mrkdwn', text } },
            {
                type: 'actions',
                blockId: 'x-setup',
                elements: [
                    {
                        type: 'button',
                        appId,
                        blockId: 'x-setup',
                        actionId: START_AUTH_ACTION,
                        text: { type: 'plain_text', text: t('setup_start_authentication') },
                        style: 'primary',
                    },
                ],
            },
        ] as LayoutBlock[],
    };
}
