/**
 * Several linked business accounts (issue 17): linking the simulator's second business account the way an
 * admin does it (`/twitter authorize` again, X's consent page signed in as that account, "Link @handle" in the
 * setup room, then `/twitter department @handle <department>`), its department with its own agent, and the
 * lookups tests assert with: the registry as the app stored it, and which account a room belongs to.
 */
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { parseVisitorToken } from '../../src/x/ids';
import type { SimClock } from '../x-sim/core/clock';
import { ephemeralSince, link, type World } from './world';

/** The second account's department and agent (the first account routes to *Support*, the Default department). */
export const SECOND_DEPARTMENT = { name: 'Sales', agentUsername: 'agent.jones', agentName: 'Agent Jones' } as const;

/** A linked account as the app's registry holds it (storage/accounts.ts), its department by name, for assertions. */
export interface RegisteredAccount {
    accountId: string;
    username: string;
    department?: string;
}

export interface SecondAccount {
    account: { id: string; username: string; name: string };
    departmentId: string;
    agent: IUser;
    /** What the admin was told by `/twitter authorize` and `/twitter department`. */
    replies: string[];
}

/** A department with one agent (online unless told otherwise), as a Rocket.Chat admin sets it up. */
export function addDepartment(
    world: World<SimClock>,
    department: { name: string; agentUsername: string; agentName: string },
    online = true,
): { departmentId: string; agent: IUser } {
    const departmentId = world.host.createDepartment(department.name);
    const agent = world.host.createAgent(department.agentUsername, {
        name: department.agentName,
        departments: [departmentId],
        online,
    });
    return { departmentId, agent };
}

/**
 * Links the simulator's second business account (@AcmeSales) with OAuth 2.0 as an admin adds an account, and
 * routes it to its own department (`/twitter department`). Throws, saying what the app answered, when the
 * registry does not show the account with that department afterwards.
 */
export async function linkSecondAccount(
    world: World<SimClock>,
    options: { department?: typeof SECOND_DEPARTMENT; agentOnline?: boolean } = {},
): Promise<SecondAccount> {
    const sales = world.sim.businesses[1];
    if (!sales) throw new Error('linkSecondAccount: the simulator seeded one business account (businessAccounts: 1)');
    const department = options.department ?? SECOND_DEPARTMENT;
    const { departmentId, agent } = addDepartment(world, department, options.agentOnline);
    const linked = await world.sim.signedInAs(sales.id, () => link(world, 'oauth2'));
    const mark = world.host.store.ephemeral.length;
    await world.host.runCommand(`/twitter department @${sales.username} ${department.name}`, world.admin);
    await world.host.settle();
    const replies = [...linked.replies, ...ephemeralSince(world, world.admin, mark)];
    const registered = linkedAccounts(world).find((a) => a.accountId === sales.id);
    if (!registered || registered.department !== department.name)
        throw new Error(
            `linkSecondAccount: the registry shows ${JSON.stringify(registered ?? 'no account')} for @${sales.username}; ` +
                `the admin was told: ${replies.join(' | ')}`,
        );
    return { account: { id: sales.id, username: sales.username, name: sales.name }, departmentId, agent, replies };
}

/** The accounts the app's registry lists (records filed under `x-accounts`), oldest link first. */
export function linkedAccounts(world: World<SimClock>): RegisteredAccount[] {
    return [...world.host.store.appPersistence(world.host.appId).values()]
        .filter((r) => r.associations.some((a) => a.id === 'x-accounts'))
        .map((r) => r.data as unknown as RegisteredAccount & { linkedAt: number })
        .sort((a, b) => a.linkedAt - b.linkedAt)
        .map(({ accountId, username, department }) => ({
            accountId,
            username,
            // The app stores the department's id (a renamed department keeps its accounts): shown by name.
            department: department ? (world.host.store.departments.get(department)?.name ?? department) : undefined,
        }));
}

/**
 * The business account a livechat room belongs to: the app's conversation record filed under the room while it
 * is open; for a closed room (its record gone), the account its visitor token names (`x1.<account>.<customer>.…`,
 * src/x/ids.ts), as Rocket.Chat keeps it with the room.
 */
export function accountOfRoom(world: World<SimClock>, roomId: string): string | undefined {
    const record = [...world.host.store.appPersistence(world.host.appId).values()].find(
        (r) => r.data.type === 'conversation' && r.associations.some((a) => a.model === 'room' && a.id === roomId),
    );
    const recorded = (record?.data as { accountId?: string } | undefined)?.accountId;
    if (recorded) return recorded;
    const room = world.host.store.rooms.get(roomId) as ILivechatRoom | undefined;
    return parseVisitorToken(room?.visitor?.token)?.accountId;
}
