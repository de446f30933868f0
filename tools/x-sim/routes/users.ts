import { USER_LOOKUP, USER_SELF } from '../auth/policy';
import { v2User } from '../dm/views';
import { jsonResponse } from '../http/response';
import type { Route, RouteContext } from '../http/router';
import { invalidRequest, resourceNotFound } from '../http/x-errors';
import { callerApp, callerUser, isSnowflake, listParam } from './route-helpers';

/** Whether the calling user could DM this one now (the send's own rules: blocks, DM settings, an earlier DM). */
function receivesCallersDm(context: RouteContext, userId: string): boolean | undefined {
    if (!context.auth || context.auth.kind === 'app-bearer') return undefined;
    const caller = callerUser(context).user;
    return caller.id !== userId && context.services.dms.refusalFor(caller.id, userId, undefined) === undefined;
}

/** User lookups: `/2/users/me`, `/2/users/:id`, `/2/users/by/username/:username`. */
export const userRoutes: Route[] = [
    {
        method: 'GET',
        path: '/2/users/me',
        endpoint: 'users.me',
        operationId: 'getUsersMe',
        auth: USER_SELF,
        handle(context) {
            return jsonResponse(200, {
                data: v2User(callerUser(context).user, listParam(context.request, 'user.fields')),
            });
        },
    },
    {
        method: 'GET',
        path: '/2/users/by/username/:username',
        endpoint: 'users.lookup',
        operationId: 'getUsersByUsername',
        auth: USER_LOOKUP,
        handle(context) {
            const { username } = context.params;
            if (!/^[A-Za-z0-9_]{1,15}$/.test(username))
                return invalidRequest(
                    `The \`username\` query parameter value [${username}] does not match ^[A-Za-z0-9_]{1,15}$`,
                    'username',
                    username,
                );
            const user = context.services.store.userByUsername(username);
            if (!user)
                return resourceNotFound(
                    'user',
                    'username',
                    username,
                    `Could not find user with username: [${username}].`,
                );
            context.services.ledger.charge('user_read', callerApp(context).id, user.id, context.services.clock.now());
            return jsonResponse(200, {
                data: v2User(user, listParam(context.request, 'user.fields'), receivesCallersDm(context, user.id)),
            });
        },
    },
    {
        method: 'GET',
        path: '/2/users/:id',
        endpoint: 'users.lookup',
        operationId: 'getUsersById',
        auth: USER_LOOKUP,
        handle(context) {
            const { id } = context.params;
            if (!isSnowflake(id))
                return invalidRequest(`The \`id\` query parameter value [${id}] is not valid`, 'id', id);
            const user = context.services.store.users.get(id);
            if (!user) return resourceNotFound('user', 'id', id, `Could not find user with id: [${id}].`);
            return jsonResponse(200, {
                data: v2User(user, listParam(context.request, 'user.fields'), receivesCallersDm(context, user.id)),
            });
        },
    },
];
