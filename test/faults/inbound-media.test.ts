/**
 * Customers' photos under faults, audited by content (each photo's bytes by SHA-256, each text as written):
 * an instance that dies between posting a DM's text and uploading its photo — its Deno process killed, or
 * Rocket.Chat restarted at that very point — and photo-only DMs (no text) among texts and captioned photos,
 * delivered twice and out of order to two instances, with X's media server failing now and then.
 * Per conversation: lost 0 (texts and files), duplicated 0, out of order 0, nothing unexpected.
 */
import { auditInbound, faultsOf, NO_FAULTS } from './helpers/audit';
import { dmText, letRetriesRun, newCustomers, photo, seededRandom } from './helpers/drive';
import { catchUpWithRealTime, guardRuntimeStdin, Rig, startRig } from './helpers/rig';
import { FULL, SCALE, SEED, timeoutFor } from './helpers/scale';
import { record } from './helpers/summary';

const CRASHES = FULL ? 24 : 4;
const PHOTO_DMS = Math.max(60, Math.round(SCALE.inboundEvents * 0.1));

describe(`customers' photos under faults (${SCALE.label}: ${CRASHES} crashes at the upload, ${PHOTO_DMS} DMs with photo-only ones)`, () => {
    let rig: Rig;
    const random = seededRandom(SEED + 30);
    let photoCount = 0;

    beforeAll(async () => {
        rig = await startRig({ mode: 'aaa', shareClock: true, sim: { deliveryRealTimeoutMs: 5_000 } });
        await rig.addInstance();
    }, 120_000);

    afterAll(async () => {
        await rig?.stop();
    });

    it(
        'an instance dying between posting the text and uploading the photo: the photo still arrives, once',
        async () => {
            const customers = newCustomers(rig, 'crash', Math.max(2, Math.round(CRASHES / 3)));
            let kills = 0;
            let restarts = 0;
            let reached = 0;
            for (let round = 0; round < CRASHES; round++) {
                const from = customers[round % customers.length];
                await catchUpWithRealTime(rig);
                await rig.clock.advance(1_000);
                await rig.sim.sendDm({ from, to: rig.business.id, text: dmText(2 * round, from) });
                await rig.settleAll();

                const which = round % rig.hosts.length;
                const victim = rig.hosts[which];
                const kill = round % 2 === 0;
                let atUpload!: () => void;
                const uploadReached = new Promise<void>((resolve) => (atUpload = resolve));
                let restarted!: () => void;
                const afterRestart = new Promise<void>((resolve) => (restarted = resolve));
                // The text is in the room when Rocket.Chat is asked to store the photo: the instance dies there.
                victim.calls.before('UploadBridge', 'createUpload', async () => {
                    atUpload();
                    if (kill) {
                        guardRuntimeStdin(victim);
                        const deno = (victim.app().getRuntimeController() as unknown as { deno?: { pid?: number } })
                            .deno;
                        if (deno?.pid) process.kill(deno.pid, 'SIGKILL');
                    } else await afterRestart;
                    throw new Error('the instance died before storing the file');
                });
                rig.front.setHosts([victim]);
                await rig.clock.advance(1_000);
                // Every other crash the DM has no text: nothing is in the room when the instance dies.
                const text = round % 4 === 3 ? undefined : dmText(2 * round + 1, from);
                await rig.sim.sendDm(
                    { from, to: rig.business.id, text, media: photo(++photoCount) },
                    { awaitDelivery: false },
                );
                let timer: NodeJS.Timeout | undefined;
                await Promise.race([
                    uploadReached,
                    new Promise((_, reject) => {
                        timer = setTimeout(() => reject(new Error('the delivery never reached the upload')), 20_000);
                    }),
                ]).finally(() => clearTimeout(timer));
                reached++;
                await rig.restartInstance(which);
                restarted();
                if (kill) kills++;
                else restarts++;
                await letRetriesRun(rig);
            }
            await letRetriesRun(rig);
            const audit = auditInbound(rig.sim, rig.host.store, rig.business.id, customers);
            record(__filename, 'crash between text and upload', 'inbound', {
                audit,
                counts: { 'Deno processes killed at the upload': kills, 'instances restarted at the upload': restarts },
            });
            expect(reached).toBe(CRASHES);
            expect(audit.files.expected).toBe(CRASHES);
            expect(faultsOf(audit)).toEqual(NO_FAULTS);
            expect(audit.files).toMatchObject({ delivered: CRASHES, noted: 0 });
            for (const host of rig.hosts) expect(await host.isEnabled()).toBe(true);
        },
        CRASHES * 60_000 + 60_000,
    );

    it(
        'photo-only DMs among texts and captioned photos, duplicated and reordered over two instances',
        async () => {
            const customers = newCustomers(rig, 'pic', Math.max(5, Math.round(PHOTO_DMS / 10)));
            rig.front.setHosts(rig.hosts);
            rig.sim.faults.set({ delivery: { duplicate: 1 }, probability: 0.25 });
            rig.sim.faults.set({ delivery: { reorder: true }, probability: 0.25 });
            rig.sim.faults.set({ api: { status: 503 }, match: { endpoint: 'dm_media.download' }, probability: 0.1 });
            let photoOnly = 0;
            for (let i = 0; i < PHOTO_DMS; i++) {
                await rig.clock.advance(Math.max(1_000, Date.now() - rig.clock.now()));
                const from = customers[Math.floor(random() * customers.length)];
                const kind = i % 3;
                if (kind === 0) photoOnly++;
                await rig.sim.sendDm({
                    from,
                    to: rig.business.id,
                    text: kind === 0 ? undefined : dmText(i, from),
                    media: kind === 2 ? undefined : photo(++photoCount),
                });
                if (i % 25 === 24) await letRetriesRun(rig);
            }
            rig.sim.faults.clear();
            await letRetriesRun(rig);
            await rig.settleAll();
            const downloads = rig.sim.requests().filter((r) => r.endpoint === 'dm_media.download');
            const failedDownloads = downloads.filter((r) => r.status >= 500).length;
            const audit = auditInbound(rig.sim, rig.host.store, rig.business.id, customers);
            record(__filename, 'photo-only DMs, duplicated + reordered, two instances', 'inbound', {
                audit,
                counts: { 'photo-only DMs': photoOnly, 'photo downloads X failed (503)': failedDownloads },
            });
            expect(rig.sim.deliveries().filter((d) => d.copyOf).length).toBeGreaterThan(0);
            expect(faultsOf(audit)).toEqual(NO_FAULTS);
            // A file shown as a note only after X failed every download attempt the app makes for it.
            expect(audit.files.noted * 3).toBeLessThanOrEqual(failedDownloads);
            expect(audit.files.delivered + audit.files.noted).toBe(audit.files.expected);
            expect(audit.files.expected).toBe(
                Array.from({ length: PHOTO_DMS }, (_, i) => i % 3 !== 2).filter(Boolean).length,
            );
        },
        timeoutFor(PHOTO_DMS, 60),
    );
});
