import { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint, IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { SettingId } from '../settings/ids';
import { readWebhookSecret, secretsEqual } from '../storage/webhook-secret';
import { crcResponseToken } from '../x/webhook-crypto';

export const WEBHOOK_PATH = 'webhook/:secret';

/** What X calls: `GET ?crc_token=` answers the challenge that proves we hold the API key secret. */
export class WebhookEndpoint extends ApiEndpoint {
    public override path = WEBHOOK_PATH;

    public async get(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead): Promise<IApiResponse> {
        const secret = await readWebhookSecret(read.getPersistenceReader());
        if (!secret || !secretsEqual(secret, request.params?.secret)) {
            return jsonError(404, 'unknown_webhook', 'No webhook at this address.');
        }
        const crcToken = request.query?.crc_token;
        if (typeof crcToken !== 'string' || crcToken === '') {
            return jsonError(400, 'missing_crc_token', 'The crc_token query parameter is required.');
        }
        const consumerSecret = await read.getEnvironmentReader().getSettings().getValueById(SettingId.ApiKeySecret);
        if (typeof consumerSecret !== 'string' || consumerSecret === '') {
            return jsonError(400, 'api_key_secret_not_set', 'The app setting "API Key Secret" is empty, so the challenge cannot be answered.');
        }
        return { status: 200, headers: { 'content-type': 'application/json' }, content: { response_token: crcResponseToken(consumerSecret, crcToken) } };
    }
}

function jsonError(status: number, error: string, message: string): IApiResponse {
    return { status, headers: { 'content-type': 'application/json' }, content: { error, message } };
}
