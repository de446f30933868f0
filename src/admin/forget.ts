/**
 * `/twitter forget @handle|id [--close]` (admins): erasure of one customer from the app's persistence.
 * Every record the app keeps about a customer is filed under their conversation key or their outbox key
 * (storage/conversations.ts, storage/outbox.ts), so two removals take everything; what those records
 * billed is first written again as ledger entries that name nobody, so the month's cost stays whole.
 * Their Rocket.Chat visitor, rooms and messages are Rocket.Chat's data, left to its own tools.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { xClientFor } from '../bridge/build-context';
import { inConversationLane } from '../bridge/outbound';
import { outboundState } from '../bridge/outbound-state';
import { Translate } from '../i18n/translate';
import { explainFailure } from '../i18n/x-failures';
import { serverTranslator } from '../lib/language';
import { readSettings } from '../settings/reader';
import { listAccounts } from '../storage/accounts';
import { readAppSecrets } from '../storage/app-secrets';
import { conversationKey } from '../storage/conversation-keys';
import { ConversationStore } from '../storage/conversations';
import { anonymizeLedgerEntries, recordBillable } from '../storage/ledger';
import { OutboxStore } from '../storage/outbox';
import { toXFailure } from '../x/errors';
import { visitorToken } from '../x/ids';
import type { CommandReply } from './authorize';
import type { AdminAccessors } from './link';

type Target = { id: string } | { handle: string };

/**
 * The command's arguments are attacker input (any admin's typing, pasted text): exactly one target — an X
 * id (digits) or a handle (@ and X's username rule) — and optionally `--close`; anything else is refused.
 */
function parseForgetArgs(args: string[]): { target: Target; close: boolean } | undefined {
    const words = args.map((a) => a.trim()).filter(Boolean);
    const close = words.includes('--close');
    const rest = words.filter((w) => w !== '--close');
    if (rest.length !== 1 || words.length - rest.length > 1) return undefined;
    const word = rest[0];
    if (/^\d{1,20}$/.test(word)) return { target: { id: String(BigInt(word)) }, close };
    const handle = /^@?([A-Za-z0-9_]{1,15})$/.exec(word);
    return handle ? { target: { handle: handle[1] }, close } : undefined;
}

export async function forgetCustomer(a: AdminAccessors, args: string[], t: Translate): Promise<CommandReply> {
    const parsed = parseForgetArgs(args);
    if (!parsed) return { text: t('forget_usage') };
    const reader = a.read.getPersistenceReader();
    const accounts = await listAccounts(reader);
    if (accounts.length === 0) return { text: t('forget_not_linked') };
    let customerId: string;
    let label: string;
    if ('id' in parsed.target) {
        customerId = parsed.target.id;
        label = customerId;
    } else {
        const settings = await readSettings(a.read);
        try {
            // Any linked account may look the handle up: the answer is the same for all.
            const user = await xClientFor(a.read, a.http, a.persistence, settings, a.now, {
                account: accounts[0],
            }).userByUsername(parsed.target.handle);
            if (!user) return { text: t('forget_unknown_handle', { handle: parsed.target.handle }) };
            await recordBillable(a.persistence, 'user_read', 1, a.now(), accounts[0].accountId);
            customerId = user.id;
            label = `@${user.username} (${user.id})`;
        } catch (e) {
            return { text: t('forget_lookup_failed', { reason: explainFailure(t, toXFailure(e, a.now())) }) };
        }
    }
    if (accounts.some((account) => account.accountId === customerId)) return { text: t('forget_own_account') };

    // The customer may have written to several of the business accounts: each conversation goes.
    const secrets = await readAppSecrets(reader);
    const roomsByAccount = await Promise.all(
        accounts.map(async ({ accountId }) =>
            secrets ? openRoomsOf(a, visitorToken(secrets.visitorTokenKey, accountId, customerId)) : [],
        ),
    );
    // Without --close an open room would go on sending the agent's replies and seen markers would come back.
    if (roomsByAccount.some((rooms) => rooms.length > 0) && !parsed.close) {
        return { text: t('forget_room_open', { customer: label }) };
    }
    let count = 0;
    let closedAny = false;
    for (const [i, { accountId }] of accounts.entries()) {
        const ref = { accountId, customerId };
        // In the customer's lane: a reply being sent on this instance finishes before, none starts during.
        count += await inConversationLane(ref, async () => {
            // Queued replies go first, so nothing is sent between the room's close and the removal.
            const outbox = (await new OutboxStore().removeConversation(a.persistence, accountId, customerId)).length;
            if (parsed.close) closedAny = (await closeRooms(a, roomsByAccount[i])) || closedAny;
            const records = await reader.readByAssociation(conversationKey(accountId, customerId));
            await anonymizeLedgerEntries(reader, a.persistence, records);
            const removed = (await new ConversationStore().forgetCustomer(a.persistence, accountId, customerId)).length;
            return removed + outbox;
        });
    }
    const lines = parsed.close ? [t(closedAny ? 'forget_room_closed' : 'forget_no_open_room')] : [];
    return {
        text: [
            t('forget_done', { customer: label, count }),
            ...lines,
            count === 0 && 'handle' in parsed.target ? t('forget_nothing_found') : '',
            t('forget_rocket_chat_data'),
        ]
            .filter(Boolean)
            .join('\n'),
    };
}

/**
 * Their open rooms, found by the visitor token rather than the app's records: a room the records lost (an
 * earlier forget, a record swept) is still theirs. Rocket.Chat's `getLivechatRooms(visitor)` returns the open ones.
 */
async function openRoomsOf(a: AdminAccessors, token: string): Promise<ILivechatRoom[]> {
    const livechat = a.read.getLivechatReader();
    const visitor = await livechat.getLivechatVisitorByToken(token);
    return visitor ? (await livechat.getLivechatRooms(visitor)).filter((room) => room.isOpen) : [];
}

/**
 * `--close`: their open rooms are closed by the app, with a comment saying why (in the server's language).
 * Whether any was closed.
 */
async function closeRooms(a: AdminAccessors, rooms: ILivechatRoom[]): Promise<boolean> {
    if (rooms.length === 0) return false;
    const comment = (await serverTranslator(a.read, a.now()))('forget_close_comment');
    const appUser = await a.read.getUserReader().getAppUser();
    for (const room of rooms) {
        outboundState.forgottenRooms.add(room.id, a.now());
        await a.modify.getUpdater().getLivechatUpdater().closeRoom(room, comment, appUser);
    }
    return true;
}
