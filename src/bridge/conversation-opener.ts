/**
 * Opens the Omnichannel side of a conversation: the customer's visitor (same token on every instance),
 * a livechat room in the configured department, and the record that lets later messages skip all that.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { OmnichannelSourceType } from '@rocket.chat/apps-engine/definition/livechat/ILivechatRoom';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { serverSetting } from '../lib/server-settings';
import { InstanceCopies } from '../lib/instance-state';
import type { ConversationRecord } from '../storage/conversations';
import type { XUserProfile } from '../x/event-types';
import type { BridgeContext } from './context';
import { visitorToken } from '../x/ids';
import { identityFields, registerCustomer } from './contact-identity';

/** `queued`: Rocket.Chat opened the room without an agent, and routes automatically: nobody could take it now. */
export type OpenResult =
    { ok: true; conversation: ConversationRecord; queued: boolean } | { ok: false; reason: 'no-agent-online' };

const ROOM_SOURCE_LABEL = 'X (Twitter)';
const SIDEBAR_ICON = 'x-sidebar.svg';

/**
 * Rocket.Chat refuses a room to a visitor whose contact channel an agent or manager blocked (Enterprise,
 * `omnichannel/contacts.block`; LivechatContacts.isChannelBlocked in createRoom, apps/meteor/app/livechat/
 * server/lib/rooms.ts on 7.x/8.x). Blocking also closes their open room, so the next DM meets this refusal.
 */
export class ContactBlockedError extends Error {
    constructor() {
        super('error-contact-channel-blocked');
    }
}

/** Rocket.Chat's refusal when no agent can take the room (a Meteor error crossing the bridge as text). */
function isNoAgentOnlineError(e: unknown): boolean {
    return /no-agent-online/.test(String((e as Error)?.message ?? e));
}

/** By the configured value (an account's or the setting's): the department's id, or null when there is none of that name. */
const departments = new InstanceCopies<string | null>(60_000);

/**
 * The department the account's conversations open in: the account's own (`/twitter department`), else the
 * *Default department* setting (callers may name another, e.g. public mentions'). Its id (a name is accepted
 * too); undefined when unset or unknown.
 */
export async function resolveDepartmentId(
    ctx: BridgeContext,
    wanted = ctx.account.department || ctx.settings.department,
): Promise<string | undefined> {
    if (!wanted) return undefined;
    const copy = departments.of(wanted);
    const kept = copy.get(ctx.now());
    if (kept !== undefined) return kept ?? undefined;
    const department = await ctx.read.getLivechatReader().getLivechatDepartmentByIdOrName(wanted);
    if (!department)
        ctx.logger.warn(
            `Department "${wanted}" (of @${ctx.account.username}) does not exist; using Rocket.Chat's default routing.`,
        );
    return copy.keep(department?.id ?? null, ctx.now()) ?? undefined;
}

/** `agent`: the room is served by this agent (an agent-started conversation), not routed. */
export async function openConversation(
    ctx: BridgeContext,
    customer: XUserProfile,
    departmentId: string | undefined,
    agent?: IUser,
): Promise<OpenResult> {
    const token = visitorToken(ctx.secrets.visitorTokenKey, ctx.account.accountId, customer.id);
    const visitor = await registerCustomer(ctx, token, customer, departmentId);
    let room: ILivechatRoom;
    try {
        room = await ctx.modify
            .getCreator()
            .getLivechatCreator()
            .createRoom(visitor, agent ?? ({} as IUser), {
                source: {
                    type: 'app' as OmnichannelSourceType,
                    label: ROOM_SOURCE_LABEL,
                    sidebarIcon: SIDEBAR_ICON,
                    defaultIcon: SIDEBAR_ICON,
                },
                // Room extraData: kept on the room document for integrations (Rocket.Chat shows agents none of it).
                customFields: identityFields(customer),
            });
    } catch (e) {
        if (isNoAgentOnlineError(e)) return { ok: false, reason: 'no-agent-online' };
        if (/error-contact-channel-blocked/.test(String((e as Error)?.message ?? e))) throw new ContactBlockedError();
        throw e;
    }
    const conversation: ConversationRecord = {
        type: 'conversation',
        accountId: ctx.account.accountId,
        customerId: customer.id,
        roomId: room.id,
        visitorId: visitor.id!,
        visitorToken: visitor.token,
        visitorUsername: visitor.username,
        visitorName: visitor.name,
        ...(customer.username ? { customerHandle: customer.username } : {}),
        openedAt: ctx.now(),
    };
    await ctx.conversations.open(ctx.persistence, conversation);
    return { ok: true, conversation, queued: !room.servedBy && (await routesAutomatically(ctx)) };
}

/**
 * Whether Rocket.Chat assigns new conversations to an agent itself. With Manual_Selection agents take
 * them from the queue, so a room without an agent says nothing about who is online.
 */
async function routesAutomatically(ctx: BridgeContext): Promise<boolean> {
    return (
        (await serverSetting<string>(ctx.read, 'Livechat_Routing_Method', 'Auto_Selection', ctx.now())) !==
        'Manual_Selection'
    );
}

/**
 * The conversation, if its room is still open. Rocket.Chat does not refuse a visitor's message into a
 * closed room: it opens a new room (without department, source label or the app's record) and posts it
 * there. So the room is read before posting; a closed or deleted one is forgotten here, and the caller
 * opens a new conversation properly.
 */
export async function openRoomOf(
    ctx: BridgeContext,
    conversation: ConversationRecord | undefined,
): Promise<ConversationRecord | undefined> {
    if (!conversation) return undefined;
    const room = (await ctx.read.getRoomReader().getById(conversation.roomId)) as ILivechatRoom | undefined;
    if (room?.isOpen === true) return conversation;
    ctx.logger.info(
        `Room ${conversation.roomId} of X user ${conversation.customerId} is ${room ? 'closed' : 'gone'}: forgotten; the customer's next DM opens a new conversation.`,
    );
    await ctx.conversations.closeRoom(ctx.persistence, conversation.roomId);
    return undefined;
}
