/**
 * IPostMessageSent: an agent's reply in one of the app's livechat rooms → Direct Messages to the customer.
 *
 * Cost in the steady state (text, nothing waiting): one X call and one host call (the sent marker) back to
 * back, plus the outbox view and account re-reads when their caches are old (see ../bridge/outbound.ts).
 * The decision whether to act is made from the event alone; settings, account, secrets and tokens come
 * from in-memory caches; the customer's X id is in the room's visitor token.
 */
import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { isBlockedCustomer } from '../bridge/blocked';
import { buildBridgeContext } from '../bridge/build-context';
import type { BridgeContext } from '../bridge/context';
import { formatAgentMessage } from '../bridge/format';
import { isOurThreadVisitorToken, isOurVisitorToken } from '../x/ids';
import { checkFile } from '../bridge/media-rules';
import { deliver, inConversationLane } from '../bridge/outbound';
import {
    agentDisplayName,
    classifyAgentMessage,
    classifyThreadRoom,
    MessageVerdict,
    messageFiles,
    messageText,
    planDms,
    XThreadRef,
} from '../bridge/outbound-filter';
import { answerInPublic, inThreadLane } from '../bridge/public-outbound';
import { fileRuleText, tellAgent } from '../bridge/outbound-notices';
import { outboundState } from '../bridge/outbound-state';
import type { Translate } from '../i18n/translate';
import type { OutboxFile } from '../storage/outbox';

/** What the hooks need to know about the app itself. */
export interface AppRef {
    id: string;
    logger: ILogger;
}

/**
 * checkPostMessageSent: answered from the event alone, so the engine does not even call the handler for the
 * many messages that are none of ours (every customer message the app posts comes back through this event).
 */
export function wantsAgentMessage(app: Pick<AppRef, 'id'>, message: IMessage): boolean {
    return [classifyAgentMessage(message, app.id), classifyAgentMessage(message, app.id, classifyThreadRoom)].some(
        (verdict) => verdict.act || verdict.reason === 'room-closed',
    );
}

export async function handleAgentMessage(
    app: AppRef,
    message: IMessage,
    read: IRead,
    http: IHttp,
    persistence: IPersistence,
    modify: IModify,
): Promise<void> {
    const tell = (to: IUser, compose: (t: Translate) => string) =>
        tellAgent(read, modify, to, message.room, compose, app.logger.warn.bind(app.logger));
    const publicVerdict = classifyAgentMessage(message, app.id, classifyThreadRoom);
    if (publicVerdict.act || publicVerdict.ref)
        return handlePublicAnswer(app, message, publicVerdict, tell, { read, http, persistence, modify });
    const verdict = classifyAgentMessage(message, app.id);
    if (!verdict.act) {
        if (verdict.reason === 'room-closed') await tell(message.sender, (t) => t('outbound_room_closed'));
        return;
    }
    const { ref, agent } = verdict;
    // The lane is taken before the first await, so replies leave in the order the agent wrote them.
    await inConversationLane(ref, async () => {
        if (outboundState.closedRooms.has(ref.roomId)) {
            await tell(agent, (t) => t('outbound_room_closed'));
            return;
        }
        // The conversation's account is in the room's visitor token (its MAC is checked below).
        const built = await buildBridgeContext(read, modify, persistence, http, app.logger, ref.accountId);
        if (!built.ok) {
            if (built.reason === 'not-linked') await tell(agent, (t) => t('outbound_not_linked'));
            // A room of an account no longer linked: no linked account can send its replies.
            if (built.reason === 'unknown-account') await tell(agent, (t) => t('outbound_other_account'));
            return;
        }
        const ctx = built.ctx;
        if (!isOurVisitorToken(ctx.secrets.visitorTokenKey, ref.visitorToken)) {
            app.logger.warn(
                `Room ${ref.roomId}: the visitor token is not one this app issued; the message is not sent to X.`,
            );
            return;
        }
        if (ref.accountId !== ctx.account.accountId) {
            await tell(agent, (t) => t('outbound_other_account'));
            return;
        }
        if (await isBlockedCustomer(ctx, ref.customerId)) {
            await tell(agent, (t) => t('outbound_customer_blocked'));
            return;
        }
        const files = await acceptedFiles(ctx, message, agent);
        if (!files) return;
        const text = messageText(message);
        // The template is applied once to the whole reply; splitting comes after.
        const body = text
            ? formatAgentMessage(ctx.settings.agentTemplate, {
                  agent: agentDisplayName(ctx.settings.agentDisplay, agent),
                  text,
              })
            : '';
        const orderAt = message.createdAt ? new Date(message.createdAt).getTime() : ctx.now();
        await deliver(
            ctx,
            { ref, dms: planDms(body, files), origin: 'agent', orderAt, orderId: `m:${message.id ?? orderAt}` },
            { inLane: true },
        );
    });
}

/** An agent's message in a public thread's room: posted publicly as a reply in the thread (issue 19). */
async function handlePublicAnswer(
    app: AppRef,
    message: IMessage,
    verdict: MessageVerdict<XThreadRef>,
    tell: (to: IUser, compose: (t: Translate) => string) => Promise<void>,
    a: { read: IRead; http: IHttp; persistence: IPersistence; modify: IModify },
): Promise<void> {
    if (!verdict.act) {
        if (verdict.reason === 'room-closed') await tell(message.sender, (t) => t('outbound_room_closed'));
        return;
    }
    const { ref, agent } = verdict;
    await inThreadLane(ref, async () => {
        if (outboundState.closedRooms.has(ref.roomId)) return tell(agent, (t) => t('outbound_room_closed'));
        // The thread's account is in the room's visitor token (its MAC is checked below).
        const built = await buildBridgeContext(a.read, a.modify, a.persistence, a.http, app.logger, ref.accountId);
        if (!built.ok) {
            if (built.reason === 'not-linked') await tell(agent, (t) => t('outbound_not_linked'));
            if (built.reason === 'unknown-account') await tell(agent, (t) => t('outbound_other_account'));
            return;
        }
        const ctx = built.ctx;
        if (!isOurThreadVisitorToken(ctx.secrets.visitorTokenKey, ref.visitorToken)) {
            app.logger.warn(
                `Room ${ref.roomId}: the visitor token is not one this app issued; nothing is posted on X.`,
            );
            return;
        }
        if (ref.accountId !== ctx.account.accountId) return tell(agent, (t) => t('outbound_other_account'));
        if (await isBlockedCustomer(ctx, ref.customerId)) return tell(agent, (t) => t('outbound_customer_blocked'));
        await answerInPublic(ctx, {
            ref,
            agent,
            room: message.room,
            text: messageText(message),
            hasFiles: messageFiles(message).length > 0,
            message,
        });
    });
}

/**
 * The message's files, each checked against the Files settings and X's limits. If any is refused the agent
 * is told which rule refused it and nothing of the message is sent (undefined).
 */
async function acceptedFiles(ctx: BridgeContext, message: IMessage, agent: IUser): Promise<OutboxFile[] | undefined> {
    const tell = (compose: (t: Translate) => string) =>
        tellAgent(ctx.read, ctx.modify, agent, message.room, compose, ctx.logger.warn.bind(ctx.logger));
    const accepted: OutboxFile[] = [];
    for (const file of messageFiles(message)) {
        const upload = await ctx.read
            .getUploadReader()
            .getById(file._id)
            .catch(() => undefined);
        const type = String(upload?.type || file.type || 'application/octet-stream').toLowerCase();
        const size = Number(upload?.size);
        if (!upload || !Number.isFinite(size)) {
            await tell((t) =>
                t('outbound_file_refused', { file: file.name, reason: t('outbound_reason_file_unreadable') }),
            );
            return undefined;
        }
        const verdict = checkFile(ctx.settings, type, size);
        if (!verdict.ok) {
            await tell((t) =>
                t('outbound_file_refused', {
                    file: file.name,
                    reason: fileRuleText(t, verdict, type, size),
                }),
            );
            return undefined;
        }
        accepted.push({ id: file._id, name: file.name, type, size });
    }
    return accepted;
}
