/**
 * `npm start -- --demo`: a scripted conversation through the running sandbox, headless. Each step is
 * what a customer on X or an agent does, and is checked on the other side: the first DM opens a room
 * and the customer is welcomed; the agent's reply and images travel both ways; with no agent online the
 * customer is told so and the message waits; closing the room sends the finished message. Then both
 * sides' transcripts must match exactly (nothing lost, nothing twice, no echo), and the ledger must
 * account for every DM. With two linked accounts (the default), the customer also writes to the second
 * one: a second room opens in that account's department, served by its agent, and its reply leaves from
 * that account only.
 */
import { PENDING_JOB_ID } from '../../src/jobs/ids';
import { MIRROR_GRACE_MS } from '../../src/bridge/inbound-business';
import { gradientPng } from './png';
import { RoomView, Sandbox, SANDBOX_MESSAGES, SandboxCustomer, UploadedFile } from './sandbox';

export class DemoFailure extends Error {
    constructor(
        public readonly step: string,
        reason: string,
    ) {
        super(`${step}: ${reason}`);
    }
}

export interface DemoOptions {
    /** Longest wait for any one thing to happen (real ms). */
    stepTimeoutMs?: number;
    out?: (line: string) => void;
}

const LABEL: UploadedFile = {
    name: 'label.png',
    type: 'image/png',
    bytes: gradientPng(96, 64, [250, 140, 40], [200, 40, 90]),
};
const NEW_LABEL: UploadedFile = {
    name: 'new-label.png',
    type: 'image/png',
    bytes: gradientPng(96, 64, [40, 120, 220], [40, 200, 150]),
};

const TEXT = {
    first: "Hi! My order #1042 hasn't arrived yet 📦",
    reply: 'Hi Dana, sorry about that! Could you send me a photo of the shipping label? 🙏',
    photo: 'Here it is',
    agentPhoto: 'Here is your new label, the parcel leaves today 🚚',
    offline: 'Hello? Is anyone there?',
    sales: 'Also: do you sell gift cards? 🎁',
    salesReply: 'We do! From $10 to $200, delivered by e-mail.',
};

/** Runs the scripted conversation; throws DemoFailure naming the step and what did not happen. */
export async function runDemo(sandbox: Sandbox, options: DemoOptions = {}): Promise<void> {
    const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
    const timeoutMs = options.stepTimeoutMs ?? 20_000;
    const agentName = sandbox.world.agent.name;
    const [support, sales] = sandbox.businesses;
    const salesAgentName = sales && sandbox.world.host.store.users.get(sales.agentId)?.name;
    let current = '';

    const step = async (title: string, body: () => Promise<void>) => {
        current = title;
        const started = Date.now();
        await body();
        out(`  ✓ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    };
    const fail = (reason: string): never => {
        throw new DemoFailure(current, reason);
    };
    const waitFor = async <T>(what: string, probe: () => T | undefined | false): Promise<T> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const value = probe();
            if (value) return value;
            if (Date.now() > deadline) return fail(`${what} did not happen within ${timeoutMs / 1000} s`);
            await sleep(100);
        }
    };
    /** In polling mode the app reads X once a minute: the demo runs the poller right away instead. */
    const customerSends = async (
        customer: SandboxCustomer,
        dm: { text?: string; file?: UploadedFile; to?: string },
    ) => {
        await sandbox.customerSends(customer.id, dm);
        if (sandbox.mode === 'polling') await sandbox.pollNow();
    };
    // A customer has one room per business account they write to (the first account unless told).
    const openRoomOf = (customer: SandboxCustomer, business = support): RoomView | undefined =>
        sandbox.rooms().find((r) => r.open && r.visitor.name === customer.name && r.account?.id === business.id);
    const roomOf = (customer: SandboxCustomer): RoomView | undefined =>
        sandbox.rooms().find((r) => r.visitor.name === customer.name && r.account?.id === support.id);
    const fromBusiness = (customer: SandboxCustomer, business = support) =>
        sandbox.customerDms(customer.id, business.id).filter((d) => !d.fromCustomer);
    const received = (customer: SandboxCustomer, text: string, business = support) =>
        fromBusiness(customer, business).find((d) => d.text === text);

    out(
        `Demo: a conversation between X customers and the agent (${sandbox.mode} delivery, ${sandbox.auth === 'oauth2' ? 'OAuth 2.0' : 'developer-portal tokens'}, ${sandbox.businesses.map((b) => `@${b.username}`).join(' and ')})`,
    );
    const dana = sandbox.createCustomer('dana_x', 'Dana Customer');
    const eli = sandbox.createCustomer('eli_x', 'Eli Customer');
    let danaRoomId = '';

    await step(
        'Dana DMs the business: a room opens in Support, served by the agent, and Dana is welcomed',
        async () => {
            await customerSends(dana, { text: TEXT.first });
            const room = await waitFor('a room for Dana with her message', () => {
                const r = openRoomOf(dana);
                return r?.messages.some((m) => m.role === 'visitor' && m.text === TEXT.first) && r;
            });
            danaRoomId = room.id;
            if (room.department !== 'Support')
                fail(`the room is in department ${room.department ?? '(none)'}, not Support`);
            if (room.servedBy !== agentName)
                fail(`the room is served by ${room.servedBy ?? 'nobody'}, not ${agentName}`);
            await waitFor('the welcome DM', () => received(dana, SANDBOX_MESSAGES.welcome_message));
        },
    );

    await step('The agent replies: Dana receives it on X, signed with the agent name', async () => {
        sandbox.agentReplies(danaRoomId, TEXT.reply);
        await waitFor(`the DM "${agentName}: ${TEXT.reply}"`, () => received(dana, `${agentName}: ${TEXT.reply}`));
    });

    await step('Dana sends a photo: it appears in the room as her file, byte for byte', async () => {
        await customerSends(dana, { text: TEXT.photo, file: LABEL });
        const message = await waitFor("Dana's photo in the room", () =>
            openRoomOf(dana)?.messages.find(
                (m) => m.role === 'visitor' && m.file && sandbox.upload(m.file.id)?.bytes.equals(LABEL.bytes),
            ),
        );
        const room = openRoomOf(dana)!;
        if (!room.messages.some((m) => m.role === 'visitor' && m.text === TEXT.photo))
            fail(`the photo's text "${TEXT.photo}" is not in the room`);
        if (message.file?.type !== 'image/png') fail(`the photo was stored as ${message.file?.type}, not image/png`);
    });

    await step('The agent attaches an image: Dana receives it on X with the caption, byte for byte', async () => {
        sandbox.agentUploads(danaRoomId, NEW_LABEL, TEXT.agentPhoto);
        const dm = await waitFor("the agent's image on X", () => fromBusiness(dana).find((d) => d.media));
        const media = sandbox.dmMedia(dm.id);
        if (!media?.bytes.equals(NEW_LABEL.bytes))
            fail('the image Dana received differs from the one the agent attached');
        if (dm.text !== `${agentName}: ${TEXT.agentPhoto}`)
            fail(`the image's text is "${dm.text}", not "${agentName}: ${TEXT.agentPhoto}"`);
    });

    let salesRoomId = '';
    if (sales && salesAgentName) {
        await step(
            `Dana also writes to @${sales.username}: a second room opens, in ${sales.department}, served by ${salesAgentName}`,
            async () => {
                await customerSends(dana, { text: TEXT.sales, to: sales.id });
                const room = await waitFor(`a room for Dana with @${sales.username}`, () => {
                    const r = openRoomOf(dana, sales);
                    return r?.messages.some((m) => m.role === 'visitor' && m.text === TEXT.sales) && r;
                });
                salesRoomId = room.id;
                if (room.id === danaRoomId)
                    fail(`the DM to @${sales.username} landed in the @${support.username} room`);
                if (room.department !== sales.department)
                    fail(`the room is in department ${room.department ?? '(none)'}, not ${sales.department}`);
                if (room.servedBy !== salesAgentName)
                    fail(`the room is served by ${room.servedBy ?? 'nobody'}, not ${salesAgentName}`);
                if (!openRoomOf(dana)?.open) fail(`Dana's @${support.username} room is no longer open`);
                await waitFor(`the welcome DM from @${sales.username}`, () =>
                    received(dana, SANDBOX_MESSAGES.welcome_message, sales),
                );
            },
        );

        await step(
            `${salesAgentName} replies: Dana receives it from @${sales.username}, and nothing from @${support.username}`,
            async () => {
                const before = fromBusiness(dana, support).length;
                sandbox.agentReplies(salesRoomId, TEXT.salesReply);
                await waitFor(`the DM "${salesAgentName}: ${TEXT.salesReply}" from @${sales.username}`, () =>
                    received(dana, `${salesAgentName}: ${TEXT.salesReply}`, sales),
                );
                if (fromBusiness(dana, support).length !== before)
                    fail(`@${support.username} sent Dana something when ${salesAgentName} replied`);
            },
        );
    }

    await step(
        'The agent goes offline and Eli writes: Eli is told nobody is available, and no room opens yet',
        async () => {
            sandbox.setAgentOnline(false);
            await customerSends(eli, { text: TEXT.offline });
            await waitFor('the unavailable DM to Eli', () => received(eli, SANDBOX_MESSAGES.unavailable_message));
            await sleep(500);
            if (roomOf(eli)) fail('a room opened for Eli although no agent is online');
        },
    );

    await step(
        "The agent is back: the pending job (every minute; run now) opens Eli's room with the waiting message",
        async () => {
            sandbox.setAgentOnline(true);
            await sandbox.runJobNow(PENDING_JOB_ID);
            await waitFor("Eli's room with the message that waited", () =>
                openRoomOf(eli)?.messages.some((m) => m.role === 'visitor' && m.text === TEXT.offline),
            );
        },
    );

    await step("The agent closes Dana's room: Dana receives the finished message", async () => {
        await sandbox.closeRoom(danaRoomId);
        await waitFor('the finished DM', () => received(dana, SANDBOX_MESSAGES.finished_message));
        if (roomOf(dana)?.open) fail("Dana's room is still open");
    });

    await step('Both sides agree: every message once, in order, no echo of the business in the rooms', async () => {
        // Let the echoes of the business's own DMs arrive and the mirror job decide about them.
        await sleep(MIRROR_GRACE_MS + 1_500);
        if (sandbox.mode === 'polling') await sandbox.pollNow();
        await sleep(500);
        expectList(
            'Dana on X',
            sandbox
                .customerDms(dana.id, support.id)
                .map((d) => `${d.fromCustomer ? 'Dana' : 'Acme'}: ${d.text}${d.media ? ' [image]' : ''}`),
            [
                `Dana: ${TEXT.first}`,
                `Acme: ${SANDBOX_MESSAGES.welcome_message}`,
                `Acme: ${agentName}: ${TEXT.reply}`,
                `Dana: ${TEXT.photo} [image]`,
                `Acme: ${agentName}: ${TEXT.agentPhoto} [image]`,
                `Acme: ${SANDBOX_MESSAGES.finished_message}`,
            ],
        );
        expectList(
            'Eli on X',
            sandbox.customerDms(eli.id, support.id).map((d) => `${d.fromCustomer ? 'Eli' : 'Acme'}: ${d.text}`),
            [
                `Eli: ${TEXT.offline}`,
                `Acme: ${SANDBOX_MESSAGES.unavailable_message}`,
                // When the room opens, the customer is welcomed like any new conversation.
                `Acme: ${SANDBOX_MESSAGES.welcome_message}`,
            ],
        );
        const danaRoom = sandbox.rooms().find((r) => r.id === danaRoomId)!;
        expectList("Dana's room", conversationLines(danaRoom), [
            `Dana Customer: ${TEXT.first}`,
            `${agentName}: ${TEXT.reply}`,
            // The app posts a DM's text, then its media as the visitor's file.
            `Dana Customer: ${TEXT.photo}`,
            'Dana Customer: [image/png]',
            `${agentName}: ${TEXT.agentPhoto} [image/png]`,
        ]);
        expectList("Eli's room", conversationLines(openRoomOf(eli)!), [`Eli Customer: ${TEXT.offline}`]);
        if (sales && salesAgentName) {
            expectList(
                `Dana on X, with @${sales.username}`,
                sandbox
                    .customerDms(dana.id, sales.id)
                    .map((d) => `${d.fromCustomer ? 'Dana' : 'Acme Sales'}: ${d.text}`),
                [
                    `Dana: ${TEXT.sales}`,
                    `Acme Sales: ${SANDBOX_MESSAGES.welcome_message}`,
                    `Acme Sales: ${salesAgentName}: ${TEXT.salesReply}`,
                ],
            );
            expectList(`Dana's @${sales.username} room`, conversationLines(openRoomOf(dana, sales)!), [
                `Dana Customer: ${TEXT.sales}`,
                `${salesAgentName}: ${TEXT.salesReply}`,
            ]);
            const rooms = sandbox.rooms();
            const strays = rooms.filter((r) => r.account?.id !== support.id && r.account?.id !== sales.id);
            if (strays.length > 0) fail(`rooms without a linked account: ${strays.map((r) => r.id).join(', ')}`);
        }
    });

    const billedPerCustomerDm = {
        xaa: 'one dm.received delivery',
        // X reaches the sandbox's webhook: Automatic chose the X Activity API.
        auto: 'one dm.received delivery',
        aaa: 'nothing (AAA deliveries are free)',
        polling: 'at least one DM event read',
    }[sandbox.mode];
    await step(
        `The ledger accounts for every DM: one create per business DM, ${billedPerCustomerDm} per customer DM`,
        async () => {
            const { dmCreates, dmReceivedDeliveries, dmEventReads, usd } = sandbox.state().ledger;
            // Every account's DMs: the ledger is the X app's, shared by its accounts.
            const businessDms = [dana, eli].flatMap((c) =>
                sandbox.customerDms(c.id).filter((d) => !d.fromCustomer),
            ).length;
            const customerDms = [dana, eli].flatMap((c) =>
                sandbox.customerDms(c.id).filter((d) => d.fromCustomer),
            ).length;
            if (dmCreates !== businessDms)
                fail(`X billed ${dmCreates} DM creates for ${businessDms} DMs the business sent`);
            const expectedDeliveries = sandbox.mode === 'xaa' || sandbox.mode === 'auto' ? customerDms : 0;
            if (dmReceivedDeliveries !== expectedDeliveries)
                fail(`X billed ${dmReceivedDeliveries} dm.received deliveries, expected ${expectedDeliveries}`);
            if (sandbox.mode === 'polling' && dmEventReads < customerDms)
                fail(`polling read only ${dmEventReads} DM events for ${customerDms} customer DMs`);
            const expectedUsd = (dmCreates * 15 + dmReceivedDeliveries * 10 + dmEventReads * 10) / 1000;
            if (Math.abs(usd - expectedUsd) > 1e-9)
                fail(`the ledger total $${usd} differs from its items' $${expectedUsd}`);
        },
    );

    function expectList(what: string, actual: string[], expected: string[]): void {
        if (JSON.stringify(actual) === JSON.stringify(expected)) return;
        fail(
            `${what} shows\n${actual.map((l) => `      | ${l}`).join('\n')}\n    expected\n${expected.map((l) => `      | ${l}`).join('\n')}`,
        );
    }
}

/** A room's conversation (no system messages) as "Sender: text [file type]" lines. */
function conversationLines(room: RoomView): string[] {
    return room.messages
        .filter((m) => m.role !== 'system')
        .map((m) => `${m.sender}: ${[m.text, m.file && `[${m.file.type}]`].filter(Boolean).join(' ')}`);
}

/** Both sides' transcripts, the X ledger and `/twitter status`, as printed after the demo. */
export function transcripts(sandbox: Sandbox, status?: string): string {
    const lines: string[] = [];
    const time = (at: number) => new Date(at).toISOString().slice(11, 19);
    for (const customer of sandbox.customers.values()) {
        for (const business of sandbox.businesses) {
            const dms = sandbox.customerDms(customer.id, business.id);
            // Only the conversations that exist (a customer may write to one account only).
            if (dms.length === 0 && business !== sandbox.businesses[0]) continue;
            lines.push('', `── On X: @${customer.username} (${customer.name}) ⇄ @${business.username} ──`);
            for (const dm of dms) {
                const who = dm.fromCustomer ? `@${customer.username}` : `@${business.username}`;
                const media = dm.media ? ` [${dm.media.type}, ${sandbox.dmMedia(dm.id)?.bytes.length ?? 0} bytes]` : '';
                lines.push(`  ${time(dm.at)}  ${who.padEnd(14)} ${dm.text}${media}`);
            }
        }
    }
    const several = sandbox.businesses.length > 1;
    for (const room of sandbox.rooms()) {
        const account = several && room.account ? `with @${room.account.username}, ` : '';
        lines.push(
            '',
            `── In Rocket.Chat: ${room.visitor.name}'s room (${account}${room.department ?? 'no department'}, ${room.servedBy ? `served by ${room.servedBy}` : 'unassigned'}, ${room.open ? 'open' : 'closed'}) ──`,
        );
        for (const m of room.messages) {
            const who = m.role === 'system' ? `(${m.kind})` : m.sender;
            const file = m.file ? ` [file ${m.file.name}, ${m.file.type}]` : '';
            lines.push(`  ${time(m.at)}  ${who.padEnd(14)} ${m.text}${file}`);
        }
        for (const n of room.notices) lines.push(`  ${time(n.at)}  ${'(to agent)'.padEnd(14)} ${n.text}`);
    }
    const { ledger, xLogTotal } = sandbox.state();
    const price = ledger.unitPriceUsd;
    const row = (label: string, count: number, unit: number) =>
        `  ${label.padEnd(24)} ${String(count).padStart(3)} × $${unit.toFixed(3)} = $${(count * unit).toFixed(3)}`;
    lines.push(
        '',
        '── What X bills (simulator ledger) ──',
        row('dm.received deliveries', ledger.dmReceivedDeliveries, price.dm_received_delivery),
        row('DM creates', ledger.dmCreates, price.dm_create),
        row('DM event reads', ledger.dmEventReads, price.dm_event_read),
        `  ${'total'.padEnd(24)} $${ledger.usd.toFixed(3)}   (${xLogTotal} X requests and webhook deliveries)`,
    );
    if (status !== undefined) lines.push('', '── /twitter status ──', ...status.split('\n').map((l) => `  ${l}`));
    return lines.join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
