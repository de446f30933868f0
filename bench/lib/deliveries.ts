/**
 * Webhook deliveries as X sends them, for the throughput and memory benchmarks: Account Activity
 * `message_create` bodies shaped like the recorded ones (test/fixtures/x-events/aaa-dm-text.json) — the
 * sender's and the business's full profiles in `users`, t.co links with their expansions in `entities`,
 * text with accents, emoji, CJK, quotes, newlines and U+2028, HTML-escaped as X escapes it — written in the
 * byte styles X's serializers have been seen to use and signed with the header forms X sends (x-api.md §12).
 *
 * The bytes come from the simulator's own writer (tools/x-sim/delivery/serialize.ts): its key-order seed
 * writes the `users` map in X's undefined order, so a ten-digit id (an array index to JSON.parse) may come
 * back moved. The receiver gets what Rocket.Chat's body parser makes of those bytes (`JSON.parse`): the app
 * cannot see the bytes, so its verifier tries candidate serializations (src/x/webhook-crypto.ts), and that
 * work is what the benchmark measures.
 */
import { SeededRandom } from '../../tools/x-sim/core/random';
import { DEFAULT_APP } from '../../tools/x-sim/defaults';
import { serializeDelivery } from '../../tools/x-sim/delivery/serialize';
import { sha256Signature as signWebhookBody } from '../../tools/x-sim/delivery/webhook-crypto';
import type { SerializationStyle } from '../../tools/x-sim/ops/faults';

export interface BenchCustomer {
    /** Half ten-digit ids (old accounts: array-index keys to JSON.parse), half snowflakes. */
    id: string;
    username: string;
    name: string;
}

export interface Delivery {
    /** What Rocket.Chat's body parser hands the app. */
    content: unknown;
    /** The signature headers X sent for the bytes. */
    headers: Record<string, string>;
    /** UTF-8 length of the bytes X sent. */
    bytes: number;
    style: SerializationStyle;
    signedWith: SignatureForm;
}

/** Which signature headers a delivery carries (tools/x-sim/delivery/dispatcher.ts: `auto` is the OAuth 2.0 one alone). */
export type SignatureForm = 'legacy' | 'oauth2' | 'both';

/**
 * The mix of byte styles: real AAA captures escape non-ASCII as `\uXXXX` (most), one 2021 capture also
 * `\/` and the HTML-safe escapes; compact UTF-8 is what a modern writer produces by default.
 */
const STYLE_MIX: readonly SerializationStyle[] = [
    'unicodeEscaped',
    'unicodeEscaped',
    'unicodeEscaped',
    'htmlSafeAll',
    'compact',
    'both',
];
const SIGNATURE_MIX: readonly SignatureForm[] = ['oauth2', 'legacy', 'both'];

/** Customer names as X shows them: accents, emoji, CJK, quotes. */
const NAMES = [
    'Dana Rivera 🌿',
    'João Conceição',
    'Zoë "Zo" Müller',
    '田中 太郎',
    'Ана Петрова',
    'Chloé & Noé',
    'محمد',
    'Kim Min-jun 김민준',
    'O’Brien 🍀',
    'Plain Name',
];

const DESCRIPTIONS = [
    'Plants/coffee/bikes — views my own',
    'Desenvolvedora • São Paulo 🇧🇷',
    'I build things <3 & break them',
    '東京在住。コーヒーが好き',
    'https://example.com/about "quoted"',
];

/**
 * Messages customers write (before X's HTML escaping). `{url}` stands for a t.co link X substitutes for
 * the expanded URL, as in every recorded DM.
 */
const TEXTS = [
    'Hi! My order #4411 arrived damaged & the box was open <again> — tracking: {url} 📦',
    'Olá, não recebi a fatura de março. Podem reenviar? Obrigado!',
    '注文番号 88213 の配送状況を教えてください。{url}',
    'He said "it\'s fine" but it isn\'t.\nLine two of my message.\nAnd a third: {url}',
    'Quick one: is https://shop.example.com/a/b/c?x=1&y=2 legit? I got it by email\u2028(copied from my phone)',
    'Können Sie mir bitte helfen? Die Lieferung ist seit 5 Tagen überfällig. Bestellnummer: DE-22/771. {url} {url}',
    'thanks 🙏🙏🙏',
    'Bonjour, je voudrais changer l’adresse de livraison : 12 rue de l’Église, 75004 Paris. Merci ! {url}',
    `${'My long story, part one. '.repeat(12)}\nAnd the link: {url}\n${'¿Qué tal? Ça va. '.repeat(10)}`,
    'ok',
];

const EXPANDED = [
    'https://track.example.com/parcel?id=4411&lang=en',
    'https://www.example.com/orders/88213/status',
    'https://help.example.com/articles/2026/returns-and-refunds/',
    'https://example.co.jp/注文/88213',
];

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Customers with realistic ids: even ones ten digits (below 4294967295), odd ones 19-digit snowflakes. */
export function benchCustomers(count: number, prefix: string, seed = 7): BenchCustomer[] {
    const random = new SeededRandom(seed);
    return Array.from({ length: count }, (_, i) => ({
        id: i % 2 === 0 ? String(2_000_000_000 + i * 1_000 + random.int(1_000)) : `1${random.digits(18)}`,
        username: `${prefix}${i}`,
        name: NAMES[i % NAMES.length],
    }));
}

function profile(user: { id: string; username: string; name: string }, random: SeededRandom, verified = false) {
    return {
        id: user.id,
        created_timestamp: String(1_300_000_000_000 + random.int(400_000_000) * 1_000),
        name: user.name,
        screen_name: user.username,
        location: random.int(2) ? 'London' : 'São Paulo',
        description: DESCRIPTIONS[random.int(DESCRIPTIONS.length)],
        protected: false,
        verified,
        followers_count: random.int(5_000),
        friends_count: random.int(900),
        statuses_count: random.int(40_000),
        profile_image_url: `http://pbs.twimg.com/profile_images/1${random.digits(18)}/${random.string(8)}_normal.jpg`,
        profile_image_url_https: `https://pbs.twimg.com/profile_images/1${random.digits(18)}/${random.string(8)}_normal.jpg`,
    };
}

/** Code point index (X's entity indices count code points). */
const codePointIndex = (text: string, unitIndex: number) => [...text.slice(0, unitIndex)].length;

function messageData(random: SeededRandom, variant: number) {
    let text = escapeHtml(TEXTS[variant % TEXTS.length]);
    const urls: { url: string; expanded_url: string; display_url: string; indices: [number, number] }[] = [];
    while (text.includes('{url}')) {
        const url = `https://t.co/${random.string(10)}`;
        const expanded = EXPANDED[random.int(EXPANDED.length)];
        const at = text.indexOf('{url}');
        text = text.slice(0, at) + url + text.slice(at + '{url}'.length);
        const start = codePointIndex(text, at);
        urls.push({
            url,
            expanded_url: expanded,
            display_url: `${expanded.replace(/^https?:\/\//, '').slice(0, 26)}…`,
            indices: [start, start + url.length],
        });
    }
    return { text, entities: { hashtags: [], symbols: [], user_mentions: [], urls } };
}

export interface DeliveryFactory {
    /** The next delivery of a DM from `customer` to the business, as X would send it. */
    next(customer: BenchCustomer, eventId: string, createdAt: number): Delivery;
}

/**
 * Deliveries for one receiver: `secrets` are what it verifies with (the app: consumer and OAuth 2.0 client
 * secret, X's defaults in the simulator). Deterministic for a seed; texts, styles and header forms cycle
 * independently so every combination occurs.
 */
export function deliveryFactory(
    business: { id: string; username: string; name: string },
    seed: number,
    secrets: { consumer: string; client: string } = {
        consumer: DEFAULT_APP.consumerSecret,
        client: DEFAULT_APP.clientSecret,
    },
): DeliveryFactory {
    const random = new SeededRandom(seed);
    let n = 0;
    return {
        next(customer, eventId, createdAt) {
            const i = n++;
            const payload = {
                for_user_id: business.id,
                direct_message_events: [
                    {
                        type: 'message_create',
                        id: eventId,
                        created_timestamp: String(createdAt),
                        message_create: {
                            target: { recipient_id: business.id },
                            sender_id: customer.id,
                            message_data: messageData(random, i),
                        },
                    },
                ],
                users: {
                    [customer.id]: profile(customer, random),
                    [business.id]: profile(business, random, true),
                },
            };
            const style = STYLE_MIX[i % STYLE_MIX.length];
            const signedWith = SIGNATURE_MIX[Math.floor(i / STYLE_MIX.length) % SIGNATURE_MIX.length];
            const raw = serializeDelivery(payload, style, seed * 1_000_003 + i);
            const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
            if (signedWith !== 'oauth2')
                headers['x-twitter-webhooks-signature'] = signWebhookBody(secrets.consumer, raw);
            if (signedWith !== 'legacy')
                headers['x-twitter-webhooks-signature-oauth2'] = signWebhookBody(secrets.client, raw);
            return { content: JSON.parse(raw), headers, bytes: Buffer.byteLength(raw, 'utf8'), style, signedWith };
        },
    };
}

/**
 * The same delivery for the floor app, which models a receiver given X's raw bytes: one HMAC over the body
 * (its compact form, which it can rebuild in one JSON.stringify) with its own secret.
 */
export function floorDelivery(delivery: Delivery, floorSecret: string): Delivery {
    return {
        ...delivery,
        headers: {
            'content-type': 'application/json; charset=utf-8',
            'x-twitter-webhooks-signature': signWebhookBody(floorSecret, JSON.stringify(delivery.content)),
        },
    };
}
