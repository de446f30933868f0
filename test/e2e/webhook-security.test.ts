/**
 * Attacks on the webhook by someone who knows its URL, through the packaged app in the real runtime
 * (HTTP front → Apps-Engine → Deno), and X's own deliveries in today's forms: signatures with the
 * OAuth 2.0 header alone, every escaping style. What each attack may not do is counted where it would
 * show: persistence records, room messages, DMs X sent, reads X billed, log lines.
 */
import { CONFIRMATIONS_PER_HOUR } from '../../src/bridge/confirm-unverifiable';
import { CRC_BURST } from '../../src/endpoints/crc';
import { DAY } from '../../src/lib/time';
import {
    MAX_BODY_BYTES,
    ROCKETCHAT_BODY_LIMIT_BYTES,
    signWebhookBody,
    verifyDeliverySignature,
} from '../unit/helpers/webhook-signing';
import { ManualClock } from '../../tools/x-sim/core/clock';
import { DEFAULT_APP } from '../../tools/x-sim/defaults';
import { LEGACY_SIGNATURE_HEADER, OAUTH2_SIGNATURE_HEADER } from '../../tools/x-sim/delivery/dispatcher';
import type { SerializationStyle } from '../../tools/x-sim/ops/faults';
import { adversarialBodies } from '../unit/helpers/adversarial-bodies';
import { webhookSecret } from './helpers/app-host';
import { decideBusinessDms, roomOf, syncSimClock, visibleTexts } from './helpers/inbound';
import { startInstance, startWorld, World } from './helpers/world';

interface Answer {
    status: number;
    json: Record<string, unknown>;
    headers: Headers;
}

const webhookUrl = (world: World) =>
    `${world.front.url}/api/apps/public/${world.host.appId}/webhook/${webhookSecret(world.host)}`;

async function post(world: World, raw: string, headers: Record<string, string>): Promise<Answer> {
    const response = await fetch(webhookUrl(world), {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : {}, headers: response.headers };
}

async function crc(world: World, token: string): Promise<Answer> {
    const response = await fetch(
        `${webhookUrl(world)}?crc_token=${encodeURIComponent(token)}&nonce=MTc2OTUxODI5MjkxNA`,
    );
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : {}, headers: response.headers };
}

const records = (world: World) => world.host.store.appPersistence(world.host.appId).size;
/** Records other than the fallback's own count of its lookups at X. */
const recordsBesidesLookups = (world: World) =>
    [...world.host.store.appPersistence(world.host.appId).values()].filter((r) => r.data.type !== 'confirmation-lookup')
        .length;
const messages = (world: World) => world.host.store.messages.size;
const logLines = (world: World, phrase: string) =>
    world.host.store.appLogEntries.filter((e) => JSON.stringify(e).includes(phrase)).length;
/** DM event reads the app recorded in its cost ledger. */
const ledgerReads = (world: World) =>
    [...world.host.store.appPersistence(world.host.appId).values()].reduce(
        (sum, r) => sum + (r.data.kind === 'dm_event_read' ? Number(r.data.units) : 0),
        0,
    );
const lookupsAtX = (world: World) => world.sim.requests().filter((r) => r.endpoint === 'dm_events.lookup').length;

/** A dm.received delivery as X Activity API sends it, for a DM from `senderId`. */
function xaaDelivery(world: World, senderId: string, eventId: string, text: string, createdAt = Date.now()) {
    return {
        data: {
            event_uuid: `77${eventId.slice(-10)}`,
            filter: { user_id: world.business.id },
            event_type: 'dm.received',
            payload: {
                direct_message_events: [
                    {
                        type: 'message_create',
                        id: eventId,
                        created_timestamp: String(createdAt),
                        message_create: {
                            target: { recipient_id: world.business.id },
                            sender_id: senderId,
                            message_data: {
                                text,
                                entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
                            },
                        },
                    },
                ],
                users: { [senderId]: { data: { id: senderId, name: 'Mallory', username: 'mallory' } } },
            },
        },
    };
}

describe('webhook security, X Activity API mode', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa' });
    }, 60_000);

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        world.sim.setSignatureHeaders('auto');
        world.sim.faults.clear();
        expect(await world.host.isEnabled()).toBe(true);
    });

    it('the CRC endpoint is no signing oracle: a forged delivery "answered" through it gets 401 and creates nothing', async () => {
        const stranger = world.customer('stranger', 'Stranger Danger');
        const forged = JSON.stringify(
            xaaDelivery(world, stranger, '1990000000000000001', 'Your account is locked, send me your password'),
        );
        // Sanity: a token in X's form is answered, with the HMAC under the API key secret.
        const xToken = 'M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0';
        expect((await crc(world, xToken)).json).toEqual({
            response_token: signWebhookBody(DEFAULT_APP.consumerSecret, xToken),
        });

        const state = () => ({
            records: recordsBesidesLookups(world),
            messages: messages(world),
            dms: world.sim.dmsSentBy(world.business.id, { to: stranger }).length,
            billed: world.sim.ledger().totals.usd,
        });
        const before = state();
        const attempts = [
            forged,
            ` ${forged}`,
            `${forged}\n`,
            forged.replace(/"/g, "'"),
            Buffer.from(forged).toString('base64'),
            Buffer.from(forged).toString('base64url'),
        ];
        const answers: string[] = [];
        for (const token of attempts) {
            const answer = await crc(world, token);
            if (answer.status === 200) answers.push(String(answer.json.response_token));
            else expect(answer).toMatchObject({ status: 400, json: { error: 'invalid_crc_token' } });
            expect(JSON.stringify(answer.json)).not.toContain('sha256=');
        }
        expect(answers).toEqual([]);
        // Whatever the CRC endpoint would sign, the delivery body itself (a JSON object) is never a token it answers.
        const oracleAnswer = signWebhookBody(
            DEFAULT_APP.consumerSecret,
            Buffer.from(forged).toString('base64').slice(0, 120),
        );
        for (const signature of [oracleAnswer, (await crc(world, xToken)).json.response_token as string]) {
            const answer = await post(world, forged, {
                [LEGACY_SIGNATURE_HEADER]: signature,
                [OAUTH2_SIGNATURE_HEADER]: signature,
            });
            expect(answer).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
        }
        await world.host.settle();
        expect(state()).toEqual(before);
        expect(roomOf(world, 'Mallory')).toBeUndefined();
    });

    it('accepts an X Activity API delivery carrying only the OAuth 2.0 signature header', async () => {
        world.sim.setSignatureHeaders('oauth2');
        const customer = world.customer('oauth2_only', 'Olga OAuth');
        await syncSimClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'signed for OAuth 2.0 apps' });
        await world.host.settle();
        const [delivery] = world.sim.deliveries().filter((d) => d.body.includes('signed for OAuth 2.0 apps'));
        expect(Object.keys(delivery.signatureHeaders)).toEqual([OAUTH2_SIGNATURE_HEADER]);
        expect(delivery.statusCode).toBe(200);
        expect(visibleTexts(world, roomOf(world, 'Olga OAuth')!.id)).toEqual(['signed for OAuth 2.0 apps']);
        // Signed with the API key secret under the OAuth 2.0 header, it is refused.
        const raw = delivery.body.replace('signed for', 'forged for');
        const forged = await post(world, raw, {
            [OAUTH2_SIGNATURE_HEADER]: signWebhookBody(DEFAULT_APP.consumerSecret, raw),
        });
        expect(forged.status).toBe(401);
    });

    it("accepts a delivery carrying only the legacy header (X's form for an app without OAuth 2.0), keyed with the API key secret", async () => {
        world.sim.setSignatureHeaders('legacy');
        const customer = world.customer('legacy_only', 'Lee Legacy');
        await syncSimClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'signed the old way' });
        await world.host.settle();
        const [delivery] = world.sim.deliveries().filter((d) => d.body.includes('signed the old way'));
        expect(Object.keys(delivery.signatureHeaders)).toEqual([LEGACY_SIGNATURE_HEADER]);
        expect(delivery.statusCode).toBe(200);
        expect(visibleTexts(world, roomOf(world, 'Lee Legacy')!.id)).toEqual(['signed the old way']);
        const raw = delivery.body.replace('signed the old', 'forged the old');
        expect(
            (await post(world, raw, { [LEGACY_SIGNATURE_HEADER]: signWebhookBody(DEFAULT_APP.clientSecret!, raw) }))
                .status,
        ).toBe(401);
    });

    const styles: (SerializationStyle | 'shuffled')[] = [
        'compact',
        'escapedSlashes',
        'unicodeEscaped',
        'both',
        'htmlSafe',
        'htmlSafeEscapedSlashes',
        'htmlSafeAll',
        'shuffled',
    ];
    it.each(styles)('verifies a delivery written in the %s style', async (style) => {
        const name = `Style ${style} Ünï/名`;
        const customer = world.customer(`style_${styles.indexOf(style)}`, name);
        world.sim.faults.once(style === 'shuffled' ? { keyOrder: 'shuffled' } : { serialization: style });
        await syncSimClock(world);
        const text = `café <3 R&D ✓ 😀 a/b \u007f ${style}`;
        await world.sim.sendDm({ from: customer, to: world.business.id, text });
        await world.host.settle();
        const delivery = world.sim
            .deliveries()
            .find((d) => d.eventType === 'dm.received' && d.body.includes(style) && d.forUserId === world.business.id)!;
        expect(delivery.statusCode).toBe(200);
        if (style.startsWith('htmlSafe')) expect(delivery.body).toContain('\\u003c3 R\\u0026D');
        expect(visibleTexts(world, roomOf(world, name)!.id)).toEqual([text]);
    });

    it('answers adversarial bodies within 50 ms (the hard security bound), over-size ones unread', async () => {
        const forged = {
            [LEGACY_SIGNATURE_HEADER]: `sha256=${Buffer.alloc(32, 7).toString('base64')}`,
            [OAUTH2_SIGNATURE_HEADER]: `sha256=${Buffer.alloc(32, 9).toString('base64')}`,
        };
        // What each answer must be, so each timing is of the path it claims: a forged signature compared with
        // every candidate (a mismatch), the size cap (the app's 413, not the router's), or no header at all.
        const expected: Record<number, object> = {
            401: { error: 'invalid_signature', message: expect.stringContaining('does not match') },
            413: { error: 'body_too_large' },
        };
        const timeOf = async (raw: string, headers: Record<string, string>, status: number) => {
            const started = performance.now();
            const answer = await post(world, raw, headers);
            const ms = performance.now() - started;
            expect(answer).toMatchObject({
                status,
                json: headers === forged ? expected[status] : { error: 'missing_signature' },
            });
            return ms;
        };
        /**
         * The app's work on the signature: the same bytes with forged headers and with none (401 at once),
         * alternated; the fastest of each, since load only ever adds time. What both share (HTTP, the
         * engine's IPC to Deno, parsing the body) cancels out. A second series runs only when the first
         * was over the bound (a busy shared machine); quadratic work fails every series.
         */
        const verificationMs = async (raw: string, status: number) => {
            const signed: number[] = [];
            const unsigned: number[] = [];
            await timeOf(raw, forged, status);
            await timeOf(raw, {}, 401);
            for (let series = 0; series < 2; series++) {
                for (let i = 0; i < 7; i++) {
                    unsigned.push(await timeOf(raw, {}, 401));
                    signed.push(await timeOf(raw, forged, status));
                }
                if (Math.min(...signed) - Math.min(...unsigned) < 50) break;
            }
            return Math.min(...signed) - Math.min(...unsigned);
        };
        const before = { records: records(world), messages: messages(world) };
        const report: string[] = [];
        // Deeper than 100 levels never reaches an app: the engine refuses it ("Too deep objects").
        const cases: [string, unknown, number][] = [
            ...adversarialBodies(MAX_BODY_BYTES)
                .filter(([name]) => name !== 'deep nesting')
                .map(([name, body]): [string, unknown, number] => [name, body, 401]),
            ...adversarialBodies(ROCKETCHAT_BODY_LIMIT_BYTES - 2048)
                .slice(0, 3)
                .map(([name, body]): [string, unknown, number] => [`${name}, ~100 KB`, body, 413]),
        ];
        for (const [name, body, status] of cases) {
            const raw = JSON.stringify(body);
            const started = performance.now();
            verifyDeliverySignature(
                [{ name: LEGACY_SIGNATURE_HEADER, value: forged[LEGACY_SIGNATURE_HEADER], secret: 's' }],
                body,
            );
            const inProcessMs = performance.now() - started;
            const ms = await verificationMs(raw, status);
            report.push(
                `${name} (${(raw.length / 1024).toFixed(0)} KB): ${ms.toFixed(1)} ms in the runtime (in process here: ${inProcessMs.toFixed(1)} ms)`,
            );
        }
        console.log(report.join('\n'));
        const slow = report.filter((line) => Number(/: (-?[\d.]+) ms in the runtime/.exec(line)![1]) >= 50);
        expect({ slow, report }).toEqual({ slow: [], report: expect.any(Array) });
        expect(report).toHaveLength(cases.length);
        expect({ records: records(world), messages: messages(world) }).toEqual(before);
    }, 120_000);

    it('a replay of a recent delivery (inside the dedupe window) adds no record and no message', async () => {
        const customer = world.customer('replayed', 'Rita Replay');
        await syncSimClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'only once' });
        await world.host.settle();
        const original = world.sim.deliveries().find((d) => d.body.includes('only once'))!;
        const before = { records: records(world), messages: messages(world) };
        for (let i = 0; i < 5; i++) {
            const replay = await post(world, original.body, original.signatureHeaders);
            expect(replay).toMatchObject({ status: 200, json: { accepted: 1, outcomes: { duplicate: 1 } } });
        }
        await world.host.settle();
        expect({ records: records(world), messages: messages(world) }).toEqual(before);
        expect(visibleTexts(world, roomOf(world, 'Rita Replay')!.id)).toEqual(['only once']);
    });

    it('a replayed reply the business typed in the X app before this room opened is not mirrored into it', async () => {
        const customer = world.customer('earlier_conv', 'Ellie Earlier');
        await syncSimClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'first question' });
        await world.host.settle();
        expect(await world.host.closeRoom(roomOf(world, 'Ellie Earlier')!.id, world.agent)).toBe(true);
        // Typed in X's app 20 minutes ago, while no room was open: delivered then, and replayed now.
        const delivery = xaaDelivery(
            world,
            world.business.id,
            '1990000000000000888',
            'an old answer from my phone',
            Date.now() - 20 * 60_000,
        );
        delivery.data.event_type = 'dm.sent';
        delivery.data.payload.direct_message_events[0].message_create.target.recipient_id = customer;
        const raw = JSON.stringify(delivery);
        const signed = { [OAUTH2_SIGNATURE_HEADER]: signWebhookBody(DEFAULT_APP.clientSecret!, raw) };
        expect((await post(world, raw, signed)).status).toBe(200);
        await decideBusinessDms(world);
        await syncSimClock(world);
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'second question' });
        await world.host.settle();
        const room = roomOf(world, 'Ellie Earlier')!;
        const before = { records: records(world), messages: messages(world) };
        expect((await post(world, raw, signed)).status).toBe(200);
        await decideBusinessDms(world);
        expect(visibleTexts(world, room.id)).toEqual(['second question']);
        expect({ records: records(world), messages: messages(world) }).toEqual(before);
    });

    it('1,000 unverifiable deliveries cost at most the hourly cap of billed reads, and nothing above the daily cap', async () => {
        const mallory = world.customer('mallory', 'Mallory Attacker');
        const real: { id: string; text: string }[] = [];
        for (let i = 0; i < 5; i++) {
            await syncSimClock(world);
            const { dm } = await world.sim.sendDm({ from: mallory, to: world.business.id, text: `real dm ${i}` });
            real.push({ id: dm.id, text: `real dm ${i}` });
        }
        await world.host.settle();
        const room = roomOf(world, 'Mallory Attacker')!;
        const forgedSignature = {
            [LEGACY_SIGNATURE_HEADER]: signWebhookBody('not-the-secret', 'x'),
            [OAUTH2_SIGNATURE_HEADER]: signWebhookBody('nor-this', 'x'),
        };
        const attack = async (count: number) => {
            const statuses: Record<number, number> = {};
            for (let i = 0; i < count; i++) {
                const pick = real[i % real.length];
                // A third replay Mallory's real DMs, a third alter them, a third name ids that do not exist.
                const [id, text] =
                    i % 3 === 0
                        ? [pick.id, pick.text]
                        : i % 3 === 1
                          ? [pick.id, `${pick.text} (send me your password)`]
                          : [String(1_990_000_000_000_000_000n + BigInt(i)), 'made up'];
                const answer = await post(
                    world,
                    JSON.stringify(xaaDelivery(world, mallory, id, text)),
                    forgedSignature,
                );
                statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
            }
            return statuses;
        };

        // Today's X cost is already above a one-cent daily cap: no lookup at all.
        await world.host.setSetting('daily_cap_usd', 0.01);
        const beforeCap = { reads: world.sim.ledger().totals.dmEventReads, lookups: lookupsAtX(world) };
        expect(await attack(30)).toEqual({ 401: 30 });
        expect({ reads: world.sim.ledger().totals.dmEventReads, lookups: lookupsAtX(world) }).toEqual(beforeCap);

        await world.host.setSetting('daily_cap_usd', 0);
        const before = {
            reads: world.sim.ledger().totals.dmEventReads,
            lookups: lookupsAtX(world),
            ledger: ledgerReads(world),
            messages: messages(world),
            logged: logLines(world, 'Webhook delivery refused'),
        };
        const started = Date.now();
        const statuses = await attack(1000);
        await world.host.settle();
        const reads = world.sim.ledger().totals.dmEventReads - before.reads;
        const lookups = lookupsAtX(world) - before.lookups;
        expect(lookups).toBeGreaterThan(0);
        expect(lookups).toBeLessThanOrEqual(CONFIRMATIONS_PER_HOUR);
        expect(reads).toBeLessThanOrEqual(CONFIRMATIONS_PER_HOUR);
        // Every billed read is in the app's cost ledger (what the daily cap counts).
        expect(ledgerReads(world) - before.ledger).toBe(reads);
        // The replays X confirmed are duplicates: accepted (200), nothing posted twice.
        expect((statuses[200] ?? 0) + statuses[401]).toBe(1000);
        expect(statuses[401]).toBeGreaterThanOrEqual(1000 - CONFIRMATIONS_PER_HOUR);
        expect(messages(world)).toBe(before.messages);
        expect(visibleTexts(world, room.id)).toEqual(real.map((r) => r.text));
        // Refusals are logged (this run or an earlier one of this minute: the throttle is per instance), at most
        // once a minute.
        expect(logLines(world, 'Webhook delivery refused')).toBeGreaterThanOrEqual(1);
        expect(logLines(world, 'Webhook delivery refused') - before.logged).toBeLessThanOrEqual(
            Math.ceil((Date.now() - started) / 60_000) + 1,
        );
    }, 300_000);

    it('CRC answers are rate-limited per instance, and refusals logged at most once a minute', async () => {
        const logged = logLines(world, 'CRC request refused');
        const statuses: number[] = [];
        for (let i = 0; i < CRC_BURST + 15; i++)
            statuses.push(
                (
                    await crc(
                        world,
                        Buffer.from(`00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`).toString(
                            'base64',
                        ),
                    )
                ).status,
            );
        expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
        expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(CRC_BURST);
        const limited = await crc(world, 'M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0');
        expect(limited).toMatchObject({ status: 429, json: { error: 'crc_rate_limited' } });
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        for (let i = 0; i < 20; i++) await crc(world, '{"not":"a token"}');
        // Logged (here, or earlier this minute by the same throttle), and at most once.
        expect(logLines(world, 'CRC request refused')).toBeGreaterThanOrEqual(1);
        expect(logLines(world, 'CRC request refused') - logged).toBeLessThanOrEqual(1);
    }, 30_000);
});

describe('webhook security, Account Activity API mode: replays and the fallback', () => {
    let world: World;
    const horizonDays = 7;

    beforeAll(async () => {
        // X's clock starts 8 days before the app's (the Deno runtime's real clock, which no test can move).
        world = await startWorld({
            mode: 'aaa',
            sim: { clock: new ManualClock(Date.now() - 8 * DAY), crcIntervalMs: 0 },
        });
    }, 60_000);

    afterAll(async () => {
        await world?.stop();
    });

    it(`a delivery X signed 8 days ago, replayed now, creates nothing; one from ${horizonDays - 1} days ago (an AAA replay window) is accepted`, async () => {
        const before = { records: records(world), messages: messages(world), rooms: world.host.livechatRooms().length };
        const customer = world.customer('old_news', 'Olivia Old');
        await world.sim.sendDm({ from: customer, to: world.business.id, text: 'eight days old' });
        await world.host.settle();
        const signed = world.sim.deliveries().find((d) => d.body.includes('eight days old'))!;
        expect(signed.statusCode).toBe(200);
        // 8 days later on X's clock too: the captured bytes and headers, posted again.
        await (world.sim.clock as ManualClock).advance(8 * DAY);
        for (let i = 0; i < 3; i++) {
            const replay = await post(world, signed.body, signed.signatureHeaders);
            expect(replay).toMatchObject({ status: 200, json: { accepted: 0, stale: 1 } });
        }
        await world.host.settle();
        expect({
            records: records(world),
            messages: messages(world),
            rooms: world.host.livechatRooms().length,
        }).toEqual(before);
        expect(roomOf(world, 'Olivia Old')).toBeUndefined();
        expect(logLines(world, 'older than')).toBeGreaterThanOrEqual(1);

        const recent = world.customer('recent', 'Rick Recent');
        const sixDaysAgo = Date.now() - (horizonDays - 1) * DAY;
        const body = JSON.stringify({
            for_user_id: world.business.id,
            direct_message_events: [
                {
                    type: 'message_create',
                    id: '1990000000000000777',
                    created_timestamp: String(sixDaysAgo),
                    message_create: {
                        target: { recipient_id: world.business.id },
                        sender_id: recent,
                        message_data: { text: 'six days old', entities: { urls: [] } },
                    },
                },
            ],
            users: { [recent]: { id: recent, name: 'Rick Recent', screen_name: 'rick' } },
        });
        const accepted = await post(world, body, {
            [LEGACY_SIGNATURE_HEADER]: signWebhookBody(DEFAULT_APP.consumerSecret, body),
        });
        expect(accepted).toMatchObject({ status: 200, json: { accepted: 1 } });
        await world.host.settle();
        expect(visibleTexts(world, roomOf(world, 'Rick Recent')!.id)).toEqual(['six days old']);
    });

    it('never looks up unverifiable deliveries when the setting is off, nor in polling mode', async () => {
        const customer = world.customer('lookup_target', 'Lou Lookup');
        const forgedFor = async (text: string) => {
            await syncSimClock(world);
            const { dm } = await world.sim.sendDm({ from: customer, to: world.business.id, text });
            await world.host.settle();
            const body = JSON.stringify({
                for_user_id: world.business.id,
                direct_message_events: [
                    {
                        type: 'message_create',
                        id: dm.id,
                        created_timestamp: String(dm.createdAt),
                        message_create: {
                            target: { recipient_id: world.business.id },
                            sender_id: customer,
                            message_data: { text },
                        },
                    },
                ],
            });
            return { body, wrong: { [LEGACY_SIGNATURE_HEADER]: signWebhookBody('wrong', body) } };
        };
        const first = await forgedFor('look me up');
        const lookups = lookupsAtX(world);
        await world.host.setSetting('confirm_unverified_events', false);
        expect((await post(world, first.body, first.wrong)).status).toBe(401);
        expect(lookupsAtX(world)).toBe(lookups);
        // The control: with the setting on, the same delivery is looked up (and, X confirming it, a duplicate).
        await world.host.setSetting('confirm_unverified_events', true);
        expect(await post(world, first.body, first.wrong)).toMatchObject({
            status: 200,
            json: { outcomes: { duplicate: 1 } },
        });
        expect(lookupsAtX(world)).toBe(lookups + 1);
        const second = await forgedFor('and me');
        await world.host.setSetting('delivery_mode', 'polling');
        await world.host.settle();
        expect((await post(world, second.body, second.wrong)).status).toBe(401);
        expect(lookupsAtX(world)).toBe(lookups + 1);
    });

    it('ignores a replayed revocation dated before the current link, and honours a current one', async () => {
        const account = () =>
            [...world.host.store.appPersistence(world.host.appId).values()].find((r) =>
                r.associations.some((a) => a.id === `x-account:${world.business.id}`),
            )!.data;
        const linkedAt = Number(account().linkedAt);
        const revoke = (at: number) =>
            JSON.stringify({
                user_event: {
                    revoke: {
                        date_time: new Date(at).toISOString(),
                        target: { app_id: DEFAULT_APP.id },
                        source: { user_id: world.business.id },
                    },
                },
            });
        const old = revoke(linkedAt - DAY);
        expect(
            (await post(world, old, { [LEGACY_SIGNATURE_HEADER]: signWebhookBody(DEFAULT_APP.consumerSecret, old) }))
                .status,
        ).toBe(200);
        expect(account().revokedAt).toBeUndefined();
        const current = revoke(Date.now());
        expect(
            (
                await post(world, current, {
                    [LEGACY_SIGNATURE_HEADER]: signWebhookBody(DEFAULT_APP.consumerSecret, current),
                })
            ).status,
        ).toBe(200);
        expect(account().revokedAt).toEqual(expect.any(Number));
    });
});

describe("webhook security: the fallback's hourly cap under concurrent deliveries on two instances", () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa' });
    }, 60_000);

    afterAll(async () => {
        await world?.stop();
    });

    it('60 unverifiable deliveries sent at once, each naming 10 new DMs, cost at most the hourly cap of lookups', async () => {
        const second = await startInstance(world, 'h-concurrent');
        try {
            world.front.setHosts([world.host, second]);
            const mallory = world.customer('mallory_burst', 'Mallory Burst');
            const forgedSignature = { [LEGACY_SIGNATURE_HEADER]: signWebhookBody('not-the-secret', 'x') };
            const delivery = (n: number) => {
                const body = xaaDelivery(
                    world,
                    mallory,
                    String(1_980_000_000_000_000_000n + BigInt(n * 10)),
                    'made up',
                );
                const events = body.data.payload.direct_message_events;
                for (let i = 1; i < 10; i++)
                    events.push({ ...events[0], id: String(1_980_000_000_000_000_000n + BigInt(n * 10 + i)) });
                return JSON.stringify(body);
            };
            const before = lookupsAtX(world);
            const answers = await Promise.all(
                Array.from({ length: 60 }, (_, n) => post(world, delivery(n), forgedSignature)),
            );
            await Promise.all([world.host.settle(), second.settle()]);
            expect(answers.map((a) => a.status)).toEqual(answers.map(() => 401));
            const lookups = lookupsAtX(world) - before;
            expect(lookups).toBeLessThanOrEqual(CONFIRMATIONS_PER_HOUR);
            // Every lookup made is on record for every instance; the claims that lost the race are gone again.
            const counted = () =>
                [...world.host.store.appPersistence(world.host.appId).values()].filter(
                    (r) => r.data.type === 'confirmation-lookup',
                ).length;
            expect(counted()).toBe(lookups);
            // The control: the fallback still works afterwards, within what is left of the hour.
            const control = await post(world, delivery(1000), forgedSignature);
            expect(control.status).toBe(401);
            expect(lookupsAtX(world) - before).toBe(lookups + Math.min(10, CONFIRMATIONS_PER_HOUR - lookups));
            expect(counted()).toBe(lookupsAtX(world) - before);
        } finally {
            world.front.setHosts([world.host]);
            await second.stop();
        }
    }, 120_000);

    it('with no account linked, forged deliveries get 401 (not 200), signed ones 200, and all of them at most one log line a minute', async () => {
        await world.host.runCommand('/twitter unauthorize', world.admin);
        const mallory = world.customer('mal_unlinked', 'Mallory Unlinked');
        const before = {
            ignored: logLines(world, 'Webhook delivery ignored'),
            refused: logLines(world, 'Webhook delivery refused'),
            records: records(world),
            lookups: lookupsAtX(world),
        };
        for (let i = 0; i < 20; i++) {
            const answer = await post(
                world,
                JSON.stringify(xaaDelivery(world, mallory, String(1_970_000_000_000_000_000n + BigInt(i)), 'hello?')),
                { [LEGACY_SIGNATURE_HEADER]: signWebhookBody('guess', 'x') },
            );
            expect(answer).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
            // A signed one (X's own, or a replay of it) is acknowledged, so X stops retrying.
            const signed = JSON.stringify(
                xaaDelivery(world, mallory, String(1_960_000_000_000_000_000n + BigInt(i)), 'signed'),
            );
            expect(
                await post(world, signed, {
                    [LEGACY_SIGNATURE_HEADER]: signWebhookBody(DEFAULT_APP.consumerSecret, signed),
                }),
            ).toMatchObject({ status: 200, json: { accepted: 0, ignored: 'not-linked' } });
        }
        const after = {
            ignored: logLines(world, 'Webhook delivery ignored'),
            refused: logLines(world, 'Webhook delivery refused'),
            records: records(world),
            lookups: lookupsAtX(world),
        };
        // Both kinds are logged (now or earlier this minute: one throttle per instance), each at most once.
        expect(Math.min(after.ignored, after.refused)).toBeGreaterThanOrEqual(1);
        expect(after.ignored - before.ignored).toBeLessThanOrEqual(1);
        expect(after.refused - before.refused).toBeLessThanOrEqual(1);
        expect({ records: after.records, lookups: after.lookups }).toEqual({
            records: before.records,
            lookups: before.lookups,
        });
    });
});
