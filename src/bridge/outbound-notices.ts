/**
 * What agents are told about their replies: a visible notice in the room when X refused or could not take
 * a reply (with the reason and what to do), an ephemeral note to the agent when a file or an edit cannot
 * follow. Nothing an agent wrote is dropped without a word.
 */
import type { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { failureReasonKey } from '../i18n/x-failures';
import { I18nKey, Translate, translator } from '../i18n/translate';
import { notifyEphemeral } from '../lib/ephemeral';
import { languageOf, serverTranslator } from '../lib/language';
import type { OutboxOrigin } from '../storage/outbox';
import { dmCategoryFor } from '../x/media-limits';
import type { BridgeContext } from './context';
import type { FileVerdict } from './media-rules';
import { formatBytes } from './media-rules';
import type { DeliveryFailureKind } from './outbound-send';
import { postRoomNotice } from './room-poster';

export type UndeliveredReason = DeliveryFailureKind | 'gave-up' | 'account-changed' | 'customer-blocked';

function reasonKey(reason: UndeliveredReason): I18nKey {
    if (reason === 'gave-up') return 'outbound_reason_gave_up';
    if (reason === 'account-changed') return 'outbound_reason_account_changed';
    if (reason === 'customer-blocked') return 'outbound_reason_customer_blocked';
    if (reason === 'file-unreadable') return 'outbound_reason_file_unreadable';
    return failureReasonKey(reason);
}

/** What the agent can do about it, when the reason itself does not say. */
function actionKey(reason: UndeliveredReason): I18nKey | undefined {
    switch (reason) {
        case 'recipient-refuses-dms':
        case 'recipient-not-following':
        case 'sender-unverified':
            return 'outbound_action_recipient_refuses_dms';
        case 'forbidden':
        case 'media-not-permitted':
        case 'invalid-request':
        case 'file-unreadable':
        case 'gave-up':
            return 'outbound_action_send_again';
        default:
            return undefined;
    }
}

function undeliveredText(t: Translate, reason: UndeliveredReason, count: number, origin: OutboxOrigin): string {
    const because = t(reasonKey(reason));
    const head =
        origin !== 'agent'
            ? t('lifecycle_dm_failed', { reason: because })
            : count > 1
              ? t('outbound_not_delivered_many', { count, reason: because })
              : t('outbound_not_delivered', { reason: because });
    const action = actionKey(reason);
    return action ? `${head} ${t(action)}` : head;
}

/** A visible notice in the room: `count` DMs did not reach the customer, why, and what to do. */
export async function noticeUndelivered(
    ctx: BridgeContext,
    roomId: string,
    reason: UndeliveredReason,
    count: number,
    origin: OutboxOrigin,
): Promise<void> {
    try {
        await postRoomNotice(
            ctx,
            roomId,
            undeliveredText(await serverTranslator(ctx.read, ctx.now()), reason, count, origin),
        );
    } catch (e) {
        // A closed room may refuse new messages; the log is then the only place left.
        ctx.logger.warn(
            `Room ${roomId}: ${count} DM(s) undelivered (${reason}); the notice could not be posted: ${(e as Error)?.message ?? e}`,
        );
    }
}

/** Posted once when a conversation starts waiting for X, so agents know their replies are not lost. */
export async function noticeQueued(
    ctx: BridgeContext,
    roomId: string,
    kind: DeliveryFailureKind,
    retryAt: number | undefined,
): Promise<void> {
    try {
        const t = await serverTranslator(ctx.read, ctx.now());
        const text =
            kind === 'rate-limited' && retryAt
                ? t('outbound_queued_rate_limited', { time: `${new Date(retryAt).toISOString().slice(11, 16)} UTC` })
                : kind === 'credits-depleted'
                  ? t('outbound_queued_credits')
                  : t('outbound_queued_unavailable');
        await postRoomNotice(ctx, roomId, text);
    } catch (e) {
        ctx.logger.warn(`Room ${roomId}: the queued notice could not be posted: ${(e as Error)?.message ?? e}`);
    }
}

/** The sentence saying which Files rule refused a file. */
export function fileRuleText(
    t: Translate,
    verdict: Exclude<FileVerdict, { ok: true }>,
    type: string,
    size: number,
): string {
    switch (verdict.rule) {
        case 'uploads-disabled':
            return t('outbound_file_rule_uploads_disabled');
        case 'type-not-accepted':
            return dmCategoryFor(type)
                ? t('outbound_file_rule_type_not_accepted', { type })
                : t('outbound_file_rule_type_not_supported', { type });
        case 'larger-than-setting':
            return t('outbound_file_rule_larger_than_setting', {
                size: formatBytes(size),
                limit: formatBytes(verdict.limitBytes),
            });
        case 'larger-than-x-allows':
            return t('outbound_file_rule_larger_than_x_allows', {
                size: formatBytes(size),
                limit: formatBytes(verdict.limitBytes),
            });
    }
}

/** An ephemeral note to one agent, in their language. Never throws: the note is a courtesy. */
export async function tellAgent(
    read: IRead,
    modify: IModify,
    agent: IUser,
    room: IRoom,
    compose: (t: Translate) => string,
    log?: (message: string) => void,
): Promise<void> {
    try {
        const t = translator(await languageOf(read, agent));
        await notifyEphemeral(read, modify, agent, room, compose(t));
    } catch (e) {
        log?.(`Could not notify agent ${agent?.id}: ${(e as Error)?.message ?? e}`);
    }
}
