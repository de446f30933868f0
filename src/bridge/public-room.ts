/**
 * A public thread's room (issue 19): its own visitor (x/ids.ts threadVisitorToken: Rocket.Chat gives a
 * visitor one open room, and the customer may have a DM room open), a livechat room in the *Department for
 * public mentions*, visibly public (source label and icon, a first line saying answers are public). One
 * opener wins across instances (create-only claims, as for DM rooms); no automatic message goes to X: X's
 * automation rules forbid unsolicited public replies (research/market.md §6), so no welcome is posted.
 */
import type { IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { OmnichannelSourceType } from '@rocket.chat/apps-engine/definition/livechat/ILivechatRoom';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { sleep } from '../lib/locks';
import { serverTranslator } from '../lib/language';
import { wins } from '../storage/claims';
import {
    claimThreadOpening,
    clearThreadOpening,
    closeThreadRoom,
    loadThread,
    openThread,
    ThreadRecord,
} from '../storage/public-threads';
import type { InboundPost, XUserProfile } from '../x/event-types';
import { threadVisitorToken, threadVisitorUsername } from '../x/ids';
import type { BridgeContext } from './context';
import { displayName, identityFields, registerCustomer } from './contact-identity';
import { ContactBlockedError, resolveDepartmentId } from './conversation-opener';
import { newClaim, STALE_CLAIM_MS } from './inbound-claims';
import { postUrl } from './public-decisions';
import { postRoomNotice } from './room-poster';

export interface ThreadRef {
    accountId: string;
    customerId: string;
    threadId: string;
}

/** Where agents see that a room is public: Rocket.Chat shows the app source's label and icon. */
const PUBLIC_SOURCE_LABEL = 'X (Twitter) · public';
const PUBLIC_ICON = 'x-public-sidebar.svg';
const OPENING_WAIT_MS = 3_000;

function authorProfile(post: InboundPost): XUserProfile {
    return {
        ...(post.authorUsername ? { username: post.authorUsername } : {}),
        ...(post.authorName ? { name: post.authorName } : {}),
        ...post.users[post.authorId],
        id: post.authorId,
    };
}

/** The thread's room if it is still open; a closed or deleted one is forgotten (the next mention opens anew). */
export async function openThreadOf(
    ctx: BridgeContext,
    thread: ThreadRecord | undefined,
): Promise<ThreadRecord | undefined> {
    if (!thread) return undefined;
    const room = (await ctx.read.getRoomReader().getById(thread.roomId)) as ILivechatRoom | undefined;
    if (room?.isOpen === true) return thread;
    await closeThreadRoom(ctx.persistence, thread.roomId);
    return undefined;
}

/** Rocket.Chat closed a thread's room: forgotten (nothing goes to X, no public goodbye). */
export async function threadRoomClosed(persistence: IPersistence, roomId: string): Promise<void> {
    await closeThreadRoom(persistence, roomId);
}

export type ThreadOpening = { ok: true; thread: ThreadRecord } | { ok: false; reason: 'no-agent-online' | 'blocked' };

/** No open room for the thread: the first claimant opens it; the others wait for its room. */
export async function openForThread(ctx: BridgeContext, ref: ThreadRef, post: InboundPost): Promise<ThreadOpening> {
    const claim = newClaim();
    await claimThreadOpening(ctx.persistence, ref, claim, ctx.now());
    const fresh = await loadThread(ctx.read.getPersistenceReader(), ref.accountId, ref.customerId, ref.threadId);
    if (fresh.thread) return { ok: true, thread: fresh.thread };
    const live = fresh.openingClaims.filter((c) => ctx.now() - c.at < STALE_CLAIM_MS);
    if (!wins(live, claim)) return waitForThread(ctx, ref);
    try {
        return await openAsWinner(ctx, ref, post);
    } finally {
        await clearThreadOpening(ctx.persistence, ref);
    }
}

async function waitForThread(ctx: BridgeContext, ref: ThreadRef): Promise<ThreadOpening> {
    for (let waited = 0; waited < OPENING_WAIT_MS; waited += 100) {
        await sleep(100);
        const state = await loadThread(ctx.read.getPersistenceReader(), ref.accountId, ref.customerId, ref.threadId);
        if (state.thread) return { ok: true, thread: state.thread };
        if (state.openingClaims.length === 0) break;
    }
    return { ok: false, reason: 'no-agent-online' };
}

async function openAsWinner(ctx: BridgeContext, ref: ThreadRef, post: InboundPost): Promise<ThreadOpening> {
    const departmentId = await resolveDepartmentId(
        ctx,
        ctx.settings.publicMentionsDepartment || ctx.settings.department,
    );
    const profile = authorProfile(post);
    const token = threadVisitorToken(ctx.secrets.visitorTokenKey, ref.accountId, ref.customerId, ref.threadId);
    let room: ILivechatRoom;
    let visitor;
    try {
        visitor = await registerCustomer(
            ctx,
            token,
            profile,
            departmentId,
            threadVisitorUsername(ref.customerId, ref.threadId),
        );
        room = await ctx.modify
            .getCreator()
            .getLivechatCreator()
            .createRoom(visitor, {} as IUser, {
                source: {
                    type: 'app' as OmnichannelSourceType,
                    label: PUBLIC_SOURCE_LABEL,
                    sidebarIcon: PUBLIC_ICON,
                    defaultIcon: PUBLIC_ICON,
                },
                customFields: { ...identityFields(profile), xThreadId: ref.threadId, xPublic: true },
            });
    } catch (e) {
        const text = String((e as Error)?.message ?? e);
        if (/no-agent-online/.test(text)) return { ok: false, reason: 'no-agent-online' };
        if (e instanceof ContactBlockedError || /error-contact-channel-blocked/.test(text))
            return { ok: false, reason: 'blocked' };
        throw e;
    }
    const thread: ThreadRecord = {
        type: 'public-thread',
        ...ref,
        roomId: room.id,
        visitorId: visitor.id!,
        visitorToken: visitor.token,
        visitorUsername: visitor.username,
        visitorName: visitor.name,
        ...(profile.username ? { customerHandle: profile.username } : {}),
        openedAt: ctx.now(),
    };
    await openThread(ctx.persistence, thread);
    const t = await serverTranslator(ctx.read, ctx.now());
    await postRoomNotice(
        ctx,
        room.id,
        t('public_room_opened', { customer: displayName(profile), link: postUrl(profile.username, ref.threadId) }),
    );
    return { ok: true, thread };
}
