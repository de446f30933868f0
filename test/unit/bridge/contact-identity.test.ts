import { displayName, identityChanged, identityFields } from '../../../src/bridge/contact-identity';
import type { ConversationRecord } from '../../../src/storage/conversations';

const conversation = (fields: Partial<ConversationRecord> = {}): ConversationRecord => ({
    type: 'conversation',
    accountId: '1',
    customerId: '42',
    roomId: 'r1',
    visitorId: 'v1',
    visitorToken: 'x1.1.42.mac',
    visitorUsername: 'x-42',
    visitorName: 'Carla',
    customerHandle: 'carla',
    openedAt: 0,
    ...fields,
});

describe('the customer X identity on the contact', () => {
    it('names the id always, the handle and profile link only when the profile has a handle', () => {
        expect(identityFields({ id: '42', username: 'carla', name: 'Carla' })).toEqual({
            xUserId: '42',
            xUsername: '@carla',
            xProfileUrl: 'https://x.com/carla',
        });
        expect(identityFields({ id: '42' })).toEqual({ xUserId: '42' });
    });

    it('shows the display name, else the handle, else the id', () => {
        expect(displayName({ id: '42', username: 'carla', name: '  Carla C  ' })).toBe('Carla C');
        expect(displayName({ id: '42', username: 'carla', name: ' ' })).toBe('@carla');
        expect(displayName({ id: '42' })).toBe('42');
    });

    it('sees a rename only in what the event names', () => {
        expect(identityChanged(conversation(), { id: '42', username: 'carla', name: 'Carla' })).toBe(false);
        expect(identityChanged(conversation(), { id: '42', username: 'carla_new', name: 'Carla' })).toBe(true);
        expect(identityChanged(conversation(), { id: '42', username: 'carla', name: 'Carla N' })).toBe(true);
        // An event without the profile says nothing about a rename.
        expect(identityChanged(conversation(), { id: '42' })).toBe(false);
        // A record from before handles were kept is brought up to date once.
        expect(
            identityChanged(conversation({ customerHandle: undefined }), {
                id: '42',
                username: 'carla',
                name: 'Carla',
            }),
        ).toBe(true);
    });
});
