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
