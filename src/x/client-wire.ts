/** X's wire shapes as the client asks for and reads them: query fields, user and subscription objects. */
import type { ActivitySubscription, XUser } from './client-types';

/**
 * The DM event fields the bridge needs: text, sender, time, media and link entities. Only values X's OpenAPI
 * spec lists (X answers 400 to others): its `dm_event.fields` enum has no `sender_id` or `participant_ids`, but
 * an expansion puts its id field on the event (docs.x.com/x-api/fundamentals/expansions), so `sender_id` arrives.
 */
export const DM_EVENT_QUERY = {
    'dm_event.fields': 'id,text,event_type,created_at,dm_conversation_id,attachments,entities',
    expansions: 'attachments.media_keys,sender_id,participant_ids',
    'media.fields': 'media_key,type,url,preview_image_url,variants,width,height,duration_ms',
    'user.fields': 'id,name,username,profile_image_url',
};

/**
 * The post fields the mentions pipeline reads, in the spec's dialect (its `post.fields` enum has `note_post`;
 * `author_id`, `in_reply_to_user_id` and `referenced_posts` are expansions there, not fields). The referenced
 * posts' text arrives in `includes.posts` for the one-line context.
 */
export const POST_QUERY = {
    'post.fields': 'id,text,created_at,conversation_id,entities,attachments,note_post,reply_settings',
    expansions: 'author_id,attachments.media_keys,referenced_posts,in_reply_to_user_id',
    'media.fields': 'media_key,type,url,preview_image_url,variants,width,height,duration_ms',
    'user.fields': 'id,name,username,profile_image_url',
};

export const USER_FIELDS = { 'user.fields': 'id,name,username,profile_image_url' };
/** `receives_your_dm` is in the spec's user.fields enum: "Indicates if you can send a DM to this User". */
export const LOOKUP_FIELDS = { 'user.fields': 'id,name,username,profile_image_url,receives_your_dm' };

export interface V2User {
    id: string;
    name: string;
    username: string;
    profile_image_url?: string;
    receives_your_dm?: boolean;
}

export const toUser = (u: V2User): XUser => ({
    id: u.id,
    username: u.username,
    name: u.name,
    profileImageUrl: u.profile_image_url,
});

/** A subscription as X's X Activity API returns it (the id as `subscription_id`, or `id` in older answers). */
export interface XActivitySubscription {
    subscription_id?: string;
    id?: string;
    event_type: string;
    filter?: { user_id?: string };
    webhook_id?: string;
    tag?: string;
}

export const toSubscription = (s: XActivitySubscription): ActivitySubscription => ({
    id: String(s.subscription_id ?? s.id),
    eventType: s.event_type,
    userId: s.filter?.user_id,
    webhookId: s.webhook_id,
    tag: s.tag,
});

/** X's replay window format: yyyymmddhhmm in UTC. */
export function replayTimestamp(ms: number): string {
    return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 12);
}
