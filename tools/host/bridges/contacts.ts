/**
 * Omnichannel contacts as Rocket.Chat 8.x keeps them (apps/meteor/app/livechat/server/lib/contacts/): one
 * contact per visitor and source, found or created when a room opens, updated when the visitor is registered
 * again or a visitor custom field is set. Only what an app can cause is modelled.
 */
import type { ILivechatContact, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { HostStore } from '../store';

type Source = { type: string; id?: string; label?: string } & Record<string, unknown>;

/** A contact as the host stores it: Rocket.Chat's fields plus the conflicts it records. */
export type HostContact = ILivechatContact & { hasConflicts?: boolean };

/**
 * migrateVisitorIfMissingContact.ts: the contact whose channels hold this visitor and source
 * (getContactIdByVisitor.ts), else one made from the visitor (createContactFromVisitor.ts → mapVisitorToContact.ts:
 * name = visitor name or username, custom fields = the visitor's livechatData, one channel named after the
 * source's label, `unknown` while the visitor has no activity — the host records none). Returns its id, which
 * Rocket.Chat also writes on the room (`contactId`, LivechatRooms.setContactIdByVisitorIdOrToken).
 */
export function contactForRoom(store: HostStore, visitor: IVisitor, source: Source): string {
    const existing = [...store.contacts.values()].find((c) =>
        c.channels.some(
            (ch) =>
                ch.visitor.visitorId === visitor.id &&
                ch.visitor.source.type === source.type &&
                (ch.visitor.source.id ?? undefined) === (source.id ?? undefined),
        ),
    );
    if (existing) return existing._id;
    const id = store.newId('c');
    const now = store.now();
    store.contacts.set(id, {
        _id: id,
        _updatedAt: now,
        createdAt: now,
        name: visitor.name || visitor.username,
        unknown: true,
        customFields: { ...((visitor.livechatData as Record<string, string> | undefined) ?? {}) },
        channels: [
            {
                name: source.label || source.type,
                visitor: {
                    visitorId: visitor.id!,
                    source: { type: source.type, ...(source.id ? { id: source.id } : {}) },
                },
                blocked: false,
                verified: false,
                details: source,
            },
        ],
    } as unknown as HostContact);
    return id;
}

const contactsOfVisitor = (store: HostStore, visitorId: string) =>
    [...store.contacts.values()].filter((c) => c.channels.some((ch) => ch.visitor.visitorId === visitorId));

/**
 * registerGuestData.ts: a visitor registered again updates its contact's name — overwritten while the contact
 * is `unknown` (ContactMerger.mergeFieldsIntoContact, mode 'overwrite'), otherwise recorded as a conflicting
 * field for an agent to resolve (mode 'conflict').
 */
export function contactNameFromVisitor(store: HostStore, visitorId: string, name: string | undefined): void {
    if (!name) return;
    const contact = contactsOfVisitor(store, visitorId)[0];
    if (!contact || contact.name === name) return;
    if (contact.unknown) store.contacts.set(contact._id, { ...contact, name, _updatedAt: store.now() });
    else
        store.contacts.set(contact._id, {
            ...contact,
            hasConflicts: true,
            conflictingFields: [...(contact.conflictingFields ?? []), { field: 'name', value: name }],
        });
}

/**
 * custom-fields.ts updateContactsCustomFields: a visitor-scope custom field set through the apps bridge is
 * copied to every contact of that visitor (overwritten, or recorded as a conflict when `overwrite` is false
 * and the contact has a value).
 */
export function contactCustomField(
    store: HostStore,
    visitorId: string,
    key: string,
    value: string,
    overwrite: boolean,
): void {
    for (const contact of contactsOfVisitor(store, visitorId)) {
        const fields = { ...((contact.customFields as Record<string, string> | undefined) ?? {}) };
        if (overwrite || !fields[key]) {
            fields[key] = value;
            store.contacts.set(contact._id, { ...contact, customFields: fields, _updatedAt: store.now() });
        } else
            store.contacts.set(contact._id, {
                ...contact,
                conflictingFields: [...(contact.conflictingFields ?? []), { field: `customFields.${key}`, value }],
            });
    }
}
