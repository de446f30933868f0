/**
 * An OAuth 2.0 link waits for the admin who started it. The callback proves only that someone finished X's
 * consent with the authorize link: a leaked link lets anyone attach their own X account. So the callback
 * stores a pending link (the token, the @handle X reported, the admin, a 10-minute expiry) and asks that
 * admin in the setup room: "Link @handle" or "Cancel". Rocket.Chat tells the app who pressed a button from
 * the request's authentication; everything else in an interaction (room, message, value) comes from the
 * client and is only used to find the pending link, never to decide who may confirm it.
 */
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LayoutBlock } from '@rocket.chat/ui-kit';
import { randomBytes } from 'crypto';
import { I18nKey, Translate, translator } from '../i18n/translate';
import { languageOf } from '../lib/language';
import type { OAuth2Tokens } from '../x/credentials';
import { wins } from '../storage/claims';
import type { XUser } from '../x/client-types';
import { AdminAccessors, LinkOutcome, linkWithOAuth2Tokens, revokeTokens } from './link';
import { isAdmin } from './roles';
import { ensureSetupRoom } from './setup-room';
import { PendingLink, pendingLinkKeys } from '../storage/link-records';

export const CONFIRM_LINK_ACTION = 'x-link-confirm';
export const CANCEL_LINK_ACTION = 'x-link-cancel';
const PENDING_LINK_TTL_MS = 10 * 60_000;

const { all: ALL_PENDING, own: ownKey, decision: decisionKey } = pendingLinkKeys;
/** A claim older than this belongs to a decision that died midway; it no longer blocks the link. */
const DECISION_CLAIM_LIFETIME_MS = 60_000;

/** What a press decided; `messageId` is the confirmation message to close, when the link is decided. */
export type ConfirmationOutcome =
    | { ok: true; account: XUser; link: LinkOutcome; messageId?: string }
    | { ok: false; reasonKey: I18nKey; account?: XUser; messageId?: string };

/**
 * Stores the link and asks the admin in the setup room (created or joined if need be). Returns the room,
 * whose name the callback page tells the admin.
 */
export async function askToConfirmLink(
    a: AdminAccessors,
    pending: { adminId: string; account: XUser; tokens: OAuth2Tokens },
    admin: IUser | undefined,
    t: Translate,
): Promise<IRoom> {
    await forgetExpiredPendingLinks(a);
    const record: PendingLink = {
        type: 'pending-link',
        id: randomBytes(24).toString('base64url'),
        adminId: pending.adminId,
        account: { id: pending.account.id, username: pending.account.username, name: pending.account.name },
        tokens: pending.tokens,
        expiresAt: a.now() + PENDING_LINK_TTL_MS,
    };
    await a.persistence.createWithAssociations(record, [ALL_PENDING, ownKey(record.id)]);
    // Someone no longer an admin is not brought into the room that holds the webhook URL (and cannot confirm).
    const room = await ensureSetupRoom(a.read, a.modify, a.persistence, admin && isAdmin(admin) ? admin : undefined);
    const appUser = await a.read.getUserReader().getAppUser();
    const text = t('link_confirm_question', {
        admin: admin?.username ?? '',
        username: record.account.username,
        name: inertName(record.account.name),
    });
    const message = a.modify
        .getCreator()
        .startMessage()
        .setRoom(room)
        .setText(text)
        .setGroupable(false)
        .setBlocks(confirmationBlocks(a.appId, record, text, t) as never);
    if (appUser) message.setSender(appUser);
    record.messageId = await a.modify.getCreator().finish(message);
    await a.persistence.updateByAssociations([ALL_PENDING, ownKey(record.id)], record);
    return room;
}

function confirmationBlocks(appId: string, record: PendingLink, text: string, t: Translate): LayoutBlock[] {
    const button = (actionId: string, label: string, style: 'primary' | 'danger') => ({
        type: 'button',
        appId,
        blockId: 'x-link-confirmation',
        actionId,
        value: record.id,
        text: { type: 'plain_text', text: label },
        style,
    });
    return [
        { type: 'section', text: { type: 'mrkdwn', text } },
        {
            type: 'actions',
            blockId: 'x-link-confirmation',
            elements: [
                button(CONFIRM_LINK_ACTION, t('link_confirm_button', { username: record.account.username }), 'primary'),
                button(CANCEL_LINK_ACTION, t('link_cancel_button'), 'danger'),
            ],
        },
    ] as LayoutBlock[];
}

/**
 * The X display name, which whoever completed the consent chose (up to 50 characters), as inert text in the
 * confirmation: inside a code span, so no markup, link or mention in it is rendered, without backticks
 * (which would close the span), `@` (mention parsing) or control and direction characters (which could make
 * the handle read differently).
 */
function inertName(name: string): string {
    const plain = name
        .replace(/[\p{Cc}\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff`@]/gu, '')
        .trim();
    return plain ? `\`${plain}\`` : '—';
}

async function readPending(a: AdminAccessors, id: string): Promise<PendingLink | undefined> {
    const [record] = (await a.read.getPersistenceReader().readByAssociation(ownKey(id))) as unknown as PendingLink[];
    return record?.type === 'pending-link' ? record : undefined;
}

/**
 * Takes the pending link for one decision: confirmed, cancelled or expired, by whichever press, instance or
 * sweep stores the first live claim. Rocket.Chat's persistence has no atomic take (two removals at once both
 * return the record), so without a claim a "Link" and a "Cancel" pressed together on two instances would
 * both proceed: the account linked with a token the other revokes. Undefined when another decision took it.
 */
async function take(a: AdminAccessors, id: string): Promise<PendingLink | undefined> {
    const key = decisionKey(id);
    const claim = randomBytes(9).toString('base64url');
    const now = a.now();
    await a.persistence.createWithAssociation({ type: 'pending-link-decision', claim, at: now }, key);
    const claims = (await a.read.getPersistenceReader().readByAssociation(key)) as unknown as {
        claim?: string;
        at?: number;
    }[];
    if (
        !wins(
            claims.filter((c) => c.claim === claim || now - (c.at ?? 0) < DECISION_CLAIM_LIFETIME_MS),
            claim,
        )
    )
        return undefined;
    // A decision that finished before this claim was stored removed the link first, then its claims.
    const pending = await readPending(a, id);
    if (pending) await a.persistence.removeByAssociation(ownKey(id));
    await a.persistence.removeByAssociation(key);
    return pending;
}

/**
 * The admin who started decides, while still an admin; anyone else's press changes nothing (the link
 * stays for its admin).
 */
async function decide(
    a: AdminAccessors,
    user: IUser,
    id: string | undefined,
): Promise<{ taken: PendingLink } | { refused: ConfirmationOutcome }> {
    const refused = (reasonKey: I18nKey) => ({ refused: { ok: false as const, reasonKey } });
    const pending = id ? await readPending(a, id) : undefined;
    if (!pending) return refused('link_confirm_unknown');
    if (!isAdmin(user) || user.id !== pending.adminId) return refused('link_confirm_not_yours');
    const taken = await take(a, pending.id);
    return taken ? { taken } : refused('link_confirm_unknown');
}

/** "Link @handle": links the account, unless the link expired (then its token is revoked at X). */
export async function confirmPendingLink(
    a: AdminAccessors,
    user: IUser,
    id: string | undefined,
): Promise<ConfirmationOutcome> {
    const decision = await decide(a, user, id);
    if ('refused' in decision) return decision.refused;
    const { taken } = decision;
    if (taken.expiresAt < a.now()) {
        await revokeTokens(a, taken.tokens);
        return { ok: false, reasonKey: 'link_confirm_expired', account: taken.account, messageId: taken.messageId };
    }
    const link = await linkWithOAuth2Tokens(a, taken.account, taken.tokens, taken.adminId);
    return { ok: true, account: taken.account, link, messageId: taken.messageId };
}

/** "Cancel": nothing is linked and the token is revoked at X. */
export async function cancelPendingLink(
    a: AdminAccessors,
    user: IUser,
    id: string | undefined,
): Promise<ConfirmationOutcome> {
    const decision = await decide(a, user, id);
    if ('refused' in decision) return decision.refused;
    const { taken } = decision;
    await revokeTokens(a, taken.tokens);
    return { ok: false, reasonKey: 'link_cancelled', account: taken.account, messageId: taken.messageId };
}

/** The confirmation message once decided: what happened, and no buttons left to press. */
export async function closeConfirmationMessage(a: AdminAccessors, messageId: string, text: string): Promise<void> {
    const appUser = await a.read.getUserReader().getAppUser();
    if (!appUser) return;
    const builder = await a.modify.getUpdater().message(messageId, appUser);
    builder.setText(text).setBlocks([{ type: 'section', text: { type: 'mrkdwn', text } }] as never);
    await a.modify.getUpdater().finish(builder);
}

/**
 * Pending links nobody decided within their 10 minutes: removed, their tokens revoked at X and their
 * confirmation messages closed. Run at each new authorization and by the daily housekeeping job, so an
 * unconfirmed token is kept at most a day after it expired. Returns how many were forgotten.
 */
export async function forgetExpiredPendingLinks(a: AdminAccessors): Promise<number> {
    const all = (await a.read.getPersistenceReader().readByAssociation(ALL_PENDING)) as unknown as PendingLink[];
    let forgotten = 0;
    for (const record of all) {
        if (record.type !== 'pending-link' || record.expiresAt >= a.now()) continue;
        const taken = await take(a, record.id);
        if (!taken) continue;
        forgotten++;
        await revokeTokens(a, taken.tokens);
        if (taken.messageId) {
            const t = translator(
                await languageOf(a.read, (await a.read.getUserReader().getById(taken.adminId)) ?? undefined),
            );
            // An admin may have deleted the message: the link is forgotten all the same.
            await closeConfirmationMessage(
                a,
                taken.messageId,
                t('link_confirm_expired', { username: taken.account.username }),
            ).catch(() => undefined);
        }
    }
    return forgotten;
}
