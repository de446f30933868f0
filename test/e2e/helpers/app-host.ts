/** Starts a test host with the packaged app installed, plus the people a Rocket.Chat server has. */
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { HostOptions, TestHost } from '../../../tools/host/host';
import { packagedZip } from '../../../tools/sandbox/package-zip';

export { packagedZip, packagedZipPath } from '../../../tools/sandbox/package-zip';

export interface AppUnderTest {
    host: TestHost;
    admin: IUser;
}

export async function startAppHost(options: HostOptions = {}): Promise<AppUnderTest> {
    const host = await TestHost.start({ runtimeTimeoutMs: 20_000, ...options });
    const admin = host.createUser({ username: 'admin', name: 'Ada Admin', roles: ['admin', 'user'] });
    await host.install(packagedZip(), admin);
    return { host, admin };
}

/** The webhook URL's secret segment as the app stored it at install. */
export function webhookSecret(host: TestHost): string {
    const record = [...host.store.appPersistence(host.appId).values()].find((r) =>
        r.associations.some((a) => a.id === 'x-app-secrets'),
    );
    const secret = record?.data.webhookPath;
    if (typeof secret !== 'string') throw new Error('The app stored no webhook secret');
    return secret;
}
