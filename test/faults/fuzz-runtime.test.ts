/**
 * Property-based fuzzing (fast-check, seeded, shrinking) through the packaged app in the real runtime:
 * generated webhook bodies (signed, forged, unsigned) at the webhook endpoint, generated /2/dm_events
 * pages answered to the poller in place of X's, generated `/twitter` arguments, and generated settings
 * values. No crash (no 5xx, no failed job, no listener error), the app stays enabled, and every refusal
 * says why.
 */
import fc from 'fast-check';
import { signWebhookBody } from '../unit/helpers/webhook-signing';
import { DEFAULT_APP } from '../../tools/x-sim/defaults';
import { webhookSecret } from '../e2e/helpers/app-host';
import { configure } from '../e2e/helpers/world';
import { commandArgs, dmEventsPage, settingValue, webhookBody } from './helpers/arbitraries';
import { runJobsUntil, runUntilPolled } from './helpers/polling';
import { letRetriesRun } from './helpers/drive';
import { callAppEndpoint, catchUpWithRealTime, Rig, startRig } from './helpers/rig';
import { FULL, SCALE, SEED } from './helpers/scale';
import { auditSecrets, formatScan } from './helpers/secrets';
import { record } from './helpers/summary';
import { startXProxy, XProxy } from './helpers/x-proxy';

const BODIES = SCALE.runtimeFuzzRuns;
const OTHERS = FULL ? 2_000 : 100;
const tally: Record<string, number> = {};
const count = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);

/** Settings an admin edits freely (credentials are left alone: changing them would unlink the account). */
const FUZZED_SETTINGS = [
    'delivery_mode',
    'polling_interval_seconds',
    'confirm_unverified_events',
    'department',
    'agent_display',
    'agent_template',
    'agent_joined_notice',
    'welcome_message',
    'unavailable_message',
    'finished_message',
    'file_upload_enabled',
    'file_max_size_mb',
    'accepted_media_types',
    'daily_cap_usd',
];

function jobErrors(rig: Rig): string[] {
    return rig.hosts.flatMap((h) =>
        h
            .jobRuns()
            .filter((r) => r.error)
            .map((r) => `${r.processorId.split('_')[0]}: ${r.error}`),
    );
}

describe(`fuzzing through the runtime (${BODIES.toLocaleString('en-US')} webhook bodies; ${OTHERS.toLocaleString('en-US')} pages, commands and settings values; seed ${SEED})`, () => {
    afterAll(() => {
        record(__filename, 'fuzz (real runtime)', 'fuzz', { counts: tally });
    });

    describe('an app receiving webhooks (Account Activity API)', () => {
        let rig: Rig;

        beforeAll(async () => {
            rig = await startRig({ mode: 'aaa', shareClock: true });
        }, 120_000);

        afterAll(async () => {
            await rig?.stop();
        });

        it(
            'answers every generated webhook body with 200, or a 4xx that says why; never crashes',
            async () => {
                const secretPath = webhookSecret(rig.host);
                let runs = 0;
                await fc.assert(
                    fc.asyncProperty(webhookBody, fc.integer({ min: 0, max: 9 }), async (body, signing) => {
                        await rig.settleAll();
                        const messagesBefore = rig.host.store.messages.size;
                        const raw = JSON.stringify(body) ?? '';
                        const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
                        if (signing <= 5)
                            headers['x-twitter-webhooks-signature'] = signWebhookBody(DEFAULT_APP.consumerSecret, raw);
                        else if (signing <= 7) headers['x-twitter-webhooks-signature'] = signWebhookBody('forged', raw);
                        else if (signing === 8) headers['x-twitter-webhooks-signature'] = 'sha256=not base64!';
                        const response = await callAppEndpoint(rig.host, rig.host.appId, 'webhook/:secret', {
                            method: 'post',
                            params: { secret: secretPath },
                            headers,
                            // What Rocket.Chat's body parser makes of the bytes X sent (no `undefined` survives them).
                            content: raw ? JSON.parse(raw) : body,
                        });
                        const content = (response.content ?? {}) as {
                            error?: unknown;
                            message?: unknown;
                            accepted?: unknown;
                            ignored?: unknown;
                        };
                        expect([200, 400, 401, 413]).toContain(response.status);
                        // What a broken verifier would change: X's own signature is never refused for being a
                        // signature (401), and a forged, malformed or missing one is never taken (any 2xx),
                        // whatever the body; a body refused unread (400, 413) says so before any signature.
                        if (signing <= 5) expect(response.status).not.toBe(401);
                        else expect(response.status).not.toBe(200);
                        if (signing > 5) expect(rig.host.store.messages.size).toBe(messagesBefore);
                        if (response.status === 200)
                            expect(typeof content.accepted === 'number' || typeof content.ignored === 'string').toBe(
                                true,
                            );
                        else {
                            expect(typeof content.error).toBe('string');
                            expect(String(content.message).length).toBeGreaterThan(10);
                        }
                        count(`webhook body → ${response.status}${content.error ? ` ${content.error}` : ''}`);
                        if (++runs % 100 === 0) expect(await rig.host.isEnabled()).toBe(true);
                    }),
                    { seed: SEED, numRuns: BODIES },
                );
                await rig.settleAll();
                expect(rig.host.store.appLogs).toEqual([]);
                expect(await rig.host.isEnabled()).toBe(true);
            },
            BODIES * 60 + 60_000,
        );

        it(
            'answers every generated `/twitter` command with exactly one notice to the sender',
            async () => {
                const user = rig.host.createUser({ username: 'fuzz.user', roles: ['user'] });
                await fc.assert(
                    fc.asyncProperty(commandArgs, fc.boolean(), async (args, asAdmin) => {
                        // As Rocket.Chat splits the typed line (and as runCommand does): the first word is the subcommand.
                        const first = (args.join(' ').trim().split(/\s+/)[0] ?? '').toLowerCase();
                        // An admin's authorize/unauthorize would re-link or unlink the account under the other runs.
                        const sender = asAdmin && first !== 'authorize' && first !== 'unauthorize' ? rig.admin : user;
                        const mark = rig.host.store.ephemeral.length;
                        await rig.host.runCommand(`/twitter ${args.join(' ')}`, sender);
                        const replies = rig.host.store.ephemeral.slice(mark).filter((e) => e.user.id === sender.id);
                        expect(replies).toHaveLength(1);
                        expect((replies[0].text ?? '').trim().length).toBeGreaterThan(10);
                        count(`command → ${sender === rig.admin ? 'admin' : 'user'} answered`);
                    }),
                    { seed: SEED, numRuns: OTHERS },
                );
                expect(rig.host.store.appLogs).toEqual([]);
                expect(await rig.host.isEnabled()).toBe(true);
            },
            OTHERS * 200 + 60_000,
        );

        it(
            'takes any generated settings value without failing a job, and explains the ones it cannot use',
            async () => {
                const setupRoom = [...rig.host.store.rooms.values()].find(
                    (r) => r.slugifiedName === 'omnichannel-twitter-setup',
                );
                expect(setupRoom).toBeDefined();
                const notices = () => rig.host.messagesIn(setupRoom!.id).length;
                await fc.assert(
                    fc.asyncProperty(fc.constantFrom(...FUZZED_SETTINGS), settingValue, async (id, value) => {
                        const before = notices();
                        await rig.host.setSetting(id, value);
                        await rig.host.runDueJobs();
                        expect(jobErrors(rig)).toEqual([]);
                        count(`setting ${notices() > before ? '→ explained in the setup room' : 'taken silently'}`);
                    }),
                    { seed: SEED, numRuns: OTHERS },
                );
                // Values the app cannot use are each explained, with the reason.
                const explained: [string, unknown, RegExp][] = [
                    ['department', 'No Such Department', /No Such Department/],
                    ['agent_template', 'no placeholder here', /\{text\}/],
                    ['polling_interval_seconds', 5, /60/],
                    ['accepted_media_types', 'application/pdf', /application\/pdf/],
                    ['file_max_size_mb', 2000, /2000/],
                ];
                for (const [id, value, reason] of explained) {
                    const before = notices();
                    await rig.host.setSetting(id, value);
                    await rig.host.runDueJobs();
                    const said = rig.host
                        .messagesIn(setupRoom!.id)
                        .slice(before)
                        .map((m) => m.text ?? '')
                        .join('\n');
                    expect(said).toMatch(reason);
                    count('setting → known-bad value explained');
                }
                // Back to a working configuration: the app still delivers. (Thousands of saves in a few simulated
                // minutes spend X's webhook-registration budget; it resets after 15 minutes.)
                await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + 16 * 60_000);
                await configure(rig, { mode: 'aaa' });
                for (const [id, value] of Object.entries({
                    agent_template: '*{agent}*: {text}',
                    polling_interval_seconds: 60,
                    accepted_media_types: 'image/jpeg,image/png,image/gif,image/webp,video/mp4',
                    file_max_size_mb: 15,
                    daily_cap_usd: 0,
                    confirm_unverified_events: true,
                    welcome_message: '',
                    unavailable_message: '',
                    finished_message: '',
                })) {
                    await rig.host.setSetting(id, value);
                }
                await rig.host.runDueJobs();
                await catchUpWithRealTime(rig);
                const customer = rig.customer('after_fuzz', 'After Fuzz');
                await rig.sim.sendDm({ from: customer, to: rig.business.id, text: 'still here?' });
                await letRetriesRun(rig);
                if (!rig.host.livechatRooms().some((r) => r.visitor?.name === 'After Fuzz')) {
                    const lastDelivery = rig.sim.deliveries().at(-1);
                    throw new Error(
                        `The DM after the fuzzing did not arrive. Webhooks at X: ${JSON.stringify(rig.sim.webhooks().map((w) => ({ valid: w.valid })))}; last delivery: ${lastDelivery?.eventType} ${lastDelivery?.state} ${JSON.stringify(lastDelivery?.attempts)}; app answers: ${JSON.stringify(rig.webhookAnswers.slice(-2))}; setup room: ${rig.host.messagesIn(setupRoom!.id).at(-1)?.text}`,
                    );
                }
                expect(await rig.host.isEnabled()).toBe(true);
            },
            OTHERS * 300 + 60_000,
        );

        it('says no secret in anything it logged, posted or answered', () => {
            const scan = auditSecrets(__filename, 'secrets (fuzzing)', rig);
            expect(formatScan(scan)).toContain('→ 0 hits');
        });
    });

    describe('an app polling /2/dm_events', () => {
        let rig: Rig;
        let proxy: XProxy;

        beforeAll(async () => {
            rig = await startRig({ mode: 'polling', shareClock: true });
            proxy = await startXProxy(rig.sim);
            rig.routeXThrough(proxy.url);
        }, 120_000);

        afterAll(async () => {
            await rig?.stop();
            await proxy?.close();
        });

        it(
            'survives any generated page X could answer: no failed poll, app enabled',
            async () => {
                await fc.assert(
                    fc.asyncProperty(dmEventsPage, async (page) => {
                        proxy.rewrite = (r) => (r.path === '/2/dm_events' ? page : undefined);
                        expect(await runUntilPolled(rig.clock, rig.host, rig.sim)).toBe(true);
                        await rig.clock.advance(60_000);
                        expect(jobErrors(rig)).toEqual([]);
                        count('dm_events page → polled');
                    }),
                    { seed: SEED, numRuns: OTHERS },
                );
                proxy.rewrite = undefined;
                expect(rig.host.store.appLogs).toEqual([]);
                expect(await rig.host.isEnabled()).toBe(true);
            },
            OTHERS * 200 + 60_000,
        );
    });
});
