/**
 * Polling delivery of public mentions (issue 19): `GET /2/users/:id/mentions` with `since_id`, only while
 * *Public mentions* is on and polling delivers (webhook modes get mentions by webhook). X bills each post
 * returned ("Posts: Read $0.005 per resource"; recorded by the client's onPostsRead, bridge/build-context.ts), so the first poll after mentions are turned on only notes
 * where the timeline is (mentions written before are not conversations) and later polls read only what is
 * newer. The cursor moves once every post read was handed on; a failed one is read again next run (its
 * claim makes the second reading a duplicate).
 */
import { PublicMentions } from '../settings/ids';
import { mentionsCursorRecord } from '../storage/public-threads';
import type { InboundPost } from '../x/event-types';
import { XFailure } from '../x/client-types';
import type { BridgeContext } from '../bridge/context';
import { processPosts } from '../bridge/public-inbound';

/** X's page limits for the mentions timeline are 5–100; the first poll asks for the fewest. */
const FIRST_PAGE = 5;
const PAGE = 100;
/** Pages per run: more than 300 new mentions a minute wait for the next run's `since_id`. */
const MAX_PAGES = 3;

export async function pollMentions(ctx: BridgeContext): Promise<void> {
    if (ctx.settings.publicMentions !== PublicMentions.On) return;
    const record = mentionsCursorRecord(ctx.account.accountId);
    const cursor = await record.read(ctx.read.getPersistenceReader());
    // Before the first poll nothing is posted: it only learns where the timeline is.
    const started = cursor !== undefined;
    const client = await ctx.x();
    const posts: InboundPost[] = [];
    let newestId: string | undefined;
    let token: string | undefined;
    try {
        for (let page = 0; page < MAX_PAGES; page++) {
            const result = await client.mentions(ctx.account.accountId, {
                sinceId: cursor?.sinceId,
                maxResults: started ? PAGE : FIRST_PAGE,
                paginationToken: token,
            });
            newestId ??= result.newestId;
            posts.push(...result.posts);
            token = result.nextToken;
            if (!token || !started) break;
        }
    } catch (e) {
        if (!(e instanceof XFailure)) throw e;
        ctx.logger.warn(`Mentions poll failed: ${e.kind}${e.status ? ` (HTTP ${e.status})` : ''}`);
        return;
    }
    if (started) await processPosts(ctx, posts);
    if (newestId || !cursor)
        await record.write(ctx.persistence, { sinceId: newestId ?? cursor?.sinceId, at: ctx.now() });
}
