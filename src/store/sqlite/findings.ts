/**
 * The findings part of the SQLite store (migration 3): lineage's FindingIndex over the `findings`
 * table, on its own connection to the store file (as the lineage part does, for the same reason:
 * the driver keeps its connection private). Every write is one synchronous transaction, so it
 * never holds the write lock across an await.
 */
import Database from 'better-sqlite3';
import { ProvenantError } from '../../core/index.js';
import type { FindingIndex, StoredFinding } from '../../lineage/index.js';
import { StoreError } from '../errors.js';
import { createSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

/** FindingIndex on a SQLite store file; close it when done. */
export interface SqliteFindingStore extends FindingIndex {
  readonly location: string;
  close(): Promise<void>;
}

interface FindingRow {
  detector: string;
  rule: string;
  severity: string;
  confidence: number;
  file: string;
  idx: number;
  field: string | null;
  message: string;
}

/** Opens (and migrates) the store at `options.path` and returns its findings index. File stores only. */
export async function createSqliteFindingStore(options: SqliteStoreOptions): Promise<SqliteFindingStore> {
  if (options.path === ':memory:') {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'the findings index needs a database file, not :memory:; pass a file path', { kind: 'internal' });
  }
  // Opening the driver once applies any pending migration (findings arrive in migration 3).
  const inner = await createSqliteStore(options);
  const location = inner.location;
  await inner.close();
  let db: Database.Database;
  try {
    db = new Database(location, { timeout: options.busyTimeoutMs ?? 5000 });
    db.pragma('foreign_keys = ON');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  } catch (err) {
    throw mapError(err, location);
  }
  const s = {
    seq: db.prepare('SELECT seq FROM deliveries WHERE id = ?').pluck(),
    list: db.prepare('SELECT detector, rule, severity, confidence, file, idx, field, message FROM findings WHERE delivery_seq = ? ORDER BY n'),
    del: db.prepare('DELETE FROM findings WHERE delivery_seq = ?'),
    ins: db.prepare('INSERT INTO findings (delivery_seq, n, detector, rule, severity, confidence, file, idx, field, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    byDetector: db.prepare('SELECT DISTINCT d.id FROM findings f JOIN deliveries d ON d.seq = f.delivery_seq WHERE f.detector = ? ORDER BY d.id').pluck(),
    byRule: db.prepare('SELECT DISTINCT d.id FROM findings f JOIN deliveries d ON d.seq = f.delivery_seq WHERE f.detector = ? AND f.rule = ? ORDER BY d.id').pluck(),
  };
  const toFinding = (r: FindingRow): StoredFinding => ({
    detector: r.detector,
    rule: r.rule,
    severity: r.severity,
    confidence: r.confidence,
    file: r.file,
    index: r.idx,
    ...(r.field !== null ? { field: r.field } : {}),
    message: r.message,
  });
  const seqOf = (deliveryId: string): number => {
    const seq = s.seq.get(deliveryId) as number | undefined;
    if (seq === undefined) throw new StoreError('STORE_INVALID_ARGUMENT', `delivery ${JSON.stringify(deliveryId)} is not in the store; register its seal before its findings`, { kind: 'internal' });
    return seq;
  };
  let closed = false;
  const guard = <T>(fn: () => T): Promise<T> => {
    if (closed) return Promise.reject(new StoreError('STORE_CLOSED', 'the findings index is closed', { kind: 'internal' }));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(mapError(err, location));
    }
  };
  const replace = db.transaction((seq: number, findings: readonly StoredFinding[]): boolean => {
    const current = (s.list.all(seq) as FindingRow[]).map(toFinding);
    if (sameFindings(current, findings)) return false;
    s.del.run(seq);
    findings.forEach((f, n) => s.ins.run(seq, n, f.detector, f.rule, f.severity, f.confidence, f.file, f.index, f.field ?? null, f.message));
    return true;
  });
  return {
    location,
    putFindings: (deliveryId, findings) => guard(() => ({ changed: replace.immediate(seqOf(deliveryId), findings) })),
    getFindings: (deliveryId) => guard(() => (s.list.all(seqOf(deliveryId)) as FindingRow[]).map(toFinding)),
    deliveriesWithFindings: (detector, rule) => guard(() => (rule === undefined ? s.byDetector.all(detector) : s.byRule.all(detector, rule)) as string[]),
    close: async () => {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function sameFindings(a: readonly StoredFinding[], b: readonly StoredFinding[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i] as StoredFinding;
    return (
      x.detector === y.detector &&
      x.rule === y.rule &&
      x.severity === y.severity &&
      x.confidence === y.confidence &&
      x.file === y.file &&
      x.index === y.index &&
      (x.field ?? null) === (y.field ?? null) &&
      x.message === y.message
    );
  });
}

function mapError(err: unknown, location: string): ProvenantError {
  if (err instanceof ProvenantError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const detail = err instanceof Error ? err.message : String(err);
  const opts = { cause: err, location: { file: location }, details: { engine: code || detail } };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('STORE_BUSY', 'store is locked by another Provenant process; wait for it to finish and retry', { ...opts, kind: 'internal' });
  }
  return new StoreError('STORE_FAILURE', `findings operation failed: ${detail}`, { ...opts, kind: 'internal' });
}
