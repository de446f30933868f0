/**
 * The *Retention (days)* sweep, part of the daily housekeeping: the app's own records about conversations
 * that are older than the retention go; nothing younger is touched. Seen markers, posted mappings and
 * blocked-DM records already go after SEEN_RETENTION_DAYS (housekeeping.ts), which the setting cannot
 * undercut; what is left is what normally goes when its work is done and stays when it never is:
 * messages that never found a room, in-doubt events and mirror candidates never settled, replies the
 * outbox could not deliver, opening claims and conversation records left by a crash, unavailable notices.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { DAY } from '../lib/time';
import { ConversationStore } from '../storage/conversations';
import { OutboxStore } from '../storage/outbox';

export async function sweepRetention(
    read: IRead,
    persistence: IPersistence,
    now: number,
    retentionDays: number,
): Promise<number> {
    const reader = read.getPersistenceReader();
    const store = new ConversationStore();
    const cutoff = now - retentionDays * DAY;
    const old = (at: unknown) => typeof at === 'number' && at < cutoff;
    let removed = 0;

    for (const p of await store.allPending(reader)) {
        if (p?.type !== 'pending' || !old(p.at)) continue;
        await store.removePending(persistence, p.event.accountId, p.event.senderId, p.eventId);
        removed++;
    }
    for (const d of await store.allInDoubt(reader)) {
        if (!old(d.at)) continue;
        await store.removeInDoubt(persistence, d.event.accountId, d.event.senderId, d.eventId);
        removed++;
    }
    for (const c of await store.allMirrorCandidates(reader)) {
        if (!old(c.at)) continue;
        await store.removeMirrorCandidate(persistence, c.event.accountId, c);
        removed++;
    }
    const outbox = new OutboxStore();
    for (const item of await outbox.all(reader)) {
        if (!old(item.queuedAt)) continue;
        await outbox.remove(persistence, item);
        removed++;
    }
    for (const n of await store.allUnavailableNotices(reader)) {
        // Notices of earlier versions name no conversation: they stay until the customer is forgotten.
        if (!old(n.at) || !n.accountId || !n.customerId) continue;
        await store.removeUnavailableNotice(persistence, n.accountId, n.customerId);
        removed++;
    }
    // Claims are cleared as soon as a room opens: any left are a crash's. A young one may belong to an
    // opening under way right now, and claims can only be removed all at once: then they wait a day.
    const claims = await store.allOpeningClaims(reader);
    if (claims.length && claims.every((c) => old(c.at))) removed += await store.removeAllOpeningClaims(persistence);
    // A room closed while no instance listened (or deleted) leaves its conversation record behind.
    for (const conversation of await store.allOpen(reader)) {
        if (!old(conversation.openedAt)) continue;
        const room = (await read.getRoomReader().getById(conversation.roomId)) as ILivechatRoom | undefined;
        if (room?.isOpen === true) continue;
        await store.closeRoom(persistence, conversation.roomId);
        removed++;
    }
    return removed;
}
