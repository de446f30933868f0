/**
 * Administering several linked X accounts (issue 17): `/twitter accounts`, `/twitter department`,
 * `/twitter status [@handle]`, `/twitter unauthorize @handle`, `/twitter dm --from`, `/twitter forget` under
 * every account, and the setup room's "Set department" / "Unlink" buttons with their modals. Two accounts are
 * linked as an admin does it; every command, button and modal submission is refused to a non-admin.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import {
    ACCOUNT_DEPARTMENT_ACTION,
    ACCOUNT_UNLINK_ACTION,
    DEPARTMENT_BLOCK,
    DEPARTMENT_INPUT,
    DEPARTMENT_VIEW,
    UNLINK_VIEW,
} from '../../src/admin/accounts-view';
import { quiet, syncClock } from './helpers/outbound';
import {
    addDepartment,
    buttonsOf,
    ephemeralSince,
    linkedAccounts,
    linkSecondAccount,
    SecondAccount,
    setupRoom,
    startWorld,
    World,
} from './helpers/world';

type ModalResponse = {
    success: boolean;
    type?: string;
    view?: { id: string; title: { text: string }; blocks: { element: Record<string, unknown> }[] };
    errors?: Record<string, string>;
};

describe('administering several linked X accounts', () => {
    let world: World;
    let second: SecondAccount;
    let billing: { departmentId: string; agent: IUser };

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa' });
        second = await linkSecondAccount(world);
        billing = addDepartment(world, { name: 'Billing', agentUsername: 'agent.bill', agentName: 'Agent Bill' });
    });

    afterAll(async () => {
        await world?.stop();
    });

    afterEach(async () => {
        expect(await world.host.isEnabled()).toBe(true);
    });

    const support = () => world.business;
    const sales = () => second.account;

    async function command(text: string, user = world.admin): Promise<string> {
        const mark = world.host.store.ephemeral.length;
        await world.host.runCommand(text, user);
        return ephemeralSince(world, user, mark).join('\n');
    }

    const setupTexts = () => world.host.messagesIn(setupRoom(world)!.id).map((m) => m.text ?? '');

    /** The latest setup-room message showing the account's button. */
    function accountButton(actionId: string, accountId: string): { message: IMessage; blockId?: string } {
        const message = [...world.host.messagesIn(setupRoom(world)!.id)]
            .reverse()
            .find((m) => buttonsOf(m).some((b) => b.actionId === actionId && b.value === accountId));
        if (!message) throw new Error(`No ${actionId} button for ${accountId} in the setup room`);
        const button = buttonsOf(message).find((b) => b.actionId === actionId && b.value === accountId)!;
        return { message, blockId: button.blockId };
    }

    async function press(user: IUser, actionId: string, accountId: string): Promise<ModalResponse> {
        const { message, blockId } = accountButton(actionId, accountId);
        return (await world.host.blockAction(user, {
            actionId,
            blockId,
            value: accountId,
            roomId: setupRoom(world)!.id,
            messageId: message.id,
        })) as ModalResponse;
    }

    const submitDepartment = async (user: IUser, accountId: string, value: unknown) =>
        (await world.host.viewSubmit(user, {
            id: `${DEPARTMENT_VIEW}:${accountId}`,
            state: { [DEPARTMENT_BLOCK]: { [DEPARTMENT_INPUT]: value } },
        })) as ModalResponse;

    const departments = () => Object.fromEntries(linkedAccounts(world).map((a) => [a.username, a.department]));

    async function dmFrom(customer: string, to: string, text: string): Promise<void> {
        await syncClock(world);
        await world.sim.sendDm({ from: customer, to, text });
        await quiet(world);
    }

    it('/twitter department routed the second account (its report in the setup room carries both accounts with buttons)', () => {
        expect(departments()).toEqual({ [support().username]: undefined, [sales().username]: 'Sales' });
        expect(second.replies.join('\n')).toContain(
            `New conversations of @${sales().username} now open in the department Sales`,
        );
        const report = setupTexts().find((t) => t.includes("changed an account's department"))!;
        expect(report).toContain(`${world.admin.username} changed an account's department`);
        for (const account of [support(), sales()]) {
            expect(accountButton(ACCOUNT_DEPARTMENT_ACTION, account.id)).toBeDefined();
            expect(accountButton(ACCOUNT_UNLINK_ACTION, account.id)).toBeDefined();
        }
    });

    it('/twitter accounts lists each account with its department, delivery, health and cost, and the shared budget', async () => {
        const answer = await command('/twitter accounts');
        expect(answer).toContain('*Linked X accounts (2)*');
        expect(answer).toContain(
            `• @${support().username} — department: Support (Default department setting) — delivery: X Activity API webhook, healthy — X cost today: $`,
        );
        expect(answer).toContain(
            `• @${sales().username} — department: Sales — delivery: X Activity API webhook, healthy — X cost today: $`,
        );
        expect(answer).toContain('shared by every linked account');
        const notice = world.host.store.ephemeral[world.host.store.ephemeral.length - 1];
        expect(buttonsOf(notice.message).map((b) => [b.actionId, b.value])).toEqual([
            [ACCOUNT_DEPARTMENT_ACTION, support().id],
            [ACCOUNT_UNLINK_ACTION, support().id],
            [ACCOUNT_DEPARTMENT_ACTION, sales().id],
            [ACCOUNT_UNLINK_ACTION, sales().id],
        ]);
    });

    it('/twitter department refuses an unknown department or handle and quotes typed text harmlessly', async () => {
        expect(await command(`/twitter department @${sales().username} Nowhere`)).toContain(
            'There is no Omnichannel department `Nowhere`',
        );
        expect(await command('/twitter department @nobody_linked Sales')).toContain(
            '@nobody_linked is not a linked X account',
        );
        const injected = await command(`/twitter department @${sales().username} [click](https://evil.example) @all`);
        expect(injected).toContain('`[click](https://evil.example) @all`');
        expect(await command('/twitter department [x](https://evil.example) Sales')).toContain(
            '`[x](https://evil.example)` is not an X handle',
        );
        expect(await command(`/twitter department @${sales().username} ${'x'.repeat(120)}`)).toContain(
            'cannot be a department name or id',
        );
        expect(await command('/twitter department')).toContain('Usage: `/twitter department @handle');
        expect(departments()).toEqual({ [support().username]: undefined, [sales().username]: 'Sales' });
    });

    it('"Set department" opens a modal listing the departments; its submission routes new DMs there', async () => {
        const opened = await press(world.admin, ACCOUNT_DEPARTMENT_ACTION, support().id);
        expect(opened).toMatchObject({ success: true, type: 'modal.open' });
        expect(opened.view!.id).toBe(`${DEPARTMENT_VIEW}:${support().id}`);
        const select = opened.view!.blocks[0].element as {
            type: string;
            options: { value: string; text: { text: string } }[];
        };
        expect(select.type).toBe('static_select');
        expect(select.options.map((o) => o.text.text)).toEqual(
            expect.arrayContaining(['The Default department setting', 'Support', 'Sales', 'Billing']),
        );

        // A crafted submission with an id that is no department: refused on the field, nothing stored.
        const refused = await submitDepartment(world.admin, support().id, 'no-such-id');
        expect(refused).toMatchObject({
            success: false,
            errors: { [DEPARTMENT_INPUT]: expect.stringContaining('no-such-id') },
        });
        expect(departments()[support().username]).toBeUndefined();

        const saved = await submitDepartment(world.admin, support().id, billing.departmentId);
        expect(saved.success).toBe(true);
        expect(departments()[support().username]).toBe('Billing');
        expect(setupTexts().at(-1)).toContain(
            `New conversations of @${support().username} now open in the department Billing`,
        );

        const dora = world.customer('dora_dept', 'Dora Department');
        await dmFrom(dora, support().id, 'Is my invoice ready?');
        const room = world.host.livechatRooms().find((r) => r.isOpen && r.visitor?.name === 'Dora Department');
        expect(room?.department?.name).toBe('Billing');
        expect(room?.servedBy?.username).toBe('agent.bill');
    });

    it('/twitter department @handle alone goes back to the Default department setting', async () => {
        expect(await command(`/twitter department @${support().username}`)).toContain(
            `@${support().username} has no department of its own any more`,
        );
        expect(departments()[support().username]).toBeUndefined();
    });

    it('/twitter status: one line per account, or one account in full; bad handles refused', async () => {
        const all = await command('/twitter status');
        expect(all).toContain(`• @${support().username} — department: Support`);
        expect(all).toContain(`• @${sales().username} — department: Sales`);
        expect(all).toContain(`/twitter status @${support().username}\` shows one account in full`);
        const one = await command(`/twitter status @${sales().username.toLowerCase()}`);
        expect(one).toContain(`• Account: @${sales().username}, linked with OAuth 2.0`);
        expect(one).not.toContain(`@${support().username}`);
        expect(await command('/twitter status @nobody_linked')).toContain('@nobody_linked is not a linked X account');
        expect(await command('/twitter status @a @b')).toContain('`@a @b` is not an X handle');
    });

    it('/twitter dm names the business with --from when several are linked', async () => {
        const carol = world.customer('carol_from', 'Carol From');
        const asked = await command('/twitter dm @carol_from Hello Carol', world.agent);
        expect(asked).toContain('Several X accounts are linked');
        expect(asked).toContain(`@${support().username}, @${sales().username}`);
        expect(await command('/twitter dm @carol_from --from @nobody_linked Hi', world.agent)).toContain(
            '@nobody_linked is not a linked X account',
        );
        expect(await command('/twitter dm @carol_from --from', world.agent)).toContain('`--from` needs');
        expect(world.sim.conversation(carol, support().id)).toEqual([]);

        const sent = await command(
            `/twitter dm @carol_from --from @${sales().username} Your gift card is ready`,
            second.agent,
        );
        expect(sent).toContain('@carol_from');
        expect(world.sim.dmsSentBy(sales().id, { to: carol }).map((d) => d.text)).toEqual([
            'Agent Jones: Your gift card is ready',
        ]);
        expect(world.sim.dmsSentBy(support().id, { to: carol })).toEqual([]);
    });

    it('/twitter forget erases the customer under every account, refusing while a room is open', async () => {
        const erin = world.customer('erin_both', 'Erin Both');
        await dmFrom(erin, support().id, 'Question for support');
        await dmFrom(erin, sales().id, 'Question for sales');
        const rooms = () => world.host.livechatRooms().filter((r) => r.isOpen && r.visitor?.name === 'Erin Both');
        expect(rooms()).toHaveLength(2);
        expect(await command(`/twitter forget ${erin}`)).toContain('still has an open room');
        const answer = await command(`/twitter forget ${erin} --close`);
        expect(answer).toContain(`Forgotten: ${erin}`);
        expect(rooms()).toEqual([]);
        const conversations = [...world.host.store.appPersistence(world.host.appId).values()].filter(
            (r) => r.data.type === 'conversation' && (r.data as { customerId?: string }).customerId === erin,
        );
        expect(conversations).toEqual([]);
    });

    it('refuses every account command, button and modal submission to a non-admin', async () => {
        for (const text of [
            '/twitter accounts',
            `/twitter department @${sales().username} Support`,
            `/twitter unauthorize @${sales().username}`,
        ])
            expect(await command(text, world.agent)).toContain('Only Rocket.Chat administrators');
        expect(await command(`/twitter status @${sales().username}`, world.agent)).not.toContain(sales().username);

        for (const action of [ACCOUNT_DEPARTMENT_ACTION, ACCOUNT_UNLINK_ACTION]) {
            const mark = world.host.store.ephemeral.length;
            const response = await press(world.agent, action, sales().id);
            expect(response.type).toBeUndefined();
            expect(response.success).toBe(false);
            expect(ephemeralSince(world, world.agent, mark).join('\n')).toContain('Only Rocket.Chat administrators');
        }
        const modals = world.host.uiInteractions().filter((i) => i.user.id === world.agent.id);
        expect(modals).toEqual([]);

        const crafted = await submitDepartment(world.agent, sales().id, world.departmentId);
        expect(crafted.success).toBe(false);
        const unlink = (await world.host.viewSubmit(world.agent, {
            id: `${UNLINK_VIEW}:${sales().id}`,
        })) as ModalResponse;
        expect(unlink.success).toBe(false);
        expect(departments()).toEqual({ [support().username]: undefined, [sales().username]: 'Sales' });
        expect(world.sim.webhooks()).toHaveLength(1);
    });

    it('/twitter unauthorize without a handle asks which account when several are linked', async () => {
        expect(await command('/twitter unauthorize')).toContain(
            'Several X accounts are linked: name the one to unlink',
        );
        expect(linkedAccounts(world)).toHaveLength(2);
    });

    it('"Unlink" asks in a modal, then removes that account and only its delivery at X', async () => {
        const opened = await press(world.admin, ACCOUNT_UNLINK_ACTION, sales().id);
        expect(opened).toMatchObject({ success: true, type: 'modal.open' });
        expect(opened.view!.title.text).toBe(`Unlink @${sales().username}?`);
        expect(linkedAccounts(world)).toHaveLength(2);

        const done = (await world.host.viewSubmit(world.admin, { id: opened.view!.id })) as ModalResponse;
        expect(done.success).toBe(true);
        expect(linkedAccounts(world).map((a) => a.username)).toEqual([support().username]);
        expect(setupTexts().at(-1)).toContain(`${world.admin.username} unlinked @${sales().username}`);
        expect(world.sim.webhooks()).toHaveLength(1);

        // X delivers nothing more for the unlinked account; the other one still delivers and opens rooms.
        const frank = world.customer('frank_after', 'Frank After');
        const before = world.sim.deliveries().length;
        await dmFrom(frank, sales().id, 'Anyone at sales?');
        await dmFrom(frank, support().id, 'Anyone at support?');
        const fresh = world.sim.deliveries().slice(before);
        expect(fresh.filter((d) => d.forUserId === sales().id)).toEqual([]);
        expect(fresh.filter((d) => d.forUserId === support().id).length).toBeGreaterThan(0);
        const rooms = world.host.livechatRooms().filter((r) => r.isOpen && r.visitor?.name === 'Frank After');
        expect(rooms).toHaveLength(1);
        expect(world.host.messagesIn(rooms[0].id).map((m) => m.text)).toEqual(
            expect.arrayContaining(['Anyone at support?']),
        );

        // The button of an account no longer linked opens nothing.
        const stale = await press(world.admin, ACCOUNT_DEPARTMENT_ACTION, sales().id);
        expect(stale.type).toBeUndefined();
    });

    it('with one account left, /twitter unauthorize without a handle unlinks it as before', async () => {
        expect(await command('/twitter unauthorize')).toContain(`Unlinked @${support().username}`);
        expect(linkedAccounts(world)).toEqual([]);
        expect(world.sim.webhooks()).toHaveLength(0);
        expect(await command('/twitter accounts')).toContain('No X account is linked');
    });
});
