import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint, IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { WEBHOOK_PATH as WEBHOOK_ROUTE } from '../admin/urls';
import { CHALLENGE_KEY_LABELS, challengeSecret } from '../admin/challenge-key';
import { readAppSecrets, secretsEqual } from '../storage/app-secrets';
import { crcResponseToken } from '../x/webhook-signature';
import { decideCrc, logCrcRefusal } from './crc';
import { jsonError } from './responses';
import { handleWebhookDelivery } from './webhook-events';

/**
 * What X calls: `GET ?crc_token=` answers the challenge that proves we hold the API key secret (only
 * for tokens shaped as X's, rate-limited: see crc.ts); `POST` carries the events. Both answer 404
 * unless the URL's secret segment is right.
 */
export class WebhookEndpoint extends ApiEndpoint {
    public override path = WEBHOOK_ROUTE;

    public async get(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead): Promise<IApiResponse> {
        if (!(await isOurWebhook(read, request)))
            return jsonError(404, 'unknown_webhook', 'No webhook at this address.');
        const now = Date.now();
        const crc = decideCrc(request.query?.crc_token, now);
        if (!crc.ok) {
            logCrcRefusal(this.app.getLogger(), now, crc.logLine);
            return crc.response;
        }
        const { key, secret } = await challengeSecret(read);
        if (!secret)
            return jsonError(
                400,
                `${key}_not_set`,
                `The app setting "${CHALLENGE_KEY_LABELS[key]}" is empty, so the challenge cannot be answered.`,
            );
        return {
            status: 200,
            headers: { 'content-type': 'application/json' },
            content: { response_token: crcResponseToken(secret, crc.token) },
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
        if (!(await isOurWebhook(read, request)))
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

async function isOurWebhook(read: IRead, request: IApiRequest): Promise<boolean> {
    const secrets = await readAppSecrets(read.getPersistenceReader());
    return !!secrets && secretsEqual(secrets.webhookPath, request.params?.secret);
}
