/**
 * Who may do what. Rocket.Chat hands apps each user's global roles (`roles`, copied from the user document
 * by AppUsersConverter.convertToApp, apps/meteor/app/apps/server/converters/users.ts); `admin` and
 * `livechat-manager` (the Omnichannel manager) are built-in roles (apps/meteor/app/authorization/server/
 * functions/upsertPermissions.ts). Apps-Engine gives apps no permission check, so the app checks these
 * roles: a custom role granted the same permissions is not recognized.
 */
const ADMIN_ROLE = 'admin';
const OMNICHANNEL_MANAGER_ROLE = 'livechat-manager';

type WithRoles = { roles?: string[] };

/** Linking, unlinking and confirming a link: administrators only. */
export const isAdmin = (user: WithRoles): boolean => !!user.roles?.includes(ADMIN_ROLE);

/** `/twitter status` shows the linked account, delivery and X's bill: administrators and Omnichannel managers. */
export const maySeeStatus = (user: WithRoles): boolean =>
    isAdmin(user) || !!user.roles?.includes(OMNICHANNEL_MANAGER_ROLE);

/** Omnichannel agents (built-in role `livechat-agent`), the roles Rocket.Chat routes conversations to. */
const OMNICHANNEL_AGENT_ROLE = 'livechat-agent';

/** `/twitter dm` opens a conversation served by the sender: Omnichannel agents, managers and administrators. */
export const mayStartConversation = (user: WithRoles): boolean =>
    maySeeStatus(user) || !!user.roles?.includes(OMNICHANNEL_AGENT_ROLE);
