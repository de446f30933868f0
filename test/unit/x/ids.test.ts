import {
    conversationId,
    conversationIdOf,
    isOurVisitorToken,
    parseVisitorToken,
    visitorToken,
    visitorUsername,
} from '../../../src/x/ids';

const ACCOUNT = '1205290247124217856';
const CUSTOMER = '2975699229';

describe('ids derived from X ids', () => {
    // Persisted in record keys (x-conv:…, x-outbox:…) by installed apps: the form must not change.
    it('names a conversation as account:customer, from ids or from a record', () => {
        expect(conversationId(ACCOUNT, CUSTOMER)).toBe(`${ACCOUNT}:${CUSTOMER}`);
        expect(conversationIdOf({ accountId: ACCOUNT, customerId: CUSTOMER })).toBe(`${ACCOUNT}:${CUSTOMER}`);
    });

    it('derives the same visitor token everywhere, and accepts only tokens under its own key', () => {
        const token = visitorToken('install-key', ACCOUNT, CUSTOMER);
        expect(token).toMatch(new RegExp(`^x1\\.${ACCOUNT}\\.${CUSTOMER}\\.[A-Za-z0-9_-]{22}$`));
        expect(visitorToken('install-key', ACCOUNT, CUSTOMER)).toBe(token);
        expect(parseVisitorToken(token)).toEqual({ accountId: ACCOUNT, customerId: CUSTOMER });
        expect(isOurVisitorToken('install-key', token)).toBe(true);
        expect(isOurVisitorToken('another-key', token)).toBe(false);
        expect(isOurVisitorToken('install-key', token.replace(CUSTOMER, '2975699228'))).toBe(false);
        expect(parseVisitorToken('x1.1.2.short')).toBeUndefined();
        expect(parseVisitorToken(undefined)).toBeUndefined();
    });

    it('names the visitor after the customer id, not the handle', () => {
        expect(visitorUsername(CUSTOMER)).toBe(`x-${CUSTOMER}`);
    });
});
