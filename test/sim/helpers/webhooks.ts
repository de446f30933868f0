import { createHmac, timingSafeEqual } from 'node:crypto';
import type { XSim } from '../../../tools/x-sim';
import { appOnlyClient, oauth1Client, oauth2Client } from './clients';
import { WebhookReceiver } from './receiver';

/** Starts a receiver for the default app and registers it as the app's webhook (CRC included). */
export async function registeredReceiver(sim: XSim): Promise<{ receiver: WebhookReceiver; webhookId: string }> {
    const receiver = await WebhookReceiver.start(sim.defaultApp!.consumerSecret);
    const created = await appOnlyClient(sim).v2.post<{ data: { id: string } }>('webhooks', { url: receiver.url });
    return { receiver, webhookId: created.data.id };
}

/** X Activity API subscription made with the monitored account's own OAuth 2.0 token. */
export async function subscribeActivity(
    sim: XSim,
    webhookId: string,
    userId: string,
    eventType: string,
    tag?: string,
): Promise<string> {
    const client = oauth2Client(sim, userId);
    const created = await client.v2.post<{ data: { subscription: { subscription_id: string } } }>(
        'activity/subscriptions',
        {
            event_type: eventType,
            filter: { user_id: userId },
            webhook_id: webhookId,
            ...(tag ? { tag } : {}),
        },
    );
    return created.data.subscription.subscription_id;
}

/** Account Activity subscription for a user, made with their OAuth 1.0a token. */
export async function subscribeAccountActivity(sim: XSim, webhookId: string, userId: string): Promise<void> {
    await oauth1Client(sim, userId).v2.post('account_activity/webhooks/:webhook_id/subscriptions/all', undefined, {
        params: { webhook_id: webhookId },
    });
}

/** Checks `x-twitter-webhooks-signature` over the exact bytes received, as a receiver must. */
export function signatureMatches(consumerSecret: string, rawBody: Buffer, header: string | undefined): boolean {
    const expected = Buffer.from('sha256=' + createHmac('sha256', consumerSecret).update(rawBody).digest('base64'));
    const received = Buffer.from(header ?? '');
    return expected.length === received.length && timingSafeEqual(expected, received);
}
