import { classifyMediaUrl, dmMediaApiUrl } from '../../../src/x/media-hosts';

describe('DM media locations the app may fetch', () => {
    it.each([
        ['https://ton.twitter.com/1.1/ton/data/dm/1921371160244875268/1921371152162615296/kQ3xY2aB.jpg', 'ton'],
        ['https://video.twimg.com/dm_video/1921371402918744064/vid/1280x720/Rr5yU1.mp4', 'video-cdn'],
        ['https://video.twimg.com/dm_gif/1921371287738564608/Lgs2ZRqicjZjx6kFdwQcu2T5rm.mp4', 'video-cdn'],
        ['https://VIDEO.twimg.com:443/dm_video/1/vid/2x2/a.mp4?tag=1', 'video-cdn'],
        ['https://api.x.com/2/dm_conversations/media/1/2/a.jpg', 'dm-media-api'],
        ['https://api.twitter.com/2/dm_conversations/media/1/2/a.jpg', 'dm-media-api'],
    ])('%s is %s', (url, kind) => {
        expect(classifyMediaUrl(url)?.kind).toBe(kind);
    });

    it('reads the ids of a ton URL for the OAuth 2.0 endpoint', () => {
        expect(classifyMediaUrl('https://ton.twitter.com/1.1/ton/data/dm/11/22/ab_c-1.png')).toEqual({
            kind: 'ton',
            url: 'https://ton.twitter.com/1.1/ton/data/dm/11/22/ab_c-1.png',
            dmEventId: '11',
            mediaId: '22',
            resourceId: 'ab_c-1.png',
        });
    });

    it.each([
        'http://ton.twitter.com/1.1/ton/data/dm/1/2/a.jpg', // not HTTPS
        'https://evil.example/1.1/ton/data/dm/1/2/a.jpg',
        'https://ton.twitter.com.evil.example/1.1/ton/data/dm/1/2/a.jpg',
        'https://ton.twitter.com@evil.example/1.1/ton/data/dm/1/2/a.jpg',
        'https://user:pw@ton.twitter.com/1.1/ton/data/dm/1/2/a.jpg',
        'https://ton.twitter.com:8443/1.1/ton/data/dm/1/2/a.jpg',
        'https://ton.twitter.com./1.1/ton/data/dm/1/2/a.jpg',
        'https://ton.x.com/1.1/ton/data/dm/1/2/a.jpg', // not a host X documents
        'https://ton.twitter.com/1.1/ton/data/dm/1/2/../../../../2/users/me',
        'https://ton.twitter.com/1.1/ton/data/dm/1/2/a%2F..%2Fb.jpg',
        'https://ton.twitter.com/1.1/ton/data/dm/1/2/a.jpg?x=1',
        'https://ton.twitter.com/i/ton/data/dm/1/2/a.jpg',
        'https://api.x.com/2/users/me', // credentials would go to another X endpoint
        'https://api.x.com/2/dm_events',
        'https://api.x.com/2/dm_conversations/media/1/2/a.jpg?expansions=x',
        'https://upload.x.com/2/dm_conversations/media/1/2/a.jpg',
        'https://pbs.twimg.com/dm_video_preview/1/img/a.jpg', // previews are never the customer's file
        'https://video.twimg.com/amplify_video/1/vid/a.mp4',
        'https://video.twimg.com//dm_video/1/vid/a.mp4',
        'https://video.twimg.com/dm_video/1/vid/a.mp4#x',
        'file:///etc/passwd',
        'https://127.0.0.1/1.1/ton/data/dm/1/2/a.jpg',
        'not a url',
        '',
    ])('refuses %s', (url) => {
        expect(classifyMediaUrl(url)).toBeUndefined();
    });

    it('builds X DM media endpoint URLs only from ids of the documented shapes', () => {
        expect(dmMediaApiUrl('1', '2', 'a.jpg')).toBe('https://api.x.com/2/dm_conversations/media/1/2/a.jpg');
        expect(dmMediaApiUrl('1', '2', '../x')).toBeUndefined();
        expect(dmMediaApiUrl('1/2', '2', 'a.jpg')).toBeUndefined();
        expect(dmMediaApiUrl('1', '2', 'a'.repeat(51))).toBeUndefined();
    });
});
