import { CRC_BURST, CRC_REFILL_MS, CRC_TOKEN_FORM, decideCrc } from '../../../src/endpoints/crc';

describe('which crc_token the webhook answers', () => {
    it.each([
        ['X 2026 (base64 of a UUID)', 'M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0'],
        ['X 2017', 'OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi'],
        ['padded base64', 'c29tZSBjaGFsbGVuZ2UgdG9rZW4='],
        ['base64url', 'a-b_c-d_e-f_g-h_i-j_'],
    ])('answers %s', (_what, token) => {
        expect(CRC_TOKEN_FORM.test(token)).toBe(true);
    });

    it.each([
        ['a delivery body', '{"for_user_id":"1","direct_message_events":[]}'],
        ['a body with a space in front', ' {"a":1}'],
        ['text with spaces', 'test token with spaces'],
        ['too short', 'abc'],
        ['too long', 'A'.repeat(129)],
        ['too much padding', `${'A'.repeat(20)}===`],
        ['a newline', `${'A'.repeat(20)}\n`],
        ['non-ASCII', `${'A'.repeat(20)}é`],
    ])('refuses %s with 400', (_what, token) => {
        const decision = decideCrc(token, 0);
        expect(decision.ok).toBe(false);
        expect(!decision.ok && decision.response).toMatchObject({
            status: 400,
            content: { error: 'invalid_crc_token' },
        });
    });

    it('refuses a missing token with 400', () => {
        expect(decideCrc(undefined, 0)).toMatchObject({
            ok: false,
            response: { status: 400, content: { error: 'missing_crc_token' } },
        });
        expect(decideCrc(['a', 'b'], 0)).toMatchObject({ ok: false, response: { status: 400 } });
    });

    it(`answers ${CRC_BURST} in a row, then 429 with Retry-After until the bucket refills`, () => {
        const token = 'M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0';
        const start = 1_000_000;
        const decisions = Array.from({ length: CRC_BURST + 1 }, () => decideCrc(token, start));
        expect(decisions.filter((d) => d.ok)).toHaveLength(CRC_BURST);
        const refused = decisions[CRC_BURST];
        expect(refused).toMatchObject({
            ok: false,
            response: { status: 429, content: { error: 'crc_rate_limited' }, headers: { 'retry-after': '3' } },
        });
        expect(decideCrc(token, start + CRC_REFILL_MS)).toEqual({ ok: true, token });
    });
});
