import { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LayoutBlock } from '@rocket.chat/ui-kit';

/** Shows `text` to `user` only, in `room`, from the app user (Rocket.Chat's ephemeral message). */
export async function notifyEphemeral(
    read: IRead,
    modify: IModify,
    user: IUser,
    room: IRoom,
    text: string,
    blocks?: LayoutBlock[],
): Promise<void> {
    const appUser = await read.getUserReader().getAppUser();
    const message = modify.getNotifier().getMessageBuilder().setRoom(room).setText(text).setGroupable(false);
    if (blocks) message.setBlocks(blocks as never);
    if (appUser) message.setSender(appUser);
    await modify.getNotifier().notifyUser(user, message.getMessage());
}
