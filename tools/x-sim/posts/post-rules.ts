/**
 * X's rules for creating a post, as the simulator applies them to `POST /2/tweets`, with X's answers:
 * - length: 280 weighted characters (twitter-text config/v3.json: code points 0–4351, 8192–8205, 8208–8223 and
 *   8242–8247 weigh 1, every other 2; an emoji sequence 2; a link 23, the length of its t.co link). Written
 *   apart from the app's own counter (src/x/post-length.ts) so that the simulator checks it, not echoes it; it
 *   counts only links with a scheme, as X does for every link it recognizes. Over the limit X answers 403 with
 *   v1.1 code 186's message, "Tweet needs to be a bit shorter." (developer.x.com response codes; [unverified]
 *   for v2, which sends the sentence without the code);
 * - a reply to a post that is deleted or unknown: 403 "You attempted to reply to a Tweet that is deleted or not
 *   visible to you." (code 385's message, also what v2 answers in public captures);
 * - a reply X does not allow: 403 "Reply to this conversation is not allowed because you have not been mentioned
 *   or otherwise engaged by the author of the post you are replying to." (public captures, 2025–2026). Through
 *   the API a reply is allowed when the replied-to post is the account's own, mentions it or quotes one of its
 *   posts; its author's `reply_settings` then decide (`mentionedUsers`, and strictly `following`, `subscribers`
 *   and `verified`, which the simulator does not model: only when mentioned);
 * - the same text as one of the author's earlier posts: 403 "You are not allowed to create a Tweet with
 *   duplicate content." (akrherz/iembot#163, 2026-02 capture). X documents no window; any earlier post counts.
 */
import type { Post } from '../state/types';

export const MAX_POST_WEIGHT = 280;

export const TOO_LONG = 'Tweet needs to be a bit shorter.';
export const REPLY_TARGET_GONE = 'You attempted to reply to a Tweet that is deleted or not visible to you.';
export const REPLY_NOT_ALLOWED =
    'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.';
export const DUPLICATE = 'You are not allowed to create a Tweet with duplicate content.';

const LINK = /https?:\/\/[^\s]+/gu;
const EMOJI =
    /\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)*/gu;

function charWeight(codePoint: number): number {
    const light =
        codePoint <= 4351 ||
        (codePoint >= 8192 && codePoint <= 8205) ||
        (codePoint >= 8208 && codePoint <= 8223) ||
        (codePoint >= 8242 && codePoint <= 8247);
    return light ? 1 : 2;
}

/** The weighted length of a text as X counts it (see above). */
export function weightedLength(text: string): number {
    let rest = text.normalize('NFC');
    let weight = 0;
    rest = rest.replace(LINK, () => {
        weight += 23;
        return '';
    });
    rest = rest.replace(EMOJI, () => {
        weight += 2;
        return '';
    });
    for (const char of rest) weight += charWeight(char.codePointAt(0) ?? 0);
    return weight;
}

/** Whether `accountId` may answer `target` through the API. */
export function replyAllowed(target: Post, accountId: string, posts: readonly Post[]): boolean {
    if (target.authorId === accountId) return true;
    const mentioned = target.mentions.some((m) => m.userId === accountId);
    const quotesAccount =
        target.quotedPostId !== undefined &&
        posts.some((p) => p.id === target.quotedPostId && p.authorId === accountId);
    if (target.replySettings !== 'everyone') return mentioned;
    return mentioned || quotesAccount;
}
