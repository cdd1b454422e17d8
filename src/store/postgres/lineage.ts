/**
 * The lineage part of the PostgreSQL store: a Store (delegating to the PostgreSQL driver on the
 * same pool) that also implements lineage's LineageStore over the tables of migration 2, with the
 * semantics of the SQLite one (src/store/sqlite/lineage.ts): same facts, conflicts, orders.
 *
 * Writes: each lineage write is one transaction under a transaction-scoped advisory lock keyed by
 * the schema, so lineage writers of several processes run one at a time (as SQLite's single
 * writer does) and syncDeliveries never mirrors a delivery twice. Within one object, lineage
 * writes and the driver's putDelivery share one queue, as in the SQLite store.
 *
 * Graph walks are recursive CTEs whose rows are edges (not paths): UNION deduplicates a row seen
 * twice, so each reachable edge is visited once, cycles end, and the cost is what the walk touches.
 */
import type pg from 'pg';
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
import { advisoryKey, checkout, ident, isSchemaName, openPool, POSTGRES_URL, redactUrl } from './connection.js';
import { createPostgresStore, pgStoreError, type PostgresStoreOptions } from './postgres-store.js';
import { DEFAULT_PG_SCHEMA } from './url.js';
import { WriteGate } from '../write-gate.js';

/** A Store that also answers lineage questions. */
export type PostgresLineageStore = Store & LineageStore;

/** A query runner: on the pool (reads) or on a transaction's client (writes). */
type Q = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

/** A pool for `options` (ours when a URL is given) and the schema, validated. */
export function poolFor(options: PostgresStoreOptions, application: string): { pool: pg.Pool; owned: boolean; schema: string } {
  const schema = options.schema ?? DEFAULT_PG_SCHEMA;
  if (!isSchemaName(schema)) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `PostgreSQL schema ${JSON.stringify(schema)} is not a lower-case identifier (a-z, 0-9, _; not pg_*); pick another name`, { kind: 'input' });
  }
  if (options.pool !== undefined) return { pool: options.pool, owned: false, schema };
  const url = options.url;
  if (typeof url !== 'string' || !POSTGRES_URL.test(url)) {
    throw new StoreError('STORE_BAD_URL', `database URL ${typeof url === 'string' ? redactUrl(url) : String(url)} is not a postgres:// or postgresql:// URL; fix it`, { kind: 'input' });
  }
  const pool = openPool(url, {
    applicationName: application,
    ...(options.maxConnections !== undefined ? { max: options.maxConnections } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  return { pool, owned: true, schema };
}

/** Opens (migrating) the PostgreSQL store with its lineage part. */
export async function createPostgresLineageStore(options: PostgresStoreOptions): Promise<PostgresLineageStore> {
  const { pool, owned, schema } = poolFor(options, 'provenant');
  let inner: Store;
  try {
    inner = await createPostgresStore({ pool, schema });
  } catch (err) {
    if (owned) await pool.end().catch(() => undefined);
    throw err;
  }
  // The driver's location names the pool; with our own pool, name the URL the caller gave.
  return new LineagePostgres(inner, pool, owned, schema);
}

function num(v: string | number | null | undefined): number {
  const n = typeof v === 'number' ? v : Number(v ?? 0);
  if (!Number.isFinite(n)) throw new StoreError('STORE_CORRUPT', `stored number ${String(v)} is out of range; the database was altered — restore it from a backup`);
  return n;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through: a damaged meta column is reported below
  }
  throw new StoreError('STORE_CORRUPT', 'stored lineage metadata is not a JSON object; the database was altered — restore it from a backup');
}

function window(from: string | null | undefined, to: string | null | undefined): TimeWindow {
  return { ...(from != null ? { from } : {}), ...(to != null ? { to } : {}) };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Byte-order comparison of UTF-16 strings is code-unit order; good enough for ids and times. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Normalizes a time read from a seal; a value that is not RFC 3339 falls back to `fallback`. */
function safeTime(v: unknown, fallback: string): string {
  try {
    return parseTime(v, 'time');
  } catch {
    return fallback;
  }
}

/** PostgreSQL text cannot hold U+0000: refuse it with a clear message instead of SQLSTATE 22021. */
function checkText(values: readonly (string | undefined)[], what: string): void {
  for (const v of values) {
    if (v !== undefined && v.includes('\u0000')) throw new LineageError('LINEAGE_INVALID_ARGUMENT', `${what} contains a NUL character, which the PostgreSQL store cannot hold; remove it`);
  }
}

interface DeliveryRow {
  id: string;
  vendor: string;
  client: string;
  key_id: string;
  sealed_at: string;
  record_count: string;
  status: string;
  meta: string;
  event_from: string;
  event_to: string;
  annotators: string[] | null;
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
  cnt: string | null;
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
    recordCount: num(r.record_count),
    ...(typeof collection === 'object' && collection !== null ? { collection: window(r.event_from, r.event_to) } : {}),
    annotators: [...(r.annotators ?? [])].sort(cmp),
    status: r.status === 'verified' ? 'verified' : 'sealed',
  };
}

class LineagePostgres implements PostgresLineageStore {
  readonly backend: string;
  readonly location: string;
  private readonly gate = new WriteGate();
  private closed = false;
  private readonly s: ReturnType<typeof statements>;
  private readonly lockKey: string;

  constructor(
    private readonly inner: Store,
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    schema: string,
  ) {
    this.backend = inner.backend;
    this.location = inner.location;
    this.s = statements(ident(schema));
    this.lockKey = advisoryKey('provenant-lineage-write', schema);
  }

  // ---- gate ---------------------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.gate.exclusive(() => this.assertOpen(), async () => fn());
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'store is closed; open it again before using it', { kind: 'internal', location: { file: this.location } });
  }

  /** One write transaction under the lineage advisory lock, queued behind this object's writes. */
  private write<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      let lease: Awaited<ReturnType<typeof checkout>>;
      try {
        lease = await checkout(this.pool);
      } catch (err) {
        throw pgStoreError(err, this.location);
      }
      const { client, release } = lease;
      let broken = false;
      const q: Q = async (text, values = []) => (await client.query(text, values)).rows;
      try {
        await client.query('BEGIN');
        try {
          await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
          const out = await fn(q);
          await client.query('COMMIT');
          return out;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => (broken = true));
          throw err;
        }
      } catch (err) {
        throw pgStoreError(err, this.location);
      } finally {
        release(broken);
      }
    });
  }

  private async read<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    this.assertOpen();
    const q: Q = async (text, values = []) => (await this.pool.query(text, values)).rows;
    try {
      return await fn(q);
    } catch (err) {
      throw pgStoreError(err, this.location);
    }
  }

  // ---- Store --------------------------------------------------------------------------------

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
      await this.inner.close();
    } finally {
      if (this.ownsPool) await this.pool.end().catch(() => undefined);
    }
  }

  // ---- nodes and edges ----------------------------------------------------------------------

  private async node(q: Q, kind: NodeKind, name: string, meta: Record<string, unknown> = {}, now = new Date().toISOString()): Promise<string> {
    checkText([name], `${kind} name`);
    const ins = await q<{ seq: string }>(this.s.insertNode, [kind, name, JSON.stringify(meta), now]);
    if (ins[0] !== undefined) return ins[0].seq;
    const seq = await this.seqOf(q, { kind, name });
    if (seq === undefined) throw new StoreError('STORE_FAILURE', `lineage node ${kind} ${JSON.stringify(name)} vanished while being written; retry`, { kind: 'internal' });
    return seq;
  }

  private async edge(q: Q, src: string, dst: string, rel: EdgeRel, origin: EdgeOrigin, w: TimeWindow, count?: number): Promise<void> {
    await q(this.s.insertEdge, [src, dst, rel, origin, w.from ?? null, w.to ?? null, count ?? null]);
  }

  private async seqOf(q: Q, ref: NodeRef): Promise<string | undefined> {
    return (await q<{ seq: string }>(this.s.nodeSeq, [ref.kind, ref.name]))[0]?.seq;
  }

  private async need(q: Q, ref: NodeRef, hint: string): Promise<string> {
    const seq = await this.seqOf(q, ref);
    if (seq === undefined) throw new LineageError('LINEAGE_NOT_FOUND', `${ref.kind} ${JSON.stringify(ref.name)} is not registered; ${hint}`, { details: { kind: ref.kind, name: ref.name } });
    return seq;
  }

  private async nodeMeta(q: Q, seq: string): Promise<Record<string, unknown>> {
    return parseObject((await q<{ meta: string }>(this.s.nodeMeta, [seq]))[0]?.meta ?? '{}');
  }

  // ---- LineageStore -------------------------------------------------------------------------

  syncDeliveries(): Promise<number> {
    return this.write(async (q) => {
      const rows = await q<{ seq: string; id: string; vendor: string; key_id: string; sealed_at: string; meta: string }>(this.s.unsynced);
      for (const r of rows) {
        const meta = parseObject(r.meta);
        const sealedAt = safeTime(r.sealed_at, r.sealed_at);
        const c = meta['collection'];
        const coll = typeof c === 'object' && c !== null ? (c as Record<string, unknown>) : undefined;
        const from = coll ? safeTime(coll['start'], sealedAt) : sealedAt;
        const to = coll ? safeTime(coll['end'], sealedAt) : sealedAt;
        const d = await this.node(q, 'delivery', r.id, { vendor: r.vendor });
        const v = await this.node(q, 'vendor', r.vendor);
        const k = await this.node(q, 'key', r.key_id);
        // registerSeal authenticates the statement with the vendor's key before anything is
        // stored, so what the seal says about vendor, key and annotators is signature-verified.
        await this.edge(q, v, d, 'delivered', 'verified-signature', { from, to });
        await this.edge(q, k, d, 'signed', 'verified-signature', { from: sealedAt, to: sealedAt });
        const annotators = meta['annotators'];
        if (Array.isArray(annotators)) {
          for (const a of annotators as unknown[]) {
            if (typeof a !== 'object' || a === null) continue;
            const id = str((a as Record<string, unknown>)['id']);
            if (id === undefined || id.includes('\u0000')) continue;
            const records = (a as Record<string, unknown>)['records'];
            const an = await this.node(q, 'annotator', id);
            await this.edge(q, an, d, 'annotated', 'verified-signature', { from, to }, typeof records === 'number' && Number.isSafeInteger(records) && records >= 0 ? records : undefined);
          }
        }
        await q(this.s.insertLineageDelivery, [d, r.seq, r.vendor, r.key_id, from, to]);
      }
      return rows.length;
    });
  }

  getDeliveries(ids: readonly string[]): Promise<DeliveryFacts[]> {
    return this.read(async (q) => (await q<DeliveryRow>(this.s.deliveriesByIds, [ids])).map(rowToDeliveryFacts));
  }

  listAllDeliveries(): Promise<DeliveryFacts[]> {
    return this.read(async (q) => (await q<DeliveryRow>(this.s.allDeliveries)).map(rowToDeliveryFacts));
  }

  selectDeliveries(selector: Exclude<Selector, { kind: 'incident' }>): Promise<DeliveryFacts[]> {
    return this.read(async (q) => {
      let rows: DeliveryRow[];
      switch (selector.kind) {
        case 'delivery':
          rows = await q<DeliveryRow>(this.s.deliveriesByIds, [[selector.deliveryId]]);
          break;
        case 'vendor': {
          const w = selector.window ?? {};
          rows = await q<DeliveryRow>(this.s.deliveriesByVendor, [selector.vendor, w.from ?? null, w.to ?? null]);
          break;
        }
        case 'key': {
          const w = selector.window ?? {};
          rows = await q<DeliveryRow>(this.s.deliveriesByKey, [selector.keyId.toLowerCase(), w.from ?? null, w.to ?? null]);
          break;
        }
        case 'annotator': {
          const w = selector.window ?? {};
          rows = await q<DeliveryRow>(this.s.deliveriesByAnnotator, [selector.annotator, w.from ?? null, w.to ?? null]);
          break;
        }
      }
      return rows.map(rowToDeliveryFacts);
    });
  }

  putDataset(f: DatasetFacts): Promise<{ inserted: boolean }> {
    return this.write(async (q) => {
      checkText([f.name, f.path], 'dataset');
      const existing = (await q<{ record_root: string; record_set_root: string; record_count: string }>(this.s.datasetRow, [f.name]))[0];
      if (existing) {
        if (existing.record_root === f.recordRoot && existing.record_set_root === f.recordSetRoot && num(existing.record_count) === f.recordCount) return { inserted: false };
        throw new LineageError(
          'LINEAGE_CONFLICT',
          `dataset ${JSON.stringify(f.name)} is already registered with record root ${existing.record_root} (${num(existing.record_count)} records), not ${f.recordRoot}; a dataset name names one record set — derive the new one under another name`,
          { kind: 'input', details: { name: f.name, stored: existing.record_root, incoming: f.recordRoot } },
        );
      }
      const ds = await this.node(q, 'dataset', f.name, f.path !== undefined ? { path: f.path } : {}, f.derivedAt);
      await q(this.s.insertDataset, [ds, f.recordRoot, f.recordSetRoot, f.recordCount, f.fileCount, f.matchedCount, f.derivedAt, f.path ?? null]);
      for (const m of f.deliveries) {
        const d = await this.need(q, { kind: 'delivery', name: m.deliveryId }, 'register its seal first');
        await this.edge(q, d, ds, 'contains', 'content-match', { from: f.derivedAt }, m.count);
      }
      for (const [i, g] of f.groups.entries()) {
        await q(this.s.insertGroup, [ds, i, g.count]);
        for (const id of g.deliveries) await q(this.s.insertMember, [ds, i, await this.need(q, { kind: 'delivery', name: id }, 'register its seal first')]);
      }
      return { inserted: true };
    });
  }

  getDataset(name: string): Promise<DatasetFacts | undefined> {
    return this.read(async (q) => {
      const row = (
        await q<{ seq: string; record_root: string; record_set_root: string; record_count: string; file_count: string; matched_count: string; derived_at: string; path: string | null }>(
          this.s.datasetFull,
          [name],
        )
      )[0];
      if (!row) return undefined;
      const deliveries = (await q<{ deliveryid: string; count: string | null }>(this.s.datasetDeliveries, [row.seq])).map((r) => ({ deliveryId: r.deliveryid, count: num(r.count) }));
      const groupRows = await q<{ grp: number; count: string; members: string[] | null }>(this.s.datasetGroups, [row.seq]);
      return {
        name,
        recordRoot: row.record_root,
        recordSetRoot: row.record_set_root,
        recordCount: num(row.record_count),
        fileCount: num(row.file_count),
        matchedCount: num(row.matched_count),
        deliveries,
        groups: groupRows.map((g) => ({ deliveries: [...(g.members ?? [])].sort(cmp), count: num(g.count) })),
        derivedAt: row.derived_at,
        ...(row.path !== null ? { path: row.path } : {}),
      };
    });
  }

  datasetCounts(names: readonly string[]): Promise<Map<string, { recordCount: number; matchedCount: number; path?: string }>> {
    return this.read(async (q) => {
      const rows = await q<{ name: string; record_count: string; matched_count: string; path: string | null }>(this.s.datasetCountsByName, [names]);
      return new Map(rows.map((r) => [r.name, { recordCount: num(r.record_count), matchedCount: num(r.matched_count), ...(r.path !== null ? { path: r.path } : {}) }]));
    });
  }

  putRun(f: RunFacts): Promise<{ inserted: boolean }> {
    return this.write(async (q) => {
      checkText([f.id, ...f.inputs.map((i) => i.name), ...f.outputs.map((o) => o.name)], 'run');
      const ref: NodeRef = { kind: 'run', name: f.id };
      const existing = await this.seqOf(q, ref);
      let meta: Record<string, unknown> = { ...(f.meta ?? {}) };
      let start = f.start;
      let end = f.end;
      if (existing !== undefined) {
        const stored = await this.nodeMeta(q, existing);
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
      const seq = await this.node(q, 'run', f.id, meta);
      const before = num((await q<{ n: string }>(this.s.edgeCountOf, [seq]))[0]?.n);
      await q(this.s.setMeta, [JSON.stringify(meta), seq]);
      const w = window(start, end);
      for (const input of f.inputs) {
        const src =
          f.declareMissing === true && input.kind === 'dataset'
            ? await this.node(q, 'dataset', input.name)
            : await this.need(q, input, input.kind === 'delivery' ? 'register its seal first' : `register it first (provenant lineage derive … --name ${input.name})`);
        await this.edge(q, src, seq, 'input', 'declared', w);
      }
      for (const out of f.outputs) {
        const dst = out.kind === 'model' || out.kind === 'dataset' ? await this.node(q, out.kind, out.name) : await this.need(q, out, 'outputs must be models or datasets');
        await this.edge(q, seq, dst, 'produced', 'declared', w);
      }
      // The run's window may have been completed by this call: keep its edges in step.
      await q(this.s.updateRunWindows, [w.from ?? null, w.to ?? null, seq]);
      const after = num((await q<{ n: string }>(this.s.edgeCountOf, [seq]))[0]?.n);
      return { inserted: existing === undefined || after > before };
    });
  }

  putModel(f: ModelFacts): Promise<{ inserted: boolean }> {
    return this.write(async (q) => {
      checkText([f.name, f.base], 'model');
      const existed = (await this.seqOf(q, { kind: 'model', name: f.name })) !== undefined;
      const seq = await this.node(q, 'model', f.name, { ...(f.meta ?? {}) });
      if (f.base === undefined) return { inserted: !existed };
      if (f.base === f.name) throw new LineageError('LINEAGE_CYCLE', `model ${JSON.stringify(f.name)} cannot be fine-tuned from itself`);
      const storedBase = (await q<{ name: string }>(this.s.baseOf, [seq]))[0]?.name;
      if (storedBase !== undefined) {
        if (storedBase === f.base) return { inserted: false };
        throw new LineageError('LINEAGE_CONFLICT', `model ${JSON.stringify(f.name)} is registered as a fine-tune of ${JSON.stringify(storedBase)}, not ${JSON.stringify(f.base)}; a model has one base`, {
          details: { model: f.name, stored: storedBase, incoming: f.base },
        });
      }
      const base = await this.node(q, 'model', f.base);
      // The base must not descend from the model: that chain would never end.
      const descends = (await q(this.s.isAncestor, [seq, base])).length > 0;
      if (descends) throw new LineageError('LINEAGE_CYCLE', `model ${JSON.stringify(f.base)} is itself fine-tuned from ${JSON.stringify(f.name)}; a fine-tune chain cannot loop`);
      await this.edge(q, base, seq, 'fine-tuned', 'declared', {});
      return { inserted: true };
    });
  }

  putDeployment(f: DeploymentFacts): Promise<{ inserted: boolean; name: string }> {
    const name = f.name ?? `${f.model}@${f.env}@${f.from}`;
    return this.write(async (q) => {
      checkText([name, f.model, f.env], 'deployment');
      const model = await this.need(q, { kind: 'model', name: f.model }, 'register it first (provenant lineage model NAME or lineage run --output NAME)');
      const meta = { model: f.model, env: f.env, from: f.from, ...(f.to !== undefined ? { to: f.to } : {}) };
      const existing = await this.seqOf(q, { kind: 'deployment', name });
      if (existing !== undefined) {
        const stored = await this.nodeMeta(q, existing);
        if (stored['model'] !== f.model || stored['env'] !== f.env || stored['from'] !== f.from) {
          throw new LineageError('LINEAGE_CONFLICT', `deployment ${JSON.stringify(name)} is registered for another model, environment or start; pick another --name`);
        }
        if (stored['to'] === f.to || f.to === undefined) return { inserted: false, name };
        if (stored['to'] !== undefined) throw new LineageError('LINEAGE_CONFLICT', `deployment ${JSON.stringify(name)} already ended at ${String(stored['to'])}`);
        // Closing an open deployment: the one update a deployment gets.
        await q(this.s.setMeta, [JSON.stringify(meta), existing]);
        await q(this.s.updateEdgeWindow, [f.from, f.to, model, existing, 'deployed']);
        return { inserted: false, name };
      }
      const seq = await this.node(q, 'deployment', name, meta);
      await this.edge(q, model, seq, 'deployed', 'declared', window(f.from, f.to));
      return { inserted: true, name };
    });
  }

  putIncident(f: IncidentFacts): Promise<{ inserted: boolean }> {
    const selector = JSON.stringify(f.selector);
    return this.write(async (q) => {
      checkText([f.id, f.description], 'incident');
      const existing = await this.seqOf(q, { kind: 'incident', name: f.id });
      if (existing !== undefined) {
        const stored = (await q<{ selector: string }>(this.s.incidentSelector, [existing]))[0]?.selector;
        if (stored === selector) return { inserted: false };
        throw new LineageError('LINEAGE_CONFLICT', `incident ${JSON.stringify(f.id)} is registered with another selector; use another id`);
      }
      const seq = await this.node(q, 'incident', f.id, {}, f.reportedAt);
      await q(this.s.insertIncident, [seq, selector, f.reportedAt, f.description ?? null]);
      const target = incidentTarget(f.selector);
      const w = 'window' in f.selector ? (f.selector.window ?? {}) : {};
      // Link the incident to its subject when the graph knows it (a vendor may not be registered yet).
      const t = await this.seqOf(q, target);
      if (t !== undefined) await this.edge(q, seq, t, 'affects', 'declared', w);
      return { inserted: true };
    });
  }

  getIncident(id: string): Promise<IncidentFacts | undefined> {
    return this.read(async (q) => {
      const row = (await q<{ selector: string; reported_at: string; description: string | null }>(this.s.incidentById, [id]))[0];
      return row ? incidentFromRow(id, row) : undefined;
    });
  }

  listIncidents(): Promise<IncidentFacts[]> {
    return this.read(async (q) => (await q<{ name: string; selector: string; reported_at: string; description: string | null }>(this.s.incidents)).map((r) => incidentFromRow(r.name, r)));
  }

  getNode(ref: NodeRef): Promise<LineageNode | undefined> {
    return this.read(async (q) => {
      const row = (await q<{ meta: string; created_at: string }>(this.s.nodeByName, [ref.kind, ref.name]))[0];
      return row ? { ...ref, meta: parseObject(row.meta), createdAt: row.created_at } : undefined;
    });
  }

  downstream(deliveryIds: readonly string[]): Promise<ReachRow[]> {
    return this.read(async (q) => {
      const rows = await q<EdgeRow>(this.s.downstream, [deliveryIds]);
      return bfs(rows, deliveryIds.map((name) => ({ kind: 'delivery', name }) as NodeRef));
    });
  }

  taintedCounts(deliveryIds: readonly string[], datasets: readonly string[]): Promise<Map<string, number>> {
    return this.read(async (q) => {
      const rows = await q<{ name: string; n: string }>(this.s.tainted, [deliveryIds]);
      const want = new Set(datasets);
      return new Map(rows.filter((r) => want.size === 0 || want.has(r.name)).map((r) => [r.name, num(r.n)]));
    });
  }

  modelAncestors(models: readonly string[]): Promise<Map<string, string[]>> {
    return this.read(async (q) => {
      const out = new Map<string, string[]>(models.map((m) => [m, []]));
      for (const r of await q<{ model: string; ancestor: string }>(this.s.ancestors, [models])) out.get(r.model)?.push(r.ancestor);
      return out;
    });
  }

  producingRuns(models: readonly string[]): Promise<Map<string, RunFacts[]>> {
    return this.read(async (q) => {
      const out = new Map<string, RunFacts[]>(models.map((m) => [m, []]));
      const rows = (await q<{ model: string; seq: string; name: string; meta: string }>(this.s.producingRuns, [models])).map((r) => ({ ...r, m: parseObject(r.meta) }));
      // Same order as SQLite: by the run's start time (absent first), then by id.
      rows.sort((a, b) => cmp(a.model, b.model) || cmp(str(a.m['start']) ?? '', str(b.m['start']) ?? '') || cmp(a.name, b.name));
      for (const r of rows) out.get(r.model)?.push(await this.runFacts(q, r.seq, r.name, r.m));
      return out;
    });
  }

  private async runFacts(q: Q, seq: string, id: string, meta: Record<string, unknown>): Promise<RunFacts> {
    const inputs = (await q<{ kind: NodeKind; name: string }>(this.s.runInputs, [seq])).map((r) => ({ kind: r.kind, name: r.name }));
    const outputs = (await q<{ kind: NodeKind; name: string }>(this.s.runOutputs, [seq])).map((r) => ({ kind: r.kind, name: r.name }));
    const start = str(meta['start']);
    const end = str(meta['end']);
    return { id, inputs, outputs, ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), meta };
  }

  listDeployments(envs: readonly string[]): Promise<(DeploymentFacts & { readonly name: string })[]> {
    return this.read(async (q) => {
      const want = new Set(envs);
      const out: (DeploymentFacts & { name: string })[] = [];
      for (const r of await q<{ name: string; meta: string }>(this.s.deployments)) {
        const m = parseObject(r.meta);
        const model = str(m['model']);
        const env = str(m['env']);
        const from = str(m['from']);
        const to = str(m['to']);
        if (model === undefined || env === undefined || from === undefined) continue;
        if (want.size > 0 && !want.has(env)) continue;
        out.push({ name: r.name, model, env, from, ...(to !== undefined ? { to } : {}) });
      }
      return out.sort((a, b) => cmp(a.from, b.from));
    });
  }

  runVendors(runs: readonly string[]): Promise<Map<string, string[]>> {
    return this.read(async (q) => {
      const out = new Map<string, string[]>(runs.map((r) => [r, []]));
      for (const r of await q<{ run: string; vendor: string }>(this.s.runVendors, [runs])) out.get(r.run)?.push(r.vendor);
      return out;
    });
  }

  modelVendorRecords(models: readonly string[]): Promise<Map<string, { vendors: Map<string, number>; unattributed: number; datasets: string[]; deliveries: string[] }>> {
    return this.read(async (q) => {
      const out = new Map<string, { vendors: Map<string, number>; unattributed: number; datasets: string[]; deliveries: string[] }>();
      for (const model of models) {
        const vendors = new Map<string, number>();
        let unattributed = 0;
        const inputs = await q<{ seq: string; kind: NodeKind; name: string }>(this.s.modelInputs, [model]);
        const datasets: string[] = [];
        const deliveries: string[] = [];
        const add = (v: string, n: number) => vendors.set(v, (vendors.get(v) ?? 0) + n);
        for (const i of inputs) {
          if (i.kind === 'delivery') {
            deliveries.push(i.name);
            const d = (await q<{ vendor: string; n: string }>(this.s.deliveryVendorCount, [i.seq]))[0];
            if (d) add(d.vendor, num(d.n));
          } else if (i.kind === 'dataset') {
            datasets.push(i.name);
            const ds = (await q<{ record_count: string; matched_count: string }>(this.s.datasetCounts, [i.seq]))[0];
            if (!ds) continue; // declared only (e.g. from OpenLineage): records unknown
            unattributed += num(ds.record_count) - num(ds.matched_count);
            for (const g of await q<{ count: string; vendors: string[] | null }>(this.s.groupVendors, [i.seq])) {
              const vs = g.vendors ?? [];
              // A record found in deliveries of several vendors is split evenly between them.
              for (const v of vs) add(v, num(g.count) / vs.length);
            }
          }
        }
        out.set(model, { vendors, unattributed, datasets: datasets.sort(cmp), deliveries: deliveries.sort(cmp) });
      }
      return out;
    });
  }

  listModels(): Promise<ModelFacts[]> {
    return this.read(async (q) =>
      (await q<{ name: string; base: string | null; meta: string }>(this.s.models)).map((r) => ({ name: r.name, ...(r.base !== null ? { base: r.base } : {}), meta: parseObject(r.meta) })),
    );
  }

  setVendorPause(vendor: string, pause: { readonly reason?: string; readonly at: string } | null): Promise<void> {
    return this.write(async (q) => {
      checkText([vendor, pause?.reason], 'vendor pause');
      if (pause === null) await q(this.s.deletePause, [vendor]);
      else await q(this.s.upsertPause, [vendor, pause.at, pause.reason ?? null]);
    });
  }

  listVendorPauses(): Promise<VendorPause[]> {
    return this.read(async (q) =>
      (await q<{ vendor: string; paused_at: string; reason: string | null }>(this.s.pauses)).map((r) => ({ vendor: r.vendor, pausedAt: r.paused_at, ...(r.reason !== null ? { reason: r.reason } : {}) })),
    );
  }

  putEvidence(e: DeliveryEvidence): Promise<void> {
    return this.write(async (q) => {
      const seq = (await q<{ seq: string }>(this.s.deliverySeq, [e.deliveryId]))[0]?.seq;
      if (seq === undefined) throw new LineageError('LINEAGE_NOT_FOUND', `delivery ${JSON.stringify(e.deliveryId)} is not registered; register its seal first`);
      await q(this.s.upsertEvidence, [seq, e.logged, e.witnessed, e.inspected?.records ?? null, e.inspected?.findings ?? null, e.inspected?.verdict ?? null, e.recordedAt]);
    });
  }

  listEvidence(): Promise<DeliveryEvidence[]> {
    return this.read(async (q) =>
      (
        await q<{ id: string; logged: boolean; witnessed: boolean; records: string | null; findings: string | null; verdict: string | null; recorded_at: string }>(this.s.evidence)
      ).map((r) => ({
        deliveryId: r.id,
        logged: r.logged,
        witnessed: r.witnessed,
        ...(r.records !== null && r.findings !== null && r.verdict !== null
          ? { inspected: { records: num(r.records), findings: num(r.findings), verdict: r.verdict as 'accept' | 'review' | 'quarantine' | 'reject' } }
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
      ...(r.cnt !== null ? { count: num(r.cnt) } : {}),
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
        // Every edge into a node is kept, but the walk continues from a node only once, at its
        // first (shortest) depth.
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

/** SQL of the lineage part, on schema `s` (an already quoted identifier). */
function statements(s: string) {
  const N = `${s}.lineage_nodes`;
  const E = `${s}.lineage_edges`;
  const LD = `${s}.lineage_deliveries`;
  const DS = `${s}.lineage_datasets`;
  const G = `${s}.lineage_dataset_groups`;
  const M = `${s}.lineage_group_members`;
  const D = `${s}.deliveries`;
  // $2/$3: window ends (after the selector's $1), typed so that NULL is accepted.
  const inWindow = `($2::text IS NULL OR l.event_to >= $2::text) AND ($3::text IS NULL OR l.event_from < $3::text)`;
  const deliverySelect = `SELECT d.id, d.vendor, d.client, d.key_id, d.sealed_at, d.record_count, d.status, d.meta, l.event_from, l.event_to,
    (SELECT array_agg(a.name ORDER BY a.name) FROM ${E} e JOIN ${N} a ON a.seq = e.src WHERE e.dst = l.node_seq AND e.rel = 'annotated') AS annotators
    FROM ${LD} l JOIN ${D} d ON d.seq = l.delivery_seq`;
  return {
    insertNode: `INSERT INTO ${N} (kind, name, meta, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, name) DO NOTHING RETURNING seq`,
    nodeSeq: `SELECT seq FROM ${N} WHERE kind = $1 AND name = $2`,
    nodeByName: `SELECT meta, created_at FROM ${N} WHERE kind = $1 AND name = $2`,
    nodeMeta: `SELECT meta FROM ${N} WHERE seq = $1`,
    setMeta: `UPDATE ${N} SET meta = $1 WHERE seq = $2`,
    insertEdge: `INSERT INTO ${E} (src, dst, rel, origin, valid_from, valid_to, count) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (src, dst, rel) DO NOTHING`,
    edgeCountOf: `SELECT count(*) AS n FROM ${E} WHERE src = $1 OR dst = $1`,
    updateRunWindows: `UPDATE ${E} SET valid_from = $1, valid_to = $2 WHERE (dst = $3 AND rel = 'input') OR (src = $3 AND rel = 'produced')`,
    updateEdgeWindow: `UPDATE ${E} SET valid_from = $1, valid_to = $2 WHERE src = $3 AND dst = $4 AND rel = $5`,
    unsynced: `SELECT d.seq, d.id, d.vendor, d.key_id, d.sealed_at, d.meta FROM ${D} d
       WHERE d.seq > (SELECT coalesce(max(delivery_seq), 0) FROM ${LD}) ORDER BY d.seq`,
    insertLineageDelivery: `INSERT INTO ${LD} (node_seq, delivery_seq, vendor, key_id, event_from, event_to) VALUES ($1, $2, $3, $4, $5, $6)`,
    deliveriesByIds: `${deliverySelect} WHERE d.id = ANY($1::text[]) ORDER BY d.seq`,
    allDeliveries: `${deliverySelect} ORDER BY d.seq`,
    deliveriesByVendor: `${deliverySelect} WHERE l.vendor = $1 AND ${inWindow} ORDER BY d.seq`,
    deliveriesByKey: `${deliverySelect} WHERE (l.key_id = $1::text OR (length($1::text) >= 8 AND left(l.key_id, length($1::text)) = $1::text)) AND ${inWindow} ORDER BY d.seq`,
    deliveriesByAnnotator: `${deliverySelect} WHERE l.node_seq IN (SELECT e.dst FROM ${N} a JOIN ${E} e ON e.src = a.seq AND e.rel = 'annotated'
         WHERE a.kind = 'annotator' AND a.name = $1) AND ${inWindow} ORDER BY d.seq`,
    deliverySeq: `SELECT seq FROM ${D} WHERE id = $1`,
    datasetRow: `SELECT x.record_root, x.record_set_root, x.record_count FROM ${DS} x JOIN ${N} n ON n.seq = x.node_seq WHERE n.kind = 'dataset' AND n.name = $1`,
    datasetFull: `SELECT n.seq, x.* FROM ${DS} x JOIN ${N} n ON n.seq = x.node_seq WHERE n.kind = 'dataset' AND n.name = $1`,
    datasetDeliveries: `SELECT d.name AS deliveryid, e.count FROM ${E} e JOIN ${N} d ON d.seq = e.src WHERE e.dst = $1 AND e.rel = 'contains' ORDER BY d.name`,
    datasetGroups: `SELECT g.grp, g.count, (SELECT array_agg(d.name ORDER BY d.name) FROM ${M} m JOIN ${N} d ON d.seq = m.delivery_seq
         WHERE m.dataset_seq = g.dataset_seq AND m.grp = g.grp) AS members FROM ${G} g WHERE g.dataset_seq = $1 ORDER BY g.grp`,
    datasetCountsByName: `SELECT n.name, x.record_count, x.matched_count, x.path FROM ${N} n JOIN ${DS} x ON x.node_seq = n.seq
       WHERE n.kind = 'dataset' AND n.name = ANY($1::text[])`,
    insertDataset: `INSERT INTO ${DS} (node_seq, record_root, record_set_root, record_count, file_count, matched_count, derived_at, path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    insertGroup: `INSERT INTO ${G} (dataset_seq, grp, count) VALUES ($1, $2, $3)`,
    insertMember: `INSERT INTO ${M} (dataset_seq, grp, delivery_seq) VALUES ($1, $2, $3)`,
    baseOf: `SELECT b.name FROM ${E} e JOIN ${N} b ON b.seq = e.src WHERE e.dst = $1 AND e.rel = 'fine-tuned'`,
    // Is $2 a descendant of $1 (following fine-tuned edges down)?
    isAncestor: `WITH RECURSIVE down(seq) AS (SELECT $1::bigint UNION SELECT e.dst FROM down JOIN ${E} e ON e.src = down.seq AND e.rel = 'fine-tuned')
       SELECT 1 FROM down WHERE seq = $2::bigint`,
    insertIncident: `INSERT INTO ${s}.lineage_incidents (node_seq, selector, reported_at, description) VALUES ($1, $2, $3, $4)`,
    incidentSelector: `SELECT selector FROM ${s}.lineage_incidents WHERE node_seq = $1`,
    incidentById: `SELECT i.selector, i.reported_at, i.description FROM ${s}.lineage_incidents i JOIN ${N} n ON n.seq = i.node_seq WHERE n.kind = 'incident' AND n.name = $1`,
    incidents: `SELECT n.name, i.selector, i.reported_at, i.description FROM ${s}.lineage_incidents i JOIN ${N} n ON n.seq = i.node_seq ORDER BY i.reported_at, n.name`,
    // Rows are edges, so UNION visits each reachable edge once (cycles end, no path explosion).
    downstream: `WITH RECURSIVE reach(seq, parent, rel, origin, vf, vt, cnt) AS (
         SELECT n.seq, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint FROM ${N} n
           WHERE n.kind = 'delivery' AND n.name = ANY($1::text[])
         UNION
         SELECT e.dst, e.src, e.rel, e.origin, e.valid_from, e.valid_to, e.count
           FROM reach r JOIN ${E} e ON e.src = r.seq
           WHERE e.rel IN ('contains', 'input', 'produced', 'fine-tuned', 'deployed')
       )
       SELECT n.kind, n.name, p.kind AS pkind, p.name AS pname, r.rel, r.origin, r.vf, r.vt, r.cnt
       FROM reach r JOIN ${N} n ON n.seq = r.seq JOIN ${N} p ON p.seq = r.parent`,
    tainted: `SELECT n.name, sum(g.count) AS n FROM ${G} g JOIN ${N} n ON n.seq = g.dataset_seq
       WHERE (g.dataset_seq, g.grp) IN (
         SELECT m.dataset_seq, m.grp FROM ${M} m JOIN ${N} d ON d.seq = m.delivery_seq
         WHERE d.kind = 'delivery' AND d.name = ANY($1::text[]))
       GROUP BY g.dataset_seq, n.name`,
    ancestors: `WITH RECURSIVE up(start, seq, depth) AS (
         SELECT n.seq, n.seq, 0 FROM ${N} n WHERE n.kind = 'model' AND n.name = ANY($1::text[])
         UNION
         SELECT up.start, e.src, up.depth + 1 FROM up JOIN ${E} e ON e.dst = up.seq AND e.rel = 'fine-tuned' WHERE up.depth < 1000
       )
       SELECT s.name AS model, a.name AS ancestor FROM up JOIN ${N} s ON s.seq = up.start JOIN ${N} a ON a.seq = up.seq
       WHERE up.depth > 0 ORDER BY s.name, up.depth`,
    producingRuns: `SELECT m.name AS model, r.seq, r.name, r.meta FROM ${N} m JOIN ${E} e ON e.dst = m.seq AND e.rel = 'produced'
       JOIN ${N} r ON r.seq = e.src AND r.kind = 'run'
       WHERE m.kind = 'model' AND m.name = ANY($1::text[])`,
    runInputs: `SELECT n.kind, n.name FROM ${E} e JOIN ${N} n ON n.seq = e.src WHERE e.dst = $1 AND e.rel = 'input' ORDER BY n.kind, n.name`,
    runOutputs: `SELECT n.kind, n.name FROM ${E} e JOIN ${N} n ON n.seq = e.dst WHERE e.src = $1 AND e.rel = 'produced' ORDER BY n.kind, n.name`,
    deployments: `SELECT name, meta FROM ${N} WHERE kind = 'deployment' ORDER BY seq`,
    runVendors: `WITH RECURSIVE up(start, seq) AS (
         SELECT n.seq, n.seq FROM ${N} n WHERE n.kind = 'run' AND n.name = ANY($1::text[])
         UNION
         SELECT up.start, e.src FROM up JOIN ${E} e ON e.dst = up.seq AND e.rel IN ('input', 'contains', 'produced', 'delivered')
       )
       SELECT DISTINCT s.name AS run, v.name AS vendor FROM up JOIN ${N} s ON s.seq = up.start JOIN ${N} v ON v.seq = up.seq
       WHERE v.kind = 'vendor' ORDER BY s.name, v.name`,
    // Direct training inputs of a model, its producing runs and its whole base chain (and the
    // inputs of runs that produced its input datasets).
    modelInputs: `WITH RECURSIVE up(seq) AS (
         SELECT seq FROM ${N} WHERE kind = 'model' AND name = $1
         UNION
         SELECT e.src FROM up JOIN ${E} e ON e.dst = up.seq AND e.rel IN ('produced', 'fine-tuned', 'input')
       )
       SELECT n.seq, n.kind, n.name FROM up JOIN ${N} n ON n.seq = up.seq WHERE n.kind IN ('dataset', 'delivery') ORDER BY n.kind, n.name`,
    deliveryVendorCount: `SELECT l.vendor, d.record_count AS n FROM ${LD} l JOIN ${D} d ON d.seq = l.delivery_seq WHERE l.node_seq = $1`,
    datasetCounts: `SELECT record_count, matched_count FROM ${DS} WHERE node_seq = $1`,
    groupVendors: `SELECT g.count, (SELECT array_agg(DISTINCT l.vendor ORDER BY l.vendor) FROM ${M} m JOIN ${LD} l ON l.node_seq = m.delivery_seq
         WHERE m.dataset_seq = g.dataset_seq AND m.grp = g.grp) AS vendors FROM ${G} g WHERE g.dataset_seq = $1 ORDER BY g.grp`,
    models: `SELECT m.name, (SELECT b.name FROM ${E} e JOIN ${N} b ON b.seq = e.src WHERE e.dst = m.seq AND e.rel = 'fine-tuned') AS base, m.meta
       FROM ${N} m WHERE m.kind = 'model' ORDER BY m.name`,
    upsertPause: `INSERT INTO ${s}.lineage_vendor_pauses (vendor, paused_at, reason) VALUES ($1, $2, $3)
       ON CONFLICT (vendor) DO UPDATE SET paused_at = excluded.paused_at, reason = excluded.reason`,
    deletePause: `DELETE FROM ${s}.lineage_vendor_pauses WHERE vendor = $1`,
    pauses: `SELECT vendor, paused_at, reason FROM ${s}.lineage_vendor_pauses ORDER BY vendor`,
    upsertEvidence: `INSERT INTO ${s}.lineage_evidence (delivery_seq, logged, witnessed, records, findings, verdict, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (delivery_seq) DO UPDATE SET logged = excluded.logged, witnessed = excluded.witnessed, records = excluded.records,
         findings = excluded.findings, verdict = excluded.verdict, recorded_at = excluded.recorded_at`,
    evidence: `SELECT d.id, e.* FROM ${s}.lineage_evidence e JOIN ${D} d ON d.seq = e.delivery_seq ORDER BY d.seq`,
  };
}
