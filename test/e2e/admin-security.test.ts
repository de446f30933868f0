/**
 * Attacks on the admin side, through the packaged app in the real runtime (issue 12, items 7–9):
 * - `/twitter status` by someone who is neither an admin nor an Omnichannel manager: nothing sensitive, no X call;
 *   an admin's repeated status asks X once a minute, whichever instance answers;
 * - a public `#omnichannel-twitter-setup` created before the install receives nothing;
 * - the OAuth 2.0 callback alone links nothing: a leaked authorize link completed with another X account, a
 *   confirmation by anyone but the admin who started, and an expired confirmation all leave the app unlinked;
 *   the X display name in the question is inert; a demoted admin is not brought into the setup room; requests
 *   nobody pressed are forgotten (token revoked) by the daily housekeeping; "Link" and "Cancel" pressed at once
 *   on two instances decide once.
 */
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { CANCEL_LINK_ACTION, CONFIRM_LINK_ACTION } from '../../src/admin/pending-link';
import { SETUP_ROOM_NAME } from '../../src/admin/setup-room';
import { HEALTH_JOB_ID, HOUSEKEEPING_JOB_ID, SETTINGS_JOB_ID } from '../../src/jobs/ids';
import type { TestHost } from '../../tools/host/host';
import { DEFAULT_BUSINESS_ACCOUNT } from '../../tools/x-sim/defaults';
import { webhookSecret } from './helpers/app-host';
import {
    buttonsOf,
    ephemeralSince,
    followAuthorizeLink,
    pressSetupButton,
    setupRoom,
    startInstance,
    startWorld,
    World,
} from './helpers/world';

const HOUR = 3_600_000;

const records = (world: World) => [...world.host.store.appPersistence(world.host.appId).values()];
/** The record of a kind: `key`, or `key:<accountId>` for the kinds kept per linked account. */
const recordData = (world: World, key: string) =>
    records(world).find((r) => r.associations.some((a) => a.id === key || a.id.startsWith(`${key}:`)))?.data as
        Record<string, unknown> | undefined;
const pendingLinks = (world: World) =>
    records(world).filter((r) => (r.data as { type?: string }).type === 'pending-link');
const webhookReads = (world: World) =>
    world.sim.requests().filter((r) => r.method === 'GET' && r.path === '/2/webhooks').length;

async function command(world: World, text: string, user: IUser, host: TestHost = world.host): Promise<string> {
    const mark = host.store.ephemeral.length;
    await host.runCommand(text, user);
    return ephemeralSince(world, user, mark).join('\n');
}

/** `/twitter authorize` by `admin`: the authorize URL its answer carries. */
async function authorizeUrl(world: World, admin: IUser): Promise<string> {
    const reply = await command(world, '/twitter authorize', admin);
    const url = /https?:\/\/\S+/.exec(reply)?.[0];
    if (!url) throw new Error(`No authorization link in: ${reply}`);
    return url;
}

/** Whoever holds the authorize link completes X's consent signed in as `signedInAs`; the callback page it lands on. */
async function completeConsentAs(world: World, url: string, signedInAs: string) {
    world.sim.setConsent({ userId: signedInAs });
    try {
        return await followAuthorizeLink(world, url);
    } finally {
        world.sim.setConsent({ userId: world.business.id });
    }
}

describe('/twitter status: admins and Omnichannel managers only, X asked at most once a minute', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa' });
    }, 120_000);

    afterAll(async () => {
        await world?.stop();
    });

    it('tells anyone else politely that they cannot see it, shows nothing sensitive and calls X for nothing', async () => {
        const plain = world.host.createUser({ username: 'plain.user', roles: ['user'] });
        const monitor = world.host.createUser({ username: 'a.monitor', roles: ['user', 'livechat-monitor'] });
        for (const user of [plain, world.agent, monitor]) {
            const xRequests = world.sim.requests().length;
            const hostRequests = world.host.httpExchanges().length;
            const reply = await command(world, '/twitter status', user);
            expect(reply).toBe(
                'Only Rocket.Chat administrators and Omnichannel managers can see `/twitter status`. Ask one of them if X messages seem not to arrive.',
            );
            for (const secret of [
                DEFAULT_BUSINESS_ACCOUNT.username,
                world.business.id,
                'webhook',
                '/api/apps',
                world.host.appId,
                webhookSecret(world.host),
                '$',
                'Subscriptions',
            ]) {
                expect(reply).not.toContain(secret);
            }
            expect(world.sim.requests().length).toBe(xRequests);
            expect(world.host.httpExchanges().length).toBe(hostRequests);
        }
        expect(recordData(world, 'x-status-webhook-check')).toBeUndefined();
    });

    it('shows the status to an Omnichannel manager, and asks X once for repeated status within a minute, on any instance', async () => {
        const manager = world.host.createUser({ username: 'omni.manager', roles: ['user', 'livechat-manager'] });
        const before = webhookReads(world);
        const xRequests = world.sim.requests().length;
        const replies = [
            await command(world, '/twitter status', world.admin),
            await command(world, '/twitter status', world.admin),
            await command(world, '/twitter status', manager),
        ];
        const second = await startInstance(world, 'h2');
        try {
            replies.push(await command(world, '/twitter status', world.admin, second));
        } finally {
            await second.stop();
        }
        for (const reply of replies) {
            expect(reply).toContain(`@${DEFAULT_BUSINESS_ACCOUNT.username}`);
            expect(reply).toContain('Webhook: valid (');
            expect(reply).toContain('/webhook/…');
            expect(reply).not.toContain(webhookSecret(world.host));
        }
        expect(webhookReads(world)).toBe(before + 1);
        expect(world.sim.requests().length).toBe(xRequests + 1);

        // Once the minute has passed, the next status asks X again (the record's time moved back a minute).
        for (const record of records(world)) {
            if (record.associations.some((a) => a.id === 'x-status-webhook-check'))
                record.data = { ...record.data, at: (record.data as { at: number }).at - 61_000 };
        }
        expect(await command(world, '/twitter status', world.admin)).toContain('Webhook: valid (');
        expect(webhookReads(world)).toBe(before + 2);
    }, 120_000);
});

describe('the setup room: by the id of the room the app created, never by name', () => {
    let world: World;
    let mallory: IUser;
    let decoyId: string;

    beforeAll(async () => {
        world = await startWorld({
            mode: 'xaa',
            beforeInstall: (host) => {
                mallory = host.createUser({ username: 'mallory', roles: ['user'] });
                decoyId = host.createChannel(SETUP_ROOM_NAME, [mallory]).id;
            },
        });
    }, 120_000);

    afterAll(async () => {
        await world?.stop();
    });

    /** Everything mallory could read: her public room, and what the app showed her alone. */
    const whatMalloryGot = () => [
        ...world.host.messagesIn(decoyId).map((m) => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`),
        ...world.host.ephemeralFor(mallory),
    ];

    it('creates its own private room under another name, and the pre-created public room receives nothing', async () => {
        const room = setupRoom(world)!;
        expect(room.id).not.toBe(decoyId);
        expect(room.type).toBe('p');
        expect(room.slugifiedName).toMatch(new RegExp(`^${SETUP_ROOM_NAME}-[0-9a-f]{6}$`));
        expect(room.creator?.id).toBe(world.host.appUser().id);
        expect(world.host.store.roomMembers.get(room.id)?.has(mallory.id)).toBe(false);
        const texts = world.host
            .messagesIn(room.id)
            .map((m) => m.text ?? '')
            .join('\n');
        expect(texts).toContain(`/webhook/${webhookSecret(world.host)}`);
        expect(texts).toContain(`Linked the X account @${DEFAULT_BUSINESS_ACCOUNT.username}`);

        // Settings problems and health alerts go to the app's room too.
        await world.host.setSetting('department', 'No Such Department');
        await world.host.runJobNow(SETTINGS_JOB_ID);
        world.front.setHosts([]);
        await world.sim.clock.advance(29 * HOUR);
        await world.sim.settle();
        await world.host.runJobNow(HEALTH_JOB_ID);
        world.front.setHosts([world.host]);
        await world.host.runJobNow(HEALTH_JOB_ID);
        await world.host.setSetting('department', 'Support');
        const later = world.host
            .messagesIn(room.id)
            .map((m) => m.text ?? '')
            .join('\n');
        expect(later).toContain('"No Such Department" does not exist');
        expect(later).toContain('X channel problem');

        expect(whatMalloryGot()).toEqual([]);
    });

    it('after an upgrade (no stored id), adopts only a room the app user created; otherwise posts nothing until an admin links again', async () => {
        const stored = records(world).find((r) => r.associations.some((a) => a.id === 'x-setup-room'))!;
        world.host.store.appPersistence(world.host.appId).delete(stored.id);
        // Only mallory's room carries the old name: not adopted, nothing posted anywhere.
        const messages = world.host.store.messages.size;
        await world.host.setSetting('polling_interval_seconds', 5);
        await world.host.runJobNow(SETTINGS_JOB_ID);
        expect(world.host.store.messages.size).toBe(messages);
        expect(recordData(world, 'x-setup-room')).toBeUndefined();

        // An admin links again: the confirmation creates a new private room, with the admin, and it is stored.
        const url = await authorizeUrl(world, world.admin);
        expect((await completeConsentAs(world, url, world.business.id)).status).toBe(200);
        const room = setupRoom(world)!;
        expect(room.id).not.toBe(decoyId);
        expect(room.type).toBe('p');
        expect(world.host.store.roomMembers.get(room.id)?.has(world.admin.id)).toBe(true);
        expect(await pressSetupButton(world, world.admin, CONFIRM_LINK_ACTION)).toBeDefined();
        await world.host.setSetting('polling_interval_seconds', 60);
        expect(whatMalloryGot()).toEqual([]);
    });

    it('keeps working for an install that found its own room by name (upgrade)', async () => {
        const upgraded = await startWorld({ mode: 'aaa', link: false });
        try {
            const room = setupRoom(upgraded)!;
            expect(room.slugifiedName).toBe(SETUP_ROOM_NAME);
            const stored = records(upgraded).find((r) => r.associations.some((a) => a.id === 'x-setup-room'))!;
            upgraded.host.store.appPersistence(upgraded.host.appId).delete(stored.id);
            await upgraded.host.setSetting('department', 'No Such Department');
            await upgraded.host.runJobNow(SETTINGS_JOB_ID);
            expect(
                upgraded.host
                    .messagesIn(room.id)
                    .map((m) => m.text ?? '')
                    .join('\n'),
            ).toContain('"No Such Department" does not exist');
            expect(recordData(upgraded, 'x-setup-room')).toEqual({ roomId: room.id });
        } finally {
            await upgraded.stop();
        }
    }, 120_000);
});

describe('OAuth 2.0: the callback alone links nothing; only the admin who started confirms', () => {
    let world: World;
    let otherAdmin: IUser;
    let malloryX: string;

    const linkedAccount = () => recordData(world, 'x-account');
    const expectNothingLinked = () => {
        expect(linkedAccount()).toBeUndefined();
        expect(recordData(world, 'x-oauth2-tokens')).toBeUndefined();
        expect(world.sim.webhooks()).toHaveLength(0);
    };
    const confirmationMessage = () =>
        [...world.host.messagesIn(setupRoom(world)!.id)].reverse().find((m) => buttonsOf(m).length > 0);

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', link: false });
        otherAdmin = world.host.createUser({ username: 'other.admin', roles: ['admin', 'user'] });
        malloryX = world.customer('mallory_x', 'Mallory');
    }, 120_000);

    afterAll(async () => {
        await world?.stop();
    });

    it('a leaked authorize link completed with another X account: the page asks to confirm in Rocket.Chat, nothing is linked', async () => {
        const url = await authorizeUrl(world, world.admin);
        const page = await completeConsentAs(world, url, malloryX);
        expect(page.status).toBe(200);
        expect(page.body).toContain('Confirm in Rocket.Chat');
        expect(page.body).toContain(`open #${SETUP_ROOM_NAME} in Rocket.Chat and press “Link @mallory_x”`);
        await world.host.settle();
        expectNothingLinked();
        const message = confirmationMessage()!;
        expect(message.text).toContain(
            '@admin, X authorized this Rocket.Chat for the account *@mallory_x* (`Mallory`)',
        );
        expect(buttonsOf(message).map((b) => b.text)).toEqual(['Link @mallory_x', 'Cancel']);
        expect(pendingLinks(world)).toHaveLength(1);
    });

    it('a confirmation by anyone but that admin, or a forged one, links nothing and leaves the request as it was', async () => {
        const message = confirmationMessage()!;
        const { value } = buttonsOf(message).find((b) => b.actionId === CONFIRM_LINK_ACTION)!;
        const room = setupRoom(world)!;
        const attempts: [IUser, string | undefined, string][] = [
            [otherAdmin, value, 'Only the administrator who ran `/twitter authorize` can confirm or cancel'],
            [world.agent, value, 'Only the administrator who ran `/twitter authorize` can confirm or cancel'],
            [world.admin, 'guessed-id', 'already confirmed or cancelled, or it expired'],
            [world.admin, undefined, 'already confirmed or cancelled, or it expired'],
        ];
        for (const [user, forgedValue, said] of attempts) {
            for (const actionId of [CONFIRM_LINK_ACTION, CANCEL_LINK_ACTION]) {
                const mark = world.host.store.ephemeral.length;
                await world.host.blockAction(user, {
                    actionId,
                    blockId: 'x-link-confirmation',
                    value: forgedValue,
                    roomId: room.id,
                    messageId: message.id,
                });
                expect(ephemeralSince(world, user, mark).join('\n')).toContain(said);
            }
        }
        // A request with no known user is refused before the app (Rocket.Chat's 401).
        await expect(
            world.host.blockAction(
                { ...world.admin, id: 'not-a-user' },
                { actionId: CONFIRM_LINK_ACTION, value, roomId: room.id, messageId: message.id },
            ),
        ).rejects.toThrow('401');
        expectNothingLinked();
        expect(pendingLinks(world)).toHaveLength(1);
        expect(buttonsOf(world.host.store.messages.get(message.id!)!)).toHaveLength(2);
    });

    it('an expired request cannot be confirmed: nothing linked, the token revoked at X, no buttons left', async () => {
        for (const record of pendingLinks(world)) record.data = { ...record.data, expiresAt: Date.now() - 1 };
        const revocations = world.sim.requests().filter((r) => r.path === '/2/oauth2/revoke').length;
        const message = (await pressSetupButton(world, world.admin, CONFIRM_LINK_ACTION))!;
        expectNothingLinked();
        expect(pendingLinks(world)).toHaveLength(0);
        const closed = world.host.store.messages.get(message.id!)!;
        expect(closed.text).toContain(
            'The authorization of @mallory_x expired before it was confirmed: nothing was linked',
        );
        expect(buttonsOf(closed)).toHaveLength(0);
        expect(world.sim.requests().filter((r) => r.path === '/2/oauth2/revoke' && r.status === 200).length).toBe(
            revocations + 1,
        );
        expect(await pressSetupButton(world, world.admin, CONFIRM_LINK_ACTION)).toBeUndefined();
    });

    it('"Cancel" by that admin links nothing and revokes the token', async () => {
        const url = await authorizeUrl(world, world.admin);
        await completeConsentAs(world, url, malloryX);
        const revocations = world.sim.requests().filter((r) => r.path === '/2/oauth2/revoke').length;
        const message = (await pressSetupButton(world, world.admin, CANCEL_LINK_ACTION))!;
        expectNothingLinked();
        expect(world.host.store.messages.get(message.id!)!.text).toContain('Cancelled: @mallory_x was not linked');
        expect(world.sim.requests().filter((r) => r.path === '/2/oauth2/revoke' && r.status === 200).length).toBe(
            revocations + 1,
        );
        expect(pendingLinks(world)).toHaveLength(0);
    });

    it("the X display name, anyone's choice, shows in the question as inert text: no markup, link, mention or direction change", async () => {
        const handle = world.customer(
            'mallory_name',
            'Acme @all *Support*\u2028[verify](https://evil.example) `x`\u202e',
        );
        const url = await authorizeUrl(world, world.admin);
        await completeConsentAs(world, url, handle);
        const message = confirmationMessage()!;
        expect(message.text).toContain(
            '*@mallory_name* (`Acme all *Support*[verify](https://evil.example) x`). Link it?',
        );
        expect(JSON.stringify(message.blocks)).toContain('(`Acme all *Support*[verify](https://evil.example) x`)');
        expect(message.text).not.toContain('@all');
        expect(await pressSetupButton(world, world.admin, CANCEL_LINK_ACTION)).toBeDefined();
        expectNothingLinked();
    });

    it('an admin demoted before the callback is not brought into the setup room and cannot confirm', async () => {
        const room = setupRoom(world)!;
        const url = await authorizeUrl(world, otherAdmin);
        const asItStarted: IUser = { ...otherAdmin, roles: [...(otherAdmin.roles ?? [])] };
        world.host.store.users.get(otherAdmin.id)!.roles = ['user'];
        try {
            expect((await completeConsentAs(world, url, malloryX)).status).toBe(200);
            expect(world.host.store.roomMembers.get(room.id)?.has(otherAdmin.id)).toBe(false);
            // Pressed with the user as it was when it started (still an admin): Rocket.Chat reads the user by the
            // request's login token, so the app sees its current roles.
            const mark = world.host.store.ephemeral.length;
            await pressSetupButton(world, asItStarted, CONFIRM_LINK_ACTION);
            expect(ephemeralSince(world, asItStarted, mark).join('\n')).toContain(
                'Only the administrator who ran `/twitter authorize` can confirm',
            );
            expectNothingLinked();
            expect(pendingLinks(world)).toHaveLength(1);
        } finally {
            world.host.store.users.get(otherAdmin.id)!.roles = ['admin', 'user'];
        }
    });

    it('a confirmation message deleted meanwhile: the press still decides, and the presser is told the outcome', async () => {
        const url = await authorizeUrl(world, world.admin);
        await completeConsentAs(world, url, malloryX);
        const message = confirmationMessage()!;
        const { value } = buttonsOf(message).find((b) => b.actionId === CANCEL_LINK_ACTION)!;
        world.host.store.messages.delete(message.id!);
        const mark = world.host.store.ephemeral.length;
        await world.host.blockAction(world.admin, {
            actionId: CANCEL_LINK_ACTION,
            blockId: 'x-link-confirmation',
            value,
            roomId: setupRoom(world)!.id,
            messageId: message.id,
        });
        expect(ephemeralSince(world, world.admin, mark).join('\n')).toContain('Cancelled: @mallory_x was not linked');
        expect(pendingLinks(world)).toHaveLength(1);
        expectNothingLinked();
    });

    it('the daily housekeeping forgets expired requests nobody pressed: removed, token revoked at X, no buttons left', async () => {
        const url = await authorizeUrl(world, world.admin);
        await completeConsentAs(world, url, malloryX);
        const pending = pendingLinks(world);
        expect(pending).toHaveLength(2);
        const messageIds = pending.map((r) => (r.data as { messageId: string }).messageId);
        const revocations = () =>
            world.sim.requests().filter((r) => r.path === '/2/oauth2/revoke' && r.status === 200).length;
        const before = revocations();
        // Not yet expired: housekeeping leaves them.
        await world.host.runJobNow(HOUSEKEEPING_JOB_ID);
        expect(pendingLinks(world)).toHaveLength(2);
        for (const record of pendingLinks(world)) record.data = { ...record.data, expiresAt: Date.now() - 1 };
        await world.host.runJobNow(HOUSEKEEPING_JOB_ID);
        await world.host.settle();
        expect(pendingLinks(world)).toHaveLength(0);
        expect(records(world).filter((r) => r.associations.some((a) => a.id.startsWith('x-pending-link')))).toEqual([]);
        expect(revocations()).toBe(before + 2);
        for (const id of messageIds) {
            const closed = world.host.store.messages.get(id)!;
            expect(closed.text).toContain('The authorization of @mallory_x expired before it was confirmed');
            expect(buttonsOf(closed)).toHaveLength(0);
        }
        expectNothingLinked();
    });

    it('the admin who started confirms the business account: linked, and the confirmation cannot be replayed', async () => {
        const url = await authorizeUrl(world, world.admin);
        await completeConsentAs(world, url, world.business.id);
        const message = (await pressSetupButton(world, world.admin, CONFIRM_LINK_ACTION))!;
        await world.host.settle();
        await world.sim.settle();
        expect(linkedAccount()).toMatchObject({
            accountId: world.business.id,
            username: DEFAULT_BUSINESS_ACCOUNT.username,
            linkedBy: world.admin.id,
        });
        expect(world.sim.webhooks()).toEqual([expect.objectContaining({ valid: true })]);
        const closed = world.host.store.messages.get(message.id!)!;
        expect(closed.text).toContain(`Linked the X account @${DEFAULT_BUSINESS_ACCOUNT.username}`);
        expect(buttonsOf(closed)).toHaveLength(0);

        // The same press again (a replayed request): nothing happens, the link stays.
        const { value } = buttonsOf(message).find((b) => b.actionId === CONFIRM_LINK_ACTION)!;
        const mark = world.host.store.ephemeral.length;
        await world.host.blockAction(world.admin, {
            actionId: CONFIRM_LINK_ACTION,
            value,
            roomId: setupRoom(world)!.id,
            messageId: message.id,
        });
        expect(ephemeralSince(world, world.admin, mark).join('\n')).toContain('already confirmed or cancelled');
        expect(linkedAccount()).toMatchObject({ accountId: world.business.id });
    });
});

describe('OAuth 2.0: "Link" and "Cancel" pressed at the same moment on two instances decide once', () => {
    let world: World;

    beforeAll(async () => {
        world = await startWorld({ mode: 'xaa', link: false });
    }, 120_000);

    afterAll(async () => {
        await world?.stop();
    });

    /** The association ids a bridge call's arguments name (plain objects over the runtime's JSON-RPC, or records). */
    const associationIds = (value: unknown): string[] =>
        (Array.isArray(value) ? value : []).map(
            (a: { id?: string; getID?: () => string }) => a.getID?.() ?? a.id ?? '',
        );

    it('either links (token kept) or cancels (token revoked), never both; the other press is told it was decided', async () => {
        const second = await startInstance(world, 'h-decide');
        try {
            const url = await authorizeUrl(world, world.admin);
            await completeConsentAs(world, url, world.business.id);
            const room = setupRoom(world)!;
            const message = [...world.host.messagesIn(room.id)].reverse().find((m) => buttonsOf(m).length > 0)!;
            const { value } = buttonsOf(message).find((b) => b.actionId === CONFIRM_LINK_ACTION)!;
            const pendingKey = `x-pending-link:${value}`;
            const revocations = () =>
                world.sim.requests().filter((r) => r.path === '/2/oauth2/revoke' && r.status === 200).length;
            const before = revocations();

            // Both presses wait for each other at the same point: where each stores its claim (when claims are used),
            // and where each removes the pending link — so neither can finish before the other has read it.
            const barrier = () => {
                let arrived = 0;
                let release!: () => void;
                const together = new Promise<void>((resolve) => (release = resolve));
                return async () => {
                    if (++arrived === 2) release();
                    await Promise.race([together, new Promise((resolve) => setTimeout(resolve, 2_000))]);
                };
            };
            const atClaim = barrier();
            const atRemoval = barrier();
            const removers = [world.host, second].flatMap((h) => [
                h.calls.before('PersistenceBridge', 'createWithAssociations', async (args) => {
                    if (associationIds(args[1]).some((id) => id.startsWith(`x-pending-link-decision:${value}`)))
                        await atClaim();
                }),
                h.calls.before('PersistenceBridge', 'removeByAssociations', async (args) => {
                    if (associationIds(args[0]).includes(pendingKey)) await atRemoval();
                }),
            ]);
            const marks = world.host.store.ephemeral.length;
            try {
                await Promise.all([
                    world.host.blockAction(world.admin, {
                        actionId: CONFIRM_LINK_ACTION,
                        blockId: 'x-link-confirmation',
                        value,
                        roomId: room.id,
                        messageId: message.id,
                    }),
                    second.blockAction(world.admin, {
                        actionId: CANCEL_LINK_ACTION,
                        blockId: 'x-link-confirmation',
                        value,
                        roomId: room.id,
                        messageId: message.id,
                    }),
                ]);
                await Promise.all([world.host.settle(), second.settle()]);
                await world.sim.settle();
            } finally {
                removers.forEach((remove) => remove());
            }

            const linked = recordData(world, 'x-account') !== undefined;
            const revoked = revocations() - before;
            const closed = world.host.store.messages.get(message.id!)!;
            if (linked) {
                expect(revoked).toBe(0);
                expect(closed.text).toContain(`Linked the X account @${DEFAULT_BUSINESS_ACCOUNT.username}`);
            } else {
                expect(revoked).toBe(1);
                expect(closed.text).toContain(`Cancelled: @${DEFAULT_BUSINESS_ACCOUNT.username} was not linked`);
            }
            expect(buttonsOf(closed)).toHaveLength(0);
            expect(ephemeralSince(world, world.admin, marks).join('\n')).toContain('already confirmed or cancelled');
            expect(records(world).filter((r) => r.associations.some((a) => a.id.startsWith('x-pending-link')))).toEqual(
                [],
            );
        } finally {
            await second.stop();
        }
    }, 120_000);
});
