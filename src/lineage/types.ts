/**
 * The lineage graph (DESIGN §6). Nodes are vendors, signing keys, annotators, deliveries, datasets
 * (record sets identified by their record roots), runs, models, deployments and incidents. Edges
 * point the way data flows (vendor → delivery → dataset → run → model → deployment), carry an
 * event-time window and say where the claim came from.
 */

export const NODE_KINDS = ['vendor', 'key', 'annotator', 'delivery', 'dataset', 'run', 'model', 'deployment', 'incident'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/**
 * Where an edge's claim comes from: 'declared' (someone said so: a run's inputs, a base model),
 * 'verified-signature' (read from a seal whose signature was verified before it was stored),
 * 'content-match' (record digests of a dataset found in a delivery's record index).
 */
export const EDGE_ORIGINS = ['declared', 'verified-signature', 'content-match'] as const;
export type EdgeOrigin = (typeof EDGE_ORIGINS)[number];

/**
 * Edge relations, source → target: vendor `delivered` delivery, key `signed` delivery, annotator
 * `annotated` delivery, delivery `contains-records-of`... kept short: `contains` (delivery →
 * dataset: the dataset holds records of the delivery), `input` (dataset|delivery → run),
 * `produced` (run → model|dataset), `fine-tuned` (base model → derived model), `deployed`
 * (model → deployment), `affects` (incident → its target).
 */
export const EDGE_RELS = ['delivered', 'signed', 'annotated', 'contains', 'input', 'produced', 'fine-tuned', 'deployed', 'affects'] as const;
export type EdgeRel = (typeof EDGE_RELS)[number];

/** Relations that carry data downstream (what impact follows). */
export const DOWNSTREAM_RELS: readonly EdgeRel[] = ['contains', 'input', 'produced', 'fine-tuned', 'deployed'];

/** A node by kind and name (delivery id, dataset name, run id, model name...). */
export interface NodeRef {
  readonly kind: NodeKind;
  readonly name: string;
}

/** A half-open event-time window [from, to); absent ends are open. RFC 3339 UTC strings. */
export interface TimeWindow {
  readonly from?: string;
  readonly to?: string;
}

/** A stored edge. */
export interface LineageEdge {
  readonly from: NodeRef;
  readonly to: NodeRef;
  readonly rel: EdgeRel;
  readonly origin: EdgeOrigin;
  readonly window: TimeWindow;
  /** Records behind the edge (content-match: dataset records found in the delivery). */
  readonly count?: number;
}

/** A stored node with its kind-specific attributes. */
export interface LineageNode extends NodeRef {
  readonly meta: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

/** Records of a dataset that occur in exactly this set of deliveries. */
export interface MatchGroup {
  /** Delivery ids, sorted, non-empty. */
  readonly deliveries: readonly string[];
  readonly count: number;
}

/** A dataset as derived from its records. */
export interface DatasetFacts {
  readonly name: string;
  readonly recordRoot: string;
  readonly recordSetRoot: string;
  readonly recordCount: number;
  readonly fileCount: number;
  /** Records found in at least one registered delivery. */
  readonly matchedCount: number;
  /** Per delivery: how many of the dataset's records occur in it. */
  readonly deliveries: readonly { readonly deliveryId: string; readonly count: number }[];
  /** Exact partition of the matched records by the set of deliveries they occur in. */
  readonly groups: readonly MatchGroup[];
  readonly derivedAt: string;
  readonly path?: string;
}

/** A training run as declared. */
export interface RunFacts {
  readonly id: string;
  readonly inputs: readonly NodeRef[];
  /** Models (or datasets, from OpenLineage) the run produced. */
  readonly outputs: readonly NodeRef[];
  readonly start?: string;
  readonly end?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Create input datasets that are not registered as declared-only nodes (OpenLineage import). */
  readonly declareMissing?: boolean;
}

/** A model, optionally fine-tuned from a base model. */
export interface ModelFacts {
  readonly name: string;
  readonly base?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A deployment of a model to an environment during [from, to). */
export interface DeploymentFacts {
  /** Default `${model}@${env}@${from}`. */
  readonly name?: string;
  readonly model: string;
  readonly env: string;
  readonly from: string;
  readonly to?: string;
}

/** What an incident (and an impact query) is about. */
export type Selector =
  | { readonly kind: 'vendor'; readonly vendor: string; readonly window?: TimeWindow }
  | { readonly kind: 'key'; readonly keyId: string; readonly window?: TimeWindow }
  | { readonly kind: 'annotator'; readonly annotator: string; readonly window?: TimeWindow }
  | { readonly kind: 'delivery'; readonly deliveryId: string }
  | { readonly kind: 'incident'; readonly incidentId: string };

/** A recorded incident. */
export interface IncidentFacts {
  readonly id: string;
  /** Never 'incident'. */
  readonly selector: Exclude<Selector, { kind: 'incident' }>;
  readonly reportedAt: string;
  readonly description?: string;
}

/** A delivery as lineage sees it. */
export interface DeliveryFacts {
  readonly deliveryId: string;
  readonly vendor: string;
  readonly client: string;
  readonly keyId: string;
  readonly sealedAt: string;
  readonly recordCount: number;
  /** Collection window when the seal declares one. */
  readonly collection?: TimeWindow;
  readonly annotators: readonly string[];
  readonly status: 'sealed' | 'verified';
}

/** One step of a downstream walk: `name` reached from `parent` over `rel`. */
export interface ReachRow {
  readonly node: NodeRef;
  readonly parent: NodeRef;
  readonly rel: EdgeRel;
  readonly origin: EdgeOrigin;
  readonly depth: number;
  readonly window: TimeWindow;
  readonly count?: number;
}

/** Evidence about one delivery beyond its seal, recorded by intake. */
export interface DeliveryEvidence {
  readonly deliveryId: string;
  /** A transparency-log receipt was verified. */
  readonly logged: boolean;
  /** The receipt's checkpoint carried at least one trusted witness cosignature. */
  readonly witnessed: boolean;
  /** Records inspected, findings raised and the policy verdict. */
  readonly inspected?: { readonly records: number; readonly findings: number; readonly verdict: 'accept' | 'review' | 'quarantine' | 'reject' };
  readonly recordedAt: string;
}

/** A vendor's pause state. */
export interface VendorPause {
  readonly vendor: string;
  readonly pausedAt: string;
  readonly reason?: string;
}

/** The record-index lookups lineage needs (the Store implements them). */
export interface RecordLookup {
  findRecordsMany(digests: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncIterable<{
    readonly digest: Buffer;
    readonly locations: readonly { readonly deliveryId: string; readonly file: string; readonly index: number }[];
  }>;
}

/**
 * Lineage storage. Writes are idempotent: putting the same facts again changes nothing; other
 * facts under the same name are LINEAGE_CONFLICT. Graph walks run inside the backend (recursive
 * queries), so an impact query costs what it touches, not the size of the store.
 */
export interface LineageStore {
  /** Mirrors newly registered deliveries (and their vendor, key, annotator edges) into the graph. */
  syncDeliveries(): Promise<number>;
  getDeliveries(ids: readonly string[]): Promise<DeliveryFacts[]>;
  /** Deliveries a selector names (vendor/key/annotator within the window, or one delivery). */
  selectDeliveries(selector: Exclude<Selector, { kind: 'incident' }>): Promise<DeliveryFacts[]>;
  putDataset(facts: DatasetFacts): Promise<{ inserted: boolean }>;
  getDataset(name: string): Promise<DatasetFacts | undefined>;
  /** Record and matched counts of registered datasets (declared-only datasets are absent). */
  datasetCounts(names: readonly string[]): Promise<Map<string, { readonly recordCount: number; readonly matchedCount: number; readonly path?: string }>>;
  putRun(facts: RunFacts): Promise<{ inserted: boolean }>;
  putModel(facts: ModelFacts): Promise<{ inserted: boolean }>;
  putDeployment(facts: DeploymentFacts): Promise<{ inserted: boolean; name: string }>;
  putIncident(facts: IncidentFacts): Promise<{ inserted: boolean }>;
  getIncident(id: string): Promise<IncidentFacts | undefined>;
  listIncidents(): Promise<IncidentFacts[]>;
  getNode(ref: NodeRef): Promise<LineageNode | undefined>;
  /** Every node reachable downstream of the given deliveries, one row per (node, parent, depth). */
  downstream(deliveryIds: readonly string[]): Promise<ReachRow[]>;
  /** Per dataset: how many of its records occur in at least one of the given deliveries. */
  taintedCounts(deliveryIds: readonly string[], datasets: readonly string[]): Promise<Map<string, number>>;
  /** Base-model chain of each model, nearest first. */
  modelAncestors(models: readonly string[]): Promise<Map<string, string[]>>;
  /** Runs that produced each model. */
  producingRuns(models: readonly string[]): Promise<Map<string, RunFacts[]>>;
  /** Deployments in these environments (every one when `envs` is empty), oldest first. */
  listDeployments(envs: readonly string[]): Promise<(DeploymentFacts & { readonly name: string })[]>;
  /** Vendors upstream of each run, following inputs, content matches and produced datasets. */
  runVendors(runs: readonly string[]): Promise<Map<string, string[]>>;
  /** Training records of each model by vendor (its runs and its base chain), plus unattributed. */
  modelVendorRecords(models: readonly string[]): Promise<Map<string, { readonly vendors: Map<string, number>; readonly unattributed: number; readonly datasets: string[]; readonly deliveries: string[] }>>;
  listModels(): Promise<ModelFacts[]>;
  setVendorPause(vendor: string, pause: { readonly reason?: string; readonly at: string } | null): Promise<void>;
  listVendorPauses(): Promise<VendorPause[]>;
  putEvidence(evidence: DeliveryEvidence): Promise<void>;
  listEvidence(): Promise<DeliveryEvidence[]>;
  listAllDeliveries(): Promise<DeliveryFacts[]>;
}
