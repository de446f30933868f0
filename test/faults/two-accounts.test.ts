/**
 * Two linked business accounts on one X app (issue 17), customers writing to both, under the faults the
 * single-account scenarios use: duplicated and reordered deliveries on two Rocket.Chat instances, and 5xx / 429
 * answers to sends. Per account and conversation: lost 0, duplicated 0, out-of-order 0 — and no cross-account
 * message: a DM never lands in the customer's room with the other account (the audit reads the account from the
 * room's visitor token, as Rocket.Chat stores it), and a reply never leaves from the other account (the
 * simulator sends as the token's user; each account's audit counts what *it* sent).
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { MIRROR_GRACE_MS } from '../../src/bridge/inbound-business';
import { MIRROR_JOB_ID } from '../../src/jobs/ids';
import { accountOfRoom, linkSecondAccount, SECOND_DEPARTMENT } from '../../tools/sandbox/accounts';
import { auditInbound, auditOutbound, faultsOf, NO_FAULTS } from './helpers/audit';
import { driveDms, letRetriesRun, newCustomers, seededRandom } from './helpers/drive';
import { runJobsUntil } from './helpers/polling';
import { catchUpWithRealTime, Rig, startRig } from './helpers/rig';
import { SCALE, SEED, timeoutFor } from './helpers/scale';
import { record } from './helpers/summary';

const INBOUND = Math.max(40, Math.round(SCALE.inboundEvents * 0.1));
const REPLIES = Math.max(20, Math.round(SCALE.replies * 0.3));
const MINUTE = 60_000;

describe(`two linked accounts under faults (${SCALE.label}: ${INBOUND} DMs, ${REPLIES} replies)`, () => {
    let rig: Rig;
    let accounts: { id: string; username: string; department: string; agent: IUser }[];
    const random = seededRandom(SEED + 70);

    beforeAll(async () => {
        rig = await startRig({ mode: 'xaa', shareClock: true, sim: { deliveryRealTimeoutMs: 5_000 } });
        const second = await linkSecondAccount(rig);
        accounts = [
            { id: rig.business.id, username: rig.business.username, department: 'Support', agent: rig.agent },
            {
                id: second.account.id,
                username: second.account.username,
                department: SECOND_DEPARTMENT.name,
                agent: second.agent,
            },
        ];
    }, 180_000);

    afterAll(async () => {
        await rig?.stop();
    });

    afterEach(async () => {
        rig.sim.faults.clear();
        for (const host of rig.hosts) expect(await host.isEnabled()).toBe(true);
    });

    /** Every room belongs to the account its visitor token names, and opened in that account's department. */
    const roomsOnTheirAccount = () =>
        rig.host
            .livechatRooms()
            .map((room) => {
                const named = /^x1\.(\d+)\./.exec(room.visitor?.token ?? '')?.[1];
                const account = accounts.find((a) => a.id === named);
                return {
                    room: room.id,
                    named,
                    recorded: accountOfRoom(rig, room.id),
                    department: room.department?.name,
                    expected: account?.department,
                };
            })
            .filter((r) => !r.named || r.named !== r.recorded || r.department !== r.expected);

    it(
        'DMs to both accounts, duplicated and reordered, two instances: each lands once, in order, in its account’s room',
        async () => {
            const customers = newCustomers(rig, 'two', Math.max(6, Math.round(INBOUND / 8)));
            await rig.addInstance();
            rig.sim.faults.set({ delivery: { duplicate: 1 }, probability: 0.25 });
            rig.sim.faults.set({ delivery: { reorder: true }, probability: 0.25 });
            await driveDms(rig, customers, INBOUND, random, { accounts: accounts.map((a) => a.id) });
            rig.sim.faults.clear();
            await rig.settleAll();
            await letRetriesRun(rig);

            for (const account of accounts) {
                const audit = auditInbound(rig.sim, rig.host.store, account.id, customers);
                record(__filename, `two accounts: inbound to @${account.username}`, 'inbound', { audit });
                expect(audit.conversations).toBeGreaterThan(0);
                expect(faultsOf(audit)).toEqual(NO_FAULTS);
                expect(audit.delivered).toBe(audit.expected);
            }
            // Customers wrote to both: some have a room with each account.
            const withBoth = customers.filter((c) =>
                accounts.every((a) => rig.sim.dmsSentBy(c, { to: a.id }).length > 0),
            );
            expect(withBoth.length).toBeGreaterThan(0);
            expect(roomsOnTheirAccount()).toEqual([]);

            // Both accounts answer customers who wrote to both from X's own app: each reply is mirrored once,
            // into the customer's room with the account that sent it (the mirror job runs once per account).
            const typed: { account: string; customer: string; text: string }[] = [];
            for (const customer of withBoth.slice(0, 3))
                for (const account of accounts) {
                    const text = `typed in X by @${account.username} to ${customer.slice(-4)}`;
                    await rig.sim.typeInNativeApp({ account: account.id, to: customer, text });
                    typed.push({ account: account.id, customer, text });
                }
            await rig.settleAll();
            await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + MIRROR_GRACE_MS + 2_000);
            await rig.host.runJobNow(MIRROR_JOB_ID);
            await rig.settleAll();
            const appUserId = rig.host.appUser().id;
            const mirrored = rig.host.livechatRooms().flatMap((room) =>
                rig.host
                    .messagesIn(room.id)
                    .filter((m) => m.sender?.id === appUserId)
                    .flatMap((m) => typed.filter((t) => (m.text ?? '').includes(t.text)))
                    .map((t) => ({ ...t, roomAccount: accountOfRoom(rig, room.id) })),
            );
            expect(mirrored.filter((m) => m.roomAccount !== m.account)).toEqual([]);
            expect(mirrored.map((m) => m.text).sort()).toEqual(typed.map((t) => t.text).sort());
        },
        timeoutFor(INBOUND, 40),
    );

    it(
        'replies in both accounts’ rooms under 5xx and 429: each leaves once, in order, from its room’s account',
        async () => {
            const conversations: { customer: string; room: ILivechatRoom; agent: IUser; account: string }[] = [];
            for (let i = 0; i < 4; i++) {
                const name = `Both Accounts ${i}`;
                const customer = rig.customer(`both${i}`, name);
                for (const account of accounts) {
                    await catchUpWithRealTime(rig);
                    await rig.sim.sendDm({ from: customer, to: account.id, text: `hello @${account.username}` });
                    await rig.settleAll();
                    const room = rig.host
                        .livechatRooms()
                        .find((r) => r.isOpen && r.visitor?.name === name && accountOfRoom(rig, r.id) === account.id);
                    if (!room) throw new Error(`no room for ${name} with @${account.username}`);
                    conversations.push({ customer, room, agent: account.agent, account: account.id });
                }
            }
            rig.sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm.send' }, probability: 0.08 });
            rig.sim.faults.set({ api: { status: 429 }, match: { endpoint: 'dm.send' }, probability: 0.05 });
            // One account's token refused more often: its replies wait, the other's must not suffer.
            rig.sim.faults.set({
                api: { status: 429 },
                match: { endpoint: 'dm.send', userId: accounts[1].id },
                probability: 0.2,
            });

            // Per account: the replies each customer must get from it (every customer is in both maps, so a
            // reply leaving from the wrong account is unexpected there and lost here).
            const replies = new Map(
                accounts.map((a) => [a.id, new Map(conversations.map((c) => [c.customer, [] as string[]]))]),
            );
            for (let posted = 0; posted < REPLIES;) {
                const count = Math.min(REPLIES - posted, 1 + Math.floor(random() * 4));
                for (let i = 0; i < count; i++, posted++) {
                    const which = Math.floor(random() * conversations.length);
                    const c = conversations[which];
                    const text = `reply ${posted} in ${c.room.id.slice(-4)}`;
                    replies.get(c.account)!.get(c.customer)!.push(text);
                    // An agent's session is on one instance (as in outbound.test.ts): both instances send, each
                    // conversation from one of them.
                    rig.hosts[which % rig.hosts.length].postAgentMessage(c.room.id, c.agent, text);
                    await rig.clock.advance(1_000);
                }
                await Promise.all(rig.hosts.map((h) => h.settle()));
                await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + MINUTE);
            }
            rig.sim.faults.clear();
            const expected = REPLIES;
            const audits = () =>
                accounts.map((a) => {
                    const render = (text: string) => `${a.agent.name}: ${text}`;
                    // Automatic messages (welcome) come from the account written to; no reply text is one.
                    const automatic = (text: string) => !text.includes(': reply ');
                    return auditOutbound(rig.sim, a.id, replies.get(a.id)!, render, automatic);
                });
            for (let waited = 0; waited < 24 * 60; waited += 15) {
                await runJobsUntil(rig.clock, rig.hosts, rig.clock.now() + 15 * MINUTE);
                await Promise.all(rig.hosts.map((h) => h.settle()));
                if (audits().reduce((n, a) => n + a.delivered, 0) >= expected) break;
            }
            await rig.settleAll();

            const sends = rig.sim.requests().filter((r) => r.endpoint === 'dm.send');
            expect(sends.some((r) => r.status === 503 || r.status === 429)).toBe(true);
            for (const [i, audit] of audits().entries()) {
                record(__filename, `two accounts: replies from @${accounts[i].username}, 5xx / 429`, 'outbound', {
                    audit,
                });
                expect(faultsOf(audit)).toEqual(NO_FAULTS);
            }
            // Every send went out with the token of the account whose room it came from.
            for (const account of accounts) {
                const fromOther = rig.sim
                    .dmsSentBy(account.id)
                    .filter((dm) =>
                        accounts.some((a) => a.id !== account.id && dm.text.startsWith(`${a.agent.name}: `)),
                    );
                expect(fromOther.map((dm) => dm.text)).toEqual([]);
            }
        },
        timeoutFor(REPLIES, 300),
    );
});
