/**
 * `/twitter dm @handle <text>`: an agent starts a conversation with an X user. X is asked who the handle is
 * and whether the business may DM them (`receives_your_dm`); a room is opened for that customer, served by
 * the agent, and the DM goes out through the same delivery as every reply (lane, outbox, sent record). When
 * X refuses the send for good, the room is closed again without the finished message: nothing stays open
 * for a customer who cannot be reached. The customer's answer then lands in the room like any DM.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { InstanceCopies } from '../lib/instance-state';
import { serverTranslator } from '../lib/language';
import { recordBillable, totalsForDay, unitPriceUsd } from '../storage/ledger';
import { utcDay } from '../lib/time';
import { XFailure, XFailureKind, XUserLookup } from '../x/client-types';
import { wins } from '../storage/claims';
import { newClaim, STALE_CLAIM_MS } from './inbound-claims';
import type { BridgeContext } from './context';
import { isBlockedCustomer } from './blocked';
import { ContactBlockedError, openConversation, openRoomOf, resolveDepartmentId } from './conversation-opener';
import { formatAgentMessage } from './format';
import { deliver, DeliveryRequest, inConversationLane } from './outbound';
import { agentDisplayName, planDms } from './outbound-filter';
import type { DeliveryFailureKind } from './outbound-send';
import { outboundState } from './outbound-state';
import { postRoomNotice } from './room-poster';

export interface StartRequest {
    /** Without the `@`, already checked against X's username pattern. */
    handle: string;
    text: string;
    /** The agent saw the cost and repeated the command with `--confirm`. */
    confirmed: boolean;
    /** Administrators may go past the *Daily spending cap* with `--confirm`; nobody else can. */
    mayExceedCap: boolean;
    /** *Move to DM*: the X user the handle must still belong to (a handle can change owner; the id cannot). */
    customerId?: string;
}

export type StartOutcome =
    | { kind: 'sent'; roomId: string; handle: string }
    /** X said "later" (rate limit, outage, credits): the DM waits in the outbox, the room is open. */
    | { kind: 'queued'; roomId: string; handle: string }
    | { kind: 'already-open'; roomId: string; handle: string }
    /** Another opener (the customer's own DM arriving, another agent) holds the room's opening claim. */
    | { kind: 'opening-elsewhere'; handle: string }
    | { kind: 'not-found'; handle: string }
    /** The handle now belongs to someone other than the expected customer: nothing was opened or sent. */
    | { kind: 'other-user'; handle: string }
    | { kind: 'own-account'; handle: string }
    /** X's user lookup says the business may not DM them: nothing was opened or sent. */
    | { kind: 'refuses-dms'; handle: string }
    /** Listed in *Blocked X users*, or their contact is blocked in Rocket.Chat: nothing is opened or sent. */
    | { kind: 'blocked'; handle: string }
    /** X refused the DM itself: the room was closed again. */
    | { kind: 'send-refused'; handle: string; reason: DeliveryFailureKind }
    | { kind: 'lookup-failed'; handle: string; reason: XFailureKind }
    /** Rocket.Chat could not give the room to this agent (not available in Omnichannel). */
    | { kind: 'agent-unavailable'; handle: string }
    | { kind: 'confirm'; handle: string; costUsd: number; todayUsd: number; capUsd: number }
    /** This DM would take today's bill past the cap, and the sender is not an administrator. */
    | { kind: 'over-cap'; handle: string; costUsd: number; todayUsd: number; capUsd: number };

/**
 * X's answer for a handle, kept a few minutes: a repeated command (the customer already has a room, the agent
 * retyped the text) must not pay the $0.010 lookup again. X refuses the DM itself if their settings changed since.
 */
const lookups = new InstanceCopies<XUserLookup>(5 * 60_000);

/** The daily cap counts as near once today's bill plus this DM reaches this share of it. */
const CAP_NEAR_SHARE = 0.8;

export async function startConversation(
    ctx: BridgeContext,
    agent: IUser,
    request: StartRequest,
): Promise<StartOutcome> {
    const { handle } = request;
    if (handle.toLowerCase() === ctx.account.username.toLowerCase()) return { kind: 'own-account', handle };
    const body = formatAgentMessage(ctx.settings.agentTemplate, {
        agent: agentDisplayName(ctx.settings.agentDisplay, agent),
        text: request.text,
    });
    const dms: DeliveryRequest['dms'] = planDms(body, []);
    // Per business account: whether the customer accepts its DMs is X's answer for that account.
    const lookupKey = `${ctx.account.accountId}:${handle.toLowerCase()}`;
    const known = lookups.of(lookupKey).get(ctx.now());
    // Before any X call: the lookup is billed too, and a repeated command with --confirm pays it again.
    const capUsd = ctx.settings.dailyCapUsd;
    if (capUsd > 0) {
        const costUsd = (known ? 0 : unitPriceUsd('user_read')) + dms.length * unitPriceUsd('dm_create');
        const todayUsd = (await totalsForDay(ctx.read.getPersistenceReader(), utcDay(ctx.now()))).usd;
        // The cap pauses polling (customers' DMs stop arriving): only an administrator may spend past it.
        if (todayUsd + costUsd > capUsd && !request.mayExceedCap)
            return { kind: 'over-cap', handle, costUsd, todayUsd, capUsd };
        if (!request.confirmed && todayUsd + costUsd >= CAP_NEAR_SHARE * capUsd)
            return { kind: 'confirm', handle, costUsd, todayUsd, capUsd };
    }

    let customer: XUserLookup | undefined = known;
    if (!customer) {
        try {
            customer = await (await ctx.x()).userByUsername(handle);
        } catch (e) {
            if (e instanceof XFailure) return { kind: 'lookup-failed', handle, reason: e.kind };
            throw e;
        }
        if (!customer) return { kind: 'not-found', handle };
        await recordBillable(ctx.persistence, 'user_read', 1, ctx.now(), ctx.account.accountId);
        lookups.of(lookupKey).keep(customer, ctx.now());
    }
    const shown = customer.username;
    if (request.customerId !== undefined && customer.id !== request.customerId)
        return { kind: 'other-user', handle: shown };
    if (customer.id === ctx.account.accountId) return { kind: 'own-account', handle: shown };
    if (customer.receivesYourDm === false) return { kind: 'refuses-dms', handle: shown };
    // Replies to a blocked customer are refused; starting a conversation with one is too.
    if (await isBlockedCustomer(ctx, customer.id)) return { kind: 'blocked', handle: shown };

    const state = await ctx.conversations.load(ctx.read.getPersistenceReader(), ctx.account.accountId, customer.id);
    const open = await openRoomOf(ctx, state.conversation);
    if (open) return { kind: 'already-open', roomId: open.roomId, handle: shown };

    const departmentId = await resolveDepartmentId(ctx);
    const ref = { accountId: ctx.account.accountId, customerId: customer.id };
    return inConversationLane(ref, async (): Promise<StartOutcome> => {
        // The customer may be writing right now, on this instance or another: one opener wins, as for inbound DMs.
        const claim = newClaim();
        await ctx.conversations.claimOpening(ctx.persistence, ref.accountId, ref.customerId, claim, ctx.now());
        const fresh = await ctx.conversations.load(ctx.read.getPersistenceReader(), ref.accountId, ref.customerId);
        const live = fresh.openingClaims.filter((c) => ctx.now() - c.at < STALE_CLAIM_MS);
        const opened = fresh.conversation && fresh.conversation.roomId !== state.conversation?.roomId;
        if (opened || !wins(live, claim)) return { kind: 'opening-elsewhere', handle: shown };
        try {
            return await openAndSend(ctx, agent, customer, departmentId, request.text, dms);
        } catch (e) {
            // Rocket.Chat refuses a room for a contact blocked there (error-contact-channel-blocked).
            if (e instanceof ContactBlockedError) return { kind: 'blocked', handle: shown };
            throw e;
        } finally {
            await ctx.conversations.clearOpeningClaims(ctx.persistence, ref.accountId, ref.customerId);
        }
    });
}

/** The winner's part: the room, served by the agent, then the DM through the reply delivery. */
async function openAndSend(
    ctx: BridgeContext,
    agent: IUser,
    customer: XUserLookup,
    departmentId: string | undefined,
    text: string,
    dms: DeliveryRequest['dms'],
): Promise<StartOutcome> {
    const shown = customer.username;
    const opened = await openConversation(ctx, customer, departmentId, agent);
    if (!opened.ok) return { kind: 'agent-unavailable', handle: shown };
    const roomId = opened.conversation.roomId;
    const t = await serverTranslator(ctx.read, ctx.now());
    await postRoomNotice(
        ctx,
        roomId,
        t('dm_started_notice', { agent: agent.name || agent.username, handle: shown, text }),
    );
    const report = await deliver(
        ctx,
        {
            ref: { accountId: ctx.account.accountId, customerId: customer.id, roomId },
            dms,
            origin: 'agent',
            orderAt: ctx.now(),
            orderId: `dm:${roomId}`,
        },
        { inLane: true },
    );
    if (report.sent === dms.length) return { kind: 'sent', roomId, handle: shown };
    if (report.dropped === 0) return { kind: 'queued', roomId, handle: shown };
    // Refused for good (the customer does not take DMs, the text was refused…): the customer has nothing.
    await closeUnreachable(ctx, roomId, agent);
    return { kind: 'send-refused', handle: shown, reason: report.failure?.kind ?? 'invalid-request' };
}

/**
 * X refused the conversation's first DM: the room goes. The app forgets it first, so the close hook finds no
 * conversation and sends no finished message (it would be refused the same way).
 */
async function closeUnreachable(ctx: BridgeContext, roomId: string, agent: IUser): Promise<void> {
    outboundState.closedRooms.add(roomId, ctx.now());
    await ctx.conversations.closeRoom(ctx.persistence, roomId);
    const room = (await ctx.read.getRoomReader().getById(roomId)) as ILivechatRoom | undefined;
    if (!room) return;
    const t = await serverTranslator(ctx.read, ctx.now());
    await ctx.modify.getUpdater().getLivechatUpdater().closeRoom(room, t('dm_closed_unreachable'), agent);
}
