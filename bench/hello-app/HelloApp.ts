/**
 * Benchmark reference: the smallest useful app. Its install + enable time is the denominator of the
 * footprint ratio, and its endpoint (which does nothing) the denominator of the CRC answer-time ratio.
 */
import { IConfigurationExtend, IEnvironmentRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint, ApiSecurity, ApiVisibility, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { App } from '@rocket.chat/apps-engine/definition/App';

class HelloEndpoint extends ApiEndpoint {
    public override path = 'hello';

    public async get(): Promise<IApiResponse> {
        return { status: 200, headers: { 'content-type': 'application/json' }, content: { hello: 'world' } };
    }
}

export class HelloApp extends App {
    protected override async extendConfiguration(
        configuration: IConfigurationExtend,
        _environment: IEnvironmentRead,
    ): Promise<void> {
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: [new HelloEndpoint(this)],
        });
    }
}
