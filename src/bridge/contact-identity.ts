/**
 * The customer's X identity on their Rocket.Chat visitor and contact. Rocket.Chat (7.0+) keeps one contact
 * per visitor and source: a new room finds it by the visitor's id and this app's source
 * (apps/meteor/app/livechat/server/lib/contacts/migrateVisitorIfMissingContact.ts) and creates it from the
 * visitor the first time, name and custom fields included (contacts/mapVisitorToContact.ts). The visitor is
 * the same for every room of a customer (its token derives from the X ids), so one contact carries them all.
 *
 * What the app can write: the visitor's name (registerGuest, which also updates the contact's name,
 * contacts/registerGuestData.ts) and visitor custom fields through the bridge's setCustomFields, which
 * Rocket.Chat applies to the visitor's contacts too (apps/meteor/app/livechat/server/lib/custom-fields.ts).
 * A custom field must have been defined by an admin (Omnichannel → Custom Fields): any other key is refused
 * with `invalid-custom-field`. Apps-Engine 1.62 gives apps no way to define one, nor to write a contact's
 * channels (its ContactBridge only reads a contact, verifies a channel and adds an e-mail).
 */
import type { IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { ConversationRecord } from '../storage/conversations';
import type { XUserProfile } from '../x/event-types';
import { profileUrl, visitorUsername } from '../x/ids';
import type { BridgeContext } from './context';

/** The visitor custom fields the app fills when an admin has defined them (scope Visitor). */
type ContactFieldId = 'xUserId' | 'xUsername' | 'xProfileUrl';

/** The X identity as custom field values; the handle ones only when the profile names it. */
export function identityFields(profile: XUserProfile): Partial<Record<ContactFieldId, string>> {
    return {
        xUserId: profile.id,
        ...(profile.username ? { xUsername: `@${profile.username}`, xProfileUrl: profileUrl(profile.username) } : {}),
    };
}

export function displayName(profile: XUserProfile): string {
    return profile.name?.trim() || (profile.username ? `@${profile.username}` : profile.id);
}

/** Fields found undefined in Rocket.Chat, per process; asked again after a while (an admin may add them). */
const undefinedFields = new Map<string, number>();
const UNDEFINED_FIELD_RECHECK_MS = 10 * 60_000;

const isUndefinedFieldError = (e: unknown) => /invalid-custom-field/.test(String((e as Error)?.message ?? e));

/**
 * Writes the fields whose value differs from `known` (the visitor's livechatData as Rocket.Chat returned
 * it): nothing when nothing changed, so an unchanged customer costs no call. A field Rocket.Chat does not
 * know is skipped (and noted once per process); a value refused by the field's regular expression too.
 */
async function writeIdentityFields(
    ctx: BridgeContext,
    visitorToken: string,
    profile: XUserProfile,
    known: Record<string, unknown> | undefined,
): Promise<void> {
    const updater = ctx.modify.getUpdater().getLivechatUpdater();
    for (const [key, value] of Object.entries(identityFields(profile))) {
        if (known?.[key] === value) continue;
        const missingSince = undefinedFields.get(key);
        if (missingSince !== undefined && ctx.now() - missingSince < UNDEFINED_FIELD_RECHECK_MS) continue;
        try {
            await updater.setCustomFields(visitorToken, key, value, true);
            undefinedFields.delete(key);
        } catch (e) {
            if (isUndefinedFieldError(e)) {
                if (missingSince === undefined)
                    ctx.logger.info(
                        `Omnichannel custom field "${key}" is not defined: the contact does not show it (see README, Contacts).`,
                    );
                undefinedFields.set(key, ctx.now());
            } else ctx.logger.warn(`Custom field "${key}" not saved: ${(e as Error)?.message ?? e}`);
        }
    }
}

/**
 * The customer's visitor, created or updated (Rocket.Chat's registerGuest finds it by token, so the name
 * stays current and the contact's name follows), with the X identity in its custom fields.
 */
export async function registerCustomer(
    ctx: BridgeContext,
    token: string,
    customer: XUserProfile,
    departmentId?: string,
    username = visitorUsername(customer.id),
): Promise<IVisitor> {
    const visitor = await ctx.modify
        .getCreator()
        .getLivechatCreator()
        .createAndReturnVisitor({
            token,
            username,
            name: displayName(customer),
            ...(departmentId ? { department: departmentId } : {}),
        } as IVisitor);
    if (!visitor) throw new Error('Rocket.Chat did not create the visitor');
    await writeIdentityFields(ctx, visitor.token, customer, visitor.livechatData);
    return visitor;
}

/**
 * Whether a DM shows the customer under another name or handle than the conversation recorded. Only what
 * the event names counts (an event without the profile says nothing); a record from before handles were
 * kept counts as changed once.
 */
export function identityChanged(conversation: ConversationRecord, profile: XUserProfile): boolean {
    if (!profile.username) return false;
    return conversation.customerHandle !== profile.username || conversation.visitorName !== displayName(profile);
}

/**
 * A renamed customer (the DM event carries their current name and handle: no X call): the visitor, its
 * contact and the conversation record are brought up to date. The open room keeps its title (Rocket.Chat
 * names a room when it opens); the next room shows the new name.
 */
export async function refreshIdentity(
    ctx: BridgeContext,
    conversation: ConversationRecord,
    profile: XUserProfile,
): Promise<ConversationRecord> {
    try {
        const visitor = await registerCustomer(ctx, conversation.visitorToken, profile);
        const updated: ConversationRecord = {
            ...conversation,
            visitorName: visitor.name,
            customerHandle: profile.username,
        };
        await ctx.conversations.update(ctx.persistence, updated);
        return updated;
    } catch (e) {
        // The message matters more than the contact: it is posted whatever happened here.
        ctx.logger.warn(`Contact of X user ${profile.id} not updated: ${(e as Error)?.message ?? e}`);
        return conversation;
    }
}
