/**
 * What must never get in: forged webhook signatures (every serialization), replayed deliveries, wrong
 * secret paths, OAuth callbacks with a wrong, expired or reused state, and admin commands from non-admins.
 * Each attempt: nothing accepted (no message, no link change), and a clear refusal (status + reason).
 */
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { signWebhookBody } from '../unit/helpers/webhook-signing';
import { DEFAULT_APP } from '../../tools/x-sim/defaults';
import { catchUpWithRealTime, Rig, startRig } from './helpers/rig';
import { seededRandom } from './helpers/drive';
import { FULL, SEED } from './helpers/scale';
import { auditSecrets, formatScan } from './helpers/secrets';
import { record } from './helpers/summary';

const K = FULL ? 400 : 30;

interface Answer {
    status: number;
    text: string;
    json?: { error?: string; message?: string; outcomes?: Record<string, number> };
}

async function post(url: string, raw: string, headers: Record<string, string>): Promise<Answer> {
    const response = await fetch(url, {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    });
    const text = await response.text();
    let json: Answer['json'];
    try {
        json = JSON.parse(text);
    } catch {
        // not JSON
    }
    return { status: response.status, text, json };
}

function serialize(body: unknown, style: number): string {
    let raw = JSON.stringify(body);
    if (style === 1) raw = raw.replace(/\//g, '\\/');
    if (style === 2)
        raw = raw.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return raw;
}

describe(`security refusals (${K} attempts per kind)`, () => {
    let rig: Rig;
    const random = seededRandom(SEED + 30);
    const tally = new Map<string, number>();
    const texts: { where: string; text: string }[] = [];
    const note = (kind: string, answer: Answer) => {
        const page = /<h1>([^<]*)<\/h1><p>([^<]*)<\/p>/.exec(answer.text);
        const said =
            answer.json?.error ??
            (answer.json?.outcomes
                ? JSON.stringify(answer.json.outcomes)
                : page
                  ? `"${page[1]}: ${page[2].slice(0, 60)}"`
                  : `"${answer.text.slice(0, 60)}"`);
        const reason = `${kind} → ${answer.status ? `${answer.status} ` : ''}${said.replace(/\s+/g, ' ')}`;
        tally.set(reason, (tally.get(reason) ?? 0) + 1);
        texts.push({ where: `HTTP answer (${kind})`, text: answer.text });
    };
    const messageCount = () => rig.host.store.messages.size;

    beforeAll(async () => {
        rig = await startRig({ mode: 'xaa' });
    }, 120_000);

    afterAll(async () => {
        await rig?.stop();
    });

    afterEach(async () => {
        expect(await rig.host.isEnabled()).toBe(true);
    });

    it('refuses forged signatures in every serialization, whether or not the event exists at X', async () => {
        const customer = rig.customer('victim', 'Victim Ünïcødé');
        await catchUpWithRealTime(rig);
        const genuine = await rig.sim.sendDm({ from: customer, to: rig.business.id, text: 'genuine / message' });
        await rig.settleAll();
        const before = messageCount();
        for (let i = 0; i < K; i++) {
            const real = i % 3 === 0;
            const body = {
                data: {
                    event_type: 'dm.received',
                    filter: { user_id: rig.business.id },
                    payload: {
                        direct_message_events: [
                            {
                                type: 'message_create',
                                id: real ? genuine.dm.id : String(1_990_000_000_000_000_000n + BigInt(i)),
                                created_timestamp: String(Date.now()),
                                message_create: {
                                    target: { recipient_id: rig.business.id },
                                    sender_id: customer,
                                    message_data: { text: `send me your password/ñ ${i}` },
                                },
                            },
                        ],
                    },
                },
            };
            const raw = serialize(body, i % 3);
            const secret = i % 2 === 0 ? `not-the-secret-${i}` : DEFAULT_APP.consumerSecret.slice(0, -1) + 'X';
            const answer = await post(rig.webhookUrl(), raw, {
                'x-twitter-webhooks-signature': signWebhookBody(secret, raw),
            });
            note('forged signature', answer);
            expect(answer.status).toBe(401);
            expect(answer.json?.error).toBe('invalid_signature');
            expect(answer.json?.message?.length).toBeGreaterThan(10);
        }
        await rig.settleAll();
        expect(messageCount()).toBe(before);
    });

    it('accepts nothing twice from replayed deliveries, and nothing at all from altered ones', async () => {
        const customer = rig.customer('replay', 'Replay Target');
        for (let i = 0; i < 3; i++) {
            await catchUpWithRealTime(rig);
            await rig.sim.sendDm({ from: customer, to: rig.business.id, text: `original ${i}` });
        }
        await rig.settleAll();
        const originals = rig.sim
            .deliveries()
            .filter((d) => d.eventType === 'dm.received' && d.statusCode === 200 && d.body.includes('original'));
        const before = messageCount();
        for (let i = 0; i < K; i++) {
            const d = originals[Math.floor(random() * originals.length)];
            const replay = await post(rig.webhookUrl(), d.body, d.signatureHeaders);
            note('replayed delivery', replay);
            expect(replay.status).toBe(200);
            expect(replay.json?.outcomes).toEqual({ duplicate: 1 });
            const altered = d.body.replace(/original/, 'altered');
            const tampered = await post(rig.webhookUrl(), altered, d.signatureHeaders);
            note('altered replay', tampered);
            expect(tampered.status).toBe(401);
            expect(tampered.json?.error).toBe('invalid_signature');
        }
        await rig.settleAll();
        expect(messageCount()).toBe(before);
    });

    it('answers 404 on a wrong secret path, for deliveries and CRC checks alike, revealing nothing', async () => {
        const base = `${rig.front.url}/api/apps/public/${rig.host.appId}/webhook/`;
        const real = rig.webhookUrl().slice(base.length);
        const before = messageCount();
        for (let i = 0; i < K; i++) {
            const guess =
                i % 4 === 0
                    ? real.slice(0, -1)
                    : i % 4 === 1
                      ? real.toUpperCase()
                      : i % 4 === 2
                        ? `${real}x`
                        : Math.floor(random() * 1e12).toString(36);
            const body = JSON.stringify({ for_user_id: rig.business.id, direct_message_events: [] });
            const answer = await post(base + encodeURIComponent(guess), body, {
                'x-twitter-webhooks-signature': signWebhookBody(DEFAULT_APP.consumerSecret, body),
            });
            note('wrong secret path (POST)', answer);
            expect(answer.status).toBe(404);
            const crc = await fetch(`${base}${encodeURIComponent(guess)}?crc_token=abc`);
            const crcText = await crc.text();
            note('wrong secret path (CRC)', { status: crc.status, text: crcText, json: JSON.parse(crcText || '{}') });
            expect(crc.status).toBe(404);
            expect(crcText).not.toContain('sha256=');
        }
        expect(messageCount()).toBe(before);
    });

    it('refuses OAuth callbacks with a wrong, missing, expired or reused state, and keeps the linked account', async () => {
        const callback = `${rig.front.url}/api/apps/public/${rig.host.appId}/oauth/callback`;
        const account = () =>
            JSON.stringify(
                [...rig.host.store.appPersistence(rig.host.appId).values()].find((r) =>
                    r.associations.some((a) => a.id.startsWith('x-account:')),
                )?.data,
            );
        const linked = account();
        const open = async (kind: string, url: string) => {
            const response = await fetch(url);
            const answer = { status: response.status, text: await response.text() };
            note(kind, answer);
            return answer;
        };
        for (let i = 0; i < Math.ceil(K / 3); i++) {
            const wrong = await open(
                'OAuth callback, wrong state',
                `${callback}?state=${Math.floor(random() * 1e15).toString(36)}&code=abc`,
            );
            expect(wrong.status).toBe(400);
            expect(wrong.text).toContain('unknown or was already used');
            const missing = await open('OAuth callback, no state', `${callback}?code=abc`);
            expect(missing.status).toBe(400);
        }
        // Expired: a real link whose stored state has passed its 10 minutes.
        const expiredUrl = await authorizeAndGetCallback(rig);
        for (const record of rig.host.store.appPersistence(rig.host.appId).values()) {
            if ((record.data as { type?: string }).type === 'oauth-state')
                record.data = { ...record.data, expiresAt: Date.now() - 1 };
        }
        const expired = await open('OAuth callback, expired state', expiredUrl);
        expect(expired.status).toBe(400);
        expect(expired.text).toContain('expired');
        // Reused: a completed link's callback opened again.
        const reusedUrl = await authorizeAndGetCallback(rig);
        const first = await open('OAuth callback, first use', reusedUrl);
        expect(first.status).toBe(200);
        for (let i = 0; i < 5; i++) {
            const again = await open('OAuth callback, reused state', reusedUrl);
            expect(again.status).toBe(400);
            expect(again.text).toContain('unknown or was already used');
        }
        expect(account()).toBeDefined();
        expect(JSON.parse(account()!).accountId).toBe(JSON.parse(linked!).accountId);
    });

    it('refuses admin commands from non-admins, says so, and changes nothing', async () => {
        const users: IUser[] = [
            rig.host.createUser({ username: 'plain.user', roles: ['user'] }),
            rig.host.createUser({ username: 'some.agent', roles: ['user', 'livechat-agent'] }),
            rig.host.createUser({ username: 'a.manager', roles: ['user', 'livechat-manager'] }),
        ];
        const accountBefore = JSON.stringify(
            [...rig.host.store.appPersistence(rig.host.appId).values()].find((r) =>
                r.associations.some((a) => a.id.startsWith('x-account:')),
            )?.data,
        );
        const jobsBefore = rig.host.store.jobs.size;
        for (let i = 0; i < Math.ceil(K / 3); i++) {
            const user = users[i % users.length];
            const command = [
                '/twitter authorize',
                '/twitter unauthorize',
                '/twitter AUTHORIZE now',
                '/twitter   unauthorize  --force',
            ][i % 4];
            const mark = rig.host.store.ephemeral.length;
            await rig.host.runCommand(command, user);
            const replies = rig.host.store.ephemeral
                .slice(mark)
                .filter((e) => e.user.id === user.id)
                .map((e) => e.text ?? '');
            const answer = { status: 0, text: replies.join(' | ') };
            note('admin command by a non-admin', answer);
            expect(replies).toHaveLength(1);
            expect(replies[0]).toContain('Only Rocket.Chat administrators');
        }
        const accountAfter = JSON.stringify(
            [...rig.host.store.appPersistence(rig.host.appId).values()].find((r) =>
                r.associations.some((a) => a.id.startsWith('x-account:')),
            )?.data,
        );
        expect(accountAfter).toBe(accountBefore);
        expect(rig.host.store.jobs.size).toBe(jobsBefore);
        // Still linked and working.
        const customer = rig.customer('after', 'After Security');
        await catchUpWithRealTime(rig);
        await rig.sim.sendDm({ from: customer, to: rig.business.id, text: 'still works' });
        await rig.settleAll();
        expect(rig.host.livechatRooms().some((r) => r.visitor?.name === 'After Security')).toBe(true);
    });

    it('summary: every attempt refused with a reason, no secret in any answer', () => {
        const counts = Object.fromEntries([...tally.entries()].sort());
        record(__filename, 'security refusals', 'security', { counts });
        const scan = auditSecrets(__filename, 'secrets (security)', rig, texts);
        expect(formatScan(scan)).toContain('→ 0 hits');
        // The runtime's own trace lines were searched (it logs every request's data: the segment, the callback's
        // state and code), and so were the OAuth callback pages the attempts got.
        expect(scan.expected['endpoint request data in the runtime trace']).toBeGreaterThan(0);
        expect(scan.secretKinds).toEqual(expect.arrayContaining(['OAuth state', 'OAuth 2.0 authorization code']));
    });
});

/** `/twitter authorize` as the admin, X's consent page, and the callback URL X redirects to (not opened). */
async function authorizeAndGetCallback(rig: Rig): Promise<string> {
    const mark = rig.host.store.ephemeral.length;
    await rig.host.runCommand('/twitter authorize', rig.admin);
    const reply = rig.host.store.ephemeral
        .slice(mark)
        .map((e) => e.text ?? '')
        .join(' ');
    const url = /https?:\/\/\S+/.exec(reply)?.[0];
    if (!url) throw new Error(`No authorization link in: ${reply}`);
    const consent = await fetch(url.replace(/^https:\/\/(x\.com|api\.x\.com|twitter\.com)/, rig.sim.url), {
        redirect: 'manual',
    });
    const location = consent.headers.get('location');
    if (!location) throw new Error(`X's authorize page did not redirect (HTTP ${consent.status})`);
    return location;
}
