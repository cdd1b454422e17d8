/** trace: map the records of a leaked dump to the deliveries and clients they came from (DESIGN §6). */
import type { RecordFormat, ScanPool } from '../records/index.js';
import { matchDeliveries, readDigests } from './derive.js';
import type { LineageStore, RecordLookup } from './types.js';

export interface TraceReport {
  readonly records: number;
  readonly matched: number;
  readonly unmatched: number;
  /** Per delivery: dump records found in it, with its vendor and client. Most records first. */
  readonly deliveries: readonly { readonly deliveryId: string; readonly vendor: string; readonly client: string; readonly records: number; readonly share: number }[];
  /** Who must be told: per client, dump records from deliveries made to it (a record counts once per client). */
  readonly clients: readonly { readonly client: string; readonly records: number; readonly deliveries: readonly string[] }[];
  /** Per vendor: dump records from its deliveries (once per vendor). */
  readonly vendors: readonly { readonly vendor: string; readonly records: number }[];
}

/** Traces the records of the file or folder at `path`. */
export async function traceDump(store: LineageStore & RecordLookup, path: string, options: { readonly format?: RecordFormat; readonly pool?: ScanPool } = {}): Promise<TraceReport> {
  const read = await readDigests(path, options);
  await store.syncDeliveries();
  const m = await matchDeliveries(store, read.digests);
  const info = new Map((await store.getDeliveries([...m.deliveries.keys()])).map((d) => [d.deliveryId, d]));
  const deliveries = [...m.deliveries]
    .map(([deliveryId, records]) => ({ deliveryId, vendor: info.get(deliveryId)?.vendor ?? '', client: info.get(deliveryId)?.client ?? '', records, share: read.count > 0 ? records / read.count : 0 }))
    .sort((a, b) => b.records - a.records || (a.deliveryId < b.deliveryId ? -1 : 1));
  // Exact per-client and per-vendor counts from the match groups: a record found in two deliveries
  // to the same client is one record for that client.
  const clients = new Map<string, { records: number; deliveries: Set<string> }>();
  const vendors = new Map<string, number>();
  for (const g of m.groups) {
    const cs = new Set(g.deliveries.map((id) => info.get(id)?.client ?? ''));
    const vs = new Set(g.deliveries.map((id) => info.get(id)?.vendor ?? ''));
    for (const c of cs) {
      const e = clients.get(c) ?? { records: 0, deliveries: new Set<string>() };
      e.records += g.count;
      for (const id of g.deliveries) if (info.get(id)?.client === c) e.deliveries.add(id);
      clients.set(c, e);
    }
    for (const v of vs) vendors.set(v, (vendors.get(v) ?? 0) + g.count);
  }
  return {
    records: read.count,
    matched: m.matched,
    unmatched: read.count - m.matched,
    deliveries,
    clients: [...clients].map(([client, e]) => ({ client, records: e.records, deliveries: [...e.deliveries].sort() })).sort((a, b) => b.records - a.records || (a.client < b.client ? -1 : 1)),
    vendors: [...vendors].map(([vendor, records]) => ({ vendor, records })).sort((a, b) => b.records - a.records || (a.vendor < b.vendor ? -1 : 1)),
  };
}
