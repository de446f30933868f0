import type { Route } from '../http/router';
import { accountActivityRoutes } from './account-activity';
import { activityRoutes } from './activity';
import { dmEventRoutes } from './dm-events';
import { dmMediaRoutes } from './dm-media';
import { dmSendRoutes } from './dm-send';
import { mediaUploadRoutes } from './media-upload';
import { oauth1Routes } from './oauth1';
import { oauth2AuthorizeRoutes } from './oauth2-authorize';
import { oauth2TokenRoutes } from './oauth2-token';
import { postRoutes } from './posts';
import { userRoutes } from './users';
import { webhookRoutes } from './webhooks';

/** Every endpoint the simulator serves. */
export const ALL_ROUTES: readonly Route[] = [
    ...oauth2AuthorizeRoutes,
    ...oauth2TokenRoutes,
    ...oauth1Routes,
    ...userRoutes,
    ...dmEventRoutes,
    ...dmSendRoutes,
    ...dmMediaRoutes,
    ...mediaUploadRoutes,
    ...webhookRoutes,
    ...activityRoutes,
    ...accountActivityRoutes,
    ...postRoutes,
];
