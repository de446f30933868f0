/**
 * The sandbox as people run it (`npm start`), as a child process on the package the e2e setup built:
 * the scripted demo passes end to end, and the interactive sandbox serves its console and stops cleanly
 * on Ctrl-C, leaving no Deno process behind.
 */
import { POLLER_JOB_ID } from '../../src/jobs/ids';
import { isRunning } from '../../tools/sandbox/processes';
import { SandboxProcess, startSandboxProcess } from './helpers/sandbox-process';

/** The sandbox console's JSON API at `url`: its state, and its actions (a failed one throws with its answer). */
function consoleApi(url: string) {
    const readState = async () => (await fetch(`${url}api/state`)).json();
    const post = async (path: string, body: unknown = {}) => {
        const response = await fetch(`${url}api/${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
        });
        if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
        return response.json();
    };
    return { readState, post };
}

describe('the sandbox (npm start)', () => {
    let sandbox: SandboxProcess | undefined;

    afterEach(() => {
        sandbox?.kill();
        sandbox = undefined;
    });

    it('npm start -- --demo --accounts 1: the single-account demo, both sides and the ledger, exit 0 with no Deno left', async () => {
        sandbox = startSandboxProcess(['--demo', '--no-build', '--accounts', '1']);
        const { code } = await sandbox.exited(90_000);
        const output = sandbox.output();
        if (code !== 0) throw new Error(`The demo exited with ${code}:\n${output}`);
        expect(output).toContain('Demo passed.');
        expect(output.match(/✓/g)).toHaveLength(9);
        // Both sides' transcripts.
        expect(output).toMatch(/On X: @dana_x \(Dana Customer\) ⇄ @AcmeSupport/);
        expect(output).toMatch(/@AcmeSupport +Agent Smith: Hi Dana, sorry about that!/);
        expect(output).toMatch(/In Rocket\.Chat: Dana Customer's room \(Support, served by Agent Smith, closed\)/);
        expect(output).toMatch(/In Rocket\.Chat: Eli Customer's room \(Support, served by Agent Smith, open\)/);
        // The ledger: XAA bills one delivery per customer DM (3) and one create per business DM (6).
        expect(output).toMatch(/dm\.received deliveries +3 × \$0\.010 = \$0\.030/);
        expect(output).toMatch(/DM creates +6 × \$0\.015 = \$0\.090/);
        expect(output).toMatch(/total +\$0\.120/);
        expect(output).toContain('/twitter status');
        // Clean shutdown.
        const denoPids = sandbox.denoPids();
        expect(denoPids).toHaveLength(1);
        expect(output).toContain('no Deno process left');
        expect(denoPids.filter(isRunning)).toEqual([]);
        expect(output).not.toContain('AcmeSales');
    }, 120_000);

    it('npm start -- --demo: two linked accounts, each in its department; the customer writing to both gets two rooms', async () => {
        sandbox = startSandboxProcess(['--demo', '--no-build']);
        const { code } = await sandbox.exited(120_000);
        const output = sandbox.output();
        if (code !== 0) throw new Error(`The demo exited with ${code}:\n${output}`);
        expect(output).toContain('Demo passed.');
        expect(output.match(/✓/g)).toHaveLength(11);
        // The second account was linked as an admin does it, and routed to its department.
        expect(output).toMatch(/signed in on X's consent page as @AcmeSales, pressed "Link @AcmeSales"/);
        expect(output).toContain('@AcmeSupport → department Support, agent Agent Smith (online)');
        expect(output).toContain('@AcmeSales → department Sales, agent Agent Jones (online)');
        // Dana's two conversations on X, and her two rooms, each with its account.
        expect(output).toMatch(/On X: @dana_x \(Dana Customer\) ⇄ @AcmeSupport/);
        expect(output).toMatch(/On X: @dana_x \(Dana Customer\) ⇄ @AcmeSales/);
        expect(output).toMatch(/@AcmeSales +Agent Jones: We do! From \$10 to \$200/);
        expect(output).not.toMatch(/@AcmeSupport +Agent Jones/);
        expect(output).toMatch(
            /In Rocket\.Chat: Dana Customer's room \(with @AcmeSupport, Support, served by Agent Smith, closed\)/,
        );
        expect(output).toMatch(
            /In Rocket\.Chat: Dana Customer's room \(with @AcmeSales, Sales, served by Agent Jones, open\)/,
        );
        // One X app, one ledger: 4 customer DMs delivered, 8 business DMs created (both accounts).
        expect(output).toMatch(/dm\.received deliveries +4 × \$0\.010 = \$0\.040/);
        expect(output).toMatch(/DM creates +8 × \$0\.015 = \$0\.120/);
        expect(output).toMatch(/total +\$0\.160/);
        expect(sandbox.denoPids().filter(isRunning)).toEqual([]);
    }, 150_000);

    it('npm start: serves the console, whose API drives both sides (X retries a refused delivery), until Ctrl-C stops everything (exit 0)', async () => {
        sandbox = startSandboxProcess([
            '--no-build',
            '--port',
            '0',
            '--mode',
            'aaa',
            '--accounts',
            '1',
            '--fault',
            'duplicate-deliveries',
        ]);
        const [, url] = await sandbox.waitFor(/Console: (http:\/\/127\.0\.0\.1:\d+\/)/, 60_000);
        const page = await fetch(url);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<title>Sandbox');
        const { readState, post } = consoleApi(url);
        const waitForState = async (what: string, probe: (state: any) => boolean, timeoutMs = 15_000) => {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
                const state = await readState();
                if (probe(state)) return state;
                if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        };

        const state = await readState();
        expect(state).toMatchObject({
            mode: 'aaa',
            auth: 'tokens',
            agent: { name: 'Agent Smith', online: true },
            customers: [{ username: 'casey_x' }],
        });
        expect(state.faults.filter((f: { active: boolean }) => f.active).map((f: { name: string }) => f.name)).toEqual([
            'duplicate-deliveries',
        ]);
        expect(state.status.text).toMatch(/\S/);

        // Rocket.Chat refuses X's delivery; on the real clock X retries 3 s later and the DM lands once.
        await post('faults/webhook-down', { on: true });
        await post(`customers/${state.customers[0].id}/dms`, { text: 'Hello, anyone?' });
        await new Promise((resolve) => setTimeout(resolve, 500));
        await post('faults/webhook-down', { on: false });
        const landed = await waitForState('the retried delivery', (s) =>
            s.rooms.some((r: any) => r.messages.some((m: any) => m.text === 'Hello, anyone?')),
        );
        const room = landed.rooms[0];
        expect(room.messages.filter((m: any) => m.text === 'Hello, anyone?')).toHaveLength(1);
        await post(`rooms/${room.id}/messages`, { text: 'Hi Casey!' });
        await waitForState("the agent's reply on X", (s) =>
            s.customers[0].dms.some((d: any) => d.text === 'Agent Smith: Hi Casey!'),
        );

        const [deno] = sandbox.denoPids();
        expect(isRunning(deno)).toBe(true);
        const { code } = await sandbox.interrupt(30_000);
        expect(code).toBe(0);
        expect(sandbox.output()).toContain('no Deno process left');
        expect(isRunning(deno)).toBe(false);
    }, 90_000);

    it('npm start -- --mode auto: "X cannot reach the webhook" shows the fallback to polling and the way back, live', async () => {
        sandbox = startSandboxProcess([
            '--no-build',
            '--port',
            '0',
            '--mode',
            'auto',
            '--fault',
            'webhook-unreachable',
        ]);
        const [, url] = await sandbox.waitFor(/Console: (http:\/\/127\.0\.0\.1:\d+\/)/, 60_000);
        const { readState, post } = consoleApi(url);
        const status = async () => ((await post('status')) as { text: string }).text;

        // Linked with the webhook, then the fault: the next health check (run from the console) has X
        // challenge the webhook, which fails, and moves to polling; the console's status says why.
        expect(await status()).toContain('Direct Messages arrive at once');
        await post('jobs/x-health-check/run');
        expect(await status()).toContain('Direct Messages arrive by polling');
        const state = await readState();
        await post(`customers/${state.customers[0].id}/dms`, { text: 'Polled hello', pollNow: true });
        const polled = async () =>
            (await readState()).rooms.some((r: any) => r.messages.some((m: any) => m.text === 'Polled hello'));
        // The sandbox's scheduler polls on the real clock too: after empty polls the app's quiet back-off may
        // skip a run or two (jobs/poll-decisions.ts runsToWait), so "poll now" is repeated until a run reads.
        for (let run = 0; run < 6 && !(await polled()); run++) await post(`jobs/${POLLER_JOB_ID}/run`);
        expect(await polled()).toBe(true);

        // The fault switched off in the console: the next health check moves to the webhook by itself.
        await post('faults/webhook-unreachable', { on: false });
        await post('jobs/x-health-check/run');
        expect(await status()).toContain('Direct Messages arrive at once');
        const { code } = await sandbox.interrupt(30_000);
        expect(code).toBe(0);
    }, 90_000);

    it('npm start: the console lets the customer write to either account and shows whose each room is', async () => {
        sandbox = startSandboxProcess(['--no-build', '--port', '0']);
        const [, url] = await sandbox.waitFor(/Console: (http:\/\/127\.0\.0\.1:\d+\/)/, 60_000);
        const { readState, post } = consoleApi(url);
        const waitForState = async (what: string, probe: (state: any) => boolean, timeoutMs = 15_000) => {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
                const state = await readState();
                if (probe(state)) return state;
                if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        };
        const state = await readState();
        expect(state.auth).toBe('oauth2');
        expect(state.businesses.map((b: any) => [b.username, b.department])).toEqual([
            ['AcmeSupport', 'Support'],
            ['AcmeSales', 'Sales'],
        ]);
        expect(state.agents.map((a: any) => [a.name, a.department, a.online])).toEqual([
            ['Agent Smith', 'Support', true],
            ['Agent Jones', 'Sales', true],
        ]);
        const [support, sales] = state.businesses;
        const casey = state.customers[0].id;

        await post(`customers/${casey}/dms`, { text: 'Hello sales', to: sales.id });
        await post(`customers/${casey}/dms`, { text: 'Hello support', to: support.id });
        const roomWith = (s: any, text: string) =>
            s.rooms.find((r: any) => r.messages.some((m: any) => m.text === text));
        const both = await waitForState(
            "Casey's two DMs in rooms",
            (s) => roomWith(s, 'Hello sales') && roomWith(s, 'Hello support'),
        );
        expect(both.rooms).toHaveLength(2);
        const salesRoom = roomWith(both, 'Hello sales');
        const supportRoom = roomWith(both, 'Hello support');
        expect([salesRoom.account.username, salesRoom.department, salesRoom.servedBy]).toEqual([
            'AcmeSales',
            'Sales',
            'Agent Jones',
        ]);
        expect([supportRoom.account.username, supportRoom.department, supportRoom.servedBy]).toEqual([
            'AcmeSupport',
            'Support',
            'Agent Smith',
        ]);
        expect(salesRoom.messages.some((m: any) => m.text === 'Hello support')).toBe(false);

        await post(`rooms/${salesRoom.id}/messages`, { text: 'Gift cards are on sale' });
        const replied = await waitForState("Jones's reply on X", (s) =>
            s.customers[0].dms.some((d: any) => d.text === 'Agent Jones: Gift cards are on sale'),
        );
        const reply = replied.customers[0].dms.find((d: any) => d.text === 'Agent Jones: Gift cards are on sale');
        expect(reply.businessId).toBe(sales.id);

        // Each department's agent has its own availability; an unknown recipient or agent is refused.
        await post('agent', { online: false, agentId: state.agents[1].id });
        expect((await readState()).agents.map((a: any) => a.online)).toEqual([true, false]);
        await expect(post(`customers/${casey}/dms`, { text: 'x', to: '42' })).rejects.toThrow(
            /400 .*not a linked business account/,
        );
        await expect(post('agent', { online: true, agentId: 'nobody' })).rejects.toThrow(/400 .*No sandbox agent/);
        const { code } = await sandbox.interrupt(30_000);
        expect(code).toBe(0);
    }, 90_000);

    it('refuses unknown flags and faults with the usage, exit 2', async () => {
        sandbox = startSandboxProcess(['--no-build', '--fault', 'gremlins']);
        const { code } = await sandbox.exited(30_000);
        expect(code).toBe(2);
        expect(sandbox.output()).toContain('Unknown fault "gremlins"');
        expect(sandbox.output()).toContain('--mode auto|xaa|aaa|polling');
        expect(sandbox.output()).toContain('--accounts 2|1');
    }, 40_000);

    it.each([
        [['--accounts', '3'], '--accounts must be 1 or 2'],
        [['--auth', 'tokens'], 'developer-portal tokens link one account: use --accounts 1 with --auth tokens'],
    ])(
        'refuses %j, exit 2',
        async (args, message) => {
            sandbox = startSandboxProcess(['--no-build', ...args]);
            const { code } = await sandbox.exited(30_000);
            expect(code).toBe(2);
            expect(sandbox.output()).toContain(message);
        },
        40_000,
    );
});
