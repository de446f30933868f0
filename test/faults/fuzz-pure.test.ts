/**
 * Property-based fuzzing (fast-check, seeded, shrinking) of the pure front doors, in process at full
 * volume: the webhook and dm_events normalizers, signature verification, the slash-command parser and
 * the settings normalizer. Never a throw; every event well-formed; everything dropped has a reason.
 */
import fc from 'fast-check';
import { parseSubcommand, SUBCOMMANDS } from '../../src/commands/TwitterCommand';
import { normalizeSettings } from '../../src/settings/reader';
import { SettingId } from '../../src/settings/ids';
import { normalizeAaa, normalizeWebhookBody, normalizeXaa } from '../../src/x/events/envelopes';
import { normalizeDmEventsPage } from '../../src/x/events/v2-dm';
import type { InboundEvent, NormalizeResult } from '../../src/x/event-types';
import * as crypto from 'crypto';
import type { SignatureCheck } from '../../src/x/webhook-signature';
import { signWebhookBody, verifyWebhookSignature } from '../unit/helpers/webhook-signing';
import {
    aaaBody,
    BUSINESS,
    commandArgs,
    dmEventsPage,
    settingValue,
    validAaaBody,
    validXaaBody,
    webhookBody,
    xaaBody,
} from './helpers/arbitraries';
import { SCALE, SEED } from './helpers/scale';
import { record } from './helpers/summary';

const RUNS = SCALE.pureFuzzRuns;
const params = { seed: SEED, numRuns: RUNS };
const REASONS = new Set([
    'not-an-object',
    'unknown-envelope',
    'unknown-event-type',
    'not-a-dm',
    'missing-field',
    'precision-lost',
    'empty-message',
    'unsupported-media',
    'media-unavailable',
    'group-conversation',
    'participants-change',
    'api-error',
    'not-a-mention',
]);
const ID = /^\d{1,20}$/;
const tally: Record<string, number> = {};
const count = (key: string, n = 1) => (tally[key] = (tally[key] ?? 0) + n);

function wellFormed(event: InboundEvent): void {
    expect(['message', 'typing', 'read']).toContain(event.kind);
    for (const id of [event.accountId, event.senderId, event.recipientId]) expect(id).toMatch(ID);
    expect(Number.isFinite(event.createdAt)).toBe(true);
    if (event.kind === 'message') {
        expect(event.eventId).toMatch(ID);
        expect(typeof event.text).toBe('string');
        expect(Array.isArray(event.urls)).toBe(true);
        if (event.media) expect(event.media.mediaId.length).toBeGreaterThan(0);
    }
}

/** The generators reached both outcomes for `label`: some inputs became events, some items were dropped. */
function bothOutcomesSeen(label: string): void {
    expect({
        label,
        events: tally[`${label}: events`] > 0,
        dropped: tally[`${label}: dropped with a reason`] > 0,
    }).toEqual({ label, events: true, dropped: true });
}

function checkResult(result: NormalizeResult, label: string): void {
    expect(Array.isArray(result.events)).toBe(true);
    expect(Array.isArray(result.ignored)).toBe(true);
    result.events.forEach(wellFormed);
    for (const item of result.ignored) {
        expect(REASONS.has(item.reason)).toBe(true);
        if (item.detail !== undefined) expect(item.detail.length).toBeLessThanOrEqual(400);
    }
    count(`${label}: inputs`);
    count(`${label}: events`, result.events.length);
    count(`${label}: dropped with a reason`, result.ignored.length);
}

/** Items that could each become an event or a reason: a delivery that yields neither for some is suspicious. */
function legacyItems(body: unknown): number {
    const root = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const container = ((root.data as Record<string, unknown> | undefined)?.payload ?? root) as Record<string, unknown>;
    if (!container || typeof container !== 'object') return 0;
    return ['direct_message_events', 'direct_message_indicate_typing_events', 'direct_message_mark_read_events'].reduce(
        (n, key) => n + (Array.isArray(container[key]) ? (container[key] as unknown[]).length : 0),
        0,
    );
}

describe(`fuzzing the pure front doors (${RUNS.toLocaleString('en-US')} generated inputs each, seed ${SEED})`, () => {
    afterAll(() => {
        record(__filename, 'fuzz (pure, in process)', 'fuzz', { counts: tally });
    });

    it('normalizeWebhookBody: never throws, events well-formed, every dropped item has a reason', () => {
        fc.assert(
            fc.property(webhookBody, (body) => {
                const result = normalizeWebhookBody(body);
                checkResult(result, 'webhook bodies');
                // Every DM array item ends up as an event or as a reason (or the whole envelope is refused with one).
                const items = legacyItems(body);
                if (items > 0 && result.events.length === 0 && !result.control)
                    expect(result.ignored.length).toBeGreaterThan(0);
                if (result.events.length === 0 && !result.control && items === 0)
                    expect(result.ignored.length + (isEmptyButValid(body) ? 1 : 0)).toBeGreaterThan(0);
            }),
            params,
        );
        bothOutcomesSeen('webhook bodies');
    });

    it('normalizeAaa and normalizeXaa on their own shapes: same guarantees', () => {
        fc.assert(
            fc.property(fc.oneof(validAaaBody, aaaBody), (body) => checkResult(normalizeAaa(body), 'AAA bodies')),
            params,
        );
        fc.assert(
            fc.property(fc.oneof(validXaaBody, xaaBody), (body) => checkResult(normalizeXaa(body), 'XAA bodies')),
            params,
        );
        bothOutcomesSeen('AAA bodies');
        bothOutcomesSeen('XAA bodies');
    });

    it('normalizeDmEventsPage: never throws, events for the account only, oldest first', () => {
        fc.assert(
            fc.property(dmEventsPage, (page) => {
                const result = normalizeDmEventsPage(page, BUSINESS);
                checkResult(result, 'dm_events pages');
                for (const e of result.events) expect([e.senderId, e.recipientId]).toContain(BUSINESS);
                for (let i = 1; i < result.events.length; i++)
                    expect(result.events[i].createdAt).toBeGreaterThanOrEqual(result.events[i - 1].createdAt);
            }),
            params,
        );
        bothOutcomesSeen('dm_events pages');
    });

    it("verifyWebhookSignature: accepts X's own signature, refuses every near miss; a broken verifier fails it", () => {
        fc.assert(signatureProperty(verifyWebhookSignature), params);
        // The property must catch verifiers that are wrong in the ways verifiers go wrong (mutation check):
        // each of these passes a fuzz of random headers (nearly all malformed, so refused before any HMAC).
        const sign = (secret: string, raw: string) => crypto.createHmac('sha256', secret).update(raw).digest();
        const digestOf = (header: string | undefined) => Buffer.from((header ?? '').slice(7), 'base64');
        const broken: Record<string, Verifier> = {
            'accepts anything': () => ({ ok: true, style: 'compact', header: 'x' }),
            'refuses everything': () => ({ ok: false, reason: 'mismatch' }),
            'checks only the form of the header': (_s, header) =>
                /^sha256=[A-Za-z0-9+/]{43}=$/.test(header ?? '')
                    ? { ok: true, style: 'compact', header: 'x' }
                    : { ok: false, reason: 'malformed' },
            'compares the first 16 bytes only': (secret, header, body) =>
                sign(secret, JSON.stringify(body)).subarray(0, 16).equals(digestOf(header).subarray(0, 16))
                    ? { ok: true, style: 'compact', header: 'x' }
                    : { ok: false, reason: 'mismatch' },
            'also takes the OAuth 2.0 client secret for the legacy header': (secret, header, body) =>
                [secret, CLIENT_SECRET].some((k) => sign(k, JSON.stringify(body)).equals(digestOf(header)))
                    ? { ok: true, style: 'compact', header: 'x' }
                    : { ok: false, reason: 'mismatch' },
            'ignores the body (signs the empty string)': (secret, header) =>
                sign(secret, '').equals(digestOf(header)) || header === signWebhookBody(secret, '')
                    ? { ok: true, style: 'compact', header: 'x' }
                    : verifyWebhookSignature(secret, header, {}),
        };
        for (const [name, verify] of Object.entries(broken)) {
            const run = fc.check(signatureProperty(verify), { seed: SEED, numRuns: 500, endOnFailure: true });
            expect({ name, failed: run.failed }).toEqual({ name, failed: true });
        }
        count('signature mutants caught', Object.keys(broken).length);
    });

    it('parseSubcommand: never throws, always one known subcommand, unknown words reported', () => {
        fc.assert(
            fc.property(commandArgs, (args) => {
                const parsed = parseSubcommand(args);
                expect(SUBCOMMANDS).toContain(parsed.subcommand);
                const word = (args[0] ?? '').trim().toLowerCase();
                if (word && !(SUBCOMMANDS as readonly string[]).includes(word)) expect(parsed.unknown).toBe(word);
                count('command arguments');
            }),
            params,
        );
    });

    it('normalizeSettings: never throws, every value typed and within what X allows', () => {
        const ids = Object.values(SettingId);
        fc.assert(
            fc.property(fc.dictionary(fc.constantFrom(...ids), settingValue), (raw) => {
                const s = normalizeSettings(raw);
                expect(['auto', 'xaa', 'aaa', 'polling']).toContain(s.deliveryMode);
                expect(['oauth2', 'tokens']).toContain(s.authMethod);
                expect(['name', 'username', 'none']).toContain(s.agentDisplay);
                expect(Number.isInteger(s.pollingIntervalSeconds) && s.pollingIntervalSeconds >= 60).toBe(true);
                expect(Number.isFinite(s.fileMaxSizeMb) && s.fileMaxSizeMb >= 0).toBe(true);
                expect(Number.isFinite(s.dailyCapUsd) && s.dailyCapUsd >= 0).toBe(true);
                for (const key of ['apiKey', 'apiKeySecret', 'welcomeMessage', 'agentTemplate', 'department'] as const)
                    expect(typeof s[key]).toBe('string');
                expect(s.agentTemplate.length).toBeGreaterThan(0);
                count('settings values', Object.keys(raw).length);
            }),
            params,
        );
    });
});

const CONSUMER_SECRET = 'the-consumer-secret-0123456789abcdef';
const CLIENT_SECRET = 'the-oauth2-client-secret-0123456789';

type Verifier = (secret: string, header: string | undefined, body: unknown) => SignatureCheck;

/** Ways a delivery's signature is almost right; each must be refused. */
type NearMiss = 'other-body' | 'one-digest-char' | 'one-secret-char' | 'client-secret' | 'trailing-space' | 'random';

/**
 * For a generated body as X wrote it (compact JSON) and as Rocket.Chat hands it over (parsed): X's own
 * signature under the API key secret is accepted, and a near miss of it is refused.
 */
function signatureProperty(verify: Verifier) {
    const body = webhookBody
        .map((b) => JSON.stringify(b))
        .filter((raw): raw is string => typeof raw === 'string' && raw.startsWith('{') && raw !== '{}');
    const miss = fc.constantFrom<NearMiss>(
        'other-body',
        'one-digest-char',
        'one-secret-char',
        'client-secret',
        'trailing-space',
        'random',
    );
    return fc.property(body, body, miss, fc.nat(), fc.base64String(), (raw, otherRaw, kind, at, noise) => {
        const parsed = JSON.parse(raw);
        const genuine = signWebhookBody(CONSUMER_SECRET, raw);
        expect(verify(CONSUMER_SECRET, genuine, parsed).ok).toBe(true);
        const digest = genuine.slice('sha256='.length);
        // The last base64 symbol carries padding bits a decoder may ignore: change one of the first 42.
        const i = at % 42;
        const flipped = digest[i] === 'A' ? 'B' : 'A';
        const secretAt = at % CONSUMER_SECRET.length;
        const header = {
            'other-body':
                otherRaw === raw
                    ? signWebhookBody(CONSUMER_SECRET, `${raw} `)
                    : signWebhookBody(CONSUMER_SECRET, otherRaw),
            'one-digest-char': `sha256=${digest.slice(0, i)}${flipped}${digest.slice(i + 1)}`,
            'one-secret-char': signWebhookBody(
                `${CONSUMER_SECRET.slice(0, secretAt)}${CONSUMER_SECRET[secretAt] === 'x' ? 'y' : 'x'}${CONSUMER_SECRET.slice(secretAt + 1)}`,
                raw,
            ),
            'client-secret': signWebhookBody(CLIENT_SECRET, raw),
            // Whitespace X never adds, and which no rebuilt form reproduces.
            'trailing-space': signWebhookBody(CONSUMER_SECRET, `${raw} `),
            random: `sha256=${noise}`,
        }[kind];
        expect({ kind, ok: verify(CONSUMER_SECRET, header, parsed).ok }).toEqual({ kind, ok: false });
        count(`signature near misses refused: ${kind}`);
    });
}

/** `{ for_user_id: <business> }` alone, or with empty arrays, is a valid delivery with nothing in it. */
function isEmptyButValid(body: unknown): boolean {
    return !!body && typeof body === 'object' && !Array.isArray(body) && legacyItems(body) === 0;
}
