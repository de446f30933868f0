import { parseDepartmentArguments, parseOptionalHandle } from '../../src/commands/account-args';
import { parseDmArguments } from '../../src/commands/dm-args';
import { parseSubcommand, SUBCOMMANDS } from '../../src/commands/TwitterCommand';

describe('/twitter argument parsing', () => {
    it.each(SUBCOMMANDS)('recognizes %s in any case', (sub) => {
        expect(parseSubcommand([sub.toUpperCase()])).toEqual({ subcommand: sub });
    });

    it('treats no argument as help, without calling it unknown', () => {
        expect(parseSubcommand([])).toEqual({ subcommand: 'help', unknown: undefined });
        expect(parseSubcommand(['  '])).toEqual({ subcommand: 'help', unknown: undefined });
    });

    it('treats an unknown word as help and names it', () => {
        expect(parseSubcommand(['autorize', 'now'])).toEqual({ subcommand: 'help', unknown: 'autorize' });
    });
});

describe('an optional business handle (/twitter status, /twitter unauthorize)', () => {
    it('accepts nothing, or one handle with or without @ (doubled spaces leave empty words)', () => {
        expect(parseOptionalHandle([])).toEqual({ ok: true });
        expect(parseOptionalHandle(['', ' '])).toEqual({ ok: true });
        expect(parseOptionalHandle(['@AcmeSales'])).toEqual({ ok: true, handle: 'AcmeSales' });
        expect(parseOptionalHandle(['', 'acme_support'])).toEqual({ ok: true, handle: 'acme_support' });
    });

    it('refuses what cannot be an X handle, quoting it as inline code without backticks or control characters', () => {
        expect(parseOptionalHandle(['@a', '@b'])).toEqual({ ok: false, shown: '`@a @b`' });
        expect(parseOptionalHandle(['@sixteen_chars_xx'])).toEqual({ ok: false, shown: '`@sixteen_chars_xx`' });
        expect(parseOptionalHandle(['[x](http://evil)`@here`'])).toEqual({
            ok: false,
            shown: "`[x](http://evil)'@here'`",
        });
        expect(parseOptionalHandle(['a\u0000b\u202Ec'])).toEqual({ ok: false, shown: '`a b c`' });
        const long = parseOptionalHandle(['x'.repeat(500)]);
        expect(long).toEqual({ ok: false, shown: `\`${'x'.repeat(64)}…\`` });
    });
});

describe('/twitter department @handle [<department>]', () => {
    it('takes the handle and the rest as the department, spaces kept inside', () => {
        expect(parseDepartmentArguments(['@AcmeSales', 'Sales', 'EU'])).toEqual({
            ok: true,
            handle: 'AcmeSales',
            department: 'Sales EU',
        });
        expect(parseDepartmentArguments(['', 'AcmeSales', 'Sales', '', 'EU', ''])).toEqual({
            ok: true,
            handle: 'AcmeSales',
            department: 'Sales  EU',
        });
    });

    it('without a department: back to the Default department setting (empty)', () => {
        expect(parseDepartmentArguments(['@AcmeSales'])).toEqual({ ok: true, handle: 'AcmeSales', department: '' });
        expect(parseDepartmentArguments(['@AcmeSales', ' '])).toEqual({
            ok: true,
            handle: 'AcmeSales',
            department: '',
        });
    });

    it('refuses a missing or bad handle and a department too long or with control characters', () => {
        expect(parseDepartmentArguments([])).toEqual({ ok: false, problem: 'usage' });
        expect(parseDepartmentArguments(['Sales!', 'x'])).toEqual({
            ok: false,
            problem: 'bad-handle',
            shown: '`Sales!`',
        });
        expect(parseDepartmentArguments(['@a', 'x'.repeat(101)])).toMatchObject({
            ok: false,
            problem: 'bad-department',
        });
        expect(parseDepartmentArguments(['@a', 'x'.repeat(100)])).toMatchObject({ ok: true });
        expect(parseDepartmentArguments(['@a', 'Sal\u0007es'])).toEqual({
            ok: false,
            problem: 'bad-department',
            shown: '`Sal es`',
        });
        expect(parseDepartmentArguments(['@a', 'Sa\u200Bles'])).toMatchObject({ ok: false, problem: 'bad-department' });
    });
});

describe('/twitter dm --from @business', () => {
    it('reads --from just before or just after the customer handle', () => {
        const expected = { ok: true, handle: 'alice', text: 'Hello there', confirmed: false, from: 'AcmeSales' };
        expect(parseDmArguments(['--from', '@AcmeSales', '@alice', 'Hello', 'there'])).toEqual(expected);
        expect(parseDmArguments(['@alice', '--from', '@AcmeSales', 'Hello', 'there'])).toEqual(expected);
        expect(parseDmArguments(['@alice', '', '--from', '@AcmeSales', 'Hello', 'there', '--confirm'])).toEqual({
            ...expected,
            confirmed: true,
        });
    });

    it('leaves --from elsewhere in the message, and goes without it as before', () => {
        expect(parseDmArguments(['@alice', 'Hi', '--from', '@AcmeSales'])).toEqual({
            ok: true,
            handle: 'alice',
            text: 'Hi --from @AcmeSales',
            confirmed: false,
        });
        expect(parseDmArguments(['@alice', 'Hi'])).toEqual({ ok: true, handle: 'alice', text: 'Hi', confirmed: false });
    });

    it('refuses --from without a valid handle', () => {
        expect(parseDmArguments(['@alice', '--from'])).toEqual({ ok: false, problem: 'bad-from' });
        expect(parseDmArguments(['--from', 'not a handle!', '@alice', 'Hi'])).toEqual({
            ok: false,
            problem: 'bad-from',
        });
        expect(parseDmArguments(['@alice', '--from', '@x<y', 'Hi'])).toEqual({ ok: false, problem: 'bad-from' });
    });
});
