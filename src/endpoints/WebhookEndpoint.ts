import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint, IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { WEBHOOK_PATH as WEBHOOK_ROUTE } from '../admin/urls';
import { answerChallenge, CHALLENGE_KEY_LABELS } from '../admin/challenge-key';
import { isOurWebhook } from '../admin/urls';
import { decideCrc, logCrcRefusal } from './crc';
import { jsonError } from '../lib/api-responses';
import { handleWebhookDelivery } from '../bridge/webhook-events';

/**
 * What X calls: `GET ?crc_token=` answers the challenge that proves we hold the API key secret (only
 * for tokens shaped as X's, rate-limited: see crc.ts); `POST` carries the events. Both answer 404
 * unless the URL's secret segment is right.
 */
export class WebhookEndpoint extends ApiEndpoint {
    public override path = WEBHOOK_ROUTE;

    public async get(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead): Promise<IApiResponse> {
        if (!(await isOurWebhook(read, request.params?.secret)))
            return jsonError(404, 'unknown_webhook', 'No webhook at this address.');
        const now = Date.now();
        const crc = decideCrc(request.query?.crc_token, now);
        if (!crc.ok) {
            logCrcRefusal(this.app.getLogger(), now, crc.logLine);
            return crc.response;
        }
        const answer = await answerChallenge(read, crc.token);
        if (!answer.ok)
            return jsonError(
                400,
                `${answer.key}_not_set`,
                `The app setting "${CHALLENGE_KEY_LABELS[answer.key]}" is empty, so the challenge cannot be answered.`,
            );
        return {
            status: 200,
            headers: { 'content-type': 'application/json' },
            content: { response_token: answer.responseToken },
        };
    }

    public async post(
        request: IApiRequest,
        _endpoint: IApiEndpointInfo,
        read: IRead,
        modify: IModify,
        http: IHttp,
        persistence: IPersistence,
    ): Promise<IApiResponse> {
        if (!(await isOurWebhook(read, request.params?.secret)))
            return jsonError(404, 'unknown_webhook', 'No webhook at this address.');
        return handleWebhookDelivery(request.headers ?? {}, request.content, {
            read,
            modify,
            persistence,
            http,
            logger: this.app.getLogger(),
        });
    }
}
