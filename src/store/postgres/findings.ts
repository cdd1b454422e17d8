/**
 * The findings part of the PostgreSQL store (migration 3): lineage's FindingIndex over the
 * `findings` table, with the semantics of the SQLite one (src/store/sqlite/findings.ts). A
 * replacement is one transaction that locks the delivery's row first, so two processes storing
 * the findings of one delivery at once serialize and the second sees the first's rows.
 */
import type pg from 'pg';
import type { FindingIndex, StoredFinding } from '../../lineage/index.js';
import { StoreError } from '../errors.js';
import { checkout, ident } from './connection.js';
import { poolFor } from './lineage.js';
import { createPostgresStore, pgStoreError, type PostgresStoreOptions } from './postgres-store.js';

/** FindingIndex on a PostgreSQL store; close it when done. */
export interface PostgresFindingStore extends FindingIndex {
  readonly location: string;
  close(): Promise<void>;
}

interface FindingRow {
  detector: string;
  rule: string;
  severity: string;
  confidence: number;
  file: string;
  idx: string;
  field: string | null;
  message: string;
}

/** Opens (and migrates) the store and returns its findings index. */
export async function createPostgresFindingStore(options: PostgresStoreOptions): Promise<PostgresFindingStore> {
  const { pool, owned, schema } = poolFor(options, 'provenant');
  let location: string;
  try {
    // Opening the driver once applies any pending migration (findings arrive in migration 3).
    const inner = await createPostgresStore({ pool, schema });
    location = inner.location;
    await inner.close();
  } catch (err) {
    if (owned) await pool.end().catch(() => undefined);
    throw err;
  }
  const s = ident(schema);
  const sql = {
    seq: `SELECT seq FROM ${s}.deliveries WHERE id = $1`,
    lockSeq: `SELECT seq FROM ${s}.deliveries WHERE id = $1 FOR UPDATE`,
    list: `SELECT detector, rule, severity, confidence, file, idx, field, message FROM ${s}.findings WHERE delivery_seq = $1 ORDER BY n`,
    del: `DELETE FROM ${s}.findings WHERE delivery_seq = $1`,
    ins: `INSERT INTO ${s}.findings (delivery_seq, n, detector, rule, severity, confidence, file, idx, field, message)
      SELECT $1, t.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[], $8::bigint[], $9::text[], $10::text[]) AS t`,
    byDetector: `SELECT DISTINCT d.id FROM ${s}.findings f JOIN ${s}.deliveries d ON d.seq = f.delivery_seq WHERE f.detector = $1 ORDER BY d.id`,
    byRule: `SELECT DISTINCT d.id FROM ${s}.findings f JOIN ${s}.deliveries d ON d.seq = f.delivery_seq WHERE f.detector = $1 AND f.rule = $2 ORDER BY d.id`,
  };
  const toFinding = (r: FindingRow): StoredFinding => ({
    detector: r.detector,
    rule: r.rule,
    severity: r.severity,
    confidence: r.confidence,
    file: r.file,
    index: Number(r.idx),
    ...(r.field !== null ? { field: r.field } : {}),
    message: r.message,
  });
  const notFound = (deliveryId: string) =>
    new StoreError('STORE_INVALID_ARGUMENT', `delivery ${JSON.stringify(deliveryId)} is not in the store; register its seal before its findings`, { kind: 'internal' });
  let closed = false;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) throw new StoreError('STORE_CLOSED', 'the findings index is closed', { kind: 'internal' });
    try {
      return await fn();
    } catch (err) {
      throw pgStoreError(err, location);
    }
  };
  const replace = async (deliveryId: string, findings: readonly StoredFinding[]): Promise<boolean> => {
    for (const f of findings) {
      for (const t of [f.detector, f.rule, f.severity, f.file, f.field, f.message]) {
        if (t !== undefined && t.includes('\u0000')) throw new StoreError('STORE_INVALID_ARGUMENT', 'a finding contains a NUL character, which PostgreSQL text cannot hold; remove it');
      }
    }
    const { client, release } = await checkout(pool);
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        const seq = (await client.query<{ seq: string }>(sql.lockSeq, [deliveryId])).rows[0]?.seq;
        if (seq === undefined) throw notFound(deliveryId);
        const current = (await client.query<FindingRow>(sql.list, [seq])).rows.map(toFinding);
        if (sameFindings(current, findings)) {
          await client.query('COMMIT');
          return false;
        }
        await client.query(sql.del, [seq]);
        if (findings.length > 0) {
          const col = <T>(fn: (f: StoredFinding, n: number) => T): T[] => findings.map(fn);
          await client.query(sql.ins, [
            seq,
            col((_f, n) => n),
            col((f) => f.detector),
            col((f) => f.rule),
            col((f) => f.severity),
            col((f) => f.confidence),
            col((f) => f.file),
            col((f) => f.index),
            col((f) => f.field ?? null),
            col((f) => f.message),
          ]);
        }
        await client.query('COMMIT');
        return true;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw err;
      }
    } finally {
      release(broken);
    }
  };
  const q = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> => (await pool.query<R>(text, values)).rows;
  return {
    location,
    putFindings: (deliveryId, findings) => guard(async () => ({ changed: await replace(deliveryId, findings) })),
    getFindings: (deliveryId) =>
      guard(async () => {
        const seq = (await q<{ seq: string }>(sql.seq, [deliveryId]))[0]?.seq;
        if (seq === undefined) throw notFound(deliveryId);
        return (await q<FindingRow>(sql.list, [seq])).map(toFinding);
      }),
    deliveriesWithFindings: (detector, rule) => guard(async () => (await q<{ id: string }>(rule === undefined ? sql.byDetector : sql.byRule, rule === undefined ? [detector] : [detector, rule])).map((r) => r.id)),
    close: async () => {
      if (closed) return;
      closed = true;
      if (owned) await pool.end().catch(() => undefined);
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
