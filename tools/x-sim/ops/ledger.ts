/**
 * Pay-per-use billing, as X bills it (x-api.md §1, §3):
 * - DM event read: $0.010 per event returned (lists and single lookups; expansions are free).
 *   X's same-day de-duplication is only a "soft guarantee", so every returned event is billed.
 * - DM create: $0.015 per successful send (refused sends cost nothing).
 * - `dm.received` webhook delivery (X Activity API): $0.010 per event, billed once on its first
 *   successful delivery; retries, injected duplicates and replays of that event are not billed
 *   again, and an event that is never delivered (dropped) is never billed. `dm.sent`, `dm.read`,
 *   `dm.indicate_typing` and Account Activity deliveries are free.
 */
export type BillableKind = 'dm_event_read' | 'dm_create' | 'dm_received_delivery';

export const UNIT_PRICE_USD: Record<BillableKind, number> = {
  dm_event_read: 0.01,
  dm_create: 0.015,
  dm_received_delivery: 0.01,
};

export interface LedgerItem {
  at: number;
  appId: string;
  kind: BillableKind;
  /** The DM event id the charge is for. */
  eventId: string;
  usd: number;
}

export interface LedgerTotals {
  dmEventReads: number;
  dmCreates: number;
  dmReceivedDeliveries: number;
  usd: number;
}

export interface LedgerView {
  items: LedgerItem[];
  totals: LedgerTotals;
}

export class Ledger {
  private readonly items: LedgerItem[] = [];
  private readonly billedDeliveries = new Set<string>();

  charge(kind: BillableKind, appId: string, eventId: string, at: number): void {
    this.items.push({ at, appId, kind, eventId, usd: UNIT_PRICE_USD[kind] });
  }

  /** Bills a `dm.received` delivery unless this app was already billed for the event. */
  chargeDeliveryOnce(appId: string, eventId: string, at: number): void {
    const key = `${appId}:${eventId}`;
    if (this.billedDeliveries.has(key)) return;
    this.billedDeliveries.add(key);
    this.charge('dm_received_delivery', appId, eventId, at);
  }

  view(filter: { appId?: string } = {}): LedgerView {
    const items = this.items.filter((item) => !filter.appId || item.appId === filter.appId);
    const count = (kind: BillableKind) => items.filter((item) => item.kind === kind).length;
    // Sum in integer tenths of a cent so totals don't drift with floating point.
    const millis = items.reduce((sum, item) => sum + Math.round(item.usd * 1000), 0);
    return {
      items: items.map((item) => ({ ...item })),
      totals: { dmEventReads: count('dm_event_read'), dmCreates: count('dm_create'), dmReceivedDeliveries: count('dm_received_delivery'), usd: millis / 1000 },
    };
  }
}
