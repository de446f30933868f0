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
import { DEDUPE_HORIZON_MS } from '../storage/retention';
import { HOUR } from '../lib/time';
import type { InboundPost } from '../x/event-types';
import { XFailure } from '../x/client-types';
import type { BridgeContext } from '../bridge/context';
import { processPosts } from '../bridge/public-inbound';

/** X's page limits for the mentions timeline are 5–100; the first poll asks for the fewest. */
const FIRST_PAGE = 5;
const PAGE = 100;
/**
 * Pages per run. X pages newest first and the cursor moves to the newest post read, so when more than 300
 * mentions came since the last run, the older rest is never read (not billed, not posted): logged, with
 * how many pages were left.
 */
const MAX_PAGES = 3;

export async function pollMentions(ctx: BridgeContext): Promise<void> {
    if (ctx.settings.publicMentions !== PublicMentions.On) return;
    const record = mentionsCursorRecord(ctx.account.accountId);
    const cursor = await record.read(ctx.read.getPersistenceReader());
    const horizon = ctx.now() - DEDUPE_HORIZON_MS;
    // Before the first poll nothing is posted: it only learns where the timeline is. A cursor older than the
    // dedupe horizon (mentions off, or webhook delivery, for weeks) counts as none: reading everything since
    // would bill up to 300 old posts and open a room for each, long after their seen markers were dropped.
    const started = cursor !== undefined && cursor.at >= horizon;
    const sinceId = started ? cursor.sinceId : undefined;
    const client = await ctx.x();
    const posts: InboundPost[] = [];
    let newestId: string | undefined;
    let token: string | undefined;
    try {
        for (let page = 0; page < MAX_PAGES; page++) {
            const result = await client.mentions(ctx.account.accountId, {
                sinceId,
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
    if (started && token)
        ctx.logger.warn(
            `Mentions poll read ${posts.length} posts (${MAX_PAGES} pages); older mentions since the last poll were not read.`,
        );
    // Same horizon as webhook deliveries (bridge/webhook-events.ts): an older post's seen marker may be gone.
    const recent = posts.filter((post) => post.createdAt >= horizon);
    if (recent.length < posts.length)
        ctx.logger.warn(
            `Mentions poll: ${posts.length - recent.length} post(s) older than the dedupe horizon skipped.`,
        );
    if (started) await processPosts(ctx, recent);
    // A quiet timeline still refreshes the cursor's time (hourly), so it is never taken for a stale one.
    if (newestId || !started || ctx.now() - cursor.at > HOUR)
        await record.write(ctx.persistence, { sinceId: newestId ?? sinceId, at: ctx.now() });
}
