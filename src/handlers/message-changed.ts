/**
 * IPostMessageUpdated / IPostMessageDeleted: X cannot edit a Direct Message, and deleting one only removes
 * the business's copy, so an agent who edits or deletes a reply is told the customer still sees the original.
 */
import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IMessage, IMessageDeleteContext } from '@rocket.chat/apps-engine/definition/messages';
import { classifyAgentChange, classifyThreadRoom } from '../bridge/outbound-filter';
import { tellAgent } from '../bridge/outbound-notices';
import type { AppRef } from './agent-message';

export async function handleMessageEdited(
    app: AppRef,
    message: IMessage,
    read: IRead,
    _http: IHttp,
    _persistence: IPersistence,
    modify: IModify,
): Promise<void> {
    if (!message.editedAt) return;
    const isPublic = classifyAgentChange(message, app.id, classifyThreadRoom);
    const verdict = isPublic.act ? isPublic : classifyAgentChange(message, app.id);
    if (!verdict.act) return;
    const editor = message.editor?.id ? message.editor : verdict.agent;
    await tellAgent(
        read,
        modify,
        editor,
        message.room,
        (t) => t(isPublic.act ? 'public_edit_not_applied' : 'outbound_edit_not_sent'),
        app.logger.warn.bind(app.logger),
    );
}

export async function handleMessageDeleted(
    app: AppRef,
    message: IMessage,
    read: IRead,
    _http: IHttp,
    _persistence: IPersistence,
    modify: IModify,
    context: IMessageDeleteContext | undefined,
): Promise<void> {
    const isPublic = classifyAgentChange(message, app.id, classifyThreadRoom);
    const verdict = isPublic.act ? isPublic : classifyAgentChange(message, app.id);
    if (!verdict.act) return;
    const who = context?.user?.id ? context.user : verdict.agent;
    await tellAgent(
        read,
        modify,
        who,
        message.room,
        (t) => t(isPublic.act ? 'public_delete_not_applied' : 'outbound_delete_not_sent'),
        app.logger.warn.bind(app.logger),
    );
}
