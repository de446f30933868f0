/**
 * `npm start`: the app's sandbox. Builds the package, starts the X simulator and the in-memory Rocket.Chat
 * running the packaged app in the real Apps-Engine runtime, sets up a department with an online agent,
 * configures and links the app through `/twitter authorize`, and serves the console page until Ctrl-C.
 *
 *   npm start [-- --accounts 1|2] [--mode auto|xaa|aaa|polling] [--auth oauth2|tokens] [--fault NAME]… [--port N] [--no-build]
 *   npm start -- --demo [same flags]       scripted conversation, transcripts and ledger; exit 0 when it all worked
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { buildApp } from '../build/build';
import { packageApp } from '../build/package';
import { repoRoot } from '../host/paths';
import { DemoFailure, runDemo, transcripts } from './demo';
import { FAULT_PRESETS, faultPreset } from './faults';
import { packagedZipPath } from './package-zip';
import { Sandbox } from './sandbox';
import { startConsoleServer } from './server';
import { AuthMethodName, DELIVERY_MODES, DeliveryModeName } from './world';

const DEFAULT_PORT = 3300;

const MODE_NAMES: Record<DeliveryModeName, string> = {
    auto: 'Automatic (the webhook when X can reach it, else polling)',
    xaa: 'X Activity API webhook',
    aaa: 'Account Activity API webhook (legacy)',
    polling: 'polling /2/dm_events',
};

const USAGE = `Usage: npm start [-- options]

  --demo                  run a scripted conversation headlessly, print both sides and the ledger, exit 0 on success
  --mode auto|xaa|aaa|polling  how X delivers DMs to the app (default xaa: X Activity API webhook;
                          auto: the webhook when X can reach it, else polling — try it with --fault webhook-unreachable)
  --accounts 2|1          linked business accounts (default 2: @AcmeSupport → department Support, @AcmeSales → Sales;
                          1: @AcmeSupport alone, the single-account demo)
  --auth oauth2|tokens    how the app is linked (default: oauth2 with two accounts, or for xaa and auto; tokens
                          otherwise — developer-portal tokens link one account, so they need --accounts 1)
  --fault NAME            switch on a simulator fault at start (repeatable; also switchable in the console):
${FAULT_PRESETS.map((p) => `                            ${p.name.padEnd(22)} ${p.description}`).join('\n')}
  --port N                console port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 = any free port)
  --seed N                the simulator's seed (ids, fault probabilities)
  --no-build              use the package already in dist/ instead of building it
  --help                  this text
`;

interface Flags {
    demo: boolean;
    accounts: 1 | 2;
    mode: DeliveryModeName;
    auth?: AuthMethodName;
    faults: string[];
    port?: number;
    seed: number;
    build: boolean;
}

function parseFlags(argv: string[]): Flags | 'help' {
    const { values } = parseArgs({
        args: argv,
        options: {
            demo: { type: 'boolean', default: false },
            accounts: { type: 'string', default: '2' },
            mode: { type: 'string', default: 'xaa' },
            auth: { type: 'string' },
            fault: { type: 'string', multiple: true, default: [] },
            port: { type: 'string' },
            seed: { type: 'string', default: '1' },
            'no-build': { type: 'boolean', default: false },
            help: { type: 'boolean', short: 'h', default: false },
        },
        strict: true,
    });
    if (values.help) return 'help';
    const mode = values.mode as DeliveryModeName;
    if (!DELIVERY_MODES.includes(mode)) throw new Error(`--mode must be one of ${DELIVERY_MODES.join(', ')}`);
    if (values.auth !== undefined && values.auth !== 'oauth2' && values.auth !== 'tokens')
        throw new Error('--auth must be oauth2 or tokens');
    if (values.accounts !== '1' && values.accounts !== '2') throw new Error('--accounts must be 1 or 2');
    const accounts = values.accounts === '1' ? 1 : 2;
    if (accounts === 2 && values.auth === 'tokens')
        throw new Error('developer-portal tokens link one account: use --accounts 1 with --auth tokens');
    const faults = values.fault ?? [];
    faults.forEach(faultPreset);
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
        throw new Error('--port must be a port number');
    return {
        demo: !!values.demo,
        accounts,
        mode,
        auth: values.auth as AuthMethodName | undefined,
        faults,
        port,
        seed: Number(values.seed),
        build: !values['no-build'],
    };
}

const say = (line = '') => process.stdout.write(`${line}\n`);

async function buildPackage(): Promise<void> {
    const started = Date.now();
    process.stdout.write('  building the app package (bundle + zip, as npm run package without the type-check)… ');
    await buildApp();
    const { zipPath, zipBytes } = await packageApp();
    say(`${path.relative(repoRoot, zipPath)}, ${(zipBytes / 1024).toFixed(0)} KiB (${seconds(started)})`);
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
    let flags: Flags | 'help';
    try {
        flags = parseFlags(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (flags === 'help') {
        say(USAGE);
        return 0;
    }

    // Ctrl-C at any moment: stop what has started, once.
    let sandbox: Sandbox | undefined;
    let stopConsole: (() => Promise<void>) | undefined;
    let stopping = false;
    let startupDone: Promise<unknown> = Promise.resolve();
    let done!: (code: number) => void;
    const finished = new Promise<number>((resolve) => (done = resolve));
    const shutdown = async (why: string, code: number) => {
        if (stopping) return;
        stopping = true;
        say(`\n${why}: stopping…`);
        const hardStop = setTimeout(() => {
            process.stderr.write('Shutdown took longer than 20 s; exiting anyway.\n');
            process.exit(1);
        }, 20_000);
        hardStop.unref();
        // A Ctrl-C during start-up stops what the start-up started, once it has.
        await startupDone;
        await stopConsole?.().catch(() => undefined);
        const result = await sandbox?.stop();
        if (result && result.leftoverDeno.length > 0) {
            process.stderr.write(
                `Deno process(es) ${result.leftoverDeno.join(', ')} outlived the engine and were killed.\n`,
            );
            code = code || 1;
        } else if (sandbox) {
            say(
                `Stopped Rocket.Chat, its Apps-Engine runtime (Deno ${sandbox.denoProcesses().join(', ') || '–'}) and the X simulator; no Deno process left.`,
            );
        }
        done(code);
    };
    const onSignal = (signal: NodeJS.Signals) => void shutdown(signal === 'SIGINT' ? 'Ctrl-C' : signal, 0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    say('X (Twitter) DMs for Rocket.Chat Omnichannel: sandbox');
    const startup = (async () => {
        if (flags.build) await buildPackage();
        else say(`  using ${path.relative(repoRoot, packagedZipPath())} (--no-build)`);
        const started = Date.now();
        process.stdout.write(
            '  starting the X simulator, and Rocket.Chat with the app in the real Apps-Engine runtime… ',
        );
        sandbox = await Sandbox.start({
            mode: flags.mode,
            auth: flags.auth,
            faults: flags.faults,
            seed: flags.seed,
            accounts: flags.accounts,
        });
        say(`ready (${seconds(started)})`);
    })();
    startupDone = startup.catch(() => undefined);
    try {
        await startup;
    } catch (e) {
        say();
        process.stderr.write(`The sandbox could not start: ${(e as Error)?.stack ?? e}\n`);
        await shutdown('Start-up failed', 1);
        return finished;
    }
    if (stopping || !sandbox) return finished;

    const { world } = sandbox;
    say(
        `  Rocket.Chat (in memory) at ${world.front.url}, Apps-Engine runtime: Deno pid ${sandbox.denoProcesses().join(', ') || '?'}`,
    );
    say(
        `  X simulator at ${world.sim.url}: developer app "${world.sim.defaultApp?.name}", business account @${world.business.username}`,
    );
    say(
        `  app: ${MODE_NAMES[sandbox.mode]}, linked with ${sandbox.auth === 'oauth2' ? 'OAuth 2.0' : 'developer-portal tokens'} through /twitter authorize, which answered:`,
    );
    const answer = sandbox.linking.replies
        .join('\n')
        .split('\n')
        .filter((l) => l.trim());
    say(answer.map((l) => `    │ ${l}`).join('\n') || '    │ (nothing)');
    if (sandbox.linking.callbackStatus !== undefined)
        say(
            `    (X's consent page sent the admin's browser to the app's OAuth callback: HTTP ${sandbox.linking.callbackStatus})`,
        );
    if (sandbox.linking.confirmation) {
        say(`    then the admin pressed "Link @${world.business.username}" in the setup room, which now says:`);
        say(
            sandbox.linking.confirmation
                .split('\n')
                .map((l) => `    │ ${l}`)
                .join('\n'),
        );
    }
    if (sandbox.secondLinking) {
        const second = sandbox.businesses[1];
        say(
            `  second account: the admin ran /twitter authorize again, signed in on X's consent page as @${second.username}, pressed "Link @${second.username}", then /twitter department @${second.username} ${second.department}:`,
        );
        say(
            sandbox.secondLinking.replies
                .join('\n')
                .split('\n')
                .filter((l) => l.trim())
                .map((l) => `    │ ${l}`)
                .join('\n') || '    │ (nothing)',
        );
    }
    for (const business of sandbox.businesses) {
        const agent = world.host.store.users.get(business.agentId);
        say(
            `  Omnichannel: @${business.username} → department ${business.department}, agent ${agent?.name ?? '?'} (online)`,
        );
    }
    say(`  simulator faults: ${sandbox.activeFaultNames().join(', ') || 'none'}`);

    if (flags.demo) {
        say();
        let failure: string | undefined;
        try {
            await runDemo(sandbox);
        } catch (e) {
            failure =
                e instanceof DemoFailure
                    ? `step "${e.step}" failed: ${e.message.slice(e.step.length + 2)}`
                    : `${(e as Error)?.stack ?? e}`;
        }
        const status = await sandbox.twitterStatus().catch((e: Error) => `(could not run: ${e.message})`);
        say(transcripts(sandbox, status));
        if (failure === undefined) {
            say('\nDemo passed.');
        } else {
            const log = sandbox
                .appLog()
                .filter((l) => l.severity !== 'debug')
                .slice(-15);
            say(
                `\nThe app's last warnings and errors:\n${log.map((l) => `  [${l.severity}] ${l.method}: ${l.text}`).join('\n') || '  (none)'}`,
            );
            process.stderr.write(`\nDemo FAILED: ${failure}\n`);
        }
        await shutdown(failure === undefined ? 'Demo done' : 'Demo failed', failure === undefined ? 0 : 1);
        return finished;
    }

    try {
        // Someone to be: more X users can be created in the console.
        sandbox.createCustomer('casey_x', 'Casey Customer');
        await sandbox.twitterStatus();
        const server = await listen(sandbox, flags.port);
        stopConsole = server.close;
        say();
        say(`  Console: ${server.url}`);
        say();
        say('Open the console in a browser. Ctrl-C stops everything.');
    } catch (e) {
        process.stderr.write(`The console could not start: ${(e as Error)?.message ?? e}\n`);
        await shutdown('Start-up failed', 1);
    }
    return finished;
}

/** The console on the requested port, or on the default one (any free port when that is taken). */
async function listen(sandbox: Sandbox, port: number | undefined) {
    if (port !== undefined) return startConsoleServer(sandbox, port);
    try {
        return await startConsoleServer(sandbox, DEFAULT_PORT);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        say(`  port ${DEFAULT_PORT} is taken; using another one`);
        return startConsoleServer(sandbox, 0);
    }
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
        process.exit(1);
    },
);
