/**
 * Runs the X simulator on its own, in real time:
 *   npx tsx tools/x-sim/cli.ts [--port 8787] [--seed 1] [--interactive]
 * Prints the seeded credentials; stops on Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_APP, DEFAULT_BUSINESS_ACCOUNT, DEFAULT_BUSINESS_OAUTH1, SECOND_BUSINESS_ACCOUNT } from './defaults';
import { SystemClock } from './core/clock';
import { startXSim } from './sim';

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            port: { type: 'string', default: '8787' },
            seed: { type: 'string', default: '1' },
            interactive: { type: 'boolean', default: false },
        },
    });
    const sim = await startXSim({
        port: Number(values.port),
        seed: Number(values.seed),
        clock: new SystemClock(),
        consent: { interactive: values.interactive },
    });
    const lines = [
        `X simulator listening on ${sim.url}`,
        `  Connect to 127.0.0.1:${sim.port} and send the real X hostname in the Host header`,
        '  (api.x.com, upload.x.com, x.com, ton.twitter.com, video.twimg.com); any other Host is treated as api.x.com.',
        '',
        'Developer app',
        `  app id            ${DEFAULT_APP.id}`,
        `  consumer key      ${DEFAULT_APP.consumerKey}`,
        `  consumer secret   ${DEFAULT_APP.consumerSecret}`,
        `  client id         ${DEFAULT_APP.clientId}`,
        `  client secret     ${DEFAULT_APP.clientSecret}`,
        `  bearer token      ${DEFAULT_APP.bearerToken}`,
        `  callback URLs     ${DEFAULT_APP.callbackUrls.join(', ')}`,
        '',
        'Business account',
        `  user id           ${DEFAULT_BUSINESS_ACCOUNT.id}`,
        `  username          @${DEFAULT_BUSINESS_ACCOUNT.username}`,
        `  OAuth 1.0a token  ${DEFAULT_BUSINESS_OAUTH1.accessToken}`,
        `  token secret      ${DEFAULT_BUSINESS_OAUTH1.accessSecret}`,
        '',
        'Second business account (links with OAuth 2.0: sign in as it on the consent page with --interactive)',
        `  user id           ${SECOND_BUSINESS_ACCOUNT.id}`,
        `  username          @${SECOND_BUSINESS_ACCOUNT.username}`,
    ];
    console.log(lines.join('\n'));
    const stop = () => {
        void sim.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
