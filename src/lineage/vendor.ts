/**
 * Vendors as first-class: pausing, and a report of each vendor's deliveries, keys, findings rate,
 * incidents and assurance level, plus each model's training records by vendor with a
 * concentration index (HHI), so dependence on one vendor is visible before it is breached.
 *
 * Assurance levels, from evidence (each level requires the ones below, for every delivery):
 *   0 none       no registered delivery, or the vendor is paused, or an incident names it
 *   1 signed     every delivery's seal signature was verified when it was registered
 *   2 logged     + every delivery has a verified transparency-log receipt
 *   3 witnessed  + every receipt's checkpoint carries a trusted witness cosignature
 *   4 assured    + every delivery declares pseudonymous annotator ids, and every delivery was
 *                  inspected with an 'accept' verdict (a clean inspection history)
 */
import { LineageError } from './errors.js';
import type { DeliveryEvidence, IncidentFacts, LineageStore } from './types.js';
import { checkName } from './validate.js';

export const ASSURANCE_LEVELS = ['none', 'signed', 'logged', 'witnessed', 'assured'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

export interface VendorSummary {
  readonly vendor: string;
  readonly paused?: { readonly at: string; readonly reason?: string };
  readonly deliveries: number;
  readonly records: number;
  readonly clients: readonly string[];
  readonly keys: readonly { readonly keyId: string; readonly deliveries: number; readonly firstUsed: string; readonly lastUsed: string }[];
  /** Findings per inspected record; null when nothing was inspected. */
  readonly findingsRate: number | null;
  readonly inspectedRecords: number;
  readonly verdicts: Readonly<Record<string, number>>;
  readonly incidents: readonly string[];
  readonly evidence: { readonly signed: number; readonly logged: number; readonly witnessed: number; readonly pseudonymousAnnotators: number; readonly inspectedClean: number };
  readonly assurance: { readonly level: number; readonly name: AssuranceLevel; readonly missing?: string };
}

export interface ModelConcentration {
  readonly model: string;
  readonly records: number;
  /** Shares of attributed training records per vendor, largest first. */
  readonly vendors: readonly { readonly vendor: string; readonly records: number; readonly share: number }[];
  /** Records found in no registered delivery. */
  readonly unattributed: number;
  /** Herfindahl–Hirschman index over vendor shares in percent (0–10,000); null without attributed records. */
  readonly hhi: number | null;
  /** DOJ/FTC 2023 bands: < 1,000 unconcentrated, 1,000–1,800 moderate, > 1,800 high. */
  readonly concentration: 'unconcentrated' | 'moderate' | 'high' | null;
}

export interface VendorReport {
  readonly vendors: readonly VendorSummary[];
  readonly models: readonly ModelConcentration[];
}

/** Pauses a vendor (intake then rejects its deliveries; impact marks runs that used it). */
export async function pauseVendor(store: LineageStore, vendor: string, options: { readonly reason?: string; readonly at?: Date; readonly force?: boolean } = {}): Promise<void> {
  const name = checkName(vendor, 'vendor');
  if (options.reason !== undefined && options.reason.length > 1024) throw new LineageError('LINEAGE_INVALID_ARGUMENT', 'pause reason is longer than 1024 characters');
  if (!options.force) {
    await store.syncDeliveries();
    if ((await store.getNode({ kind: 'vendor', name })) === undefined) {
      throw new LineageError('LINEAGE_NOT_FOUND', `vendor ${JSON.stringify(name)} has no registered delivery; check the name (or pass --force to pause it anyway)`);
    }
  }
  await store.setVendorPause(name, { at: (options.at ?? new Date()).toISOString(), ...(options.reason !== undefined ? { reason: options.reason } : {}) });
}

/** Lifts a vendor's pause. */
export async function resumeVendor(store: LineageStore, vendor: string): Promise<void> {
  await store.setVendorPause(checkName(vendor, 'vendor'), null);
}

function incidentVendor(i: IncidentFacts, deliveryVendor: ReadonlyMap<string, string>, keyVendors: ReadonlyMap<string, Set<string>>): string[] {
  switch (i.selector.kind) {
    case 'vendor':
      return [i.selector.vendor];
    case 'delivery':
      return [deliveryVendor.get(i.selector.deliveryId) ?? ''];
    case 'key': {
      const k = i.selector.keyId;
      return [...keyVendors].filter(([id]) => id.startsWith(k)).flatMap(([, v]) => [...v]);
    }
    case 'annotator':
      return [];
  }
}

/** Herfindahl–Hirschman index of shares given in [0, 1], on the 0–10,000 scale. */
export function hhi(shares: readonly number[]): number {
  return Math.round(shares.reduce((s, x) => s + (x * 100) ** 2, 0));
}

/** Builds the vendor report over everything in the store. */
export async function vendorReport(store: LineageStore): Promise<VendorReport> {
  await store.syncDeliveries();
  const deliveries = await store.listAllDeliveries();
  const evidence = new Map<string, DeliveryEvidence>((await store.listEvidence()).map((e) => [e.deliveryId, e]));
  const pauses = new Map((await store.listVendorPauses()).map((p) => [p.vendor, p]));
  const incidents = await store.listIncidents();
  const deliveryVendor = new Map(deliveries.map((d) => [d.deliveryId, d.vendor]));
  const keyVendors = new Map<string, Set<string>>();
  for (const d of deliveries) keyVendors.set(d.keyId, (keyVendors.get(d.keyId) ?? new Set()).add(d.vendor));
  const incidentsOf = new Map<string, string[]>();
  for (const i of incidents) for (const v of incidentVendor(i, deliveryVendor, keyVendors)) incidentsOf.set(v, [...(incidentsOf.get(v) ?? []), i.id]);

  const names = [...new Set([...deliveries.map((d) => d.vendor), ...pauses.keys()])].sort();
  const vendors: VendorSummary[] = names.map((vendor) => {
    const ds = deliveries.filter((d) => d.vendor === vendor);
    const keys = new Map<string, { deliveries: number; firstUsed: string; lastUsed: string }>();
    for (const d of ds) {
      const k = keys.get(d.keyId);
      if (!k) keys.set(d.keyId, { deliveries: 1, firstUsed: d.sealedAt, lastUsed: d.sealedAt });
      else {
        k.deliveries++;
        if (d.sealedAt < k.firstUsed) k.firstUsed = d.sealedAt;
        if (d.sealedAt > k.lastUsed) k.lastUsed = d.sealedAt;
      }
    }
    let inspectedRecords = 0;
    let findings = 0;
    const verdicts: Record<string, number> = {};
    const ev = { signed: ds.length, logged: 0, witnessed: 0, pseudonymousAnnotators: 0, inspectedClean: 0 };
    for (const d of ds) {
      const e = evidence.get(d.deliveryId);
      if (e?.logged) ev.logged++;
      if (e?.logged && e.witnessed) ev.witnessed++;
      // Annotator ids in a seal are validated as pseudonymous (no names or e-mail addresses).
      if (d.annotators.length > 0) ev.pseudonymousAnnotators++;
      if (e?.inspected) {
        inspectedRecords += e.inspected.records;
        findings += e.inspected.findings;
        verdicts[e.inspected.verdict] = (verdicts[e.inspected.verdict] ?? 0) + 1;
        if (e.inspected.verdict === 'accept') ev.inspectedClean++;
      }
    }
    const pause = pauses.get(vendor);
    const incs = incidentsOf.get(vendor) ?? [];
    const n = ds.length;
    let level = 0;
    let missing: string | undefined;
    if (n === 0) missing = 'no registered delivery';
    else if (pause) missing = 'vendor is paused';
    else if (incs.length > 0) missing = `open incident ${incs.join(', ')}`;
    else {
      level = 1;
      const steps: [number, string][] = [
        [ev.logged, 'a verified log receipt'],
        [ev.witnessed, 'a witnessed log checkpoint'],
        [Math.min(ev.pseudonymousAnnotators, ev.inspectedClean), 'pseudonymous annotator ids and a clean inspection'],
      ];
      for (const [have, what] of steps) {
        if (have < n) {
          missing = `${n - have} of ${n} deliveries lack ${what}`;
          break;
        }
        level++;
      }
    }
    return {
      vendor,
      ...(pause ? { paused: { at: pause.pausedAt, ...(pause.reason !== undefined ? { reason: pause.reason } : {}) } } : {}),
      deliveries: n,
      records: ds.reduce((s, d) => s + d.recordCount, 0),
      clients: [...new Set(ds.map((d) => d.client))].sort(),
      keys: [...keys].map(([keyId, k]) => ({ keyId, ...k })),
      findingsRate: inspectedRecords > 0 ? findings / inspectedRecords : null,
      inspectedRecords,
      verdicts,
      incidents: incs,
      evidence: ev,
      assurance: { level, name: ASSURANCE_LEVELS[level] ?? 'none', ...(missing !== undefined ? { missing } : {}) },
    };
  });

  const modelNames = (await store.listModels()).map((m) => m.name);
  const perModel = await store.modelVendorRecords(modelNames);
  const models: ModelConcentration[] = modelNames.map((model) => {
    const m = perModel.get(model);
    const entries = [...(m?.vendors ?? new Map<string, number>())];
    const attributed = entries.reduce((s, [, x]) => s + x, 0);
    const vs = entries
      .map(([vendor, records]) => ({ vendor, records, share: attributed > 0 ? records / attributed : 0 }))
      .sort((a, b) => b.records - a.records || (a.vendor < b.vendor ? -1 : 1));
    const h = attributed > 0 ? hhi(vs.map((v) => v.share)) : null;
    return {
      model,
      records: attributed + (m?.unattributed ?? 0),
      vendors: vs,
      unattributed: m?.unattributed ?? 0,
      hhi: h,
      concentration: h === null ? null : h > 1800 ? 'high' : h >= 1000 ? 'moderate' : 'unconcentrated',
    };
  });
  return { vendors, models };
}
