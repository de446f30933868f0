/**
 * #omnichannel-twitter-setup: the private room where the app explains set-up, admins start authorization
 * and the app reports linking, configuration problems and health incidents.
 */
import { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LayoutBlock } from '@rocket.chat/ui-kit';
import { Translate } from '../i18n/translate';

export const SETUP_ROOM_NAME = 'omnichannel-twitter-setup';
export const START_AUTH_ACTION = 'x-start-authentication';

export async function findSetupRoom(read: IRead): Promise<IRoom | undefined> {
    return (await read.getRoomReader().getByName(SETUP_ROOM_NAME)) ?? undefined;
}

/** Creates the room if missing (as the app user, with the installing admin) and returns it. */
export async function ensureSetupRoom(read: IRead, modify: IModify, admin: IUser | undefined): Promise<IRoom> {
    const existing = await findSetupRoom(read);
    if (existing) {
        if (admin?.username) {
            const members = await read.getRoomReader().getMembers(existing.id);
            const appUser = await read.getUserReader().getAppUser();
            if (appUser && !members.some((m) => m.id === admin.id)) {
                const builder = await modify.getUpdater().room(existing.id, appUser);
                await modify.getUpdater().finish(builder.setMembersToBeAddedByUsernames([admin.username]));
            }
        }
        return existing;
    }
    const appUser = await read.getUserReader().getAppUser();
    if (!appUser) throw new Error('The app user is missing');
    const builder = modify
        .getCreator()
        .startRoom()
        .setType(RoomType.PRIVATE_GROUP)
        .setSlugifiedName(SETUP_ROOM_NAME)
        .setDisplayName(SETUP_ROOM_NAME)
        .setCreator(appUser)
        .setMembersToBeAddedByUsernames(admin?.username ? [admin.username] : []);
    const roomId = await modify.getCreator().finish(builder);
    const room = await read.getRoomReader().getById(roomId);
    if (!room) throw new Error('The setup room was not created');
    return room;
}

/** Posts from the app user in the setup room; returns false (and posts nothing) when the room is gone. */
export async function announceInSetupRoom(read: IRead, modify: IModify, text: string, blocks?: LayoutBlock[]): Promise<boolean> {
    const room = await findSetupRoom(read);
    const appUser = await read.getUserReader().getAppUser();
    if (!room || !appUser) return false;
    const message = modify.getCreator().startMessage().setRoom(room).setSender(appUser).setText(text).setGroupable(false);
    if (blocks) message.setBlocks(blocks as never);
    await modify.getCreator().finish(message);
    return true;
}

export function setupInstructions(t: Translate, appId: string, urls: { webhook: string; callback: string }): { text: string; blocks: LayoutBlock[] } {
    const text = t('setup_instructions', { callbackUrl: urls.callback, webhookUrl: urls.webhook });
    return {
        text,
        blocks: [
            { type: 'section', text: { type: 'mrkdwn', text } },
            {
                type: 'actions',
                blockId: 'x-setup',
                elements: [{ type: 'button', appId, blockId: 'x-setup', actionId: START_AUTH_ACTION, text: { type: 'plain_text', text: t('setup_start_authentication') }, style: 'primary' }],
            },
        ] as LayoutBlock[],
    };
}
