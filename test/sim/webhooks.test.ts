import { ApiResponseError } from 'twitter-api-v2';
import { crcResponseToken, formatReplayDate, ManualClock, startXSim, type XSim } from '../../tools/x-sim';
import { appOnlyClient, oauth2Client } from './helpers/clients';
import { WebhookReceiver } from './helpers/receiver';
import { registeredReceiver, signatureMatches, subscribeAccountActivity, subscribeActivity } from './helpers/webhooks';
import { rejection } from './helpers/errors';

const firstErrorMessage = (error: ApiResponseError) =>
    (error.data as { errors: Array<{ message: string }> }).errors[0].message;

describe('webhooks', () => {
    let sim: XSim;
    let clock: ManualClock;
    const receivers: WebhookReceiver[] = [];

    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startXSim({ clock });
    });
    afterEach(async () => {
        await sim.close();
        await Promise.all(receivers.splice(0).map((r) => r.close()));
    });

    async function receiver(mode: WebhookReceiver['crcMode'] = 'correct'): Promise<WebhookReceiver> {
        const started = await WebhookReceiver.start(sim.defaultApp!.consumerSecret);
        started.crcMode = mode;
        receivers.push(started);
        return started;
    }

    test('the CRC token is HMAC-SHA256(consumer secret, crc_token), as in the known-answer vector', () => {
        expect(crcResponseToken('apiSecret', 'test token')).toBe('sha256=O5hJl2njQRIa4vsumZ+3oom9ECR5m3aQLRZkPoYelp0=');
    });

    test('registration runs a CRC check first and lists the webhook', async () => {
        const endpoint = await receiver();
        const created = await appOnlyClient(sim).v2.post<{ data: Record<string, unknown> }>('webhooks', {
            url: endpoint.url,
        });
        expect(created.data).toMatchObject({
            id: expect.stringMatching(/^\d{19}$/),
            url: endpoint.url,
            valid: true,
            created_at: expect.any(String),
        });
        expect(endpoint.crcRequests).toHaveLength(1);
        // X's form in captured requests: the base64 of a UUID, and of the time in ms as the nonce, unpadded.
        const token = endpoint.crcRequests[0].searchParams.get('crc_token')!;
        expect(token).toMatch(/^[A-Za-z0-9+/]{48}$/);
        expect(Buffer.from(token, 'base64').toString('utf8')).toMatch(
            /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        expect(Buffer.from(endpoint.crcRequests[0].searchParams.get('nonce')!, 'base64').toString('utf8')).toBe(
            String(sim.clock.now()),
        );
        const listed = await appOnlyClient(sim).v2.get<{ data: unknown[]; meta: { result_count: number } }>('webhooks');
        expect(listed.meta.result_count).toBe(1);
    });

    test('deliveries can go through an injected caller instead of real HTTP (hosts without a server)', async () => {
        const posts: Array<{ url: string; body?: string }> = [];
        const inProcess: XSim = await startXSim({
            clock: new ManualClock(),
            webhookHttpCall: async (request) => {
                const url = new URL(request.url);
                if (request.method === 'GET') {
                    return {
                        status: 200,
                        body: JSON.stringify({
                            response_token: crcResponseToken(
                                inProcess.defaultApp!.consumerSecret,
                                url.searchParams.get('crc_token')!,
                            ),
                        }),
                    };
                }
                posts.push({ url: request.url, body: request.body });
                return { status: 200, body: '' };
            },
        });
        try {
            const created = await appOnlyClient(inProcess).v2.post<{ data: { id: string; valid: boolean } }>(
                'webhooks',
                { url: 'https://rc.example.com/api/apps/public/x/webhook' },
            );
            expect(created.data.valid).toBe(true);
            await subscribeAccountActivity(inProcess, created.data.id, inProcess.business!.id);
            const customer = inProcess.createUser({ username: 'in_process' });
            await inProcess.sendDm({ from: customer.id, to: inProcess.business!.id, text: 'no sockets' });
            expect(posts).toHaveLength(1);
            expect(posts[0].url).toBe('https://rc.example.com/api/apps/public/x/webhook');
        } finally {
            await inProcess.close();
        }
    });

    test('a wrong CRC answer fails registration with CrcValidationFailed', async () => {
        const endpoint = await receiver('wrong');
        const refused = await rejection(appOnlyClient(sim).v2.post('webhooks', { url: endpoint.url }));
        expect(refused.code).toBe(400);
        expect(firstErrorMessage(refused)).toMatch(/^CrcValidationFailed/);
        expect(sim.webhooks()).toHaveLength(0);
    });

    test('URL rules, duplicates and the one-webhook limit', async () => {
        const strict = await startXSim({ clock: new ManualClock() });
        try {
            const client = appOnlyClient(strict);
            for (const url of [
                'http://hooks.example.com/x',
                'https://hooks.example.com:8443/x',
                `https://hooks.example.com/${'a'.repeat(200)}`,
            ]) {
                expect(firstErrorMessage(await rejection(client.v2.post('webhooks', { url })))).toMatch(
                    /^UrlValidationFailed/,
                );
            }
        } finally {
            await strict.close();
        }
        const first = await receiver();
        await appOnlyClient(sim).v2.post('webhooks', { url: first.url });
        expect(firstErrorMessage(await rejection(appOnlyClient(sim).v2.post('webhooks', { url: first.url })))).toMatch(
            /^DuplicateUrlFailed/,
        );
        const second = await receiver();
        expect(firstErrorMessage(await rejection(appOnlyClient(sim).v2.post('webhooks', { url: second.url })))).toMatch(
            /^WebhookLimitExceeded/,
        );
    });

    test('webhook management needs the app-only bearer token', async () => {
        const refused = await rejection(oauth2Client(sim, sim.business!.id).v2.get('webhooks'));
        expect(refused.data).toMatchObject({ title: 'Unsupported Authentication', status: 403 });
    });

    test('a failed periodic CRC invalidates the webhook (no deliveries); PUT re-validates it', async () => {
        const { receiver: endpoint, webhookId } = await registeredReceiver(sim);
        receivers.push(endpoint);
        await subscribeAccountActivity(sim, webhookId, sim.business!.id);
        endpoint.crcMode = 'wrong';
        await clock.advance(60 * 60 * 1000);
        expect(sim.webhooks()[0].valid).toBe(false);
        expect((await appOnlyClient(sim).v2.get<{ data: Array<{ valid: boolean }> }>('webhooks')).data[0].valid).toBe(
            false,
        );

        const customer = sim.createUser({ username: 'waiting' });
        await sim.sendDm({ from: customer.id, to: sim.business!.id, text: 'anyone?' });
        expect(endpoint.deliveries).toHaveLength(0);
        expect(sim.deliveries()[0]).toMatchObject({ state: 'skipped' });

        const stillWrong = await rejection(
            appOnlyClient(sim).v2.put('webhooks/:webhook_id', undefined, { params: { webhook_id: webhookId } }),
        );
        expect(firstErrorMessage(stillWrong)).toMatch(/^CrcValidationFailed/);
        endpoint.crcMode = 'correct';
        const revalidated = await appOnlyClient(sim).v2.put<{ data: { valid: boolean } }>(
            'webhooks/:webhook_id',
            undefined,
            { params: { webhook_id: webhookId } },
        );
        expect(revalidated.data.valid).toBe(true);
        await sim.sendDm({ from: customer.id, to: sim.business!.id, text: 'hello again' });
        expect(endpoint.deliveries).toHaveLength(1);
    });

    test('the driver can run the periodic CRC check on demand', async () => {
        const { receiver: endpoint, webhookId } = await registeredReceiver(sim);
        receivers.push(endpoint);
        endpoint.crcMode = 'wrong';
        const [check] = await sim.runCrcCheck(webhookId);
        expect(check).toMatchObject({ webhookId, verdict: 'wrong-token' });
        expect(sim.webhooks()[0].valid).toBe(false);
        endpoint.crcMode = 'correct';
        await sim.runCrcCheck();
        expect(sim.webhooks()[0].valid).toBe(true);
        expect(sim.crcChecks().map((c) => c.verdict)).toEqual(['valid', 'wrong-token', 'valid']);
    });

    test('transient CRC failures invalidate only after 28 hours without a success', async () => {
        const { receiver: endpoint } = await registeredReceiver(sim);
        receivers.push(endpoint);
        endpoint.crcMode = 'error';
        await clock.advance(27 * 60 * 60 * 1000);
        expect(sim.webhooks()[0].valid).toBe(true);
        await clock.advance(2 * 60 * 60 * 1000);
        expect(sim.webhooks()[0].valid).toBe(false);
    });

    test('delete removes the webhook and its subscriptions', async () => {
        const { receiver: endpoint, webhookId } = await registeredReceiver(sim);
        receivers.push(endpoint);
        await subscribeActivity(sim, webhookId, sim.business!.id, 'dm.received');
        const deleted = await appOnlyClient(sim).v2.delete<{ data: { deleted: boolean } }>(
            'webhooks/:webhook_id',
            undefined,
            { params: { webhook_id: webhookId } },
        );
        expect(deleted.data.deleted).toBe(true);
        const listed = await appOnlyClient(sim).v2.get<{ data: unknown[] }>('activity/subscriptions');
        expect(listed.data).toEqual([]);
    });

    test('replay re-delivers the window, then reports the job Complete', async () => {
        const { receiver: endpoint, webhookId } = await registeredReceiver(sim);
        receivers.push(endpoint);
        await subscribeAccountActivity(sim, webhookId, sim.business!.id);
        const customer = sim.createUser({ username: 'replayer' });
        const from = formatReplayDate(clock.now());
        await sim.sendDm({ from: customer.id, to: sim.business!.id, text: 'one' });
        await sim.sendDm({ from: customer.id, to: sim.business!.id, text: 'two' });
        // from_date must be 31 minutes old and to_date 10 (exclusive): the window ends 2 minutes after the DMs.
        await clock.advance(2 * 60 * 1000);
        const to = formatReplayDate(clock.now());
        await clock.advance(31 * 60 * 1000);
        const job = await appOnlyClient(sim).v2.post<{ data: { job_id: string } }>('webhooks/replay', {
            webhook_id: webhookId,
            from_date: from,
            to_date: to,
        });
        await sim.settle();
        const bodies = endpoint.deliveries.map((d) => d.rawBody.toString());
        expect(bodies).toHaveLength(5);
        expect(bodies[2]).toBe(bodies[0]);
        expect(bodies[3]).toBe(bodies[1]);
        expect(JSON.parse(bodies[4])).toMatchObject({
            replay_job_status: { webhook_id: webhookId, job_state: 'Complete', job_id: job.data.job_id },
        });
        expect(
            endpoint.deliveries.every((d) =>
                signatureMatches(sim.defaultApp!.clientSecret!, d.rawBody, d.oauth2Signature),
            ),
        ).toBe(true);

        const tooOld = await rejection(
            appOnlyClient(sim).v2.post('webhooks/replay', {
                webhook_id: webhookId,
                from_date: formatReplayDate(clock.now() - 25 * 60 * 60 * 1000),
                to_date: to,
            }),
        );
        expect(tooOld.code).toBe(400);
    });
});
