/**
 * The test host keeps what the Apps-Engine runtime prints outside the app's log (the Deno process's stderr,
 * the engine's console lines), so the secrets audit (test/faults/helpers/secrets.ts) can search it: a line
 * written to the real Deno process's stderr arrives in both, as it reaches Rocket.Chat's server log.
 */
import type { TestHost } from '../../tools/host/host';
import { startAppHost } from './helpers/app-host';

describe("the runtime's output outside the app log", () => {
    let host: TestHost;

    beforeAll(async () => {
        ({ host } = await startAppHost());
    }, 60_000);

    afterAll(async () => {
        await host?.stop();
    });

    it('records the Deno process stderr and the engine console line it becomes', async () => {
        const deno = (host.app().getRuntimeController() as unknown as { deno: { stderr: NodeJS.ReadableStream } }).deno;
        deno.stderr.emit('data', Buffer.from('a line the runtime wrote to stderr'));
        expect(host.store.runtimeOutput).toEqual(
            expect.arrayContaining([
                { source: 'deno stderr', text: 'a line the runtime wrote to stderr' },
                // AppsEngineDenoRuntime.parseError: console.error('Subprocess stderr', chunk.toString())
                { source: 'engine console', text: 'Subprocess stderr a line the runtime wrote to stderr' },
            ]),
        );
        // The test's own console output is not Rocket.Chat's: it is not recorded.
        const before = host.store.runtimeOutput.length;
        console.log('printed by the test itself');
        expect(host.store.runtimeOutput).toHaveLength(before);
    });
});
