/**
 * Pay-per-use credits running out. X then answers every call with 402 credits-depleted (research/x-api.md
 * §12) until someone buys credits or auto-recharge does: that is a pause, not a refusal. Nothing is given
 * up meanwhile — agents' replies stay in the outbox, polling waits — and admins are told once, in the setup
 * room and in `/twitter status`. A probe job (jobs/credits-probe.ts) asks X again at a growing interval and
 * resumes everything as soon as X accepts calls.
 */
import { IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { serverTranslator } from '../lib/language';
import { MINUTE } from '../lib/time';
import { claimIncident, clearIncident } from '../storage/incidents';
import { CREDITS_PROBE_JOB_ID, scheduleAt } from '../jobs/ids';
import { announceInSetupRoom } from './setup-room';
import { CreditsPause, creditsPauseRecord } from '../storage/job-state';

const INCIDENT = 'credits-depleted';
/** Probe intervals: quick at first (auto-recharge), then at most hourly. */
const PROBE_DELAYS = [1, 2, 4, 8, 15, 30, 60].map((m) => m * MINUTE);

const probeDelay = (probes: number) => PROBE_DELAYS[Math.min(probes, PROBE_DELAYS.length - 1)];

/**
 * This process's knowledge that X refuses calls for lack of credits, so replies queue without spending a
 * call each on a 402. Memory only: another instance learns it from its own first 402 (which X does not bill).
 */
const memory = { pausedUntil: 0 };

/** Until when this process holds back calls that need credits, if it does. */
export function creditsPausedUntil(now: number): number | undefined {
    return memory.pausedUntil > now ? memory.pausedUntil : undefined;
}

export interface CreditsAccessors {
    read: IRead;
    modify: IModify;
    persistence: IPersistence;
}

/** X answered 402: pause (once), schedule the probe, tell the admins (once across instances). */
export async function noteCreditsDepleted(a: CreditsAccessors, now: number): Promise<CreditsPause> {
    const reader = a.read.getPersistenceReader();
    const existing = await creditsPauseRecord.read(reader);
    if (existing) {
        memory.pausedUntil = Math.max(memory.pausedUntil, existing.nextProbeAt);
        return existing;
    }
    const pause: CreditsPause = { since: now, nextProbeAt: now + probeDelay(0), probes: 0 };
    await creditsPauseRecord.write(a.persistence, pause);
    memory.pausedUntil = pause.nextProbeAt;
    await scheduleProbe(a.modify, pause.nextProbeAt);
    if (await claimIncident(reader, a.persistence, INCIDENT, now)) {
        const t = await serverTranslator(a.read, now);
        await announceInSetupRoom(a.read, a.modify, a.persistence, t('credits_alert'));
    }
    return pause;
}

/** The probe found X still refusing: ask again later. */
export async function probeAgainLater(a: CreditsAccessors, pause: CreditsPause, now: number): Promise<void> {
    const next: CreditsPause = { ...pause, probes: pause.probes + 1, nextProbeAt: now + probeDelay(pause.probes + 1) };
    await creditsPauseRecord.write(a.persistence, next);
    memory.pausedUntil = next.nextProbeAt;
    await scheduleProbe(a.modify, next.nextProbeAt);
}

/**
 * X accepts calls again: the pause ends everywhere (persistence) and here (memory). Returns the pause that
 * ended, or undefined when another instance ended it first (it announces the recovery).
 */
export async function endCreditsPause(
    a: CreditsAccessors,
    waitingReplies: number,
    now: number,
): Promise<CreditsPause | undefined> {
    memory.pausedUntil = 0;
    const [ended] = ((await a.persistence.removeByAssociation(creditsPauseRecord.key)) ??
        []) as unknown as CreditsPause[];
    if (!ended) return undefined;
    await clearIncident(a.persistence, INCIDENT);
    const t = await serverTranslator(a.read, now);
    await announceInSetupRoom(a.read, a.modify, a.persistence, t('credits_recovered', { count: waitingReplies }));
    return ended;
}

/** How late a planned probe may be before it counts as lost. */
const PROBE_LOST_AFTER = 5 * MINUTE;

/**
 * A probe job can be lost (Rocket.Chat cancels an app's jobs when it is disabled or updated) while the pause
 * record stays: nothing would ever end the pause. The recurring health check calls this to plan it again.
 */
export async function rescheduleLostProbe(modify: IModify, pause: CreditsPause, now: number): Promise<boolean> {
    if (pause.nextProbeAt + PROBE_LOST_AFTER > now) return false;
    await scheduleProbe(modify, now);
    return true;
}

async function scheduleProbe(modify: IModify, at: number): Promise<void> {
    await scheduleAt(modify, CREDITS_PROBE_JOB_ID, at, {});
}
