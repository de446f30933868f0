/**
 * A whole system for end-to-end tests: the X simulator, Rocket.Chat (the test host with the packaged app
 * in the real runtime) reachable over HTTP, a department with an online agent, and the app configured
 * and linked to the simulator's business account exactly as an admin would do it.
 *
 * The assembly is the sandbox's (tools/sandbox/world.ts); here it runs on the simulator's manual clock.
 */
export {
    buttonsOf,
    configure,
    ephemeralSince,
    followAuthorizeLink,
    link,
    pressSetupButton,
    setupRoom,
    startInstance,
    startWorld,
    X_HOSTS,
    xHostMap,
} from '../../../tools/sandbox/world';
export type { DeliveryModeName, World, WorldOptions } from '../../../tools/sandbox/world';
export {
    accountOfRoom,
    addDepartment,
    linkedAccounts,
    linkSecondAccount,
    SECOND_DEPARTMENT,
} from '../../../tools/sandbox/accounts';
export type { RegisteredAccount, SecondAccount } from '../../../tools/sandbox/accounts';
