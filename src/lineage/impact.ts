/**
 * Blast radius (DESIGN §6): from a selector (vendor in a time window, signing key, annotator,
 * delivery, incident) to every affected delivery, dataset (with its tainted record count and
 * share), run, model (through fine-tune chains) and deployment, each with the path that explains
 * it, and a remediation plan.
 */
import { LineageError } from './errors.js';
import { parseFindingSelector, type FindingIndex, type ImpactSelector } from './findings.js';
import type { DeliveryFacts, EdgeOrigin, EdgeRel, IncidentFacts, LineageStore, NodeKind, NodeRef, ReachRow, Selector, TimeWindow } from './types.js';
import { checkName, parseWindow, windowsOverlap } from './validate.js';

const SELECTOR_KINDS = ['vendor', 'key', 'annotator', 'delivery', 'incident'] as const;

/**
 * Parses `KIND:VALUE` (vendor:NAME, key:KEYID, annotator:ID, delivery:ID, incident:ID). A window
 * applies to vendor, key and annotator selectors.
 */
export function parseSelector(text: string, window: { readonly from?: string; readonly to?: string } = {}): Selector {
  const i = text.indexOf(':');
  const kind = i > 0 ? text.slice(0, i) : '';
  const value = i > 0 ? text.slice(i + 1) : '';
  if (!(SELECTOR_KINDS as readonly string[]).includes(kind) || value === '') {
    throw new LineageError('LINEAGE_SELECTOR_INVALID', `selector ${JSON.stringify(text.slice(0, 80))} must be KIND:VALUE with KIND one of ${SELECTOR_KINDS.join(', ')} (e.g. vendor:acme --from 2026-03-01 --to 2026-03-15)`);
  }
  let name: string;
  try {
    name = checkName(value, `${kind} in the selector`);
  } catch (err) {
    throw new LineageError('LINEAGE_SELECTOR_INVALID', (err as Error).message, { cause: err });
  }
  const w = parseWindow(window.from, window.to, 'selector window');
  const hasWindow = w.from !== undefined || w.to !== undefined;
  if (hasWindow && (kind === 'delivery' || kind === 'incident')) {
    throw new LineageError('LINEAGE_SELECTOR_INVALID', `--from/--to apply to vendor, key and annotator selectors, not ${kind}`);
  }
  const win = hasWindow ? { window: w } : {};
  switch (kind as (typeof SELECTOR_KINDS)[number]) {
    case 'vendor':
      return { kind: 'vendor', vendor: name, ...win };
    case 'key':
      if (!/^[0-9a-fA-F]{8,}$/.test(name)) throw new LineageError('LINEAGE_SELECTOR_INVALID', `key selector must be a key id (8 or more hex digits), not ${JSON.stringify(name.slice(0, 80))}`);
      return { kind: 'key', keyId: name.toLowerCase(), ...win };
    case 'annotator':
      return { kind: 'annotator', annotator: name, ...win };
    case 'delivery':
      return { kind: 'delivery', deliveryId: name };
    case 'incident':
      return { kind: 'incident', incidentId: name };
  }
}

/** Parses any impact selector: parseSelector's kinds plus finding:DETECTOR[/RULE]. */
export function parseImpactSelector(text: string, window: { readonly from?: string; readonly to?: string } = {}): ImpactSelector {
  return text.startsWith('finding:') ? parseFindingSelector(text, window) : parseSelector(text, window);
}

type DirectSelector = Exclude<ImpactSelector, { kind: 'incident' }>;

/** One step of an explanation path. */
export interface PathStep {
  readonly kind: NodeKind;
  readonly name: string;
  /** Relation from the previous step (absent on the first). */
  readonly rel?: EdgeRel;
  readonly origin?: EdgeOrigin;
  readonly count?: number;
}

export interface AffectedDelivery extends DeliveryFacts {
  readonly path: readonly PathStep[];
}
export interface AffectedDataset {
  readonly name: string;
  /** Null for a dataset only declared (e.g. an OpenLineage output): its records are unknown. */
  readonly recordCount: number | null;
  readonly taintedRecords: number | null;
  readonly share: number | null;
  readonly path: readonly PathStep[];
}
export interface AffectedRun {
  readonly id: string;
  readonly start?: string;
  readonly end?: string;
  /** Paused vendors whose data the run used (any, not only the selected ones). */
  readonly pausedVendors: readonly string[];
  readonly path: readonly PathStep[];
}
export interface AffectedModel {
  readonly name: string;
  /** 'training': trained on tainted data; 'fine-tune': inherits it from an affected base. */
  readonly via: 'training' | 'fine-tune';
  /** Nearest base-chain ancestor that is not affected, or null (retrain from scratch). */
  readonly lastCleanAncestor: string | null;
  readonly path: readonly PathStep[];
}
export interface AffectedDeployment {
  readonly name: string;
  readonly model: string;
  readonly env: string;
  readonly from?: string;
  readonly to?: string;
  /** Live at `asOf` (no end, or ends later). */
  readonly active: boolean;
  /** Live at some time inside the selector's window (true when the selector has no window). */
  readonly liveInWindow: boolean;
  readonly path: readonly PathStep[];
}

export type PlanStep =
  | { readonly action: 'pause-vendor'; readonly vendor: string; readonly reason: string }
  | { readonly action: 'quarantine'; readonly target: NodeRef; readonly reason: string }
  | {
      readonly action: 'retrain';
      readonly model: string;
      /** Start from this clean base model, or null: train from scratch. */
      readonly from: string | null;
      /** Affected models to rebuild first (the chain between `from` and this model). */
      readonly after: readonly string[];
      readonly runs: readonly string[];
      readonly exclude: { readonly deliveries: readonly string[]; readonly datasets: readonly { readonly name: string; readonly taintedRecords: number | null }[] };
      readonly reason: string;
    }
  | { readonly action: 'rollback'; readonly deployment: string; readonly env: string; readonly to: string | null; readonly toModel: string | null; readonly reason: string };

export interface ImpactReport {
  readonly selector: ImpactSelector;
  readonly incident?: IncidentFacts;
  readonly asOf: string;
  readonly deliveries: readonly AffectedDelivery[];
  readonly datasets: readonly AffectedDataset[];
  readonly runs: readonly AffectedRun[];
  readonly models: readonly AffectedModel[];
  readonly deployments: readonly AffectedDeployment[];
  readonly plan: readonly PlanStep[];
  readonly summary: { readonly deliveries: number; readonly datasets: number; readonly taintedRecords: number; readonly runs: number; readonly models: number; readonly deployments: number; readonly activeDeployments: number };
}

const key = (r: NodeRef) => `${r.kind}\u0000${r.name}`;

function subjectStep(s: DirectSelector): PathStep | undefined {
  switch (s.kind) {
    case 'vendor':
      return { kind: 'vendor', name: s.vendor };
    case 'key':
      return { kind: 'key', name: s.keyId };
    case 'annotator':
      return { kind: 'annotator', name: s.annotator };
    case 'delivery':
    case 'finding':
      return undefined;
  }
}

function subjectRel(s: DirectSelector): EdgeRel | undefined {
  return s.kind === 'vendor' ? 'delivered' : s.kind === 'key' ? 'signed' : s.kind === 'annotator' ? 'annotated' : undefined;
}

/**
 * Computes the blast radius of a selector and the remediation plan. `findings` answers
 * finding:DETECTOR[/RULE] selectors (the deliveries that raised them).
 */
export async function computeImpact(store: LineageStore, selector: ImpactSelector, options: { readonly asOf?: Date; readonly findings?: FindingIndex } = {}): Promise<ImpactReport> {
  const asOf = (options.asOf ?? new Date()).toISOString();
  await store.syncDeliveries();
  let incident: IncidentFacts | undefined;
  let sel: DirectSelector;
  if (selector.kind === 'incident') {
    incident = await store.getIncident(selector.incidentId);
    if (!incident) throw new LineageError('LINEAGE_NOT_FOUND', `incident ${JSON.stringify(selector.incidentId)} is not registered; add it with provenant incident add`);
    sel = incident.selector;
  } else sel = selector;
  const window: TimeWindow = 'window' in sel ? (sel.window ?? {}) : {};

  let deliveries: DeliveryFacts[];
  if (sel.kind === 'finding') {
    if (!options.findings) throw new LineageError('LINEAGE_INVALID_ARGUMENT', 'finding selectors need the findings index of the store; this caller did not pass one');
    const withFindings = await options.findings.deliveriesWithFindings(sel.detector, sel.rule);
    deliveries = withFindings.length > 0 ? await store.getDeliveries(withFindings) : [];
  } else deliveries = await store.selectDeliveries(sel);
  if (sel.kind === 'delivery' && deliveries.length === 0) {
    throw new LineageError('LINEAGE_NOT_FOUND', `delivery ${JSON.stringify(sel.deliveryId)} is not registered; check the id (provenant verify registers deliveries)`);
  }
  const prefix: PathStep[] = [];
  if (incident) prefix.push({ kind: 'incident', name: incident.id });
  const subject = subjectStep(sel);
  if (subject) prefix.push(incident ? { ...subject, rel: 'affects', origin: 'declared' } : subject);
  const rel = subjectRel(sel);

  const ids = deliveries.map((d) => d.deliveryId);
  const rows = ids.length > 0 ? await store.downstream(ids) : [];
  // First row per node is its shortest explanation (rows come breadth-first).
  const firstParent = new Map<string, ReachRow>();
  const byKind = new Map<NodeKind, string[]>();
  for (const r of rows) {
    const k = key(r.node);
    if (firstParent.has(k)) continue;
    firstParent.set(k, r);
    const list = byKind.get(r.node.kind) ?? [];
    list.push(r.node.name);
    byKind.set(r.node.kind, list);
  }
  const deliveryPath = (id: string): PathStep[] => [...prefix, { kind: 'delivery', name: id, ...(rel ? { rel, origin: 'verified-signature' as const } : {}) }];
  const pathCache = new Map<string, PathStep[]>();
  const pathOf = (ref: NodeRef): PathStep[] => {
    const k = key(ref);
    const cached = pathCache.get(k);
    if (cached) return cached;
    let p: PathStep[];
    const row = firstParent.get(k);
    if (ref.kind === 'delivery' && (!row || ids.includes(ref.name))) p = deliveryPath(ref.name);
    else if (!row) p = [{ kind: ref.kind, name: ref.name }];
    else p = [...pathOf(row.parent), { kind: ref.kind, name: ref.name, rel: row.rel, origin: row.origin, ...(row.count !== undefined ? { count: row.count } : {}) }];
    pathCache.set(k, p);
    return p;
  };

  // Datasets: tainted record counts are exact (match groups), shares against the dataset size.
  const datasetNames = (byKind.get('dataset') ?? []).slice().sort();
  const tainted = await store.taintedCounts(ids, datasetNames);
  const counts = await store.datasetCounts(datasetNames);
  const datasets: AffectedDataset[] = datasetNames.map((name) => {
    const c = counts.get(name);
    const t = c ? (tainted.get(name) ?? 0) : null;
    return { name, recordCount: c?.recordCount ?? null, taintedRecords: t, share: c && t !== null && c.recordCount > 0 ? t / c.recordCount : null, path: pathOf({ kind: 'dataset', name }) };
  });

  const runNames = (byKind.get('run') ?? []).slice().sort();
  const pauses = await store.listVendorPauses();
  const paused = new Set(pauses.map((p) => p.vendor));
  const runVendors = paused.size > 0 && runNames.length > 0 ? await store.runVendors(runNames) : new Map<string, string[]>();
  const runs: AffectedRun[] = [];
  for (const id of runNames) {
    const n = await store.getNode({ kind: 'run', name: id });
    const start = typeof n?.meta['start'] === 'string' ? n.meta['start'] : undefined;
    const end = typeof n?.meta['end'] === 'string' ? n.meta['end'] : undefined;
    runs.push({
      id,
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
      pausedVendors: (runVendors.get(id) ?? []).filter((v) => paused.has(v)),
      path: pathOf({ kind: 'run', name: id }),
    });
  }

  const modelNames = (byKind.get('model') ?? []).slice().sort();
  const affectedModels = new Set(modelNames);
  const ancestors = await store.modelAncestors(modelNames);
  const models: AffectedModel[] = modelNames.map((name) => {
    const row = firstParent.get(key({ kind: 'model', name }));
    const clean = (ancestors.get(name) ?? []).find((a) => !affectedModels.has(a));
    return { name, via: row?.rel === 'fine-tuned' ? 'fine-tune' : 'training', lastCleanAncestor: clean ?? null, path: pathOf({ kind: 'model', name }) };
  });

  const depNames = new Set(byKind.get('deployment') ?? []);
  const allDeployments = depNames.size > 0 ? await store.listDeployments([]) : [];
  const deployments: AffectedDeployment[] = allDeployments
    .filter((d) => depNames.has(d.name))
    .map((d) => ({
      name: d.name,
      model: d.model,
      env: d.env,
      from: d.from,
      ...(d.to !== undefined ? { to: d.to } : {}),
      active: d.from <= asOf && (d.to === undefined || d.to > asOf),
      liveInWindow: windowsOverlap({ from: d.from, ...(d.to !== undefined ? { to: d.to } : {}) }, window),
      path: pathOf({ kind: 'deployment', name: d.name }),
    }));

  const plan = await buildPlan(store, { sel, deliveries, datasets, models, deployments, allDeployments, paused, affectedModels, ancestors, ids });
  const affectedDeliveries: AffectedDelivery[] = deliveries.map((d) => ({ ...d, path: deliveryPath(d.deliveryId) }));
  return {
    selector,
    ...(incident ? { incident } : {}),
    asOf,
    deliveries: affectedDeliveries,
    datasets,
    runs,
    models,
    deployments,
    plan,
    summary: {
      deliveries: deliveries.length,
      datasets: datasets.length,
      taintedRecords: datasets.reduce((s, d) => s + (d.taintedRecords ?? 0), 0),
      runs: runs.length,
      models: models.length,
      deployments: deployments.length,
      activeDeployments: deployments.filter((d) => d.active).length,
    },
  };
}

async function buildPlan(
  store: LineageStore,
  c: {
    sel: DirectSelector;
    deliveries: readonly DeliveryFacts[];
    datasets: readonly AffectedDataset[];
    models: readonly AffectedModel[];
    deployments: readonly AffectedDeployment[];
    allDeployments: readonly { name: string; model: string; env: string; from: string; to?: string }[];
    paused: ReadonlySet<string>;
    affectedModels: ReadonlySet<string>;
    ancestors: ReadonlyMap<string, string[]>;
    ids: readonly string[];
  },
): Promise<PlanStep[]> {
  const plan: PlanStep[] = [];
  if (c.sel.kind === 'vendor' && !c.paused.has(c.sel.vendor)) {
    plan.push({ action: 'pause-vendor', vendor: c.sel.vendor, reason: 'stop intake of new deliveries until the incident is closed (provenant vendor pause)' });
  }
  for (const d of c.deliveries) plan.push({ action: 'quarantine', target: { kind: 'delivery', name: d.deliveryId }, reason: `${d.recordCount} records from ${d.vendor}, sealed ${d.sealedAt}` });
  for (const d of c.datasets) {
    if (d.taintedRecords === 0) continue;
    plan.push({
      action: 'quarantine',
      target: { kind: 'dataset', name: d.name },
      reason: d.taintedRecords === null ? 'produced from affected data (records not derived)' : `${d.taintedRecords} of ${d.recordCount ?? '?'} records come from affected deliveries`,
    });
  }
  // Retrain in chain order: a model's affected ancestors come first.
  const order = [...c.models].sort((a, b) => (c.ancestors.get(a.name)?.length ?? 0) - (c.ancestors.get(b.name)?.length ?? 0) || (a.name < b.name ? -1 : 1));
  const runsOf = await store.producingRuns(order.map((m) => m.name));
  const taintedDatasets = c.datasets.filter((d) => d.taintedRecords !== 0).map((d) => ({ name: d.name, taintedRecords: d.taintedRecords }));
  for (const m of order) {
    const chain = c.ancestors.get(m.name) ?? [];
    const after: string[] = [];
    for (const a of chain) {
      if (!c.affectedModels.has(a)) break;
      after.unshift(a);
    }
    const runs = (runsOf.get(m.name) ?? []).map((r) => r.id);
    plan.push({
      action: 'retrain',
      model: m.name,
      from: m.lastCleanAncestor,
      after,
      runs,
      exclude: { deliveries: [...c.ids], datasets: taintedDatasets },
      reason:
        m.via === 'fine-tune'
          ? `fine-tuned from affected ${after[after.length - 1] ?? 'base'}; redo the fine-tune on the retrained base`
          : `trained on affected data; re-run ${runs.join(', ') || 'its training'} ${m.lastCleanAncestor ? `from ${m.lastCleanAncestor}` : 'from scratch'} without the tainted records`,
    });
  }
  for (const d of c.deployments) {
    if (!d.active) continue;
    // Roll back to the latest earlier deployment in the same environment whose model is clean.
    const prev = c.allDeployments.filter((x) => x.env === d.env && d.from !== undefined && x.from < d.from && !c.affectedModels.has(x.model)).pop();
    plan.push({
      action: 'rollback',
      deployment: d.name,
      env: d.env,
      to: prev?.name ?? null,
      toModel: prev?.model ?? null,
      reason: prev ? `serve ${prev.model} again until ${d.model} is retrained` : `no earlier clean deployment in ${d.env}: take ${d.model} offline or serve a clean model`,
    });
  }
  return plan;
}

/** Renders a path as `vendor:acme → delivery:acme-1 →[content-match 31] dataset:mix`. */
export function pathText(path: readonly PathStep[]): string {
  return path
    .map((s, i) => {
      const node = `${s.kind}:${s.name}`;
      if (i === 0) return node;
      const how = s.origin === 'content-match' ? `[content-match${s.count !== undefined ? ` ${s.count}` : ''}] ` : s.origin === 'declared' ? '' : '';
      return `→ ${how}${node}`;
    })
    .join(' ');
}
