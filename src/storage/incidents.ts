/**
 * "Alert once" across instances: every instance that sees an incident begin writes a claim (create-only,
 * so none is lost) and reads them back; the first one written announces it. Same rule as the seen-event
 * claims (conversations.ts `wins`), since Rocket.Chat persistence has no compare-and-set.
 */
import { randomBytes } from 'crypto';
import { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { miscKey } from './associations';

interface IncidentClaim {
    type: 'incident-claim';
    claim: string;
    at: number;
}

const incidentKey = (incident: string) => miscKey(`x-incident:${incident}`);

/** Whether this caller is the one to announce `incident` (false when another instance already did). */
export async function claimIncident(
    reader: IPersistenceRead,
    persistence: IPersistence,
    incident: string,
    at: number,
): Promise<boolean> {
    const claim = randomBytes(12).toString('hex');
    await persistence.createWithAssociation(
        { type: 'incident-claim', claim, at } satisfies IncidentClaim,
        incidentKey(incident),
    );
    const claims = ((await reader.readByAssociation(incidentKey(incident))) as unknown as IncidentClaim[]).filter(
        (c) => c?.type === 'incident-claim',
    );
    return claims[0]?.claim === claim;
}

/** The incident is over: the next one is announced again. */
export async function clearIncident(persistence: IPersistence, incident: string): Promise<void> {
    await persistence.removeByAssociation(incidentKey(incident));
}
