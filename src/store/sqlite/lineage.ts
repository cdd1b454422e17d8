/**
 * The lineage part of the SQLite store: a Store (delegating to the SQLite driver) that also
 * implements lineage's LineageStore over the tables of migration 2, on a second connection to the
 * same database file.
 *
 * Why a second connection: the driver keeps its connection private. Both connections live in this
 * object, and every write (the driver's putDelivery and every lineage write) goes through one
 * queue here, because better-sqlite3 waits for a busy lock synchronously: a lineage write issued
 * while putDelivery holds its transaction open across awaits would block the event loop that
 * putDelivery needs to finish. Reads need no queue (WAL readers see the last commit).
 *
 * Graph walks are recursive CTEs whose rows are edges (not paths): UNION deduplicates a row seen
 * twice, so each reachable edge is visited once, cycles end, and the cost is what the walk touches.
 */
import Database from 'better-sqlite3';
import { ProvenantError } from '../../core/index.js';
import { LineageError, parseTime } from '../../lineage/index.js';
import type {
  DatasetFacts,
  DeliveryEvidence,
  DeliveryFacts,
  DeploymentFacts,
  EdgeOrigin,
  EdgeRel,
  IncidentFacts,
  LineageNode,
  LineageStore,
  ModelFacts,
  NodeKind,
  NodeRef,
  ReachRow,
  RunFacts,
  Selector,
  TimeWindow,
  VendorPause,
} from '../../lineage/index.js';
import { StoreError } from '../errors.js';
import type { DeliveryFilter, DeliveryRecord, DigestInput, PutDeliveryResult, RecordLocation, RecordMatch, RecordSource, Store, VerificationEvent } from '../types.js';
import { createSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { WriteGate } from '../write-gate.js';

type Db = Database.Database;

/** A Store that also answers lineage questions. */
export type SqliteLineageStore = Store & LineageStore;

/** Opens the SQLite store at `options.path` (migrating it) with its lineage part. File stores only. */
export async function createSqliteLineageStore(options: SqliteStoreOptions): Promise<SqliteLineageStore> {
  if (options.path === ':memory:') {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'the lineage store needs a database file, not :memory:; pass a file path', { kind: 'internal' });
  }
  const inner = await createSqliteStore(options);
  let db: Db;
  try {
    db = new Database(inner.location, { timeout: options.busyTimeoutMs ?? 5000 });
    db.pragma('foreign_keys = ON');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma(`cache_size = ${-1024 * Math.max(1, Math.floor(options.cacheSizeMiB ?? 64))}`);
  } catch (err) {
    await inner.close();
    throw mapError(err, inner.location);
  }
  return new LineageSqlite(inner, db);
}

function mapError(err: unknown, location: string): ProvenantError {
  if (err instanceof ProvenantError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const detail = err instanceof Error ? err.message : String(err);
  const opts = { cause: err, location: { file: location }, details: { engine: code || detail } };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('STORE_BUSY', 'store is locked by another Provenant process; wait for it to finish and retry', { ...opts, kind: 'internal' });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('STORE_CORRUPT', `store file is damaged (${detail}); restore it from a backup`, { ...opts, kind: 'input' });
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_FULL' || code.startsWith('SQLITE_CANTOPEN')) {
    return new StoreError('STORE_IO', `cannot write the store (${detail}); check its permissions and free space`, { ...opts, kind: 'input' });
  }
  return new StoreError('STORE_FAILURE', `lineage store operation failed: ${detail}`, { ...opts, kind: 'internal' });
}

interface DeliveryRow {
  id: string;
  vendor: string;
  client: string;
  key_id: string;
  sealed_at: string;
  record_count: number;
  status: string;
  meta: string;
  event_from: string;
  event_to: string;
  annotators: string;
}

interface EdgeRow {
  kind: NodeKind;
  name: string;
  pkind: NodeKind;
  pname: string;
  rel: EdgeRel;
  origin: EdgeOrigin;
  vf: string | null;
  vt: string | null;
  cnt: number | null;
}

const DELIVERY_SELECT = `SELECT d.id, d.vendor, d.client, d.key_id, d.sealed_at, d.record_count, d.status, d.meta, l.event_from, l.event_to,
  (SELECT json_group_array(a.name) FROM lineage_edges e JOIN lineage_nodes a ON a.seq = e.src WHERE e.dst = l.node_seq AND e.rel = 'annotated') AS annotators
  FROM lineage_deliveries l JOIN deliveries d ON d.seq = l.delivery_seq`;

function parseObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through: a damaged meta column is reported below
  }
  throw new StoreError('STORE_CORRUPT', 'stored lineage metadata is not a JSON object; the store file was altered — restore it from a backup');
}

function parseStringArray(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  } catch {
    // fall through
  }
  return [];
}

function window(from: string | null | undefined, to: string | null | undefined): TimeWindow {
  return { ...(from != null ? { from } : {}), ...(to != null ? { to } : {}) };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Normalizes a time read from a seal; a value that is not RFC 3339 falls back to `fallback`. */
function safeTime(v: unknown, fallback: string): string {
  try {
    return parseTime(v, 'time');
  } catch {
    return fallback;
  }
}

function rowToDeliveryFacts(r: DeliveryRow): DeliveryFacts {
  const meta = parseObject(r.meta);
  const collection = meta['collection'];
  return {
    deliveryId: r.id,
    vendor: r.vendor,
    client: r.client,
    keyId: r.key_id,
    sealedAt: r.sealed_at,
    recordCount: r.record_count,
    ...(typeof collection === 'object' && collection !== null ? { collection: window(r.event_from, r.event_to) } : {}),
    annotators: parseStringArray(r.annotators).sort(),
    status: r.status === 'verified' ? 'verified' : 'sealed',
  };
}

class LineageSqlite implements SqliteLineageStore {
  readonly backend: string;
  readonly location: string;
  private readonly inner: Store;
  private readonly db: Db;
  private readonly gate = new WriteGate();
  private closed = false;
  private readonly s: ReturnType<typeof prepare>;

  constructor(inner: Store, db: Db) {
    this.inner = inner;
    this.db = db;
    this.backend = inner.backend;
    this.location = inner.location;
    this.s = prepare(db);
  }

  // ---- write queue shared with the driver ---------------------------------------------------

  private exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.gate.exclusive(() => this.assertOpen(), async () => fn());
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'store is closed; open it again before using it', { kind: 'internal', location: { file: this.location } });
  }

  /** A synchronous write transaction on the lineage connection, queued. */
  private write<T>(fn: () => T): Promise<T> {
    return this.exclusive(() => {
      try {
        return this.db.transaction(fn).immediate();
      } catch (err) {
        throw mapError(err, this.location);
      }
    });
  }

  private read<T>(fn: () => T): Promise<T> {
    this.assertOpen();
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(mapError(err, this.location));
    }
  }

  // ---- Store ----------------------------------------------------------------------------------

  putDelivery(delivery: DeliveryRecord, records: RecordSource): Promise<PutDeliveryResult> {
    return this.exclusive(() => this.inner.putDelivery(delivery, records));
  }
  getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return this.inner.getDelivery(id);
  }
  listDeliveries(filter?: DeliveryFilter): Promise<DeliveryRecord[]> {
    return this.inner.listDeliveries(filter);
  }
  listVerifications(deliveryId: string): Promise<VerificationEvent[]> {
    return this.inner.listVerifications(deliveryId);
  }
  findRecords(digest: DigestInput): Promise<RecordLocation[]> {
    return this.inner.findRecords(digest);
  }
  findRecordsMany(digests: AsyncIterable<DigestInput> | Iterable<DigestInput>): AsyncIterable<RecordMatch> {
    return this.inner.findRecordsMany(digests);
  }
  countRecords(deliveryId: string): Promise<number> {
    return this.inner.countRecords(deliveryId);
  }
  schemaVersion(): Promise<number> {
    return this.inner.schemaVersion();
  }
  async close(): Promise<void> {
    if (this.closed) return;
    await this.gate.drained();
    this.closed = true;
    try {
      this.db.close();
    } finally {
      await this.inner.close();
    }
  }

  // ---- nodes and edges --------------------------------------------------------------------

  private node(kind: NodeKind, name: string, meta: Record<string, unknown> = {}, now = new Date().toISOString()): number {
    this.s.insertNode.run(kind, name, JSON.stringify(meta), now);
    return this.s.nodeSeq.get(kind, name) as number;
  }

  private edge(src: number, dst: number, rel: EdgeRel, origin: EdgeOrigin, w: TimeWindow, count?: number): void {
    this.s.insertEdge.run(src, dst, rel, origin, w.from ?? null, w.to ?? null, count ?? null);
  }

  private seqOf(ref: NodeRef): number | undefined {
    return this.s.nodeSeq.get(ref.kind, ref.name) as number | undefined;
  }

  private need(ref: NodeRef, hint: string): number {
    const seq = this.seqOf(ref);
    if (seq === undefined) throw new LineageError('LINEAGE_NOT_FOUND', `${ref.kind} ${JSON.stringify(ref.name)} is not registered; ${hint}`, { details: { kind: ref.kind, name: ref.name } });
    return seq;
  }

  // ---- LineageStore -----------------------------------------------------------------------

  syncDeliveries(): Promise<number> {
    return this.write(() => {
      const rows = this.s.unsynced.all() as { seq: number; id: string; vendor: string; key_id: string; sealed_at: string; meta: string; status: string }[];
      for (const r of rows) {
        const meta = parseObject(r.meta);
        const sealedAt = safeTime(r.sealed_at, r.sealed_at);
        const c = meta['collection'];
        const coll = typeof c === 'object' && c !== null ? (c as Record<string, unknown>) : undefined;
        const from = coll ? safeTime(coll['start'], sealedAt) : sealedAt;
        const to = coll ? safeTime(coll['end'], sealedAt) : sealedAt;
        const d = this.node('delivery', r.id, { vendor: r.vendor });
        const v = this.node('vendor', r.vendor);
        const k = this.node('key', r.key_id);
        // registerSeal authenticates the statement with the vendor's key before anything is
        // stored, so what the seal says about vendor, key and annotators is signature-verified.
        this.edge(v, d, 'delivered', 'verified-signature', { from, to });
        this.edge(k, d, 'signed', 'verified-signature', { from: sealedAt, to: sealedAt });
        const annotators = meta['annotators'];
        if (Array.isArray(annotators)) {
          for (const a of annotators as unknown[]) {
            if (typeof a !== 'object' || a === null) continue;
            const id = str((a as Record<string, unknown>)['id']);
            if (id === undefined) continue;
            const records = (a as Record<string, unknown>)['records'];
            this.edge(this.node('annotator', id), d, 'annotated', 'verified-signature', { from, to }, typeof records === 'number' && Number.isSafeInteger(records) && records >= 0 ? records : undefined);
          }
        }
        this.s.insertLineageDelivery.run(d, r.seq, r.vendor, r.key_id, from, to);
      }
      return rows.length;
    });
  }

  getDeliveries(ids: readonly string[]): Promise<DeliveryFacts[]> {
    return this.read(() => (this.s.deliveriesByIds.all(JSON.stringify(ids)) as DeliveryRow[]).map(rowToDeliveryFacts));
  }

  listAllDeliveries(): Promise<DeliveryFacts[]> {
    return this.read(() => (this.s.allDeliveries.all() as DeliveryRow[]).map(rowToDeliveryFacts));
  }

  selectDeliveries(selector: Exclude<Selector, { kind: 'incident' }>): Promise<DeliveryFacts[]> {
    return this.read(() => {
      let rows: DeliveryRow[];
      switch (selector.kind) {
        case 'delivery':
          rows = this.s.deliveriesByIds.all(JSON.stringify([selector.deliveryId])) as DeliveryRow[];
          break;
        case 'vendor': {
          const w = selector.window ?? {};
          rows = this.s.deliveriesByVendor.all({ vendor: selector.vendor, from: w.from ?? null, to: w.to ?? null }) as DeliveryRow[];
          break;
        }
        case 'key': {
          const w = selector.window ?? {};
          rows = this.s.deliveriesByKey.all({ key: selector.keyId.toLowerCase(), from: w.from ?? null, to: w.to ?? null }) as DeliveryRow[];
          break;
        }
        case 'annotator': {
          const w = selector.window ?? {};
          rows = this.s.deliveriesByAnnotator.all({ annotator: selector.annotator, from: w.from ?? null, to: w.to ?? null }) as DeliveryRow[];
          break;
        }
      }
      return rows.map(rowToDeliveryFacts);
    });
  }

  putDataset(f: DatasetFacts): Promise<{ inserted: boolean }> {
    return this.write(() => {
      const existing = this.s.datasetRow.get(f.name) as { record_root: string; record_set_root: string; record_count: number } | undefined;
      if (existing) {
        if (existing.record_root === f.recordRoot && existing.record_set_root === f.recordSetRoot && existing.record_count === f.recordCount) return { inserted: false };
        throw new LineageError(
          'LINEAGE_CONFLICT',
          `dataset ${JSON.stringify(f.name)} is already registered with record root ${existing.record_root} (${existing.record_count} records), not ${f.recordRoot}; a dataset name names one record set — derive the new one under another name`,
          { kind: 'input', details: { name: f.name, stored: existing.record_root, incoming: f.recordRoot } },
        );
      }
      const ds = this.node('dataset', f.name, f.path !== undefined ? { path: f.path } : {}, f.derivedAt);
      this.s.insertDataset.run(ds, f.recordRoot, f.recordSetRoot, f.recordCount, f.fileCount, f.matchedCount, f.derivedAt, f.path ?? null);
      for (const m of f.deliveries) {
        const d = this.need({ kind: 'delivery', name: m.deliveryId }, 'register its seal first');
        this.edge(d, ds, 'contains', 'content-match', { from: f.derivedAt }, m.count);
      }
      f.groups.forEach((g, i) => {
        this.s.insertGroup.run(ds, i, g.count);
        for (const id of g.deliveries) this.s.insertMember.run(ds, i, this.need({ kind: 'delivery', name: id }, 'register its seal first'));
      });
      return { inserted: true };
    });
  }

  getDataset(name: string): Promise<DatasetFacts | undefined> {
    return this.read(() => {
      const row = this.s.datasetFull.get(name) as
        | { seq: number; record_root: string; record_set_root: string; record_count: number; file_count: number; matched_count: number; derived_at: string; path: string | null }
        | undefined;
      if (!row) return undefined;
      const deliveries = (this.s.datasetDeliveries.all(row.seq) as { deliveryId: string; count: number }[]).map((r) => ({ deliveryId: r.deliveryId, count: r.count }));
      const groupRows = this.s.datasetGroups.all(row.seq) as { grp: number; count: number; members: string }[];
      return {
        name,
        recordRoot: row.record_root,
        recordSetRoot: row.record_set_root,
        recordCount: row.record_count,
        fileCount: row.file_count,
        matchedCount: row.matched_count,
        deliveries,
        groups: groupRows.map((g) => ({ deliveries: parseStringArray(g.members).sort(), count: g.count })),
        derivedAt: row.derived_at,
        ...(row.path !== null ? { path: row.path } : {}),
      };
    });
  }

  datasetCounts(names: readonly string[]): Promise<Map<string, { recordCount: number; matchedCount: number; path?: string }>> {
    return this.read(() => {
      const rows = this.s.datasetCountsByName.all(JSON.stringify(names)) as { name: string; record_count: number; matched_count: number; path: string | null }[];
      return new Map(rows.map((r) => [r.name, { recordCount: r.record_count, matchedCount: r.matched_count, ...(r.path !== null ? { path: r.path } : {}) }]));
    });
  }

  putRun(f: RunFacts): Promise<{ inserted: boolean }> {
    return this.write(() => {
      const ref: NodeRef = { kind: 'run', name: f.id };
      const existing = this.seqOf(ref);
      let meta: Record<string, unknown> = { ...(f.meta ?? {}) };
      let start = f.start;
      let end = f.end;
      if (existing !== undefined) {
        const stored = parseObject(this.s.nodeMeta.get(existing) as string);
        for (const [k, v] of [
          ['start', f.start],
          ['end', f.end],
        ] as const) {
          const old = str(stored[k]);
          if (old !== undefined && v !== undefined && old !== v) {
            throw new LineageError('LINEAGE_CONFLICT', `run ${JSON.stringify(f.id)} is registered with ${k} ${old}, not ${v}; a run has one ${k} time`, { details: { run: f.id, field: k } });
          }
        }
        start ??= str(stored['start']);
        end ??= str(stored['end']);
        meta = { ...stored, ...meta };
      }
      if (start !== undefined && end !== undefined && end < start) {
        throw new LineageError('LINEAGE_INVALID_TIME', `run ${JSON.stringify(f.id)} ends (${end}) before it starts (${start})`);
      }
      if (start !== undefined) meta['start'] = start;
      if (end !== undefined) meta['end'] = end;
      const seq = this.node('run', f.id, meta);
      const before = this.s.edgeCountOf.get(seq, seq) as number;
      this.s.setMeta.run(JSON.stringify(meta), seq);
      const w = window(start, end);
      for (const input of f.inputs) {
        const src = f.declareMissing === true && input.kind === 'dataset' ? this.node('dataset', input.name) : this.need(input, input.kind === 'delivery' ? 'register its seal first' : `register it first (provenant lineage derive … --name ${input.name})`);
        this.edge(src, seq, 'input', 'declared', w);
      }
      for (const out of f.outputs) {
        const dst = out.kind === 'model' || out.kind === 'dataset' ? this.node(out.kind, out.name) : this.need(out, 'outputs must be models or datasets');
        this.edge(seq, dst, 'produced', 'declared', w);
      }
      // The run's window may have been completed by this call: keep its edges in step.
      this.s.updateRunWindows.run({ from: w.from ?? null, to: w.to ?? null, run: seq });
      const after = this.s.edgeCountOf.get(seq, seq) as number;
      return { inserted: existing === undefined || after > before };
    });
  }

  putModel(f: ModelFacts): Promise<{ inserted: boolean }> {
    return this.write(() => {
      const existed = this.seqOf({ kind: 'model', name: f.name }) !== undefined;
      const seq = this.node('model', f.name, { ...(f.meta ?? {}) });
      if (f.base === undefined) return { inserted: !existed };
      if (f.base === f.name) throw new LineageError('LINEAGE_CYCLE', `model ${JSON.stringify(f.name)} cannot be fine-tuned from itself`);
      const storedBase = this.s.baseOf.get(seq) as string | undefined;
      if (storedBase !== undefined) {
        if (storedBase === f.base) return { inserted: false };
        throw new LineageError('LINEAGE_CONFLICT', `model ${JSON.stringify(f.name)} is registered as a fine-tune of ${JSON.stringify(storedBase)}, not ${JSON.stringify(f.base)}; a model has one base`, {
          details: { model: f.name, stored: storedBase, incoming: f.base },
        });
      }
      const base = this.node('model', f.base);
      // The base must not descend from the model: that chain would never end.
      const descends = this.s.isAncestor.get({ model: seq, base }) as number | undefined;
      if (descends) throw new LineageError('LINEAGE_CYCLE', `model ${JSON.stringify(f.base)} is itself fine-tuned from ${JSON.stringify(f.name)}; a fine-tune chain cannot loop`);
      this.edge(base, seq, 'fine-tuned', 'declared', {});
      return { inserted: true };
    });
  }

  putDeployment(f: DeploymentFacts): Promise<{ inserted: boolean; name: string }> {
    const name = f.name ?? `${f.model}@${f.env}@${f.from}`;
    return this.write(() => {
      const model = this.need({ kind: 'model', name: f.model }, 'register it first (provenant lineage model NAME or lineage run --output NAME)');
      const meta = { model: f.model, env: f.env, from: f.from, ...(f.to !== undefined ? { to: f.to } : {}) };
      const existing = this.seqOf({ kind: 'deployment', name });
      if (existing !== undefined) {
        const stored = parseObject(this.s.nodeMeta.get(existing) as string);
        if (stored['model'] !== f.model || stored['env'] !== f.env || stored['from'] !== f.from) {
          throw new LineageError('LINEAGE_CONFLICT', `deployment ${JSON.stringify(name)} is registered for another model, environment or start; pick another --name`);
        }
        if (stored['to'] === f.to || f.to === undefined) return { inserted: false, name };
        if (stored['to'] !== undefined) throw new LineageError('LINEAGE_CONFLICT', `deployment ${JSON.stringify(name)} already ended at ${String(stored['to'])}`);
        // Closing an open deployment: the one update a deployment gets.
        this.s.setMeta.run(JSON.stringify(meta), existing);
        this.s.updateEdgeWindow.run(f.from, f.to, model, existing, 'deployed');
        return { inserted: false, name };
      }
      const seq = this.node('deployment', name, meta);
      this.edge(model, seq, 'deployed', 'declared', window(f.from, f.to));
      return { inserted: true, name };
    });
  }

  putIncident(f: IncidentFacts): Promise<{ inserted: boolean }> {
    return this.write(() => {
      const selector = JSON.stringify(f.selector);
      const existing = this.seqOf({ kind: 'incident', name: f.id });
      if (existing !== undefined) {
        const stored = this.s.incidentSelector.get(existing) as string;
        if (stored === selector) return { inserted: false };
        throw new LineageError('LINEAGE_CONFLICT', `incident ${JSON.stringify(f.id)} is registered with another selector; use another id`);
      }
      const seq = this.node('incident', f.id, {}, f.reportedAt);
      this.s.insertIncident.run(seq, selector, f.reportedAt, f.description ?? null);
      const target = incidentTarget(f.selector);
      const w = 'window' in f.selector ? (f.selector.window ?? {}) : {};
      // Link the incident to its subject when the graph knows it (a vendor may not be registered yet).
      const t = this.seqOf(target);
      if (t !== undefined) this.edge(seq, t, 'affects', 'declared', w);
      return { inserted: true };
    });
  }

  getIncident(id: string): Promise<IncidentFacts | undefined> {
    return this.read(() => {
      const row = this.s.incidentById.get(id) as { selector: string; reported_at: string; description: string | null } | undefined;
      return row ? incidentFromRow(id, row) : undefined;
    });
  }

  listIncidents(): Promise<IncidentFacts[]> {
    return this.read(() => (this.s.incidents.all() as { name: string; selector: string; reported_at: string; description: string | null }[]).map((r) => incidentFromRow(r.name, r)));
  }

  getNode(ref: NodeRef): Promise<LineageNode | undefined> {
    return this.read(() => {
      const row = this.s.nodeByName.get(ref.kind, ref.name) as { meta: string; created_at: string } | undefined;
      return row ? { ...ref, meta: parseObject(row.meta), createdAt: row.created_at } : undefined;
    });
  }

  downstream(deliveryIds: readonly string[]): Promise<ReachRow[]> {
    return this.read(() => {
      const rows = this.s.downstream.all(JSON.stringify(deliveryIds)) as EdgeRow[];
      return bfs(rows, deliveryIds.map((name) => ({ kind: 'delivery', name }) as NodeRef));
    });
  }

  taintedCounts(deliveryIds: readonly string[], datasets: readonly string[]): Promise<Map<string, number>> {
    return this.read(() => {
      const rows = this.s.tainted.all(JSON.stringify(deliveryIds)) as { name: string; n: number }[];
      const want = new Set(datasets);
      return new Map(rows.filter((r) => want.size === 0 || want.has(r.name)).map((r) => [r.name, r.n]));
    });
  }

  modelAncestors(models: readonly string[]): Promise<Map<string, string[]>> {
    return this.read(() => {
      const out = new Map<string, string[]>(models.map((m) => [m, []]));
      for (const r of this.s.ancestors.all(JSON.stringify(models)) as { model: string; ancestor: string }[]) out.get(r.model)?.push(r.ancestor);
      return out;
    });
  }

  producingRuns(models: readonly string[]): Promise<Map<string, RunFacts[]>> {
    return this.read(() => {
      const out = new Map<string, RunFacts[]>(models.map((m) => [m, []]));
      for (const r of this.s.producingRuns.all(JSON.stringify(models)) as { model: string; seq: number; name: string; meta: string }[]) {
        out.get(r.model)?.push(this.runFacts(r.seq, r.name, r.meta));
      }
      return out;
    });
  }

  private runFacts(seq: number, id: string, metaText: string): RunFacts {
    const meta = parseObject(metaText);
    const inputs = (this.s.runInputs.all(seq) as { kind: NodeKind; name: string }[]).map((r) => ({ kind: r.kind, name: r.name }));
    const outputs = (this.s.runOutputs.all(seq) as { kind: NodeKind; name: string }[]).map((r) => ({ kind: r.kind, name: r.name }));
    const start = str(meta['start']);
    const end = str(meta['end']);
    return { id, inputs, outputs, ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), meta };
  }

  listDeployments(envs: readonly string[]): Promise<(DeploymentFacts & { readonly name: string })[]> {
    return this.read(() => {
      const want = new Set(envs);
      const out: (DeploymentFacts & { name: string })[] = [];
      for (const r of this.s.deployments.all() as { name: string; meta: string }[]) {
        const m = parseObject(r.meta);
        const model = str(m['model']);
        const env = str(m['env']);
        const from = str(m['from']);
        const to = str(m['to']);
        if (model === undefined || env === undefined || from === undefined) continue;
        if (want.size > 0 && !want.has(env)) continue;
        out.push({ name: r.name, model, env, from, ...(to !== undefined ? { to } : {}) });
      }
      return out.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    });
  }

  runVendors(runs: readonly string[]): Promise<Map<string, string[]>> {
    return this.read(() => {
      const out = new Map<string, string[]>(runs.map((r) => [r, []]));
      for (const r of this.s.runVendors.all(JSON.stringify(runs)) as { run: string; vendor: string }[]) out.get(r.run)?.push(r.vendor);
      return out;
    });
  }

  modelVendorRecords(models: readonly string[]): Promise<Map<string, { vendors: Map<string, number>; unattributed: number; datasets: string[]; deliveries: string[] }>> {
    return this.read(() => {
      const out = new Map<string, { vendors: Map<string, number>; unattributed: number; datasets: string[]; deliveries: string[] }>();
      for (const model of models) {
        const vendors = new Map<string, number>();
        let unattributed = 0;
        const inputs = this.s.modelInputs.all(model) as { seq: number; kind: NodeKind; name: string }[];
        const datasets: string[] = [];
        const deliveries: string[] = [];
        const add = (v: string, n: number) => vendors.set(v, (vendors.get(v) ?? 0) + n);
        for (const i of inputs) {
          if (i.kind === 'delivery') {
            deliveries.push(i.name);
            const d = this.s.deliveryVendorCount.get(i.seq) as { vendor: string; n: number } | undefined;
            if (d) add(d.vendor, d.n);
          } else if (i.kind === 'dataset') {
            datasets.push(i.name);
            const ds = this.s.datasetCounts.get(i.seq) as { record_count: number; matched_count: number } | undefined;
            if (!ds) continue; // declared only (e.g. from OpenLineage): records unknown
            unattributed += ds.record_count - ds.matched_count;
            for (const g of this.s.groupVendors.all(i.seq) as { count: number; vendors: string }[]) {
              const vs = parseStringArray(g.vendors);
              // A record found in deliveries of several vendors is split evenly between them.
              for (const v of vs) add(v, g.count / vs.length);
            }
          }
        }
        out.set(model, { vendors, unattributed, datasets: datasets.sort(), deliveries: deliveries.sort() });
      }
      return out;
    });
  }

  listModels(): Promise<ModelFacts[]> {
    return this.read(() =>
      (this.s.models.all() as { name: string; base: string | null; meta: string }[]).map((r) => ({ name: r.name, ...(r.base !== null ? { base: r.base } : {}), meta: parseObject(r.meta) })),
    );
  }

  setVendorPause(vendor: string, pause: { readonly reason?: string; readonly at: string } | null): Promise<void> {
    return this.write(() => {
      if (pause === null) this.s.deletePause.run(vendor);
      else this.s.upsertPause.run(vendor, pause.at, pause.reason ?? null);
    });
  }

  listVendorPauses(): Promise<VendorPause[]> {
    return this.read(() =>
      (this.s.pauses.all() as { vendor: string; paused_at: string; reason: string | null }[]).map((r) => ({ vendor: r.vendor, pausedAt: r.paused_at, ...(r.reason !== null ? { reason: r.reason } : {}) })),
    );
  }

  putEvidence(e: DeliveryEvidence): Promise<void> {
    return this.write(() => {
      const seq = this.s.deliverySeq.get(e.deliveryId) as number | undefined;
      if (seq === undefined) throw new LineageError('LINEAGE_NOT_FOUND', `delivery ${JSON.stringify(e.deliveryId)} is not registered; register its seal first`);
      this.s.upsertEvidence.run(seq, e.logged ? 1 : 0, e.witnessed ? 1 : 0, e.inspected?.records ?? null, e.inspected?.findings ?? null, e.inspected?.verdict ?? null, e.recordedAt);
    });
  }

  listEvidence(): Promise<DeliveryEvidence[]> {
    return this.read(() =>
      (this.s.evidence.all() as { id: string; logged: number; witnessed: number; records: number | null; findings: number | null; verdict: string | null; recorded_at: string }[]).map((r) => ({
        deliveryId: r.id,
        logged: r.logged === 1,
        witnessed: r.witnessed === 1,
        ...(r.records !== null && r.findings !== null && r.verdict !== null
          ? { inspected: { records: r.records, findings: r.findings, verdict: r.verdict as 'accept' | 'review' | 'quarantine' | 'reject' } }
          : {}),
        recordedAt: r.recorded_at,
      })),
    );
  }
}

function incidentTarget(s: IncidentFacts['selector']): NodeRef {
  switch (s.kind) {
    case 'vendor':
      return { kind: 'vendor', name: s.vendor };
    case 'key':
      return { kind: 'key', name: s.keyId };
    case 'annotator':
      return { kind: 'annotator', name: s.annotator };
    case 'delivery':
      return { kind: 'delivery', name: s.deliveryId };
  }
}

function incidentFromRow(id: string, row: { selector: string; reported_at: string; description: string | null }): IncidentFacts {
  const selector = parseObject(row.selector) as unknown as IncidentFacts['selector'];
  return { id, selector, reportedAt: row.reported_at, ...(row.description !== null ? { description: row.description } : {}) };
}

/** Shortest explanation per node: breadth-first over the reached edges from the start nodes. */
function bfs(rows: readonly EdgeRow[], starts: readonly NodeRef[]): ReachRow[] {
  const key = (k: string, n: string) => `${k}\u0000${n}`;
  const out = new Map<string, ReachRow[]>();
  for (const r of rows) {
    const k = key(r.pkind, r.pname);
    const list = out.get(k) ?? [];
    list.push({
      node: { kind: r.kind, name: r.name },
      parent: { kind: r.pkind, name: r.pname },
      rel: r.rel,
      origin: r.origin,
      depth: 0,
      window: window(r.vf, r.vt),
      ...(r.cnt !== null ? { count: r.cnt } : {}),
    });
    out.set(k, list);
  }
  const seen = new Set(starts.map((s) => key(s.kind, s.name)));
  const result: ReachRow[] = [];
  let frontier = [...starts];
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: NodeRef[] = [];
    for (const f of frontier) {
      for (const e of out.get(key(f.kind, f.name)) ?? []) {
        const k = key(e.node.kind, e.node.name);
        // Every edge into a node is kept (a dataset holds records of several tainted deliveries),
        // but the walk continues from a node only once, at its first (shortest) depth.
        result.push({ ...e, depth });
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(e.node);
      }
    }
    frontier = next;
  }
  return result;
}

function prepare(db: Db) {
  const inWindow = `(:from IS NULL OR l.event_to >= :from) AND (:to IS NULL OR l.event_from < :to)`;
  return {
    insertNode: db.prepare('INSERT INTO lineage_nodes (kind, name, meta, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, name) DO NOTHING'),
    nodeSeq: db.prepare('SELECT seq FROM lineage_nodes WHERE kind = ? AND name = ?').pluck(),
    nodeByName: db.prepare('SELECT meta, created_at FROM lineage_nodes WHERE kind = ? AND name = ?'),
    nodeMeta: db.prepare('SELECT meta FROM lineage_nodes WHERE seq = ?').pluck(),
    setMeta: db.prepare('UPDATE lineage_nodes SET meta = ? WHERE seq = ?'),
    insertEdge: db.prepare(
      'INSERT INTO lineage_edges (src, dst, rel, origin, valid_from, valid_to, count) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (src, dst, rel) DO NOTHING',
    ),
    edgeCountOf: db.prepare('SELECT count(*) FROM lineage_edges WHERE src = ? OR dst = ?').pluck(),
    updateRunWindows: db.prepare(
      `UPDATE lineage_edges SET valid_from = :from, valid_to = :to WHERE (dst = :run AND rel = 'input') OR (src = :run AND rel = 'produced')`,
    ),
    updateEdgeWindow: db.prepare('UPDATE lineage_edges SET valid_from = ?, valid_to = ? WHERE src = ? AND dst = ? AND rel = ?'),
    unsynced: db.prepare(
      `SELECT d.seq, d.id, d.vendor, d.key_id, d.sealed_at, d.meta, d.status FROM deliveries d
       WHERE d.seq > (SELECT coalesce(max(delivery_seq), 0) FROM lineage_deliveries) ORDER BY d.seq`,
    ),
    insertLineageDelivery: db.prepare('INSERT INTO lineage_deliveries (node_seq, delivery_seq, vendor, key_id, event_from, event_to) VALUES (?, ?, ?, ?, ?, ?)'),
    deliveriesByIds: db.prepare(`${DELIVERY_SELECT} WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.seq`),
    allDeliveries: db.prepare(`${DELIVERY_SELECT} ORDER BY d.seq`),
    deliveriesByVendor: db.prepare(`${DELIVERY_SELECT} WHERE l.vendor = :vendor AND ${inWindow} ORDER BY d.seq`),
    deliveriesByKey: db.prepare(`${DELIVERY_SELECT} WHERE (l.key_id = :key OR (length(:key) >= 8 AND substr(l.key_id, 1, length(:key)) = :key)) AND ${inWindow} ORDER BY d.seq`),
    deliveriesByAnnotator: db.prepare(
      `${DELIVERY_SELECT} WHERE l.node_seq IN (SELECT e.dst FROM lineage_nodes a JOIN lineage_edges e ON e.src = a.seq AND e.rel = 'annotated'
         WHERE a.kind = 'annotator' AND a.name = :annotator) AND ${inWindow} ORDER BY d.seq`,
    ),
    deliverySeq: db.prepare('SELECT seq FROM deliveries WHERE id = ?').pluck(),
    datasetRow: db.prepare(
      `SELECT x.record_root, x.record_set_root, x.record_count FROM lineage_datasets x JOIN lineage_nodes n ON n.seq = x.node_seq WHERE n.kind = 'dataset' AND n.name = ?`,
    ),
    datasetFull: db.prepare(
      `SELECT n.seq, x.* FROM lineage_datasets x JOIN lineage_nodes n ON n.seq = x.node_seq WHERE n.kind = 'dataset' AND n.name = ?`,
    ),
    datasetDeliveries: db.prepare(
      `SELECT d.name AS deliveryId, e.count FROM lineage_edges e JOIN lineage_nodes d ON d.seq = e.src WHERE e.dst = ? AND e.rel = 'contains' ORDER BY d.name`,
    ),
    datasetGroups: db.prepare(
      `SELECT g.grp, g.count, (SELECT json_group_array(d.name) FROM lineage_group_members m JOIN lineage_nodes d ON d.seq = m.delivery_seq
         WHERE m.dataset_seq = g.dataset_seq AND m.grp = g.grp) AS members FROM lineage_dataset_groups g WHERE g.dataset_seq = ? ORDER BY g.grp`,
    ),
    datasetCountsByName: db.prepare(
      `SELECT n.name, x.record_count, x.matched_count, x.path FROM lineage_nodes n JOIN lineage_datasets x ON x.node_seq = n.seq
       WHERE n.kind = 'dataset' AND n.name IN (SELECT value FROM json_each(?))`,
    ),
    insertDataset: db.prepare(
      'INSERT INTO lineage_datasets (node_seq, record_root, record_set_root, record_count, file_count, matched_count, derived_at, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertGroup: db.prepare('INSERT INTO lineage_dataset_groups (dataset_seq, grp, count) VALUES (?, ?, ?)'),
    insertMember: db.prepare('INSERT INTO lineage_group_members (dataset_seq, grp, delivery_seq) VALUES (?, ?, ?)'),
    baseOf: db.prepare(`SELECT b.name FROM lineage_edges e JOIN lineage_nodes b ON b.seq = e.src WHERE e.dst = ? AND e.rel = 'fine-tuned'`).pluck(),
    // Is ?2 a descendant of ?1 (following fine-tuned edges down)?
    isAncestor: db
      .prepare(
        `WITH RECURSIVE down(seq) AS (SELECT :model UNION SELECT e.dst FROM down JOIN lineage_edges e ON e.src = down.seq AND e.rel = 'fine-tuned')
         SELECT 1 FROM down WHERE seq = :base`,
      )
      .pluck(),
    insertIncident: db.prepare('INSERT INTO lineage_incidents (node_seq, selector, reported_at, description) VALUES (?, ?, ?, ?)'),
    incidentSelector: db.prepare('SELECT selector FROM lineage_incidents WHERE node_seq = ?').pluck(),
    incidentById: db.prepare(
      `SELECT i.selector, i.reported_at, i.description FROM lineage_incidents i JOIN lineage_nodes n ON n.seq = i.node_seq WHERE n.kind = 'incident' AND n.name = ?`,
    ),
    incidents: db.prepare(`SELECT n.name, i.selector, i.reported_at, i.description FROM lineage_incidents i JOIN lineage_nodes n ON n.seq = i.node_seq ORDER BY i.reported_at, n.name`),
    // Rows are edges, so UNION visits each reachable edge once (cycles end, no path explosion).
    downstream: db.prepare(
      `WITH RECURSIVE reach(seq, parent, rel, origin, vf, vt, cnt) AS (
         SELECT n.seq, NULL, NULL, NULL, NULL, NULL, NULL FROM lineage_nodes n
           WHERE n.kind = 'delivery' AND n.name IN (SELECT value FROM json_each(?))
         UNION
         SELECT e.dst, e.src, e.rel, e.origin, e.valid_from, e.valid_to, e.count
           FROM reach r JOIN lineage_edges e ON e.src = r.seq
           WHERE e.rel IN ('contains', 'input', 'produced', 'fine-tuned', 'deployed')
       )
       SELECT n.kind, n.name, p.kind AS pkind, p.name AS pname, r.rel, r.origin, r.vf, r.vt, r.cnt
       FROM reach r JOIN lineage_nodes n ON n.seq = r.seq JOIN lineage_nodes p ON p.seq = r.parent`,
    ),
    tainted: db.prepare(
      `SELECT n.name, sum(g.count) AS n FROM lineage_dataset_groups g JOIN lineage_nodes n ON n.seq = g.dataset_seq
       WHERE (g.dataset_seq, g.grp) IN (
         SELECT m.dataset_seq, m.grp FROM lineage_group_members m JOIN lineage_nodes d ON d.seq = m.delivery_seq
         WHERE d.kind = 'delivery' AND d.name IN (SELECT value FROM json_each(?)))
       GROUP BY g.dataset_seq`,
    ),
    ancestors: db.prepare(
      `WITH RECURSIVE up(start, seq, depth) AS (
         SELECT n.seq, n.seq, 0 FROM lineage_nodes n WHERE n.kind = 'model' AND n.name IN (SELECT value FROM json_each(?))
         UNION
         SELECT up.start, e.src, up.depth + 1 FROM up JOIN lineage_edges e ON e.dst = up.seq AND e.rel = 'fine-tuned' WHERE up.depth < 1000
       )
       SELECT s.name AS model, a.name AS ancestor FROM up JOIN lineage_nodes s ON s.seq = up.start JOIN lineage_nodes a ON a.seq = up.seq
       WHERE up.depth > 0 ORDER BY s.name, up.depth`,
    ),
    producingRuns: db.prepare(
      `SELECT m.name AS model, r.seq, r.name, r.meta FROM lineage_nodes m JOIN lineage_edges e ON e.dst = m.seq AND e.rel = 'produced'
       JOIN lineage_nodes r ON r.seq = e.src AND r.kind = 'run'
       WHERE m.kind = 'model' AND m.name IN (SELECT value FROM json_each(?)) ORDER BY coalesce(json_extract(r.meta, '$.start'), ''), r.name`,
    ),
    runInputs: db.prepare(`SELECT n.kind, n.name FROM lineage_edges e JOIN lineage_nodes n ON n.seq = e.src WHERE e.dst = ? AND e.rel = 'input' ORDER BY n.kind, n.name`),
    runOutputs: db.prepare(`SELECT n.kind, n.name FROM lineage_edges e JOIN lineage_nodes n ON n.seq = e.dst WHERE e.src = ? AND e.rel = 'produced' ORDER BY n.kind, n.name`),
    deployments: db.prepare(`SELECT name, meta FROM lineage_nodes WHERE kind = 'deployment' ORDER BY seq`),
    runVendors: db.prepare(
      `WITH RECURSIVE up(start, seq) AS (
         SELECT n.seq, n.seq FROM lineage_nodes n WHERE n.kind = 'run' AND n.name IN (SELECT value FROM json_each(?))
         UNION
         SELECT up.start, e.src FROM up JOIN lineage_edges e ON e.dst = up.seq AND e.rel IN ('input', 'contains', 'produced', 'delivered')
       )
       SELECT DISTINCT s.name AS run, v.name AS vendor FROM up JOIN lineage_nodes s ON s.seq = up.start JOIN lineage_nodes v ON v.seq = up.seq
       WHERE v.kind = 'vendor' ORDER BY s.name, v.name`,
    ),
    // Direct training inputs of a model, its producing runs and its whole base chain (and the
    // inputs of runs that produced its input datasets).
    modelInputs: db.prepare(
      `WITH RECURSIVE up(seq) AS (
         SELECT seq FROM lineage_nodes WHERE kind = 'model' AND name = ?
         UNION
         SELECT e.src FROM up JOIN lineage_edges e ON e.dst = up.seq AND e.rel IN ('produced', 'fine-tuned', 'input')
       )
       SELECT n.seq, n.kind, n.name FROM up JOIN lineage_nodes n ON n.seq = up.seq WHERE n.kind IN ('dataset', 'delivery') ORDER BY n.kind, n.name`,
    ),
    deliveryVendorCount: db.prepare(`SELECT l.vendor, d.record_count AS n FROM lineage_deliveries l JOIN deliveries d ON d.seq = l.delivery_seq WHERE l.node_seq = ?`),
    datasetCounts: db.prepare('SELECT record_count, matched_count FROM lineage_datasets WHERE node_seq = ?'),
    groupVendors: db.prepare(
      `SELECT g.count, (SELECT json_group_array(DISTINCT l.vendor) FROM lineage_group_members m JOIN lineage_deliveries l ON l.node_seq = m.delivery_seq
         WHERE m.dataset_seq = g.dataset_seq AND m.grp = g.grp) AS vendors FROM lineage_dataset_groups g WHERE g.dataset_seq = ?`,
    ),
    models: db.prepare(
      `SELECT m.name, (SELECT b.name FROM lineage_edges e JOIN lineage_nodes b ON b.seq = e.src WHERE e.dst = m.seq AND e.rel = 'fine-tuned') AS base, m.meta
       FROM lineage_nodes m WHERE m.kind = 'model' ORDER BY m.name`,
    ),
    upsertPause: db.prepare('INSERT INTO lineage_vendor_pauses (vendor, paused_at, reason) VALUES (?, ?, ?) ON CONFLICT (vendor) DO UPDATE SET paused_at = excluded.paused_at, reason = excluded.reason'),
    deletePause: db.prepare('DELETE FROM lineage_vendor_pauses WHERE vendor = ?'),
    pauses: db.prepare('SELECT vendor, paused_at, reason FROM lineage_vendor_pauses ORDER BY vendor'),
    upsertEvidence: db.prepare(
      `INSERT INTO lineage_evidence (delivery_seq, logged, witnessed, records, findings, verdict, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (delivery_seq) DO UPDATE SET logged = excluded.logged, witnessed = excluded.witnessed, records = excluded.records,
         findings = excluded.findings, verdict = excluded.verdict, recorded_at = excluded.recorded_at`,
    ),
    evidence: db.prepare(`SELECT d.id, e.* FROM lineage_evidence e JOIN deliveries d ON d.seq = e.delivery_seq ORDER BY d.seq`),
  };
}
