/**
 * Delivery mode *Automatic*: the best webhook mode these settings allow when X can reach Rocket.Chat,
 * polling when it cannot — decided at linking, when settings change, on every health check and, while
 * polling, on a back-off from the poller's runs. A switch loses nothing and posts nothing twice: both
 * deliveries hand events to the one inbound pipeline, whose per-event claims drop what the other already
 * posted; the poller reads back to the last event the webhook delivered before it took over, and keeps
 * polling after the webhook took over until the webhook has delivered an event.
 *
 * Several instances may decide at once (the poller's run on one, the health check on another): a change
 * is claimed in persistence under its switch number, and only the winner stores it and announces it, so
 * the setup room gets one notice per switch.
 */
import { IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { randomBytes } from 'crypto';
import { noteNextEvent } from '../bridge/webhook-events';
import { DeliveryMode } from '../settings/ids';
import { bestWebhookMode } from '../settings/delivery-modes';
import { AutomaticDelivery, DeliveryRegistration, deliveryRecords, readForAccount } from '../storage/accounts';
import { wins } from '../storage/claims';
import { miscKey } from '../storage/associations';
import { lastEventRecords } from '../storage/admin-state';
import { pollStateRecords } from '../storage/job-state';
import { XFailure } from '../x/client-types';
import type { I18nKey } from '../i18n/translate';
import {
    DeliveryDeps,
    readDelivery,
    registerAtX,
    registerDelivery,
    schedulePoller,
    stopPollerUnlessNeeded,
} from './delivery';
import { maskWebhookUrl } from './urls';

/** Webhook retries while polling: a minute after the first failure, doubling up to the health check's period. */
const RETRY_FIRST_MS = 60_000;
const RETRY_MAX_MS = 30 * 60_000;
const retryDelayMs = (attempts: number) => Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1));

/**
 * The poller reads back this far before the webhook's last event when it takes over: that event is noted
 * at most once a minute per instance, and X's clock and Rocket.Chat's differ (the claims drop the overlap).
 */
const TAKEOVER_MARGIN_MS = 5 * 60_000;

/**
 * What X answers when it cannot use the webhook (POST /2/webhooks and PUT /2/webhooks/:id, research/x-api.md
 * §3): its challenge (CRC) failed — unreachable, TLS, a port, a wrong Site URL, or a wrong answer — or it
 * refuses the address. Anything else (X down, credentials, limits) is not a reason to poll: polling needs X too.
 */
function webhookUnusable(e: unknown): e is XFailure {
    return e instanceof XFailure && (e.reason === 'CrcValidationFailed' || e.reason === 'UrlValidationFailed');
}

const reasonOf = (failure: XFailure): I18nKey =>
    failure.reason === 'UrlValidationFailed' ? 'auto_reason_url' : 'auto_reason_unreachable';

/** A decision Automatic made: the registration to store, and whether it changes the active mode. */
interface Decision {
    registration: DeliveryRegistration;
    switched: boolean;
}

/** Registers delivery as the settings say: the explicit mode, or Automatic's choice (at linking, on saved settings). */
export async function setUpDelivery(deps: DeliveryDeps): Promise<DeliveryRegistration> {
    const mode = deps.settings.deliveryMode;
    if (mode !== DeliveryMode.Auto) return registerDelivery(deps, mode);
    const previous = await readDelivery(deps);
    const { registration } = await tryWebhook(deps, previous);
    await deliveryRecords.of(deps.account.accountId).write(deps.persistence, registration);
    return registration;
}

/**
 * Tries the best webhook mode; falls back to polling when X cannot use the webhook. Other failures are
 * thrown (nothing changed at X that matters: the caller reports them).
 */
async function tryWebhook(deps: DeliveryDeps, previous: DeliveryRegistration | undefined): Promise<Decision> {
    const before = previous?.automatic;
    const url = maskWebhookUrl(deps.webhookUrl);
    const base: AutomaticDelivery = { switches: before?.switches ?? 0, attempts: before?.attempts ?? 0, url };
    const wasPolling = previous?.mode === DeliveryMode.Polling;
    const choice = bestWebhookMode(deps.settings, deps.now());
    if (!choice.mode) {
        const registration = await registerAtX(deps, DeliveryMode.Polling, previous);
        return {
            registration: { ...registration, automatic: { ...base, attempts: 0, reason: choice.why } },
            switched: !!previous && !wasPolling,
        };
    }
    // DMs X sent while the poller was still the delivery are read by it until the webhook delivers (a
    // hand-over under way goes on when the webhook is merely registered again).
    const pollUntilEventAfter = wasPolling ? deps.now() : before?.pollUntilEventAfter;
    try {
        const registration = await registerAtX(deps, choice.mode, previous, pollUntilEventAfter !== undefined);
        const automatic: AutomaticDelivery = { switches: base.switches, webhookMode: choice.mode, attempts: 0, url };
        if (pollUntilEventAfter !== undefined) automatic.pollUntilEventAfter = pollUntilEventAfter;
        return { registration: { ...registration, automatic }, switched: !!previous && wasPolling };
    } catch (e) {
        if (!webhookUnusable(e)) throw e;
        const attempts = base.attempts + 1;
        const registration = await fallBack(deps, previous);
        return {
            registration: {
                ...registration,
                automatic: {
                    switches: base.switches,
                    webhookMode: choice.mode,
                    url,
                    reason: reasonOf(e),
                    detail: e.detail,
                    attempts,
                    nextTryAt: deps.now() + retryDelayMs(attempts),
                },
            },
            switched: !!previous && !wasPolling,
        };
    }
}

/**
 * Polling takes over. The webhook and its subscriptions stay registered (a later check, X's or ours, may
 * find it valid again); the poller's cursor moves back to just before the webhook's last event, so it
 * reads whatever X could not deliver since (an older cursor would cost reads of what was delivered).
 */
async function fallBack(deps: DeliveryDeps, previous: DeliveryRegistration | undefined): Promise<DeliveryRegistration> {
    if (previous && previous.mode !== DeliveryMode.Polling) {
        const accountId = deps.account.accountId;
        const [poll, lastEvent] = await Promise.all([
            readForAccount(deps.reader, pollStateRecords, accountId),
            readForAccount(deps.reader, lastEventRecords, accountId),
        ]);
        const from = (lastEvent?.at ?? previous.registeredAt) - TAKEOVER_MARGIN_MS;
        if (!poll?.newestCreatedAt || poll.newestCreatedAt < from)
            await pollStateRecords.of(accountId).write(deps.persistence, {
                averageNew: poll?.averageNew ?? 1,
                consecutiveEmpty: 0,
                runs: poll?.runs,
                requestRuns: poll?.requestRuns,
                credit: poll?.credit,
                newestCreatedAt: from,
            });
    }
    await schedulePoller(deps);
    const registration: DeliveryRegistration = { mode: DeliveryMode.Polling, registeredAt: deps.now() };
    if (previous?.webhookId) {
        registration.webhookId = previous.webhookId;
        registration.webhookUrl = previous.webhookUrl;
        registration.activitySubscriptionIds = previous.activitySubscriptionIds;
        registration.accountActivitySubscribed = previous.accountActivitySubscribed;
    }
    return registration;
}

/** Whether Automatic is due to try the webhook again (polling, and the back-off has passed). */
export function webhookRetryDue(registration: DeliveryRegistration | undefined, now: number): boolean {
    const automatic = registration?.automatic;
    return (
        registration?.mode === DeliveryMode.Polling && automatic?.nextTryAt !== undefined && automatic.nextTryAt <= now
    );
}

export type SwitchNotice = (registration: DeliveryRegistration) => Promise<void>;

/**
 * From a job (the poller's back-off, every health check while polling or when the webhook has a problem):
 * tries the webhook (again). A switch is claimed
 * first; the winner stores it and announces it. Returns the registration now in force.
 */
export async function retryWebhook(
    deps: DeliveryDeps,
    current: DeliveryRegistration,
    announce: SwitchNotice,
): Promise<DeliveryRegistration> {
    let decision: Decision;
    try {
        decision = await tryWebhook(deps, current);
    } catch {
        // X itself failed (down, limits): the same back-off applies, nothing switches.
        const attempts = (current.automatic?.attempts ?? 0) + 1;
        decision = {
            registration: {
                ...current,
                automatic: {
                    ...(current.automatic ?? { switches: 0 }),
                    attempts,
                    nextTryAt: deps.now() + retryDelayMs(attempts),
                },
            },
            switched: false,
        };
    }
    return settle(deps, current, decision, announce);
}

/** Stores a decision: a switch only if this instance claimed it first, then announced once. */
async function settle(
    deps: DeliveryDeps,
    current: DeliveryRegistration,
    decision: Decision,
    announce: SwitchNotice,
): Promise<DeliveryRegistration> {
    const { registration } = decision;
    const record = deliveryRecords.of(deps.account.accountId);
    if (!decision.switched) {
        await record.write(deps.persistence, registration);
        return registration;
    }
    const next = (current.automatic?.switches ?? 0) + 1;
    if (!(await claimSwitch(deps, current, next))) return (await readDelivery(deps)) ?? current;
    const stored: DeliveryRegistration = {
        ...registration,
        automatic: { ...(registration.automatic ?? { attempts: 0 }), switches: next },
    };
    await record.write(deps.persistence, stored);
    if (stored.mode !== DeliveryMode.Polling) noteNextEvent(deps.account.accountId);
    await announce(stored);
    return stored;
}

/**
 * Claims name the registration switched from (its time) and the switch's number: instances deciding from
 * the same registration meet under one key, and a link made again (numbers start over) never meets old ones.
 */
const switchKey = (accountId: string, from: DeliveryRegistration, n: number) =>
    miscKey(`x-auto-switch:${accountId}:${from.registeredAt}:${n}`);

/** Create-only claims under the switch's key: the first one written decides (no atomic take exists). */
async function claimSwitch(deps: DeliveryDeps, from: DeliveryRegistration, n: number): Promise<boolean> {
    const claim = randomBytes(9).toString('base64url');
    const key = switchKey(deps.account.accountId, from, n);
    await deps.persistence.createWithAssociation({ type: 'auto-switch', claim, at: deps.now() }, key);
    const claims = (await deps.reader.readByAssociation(key)) as unknown as { claim?: string }[];
    return wins(claims, claim);
}

/**
 * While the webhook is taking over, the poller keeps reading until the webhook has delivered an event
 * after the switch: X reaches it, so what the poller has not read yet is all the poller still owes.
 */
export async function webhookHasDelivered(
    reader: IPersistenceRead,
    accountId: string,
    current: DeliveryRegistration,
): Promise<boolean> {
    const since = current.automatic?.pollUntilEventAfter;
    if (since === undefined) return true;
    const lastEvent = await readForAccount(reader, lastEventRecords, accountId);
    return !!lastEvent && lastEvent.at > since;
}

/** The hand-over is complete: polling stops (unless another switch happened meanwhile). */
export async function endHandOver(
    deps: Pick<DeliveryDeps, 'reader' | 'persistence' | 'modify' | 'account'>,
    current: DeliveryRegistration,
): Promise<void> {
    const stored = await readDelivery(deps);
    if (!stored?.automatic || stored.automatic.switches !== current.automatic?.switches) return;
    await deliveryRecords.of(deps.account.accountId).write(deps.persistence, {
        ...stored,
        automatic: { ...stored.automatic, pollUntilEventAfter: undefined },
    });
    await stopPollerUnlessNeeded(deps);
}
