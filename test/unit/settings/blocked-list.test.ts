/** The *Blocked X users* setting is free text from an admin: each entry is an id, a handle, or reported. */
import { parseBlockedList } from '../../../src/settings/blocked-list';

describe('Blocked X users setting', () => {
    it('takes ids and @handles, one per line or comma-separated, handles case-insensitively', () => {
        expect(parseBlockedList('1600000000000000042\n@Spam_Bot, troll99 ;  0042\n\n@SPAM_BOT')).toEqual({
            ids: ['1600000000000000042', '42'],
            handles: ['spam_bot', 'troll99'],
            invalid: [],
        });
    });

    it('reports what is neither an id nor a handle instead of guessing', () => {
        const list = parseBlockedList(
            '@toolonghandle_xyz1, https://x.com/someone, @, 123456789012345678901, @bad-name',
        );
        expect(list.ids).toEqual([]);
        expect(list.handles).toEqual([]);
        expect(list.invalid).toEqual([
            '@toolonghandle_xyz1',
            'https://x.com/someone',
            '@',
            '123456789012345678901',
            '@bad-name',
        ]);
    });

    it('digits alone are an id, @digits a handle', () => {
        expect(parseBlockedList('12345, @12345')).toEqual({ ids: ['12345'], handles: ['12345'], invalid: [] });
    });

    it('an entry with spaces inside is one unclear entry, not several handles', () => {
        expect(parseBlockedList('not a handle, @ok')).toEqual({ ids: [], handles: ['ok'], invalid: ['not a handle'] });
    });

    it('an empty setting blocks nobody', () => {
        expect(parseBlockedList('')).toEqual({ ids: [], handles: [], invalid: [] });
    });
});
