/**
 * PostgreSQL implementation of the transparency-log storage (LogStorage from tlog/), on `pg`.
 * Each batch is one transaction on one client, serialized across processes by an advisory lock
 * keyed by the schema: the size check and the writes cannot interleave with another sequencer's,
 * and a process killed mid-batch leaves an aborted transaction, so the stored tree is always a
 * whole number of batches with its matching checkpoint. One log per schema.
 */
import type pg from 'pg';
import { ProvenantError } from '../../core/index.js';
import {
  LOG_SERVICE_ERROR_CODES as C,
  LogServiceError,
  type AppendBatch,
  type LogStorage,
  type NodeId,
  type StoredCheckpoint,
  type WitnessState,
} from '../../tlog/index.js';
import {
  advisoryKey,
  checkout,
  classifyPgError,
  describePool,
  errorCode,
  failureAdvice,
  ident,
  isSchemaName,
  openPool,
  POSTGRES_URL,
  redactUrl,
} from '../postgres/connection.js';
import { DEFAULT_PG_LOG_SCHEMA } from '../postgres/url.js';

/** Options of the PostgreSQL log storage: a URL (it owns its pool) or a caller's pool. */
export type PostgresLogStorageOptions = (
  | { readonly url: string; readonly pool?: undefined; readonly connectTimeoutMs?: number }
  | { readonly pool: pg.Pool; readonly url?: undefined }
) & {
  /** Schema holding this log's tables (created if missing); default 'provenant_log'. */
  readonly schema?: string;
};

const SCHEMA_VERSION = 1;
// Marks the version table as ours so a schema of another program is refused, not written into.
const LOG_MARK = 'provenant transparency log';

const SCHEMA = `
CREATE TABLE log_schema_version (version integer PRIMARY KEY, applied_at text NOT NULL);
COMMENT ON TABLE log_schema_version IS '${LOG_MARK}';
CREATE TABLE log_entries (idx bigint PRIMARY KEY, data bytea NOT NULL);
CREATE TABLE log_nodes (level integer NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx));
CREATE TABLE log_checkpoint (id integer PRIMARY KEY CHECK (id = 1), size bigint NOT NULL, root bytea NOT NULL, note text NOT NULL);
CREATE TABLE witness_state (origin text COLLATE "C" PRIMARY KEY, size bigint NOT NULL, root bytea NOT NULL, note text NOT NULL);
`;

function logError(err: unknown, where: string): ProvenantError {
  if (err instanceof ProvenantError) return err;
  const kind = classifyPgError(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new LogServiceError(C.STORE_FAILURE, `log store: ${failureAdvice(kind, where, detail)}`, {
    cause: err,
    kind: kind === 'failure' || kind === 'busy' ? 'internal' : 'input',
    location: { file: where },
    details: { engine: errorCode(err) || detail, reason: kind },
  });
}

const asBuf = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));

function safe(v: string | number, where: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new LogServiceError(C.STORE_CORRUPT, `log store holds an out-of-range size or index ${String(v)}; restore it from a backup`, { location: { file: where } });
  }
  return n;
}

/** Opens (creating the schema if needed) a PostgreSQL log store. */
export async function createPostgresLogStorage(options: PostgresLogStorageOptions): Promise<LogStorage> {
  const schema = options.schema ?? DEFAULT_PG_LOG_SCHEMA;
  if (!isSchemaName(schema)) {
    throw new LogServiceError(C.STORE_FAILURE, `PostgreSQL schema ${JSON.stringify(schema)} is not a lower-case identifier (a-z, 0-9, _; not pg_*); pick another name`);
  }
  let pool: pg.Pool;
  let where: string;
  const owned = options.pool === undefined;
  if (options.pool !== undefined) {
    pool = options.pool;
    where = describePool(pool);
  } else {
    if (typeof options.url !== 'string' || !POSTGRES_URL.test(options.url)) {
      throw new LogServiceError(C.STORE_FAILURE, `log store URL ${redactUrl(String(options.url))} is not a postgres:// or postgresql:// URL; fix it`);
    }
    where = redactUrl(options.url);
    try {
      pool = openPool(options.url, {
        applicationName: 'provenant-log',
        max: 3,
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      });
    } catch (err) {
      throw logError(err, where);
    }
  }
  if (schema !== DEFAULT_PG_LOG_SCHEMA) where = `${where} (schema ${schema})`;
  try {
    await init(pool, schema, where);
  } catch (err) {
    if (owned) await pool.end().catch(() => undefined);
    throw logError(err, where);
  }
  return new PostgresLogStorage(pool, owned, schema, where);
}

/** Creates the tables once, under an advisory lock; refuses a schema that is not a Provenant log. */
async function init(pool: pg.Pool, schema: string, where: string): Promise<void> {
  const { client, release } = await checkout(pool);
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey('provenant-log-migrate', schema)]);
      const tables = await client.query<{ name: string; mark: string | null }>(
        `SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS mark
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
        [schema],
      );
      const marker = tables.rows.find((r) => r.name === 'log_schema_version');
      if ((marker === undefined && tables.rows.length > 0) || (marker !== undefined && marker.mark !== LOG_MARK)) {
        throw new LogServiceError(C.STORE_CORRUPT, `PostgreSQL schema ${schema} at ${where} holds tables of another program, not a Provenant log; pick another schema`, {
          location: { file: where },
        });
      }
      if (marker === undefined) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
        await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
        await client.query(SCHEMA);
        await client.query('INSERT INTO log_schema_version (version, applied_at) VALUES ($1, $2)', [SCHEMA_VERSION, new Date().toISOString()]);
      } else {
        const v = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${ident(schema)}.log_schema_version`);
        const version = v.rows[0]?.v ?? 0;
        if (version > SCHEMA_VERSION) {
          throw new LogServiceError(C.STORE_CORRUPT, `log store has schema version ${version}, newer than this Provenant knows (${SCHEMA_VERSION}); upgrade Provenant`, {
            location: { file: where },
          });
        }
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    }
  } finally {
    release(broken);
  }
}

class PostgresLogStorage implements LogStorage {
  readonly backend = 'postgres';
  private closed = false;
  private readonly sql;
  private readonly lockKey: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    schema: string,
    private readonly where: string,
  ) {
    const s = ident(schema);
    this.lockKey = advisoryKey('provenant-log-append', schema);
    this.sql = {
      checkpoint: `SELECT size, root, note FROM ${s}.log_checkpoint WHERE id = 1`,
      insertEntries: `INSERT INTO ${s}.log_entries (idx, data) SELECT * FROM unnest($1::bigint[], $2::bytea[])`,
      insertNodes: `INSERT INTO ${s}.log_nodes (level, idx, hash) SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bytea[])`,
      putCheckpoint: `INSERT INTO ${s}.log_checkpoint (id, size, root, note) VALUES (1, $1, $2, $3)
        ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note`,
      readNodes: `SELECT n.level, n.idx, n.hash FROM ${s}.log_nodes n
        JOIN unnest($1::integer[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
      readEntries: `SELECT idx, data FROM ${s}.log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
      replaceNote: `UPDATE ${s}.log_checkpoint SET note = $1 WHERE id = 1 AND size = $2 AND root = $3`,
      getWitness: `SELECT origin, size, root, note FROM ${s}.witness_state WHERE origin = $1`,
      insertWitness: `INSERT INTO ${s}.witness_state (origin, size, root, note) VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO NOTHING`,
      updateWitness: `UPDATE ${s}.witness_state SET size = $1, root = $2, note = $3 WHERE origin = $4 AND size = $5 AND root = $6`,
    };
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new LogServiceError(C.CLOSED, 'log store was used after close()', { kind: 'internal' });
    try {
      return await fn();
    } catch (err) {
      throw logError(err, this.where);
    }
  }

  appendBatch(batch: AppendBatch): Promise<void> {
    return this.guard(async () => {
      const { client, release } = await checkout(this.pool);
      let broken = false;
      try {
        await client.query('BEGIN');
        try {
          // Taken before the size check, so two sequencers cannot both pass it.
          await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
          const row = (await client.query<{ size: string }>(this.sql.checkpoint)).rows[0];
          const current = row === undefined ? 0 : safe(row.size, this.where);
          if (current !== batch.startIndex || batch.checkpoint.size !== batch.startIndex + batch.entries.length) {
            throw new LogServiceError(C.STORE_CONFLICT, `log store holds ${current} entries but the batch starts at ${batch.startIndex}; another writer appended to this log`, {
              kind: 'internal',
              details: { stored: current, startIndex: batch.startIndex },
            });
          }
          if (batch.entries.length > 0) {
            await client.query(this.sql.insertEntries, [batch.entries.map((_, i) => batch.startIndex + i), batch.entries.map(asBuf)]);
          }
          if (batch.nodes.length > 0) {
            await client.query(this.sql.insertNodes, [batch.nodes.map((n) => n.level), batch.nodes.map((n) => n.index), batch.nodes.map((n) => asBuf(n.hash))]);
          }
          await client.query(this.sql.putCheckpoint, [batch.checkpoint.size, asBuf(batch.checkpoint.rootHash), batch.checkpoint.note]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => (broken = true));
          throw err;
        }
      } finally {
        release(broken);
      }
    });
  }

  readNodes(ids: readonly NodeId[]): Promise<(Buffer | undefined)[]> {
    return this.guard(async () => {
      if (ids.length === 0) return [];
      // One statement, so the batch comes from a single snapshot.
      const rows = (await this.pool.query<{ level: number; idx: string; hash: Buffer }>(this.sql.readNodes, [ids.map((n) => n.level), ids.map((n) => n.index)])).rows;
      const byId = new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
      return ids.map((n) => byId.get(`${n.level}/${n.index}`));
    });
  }

  readEntries(start: number, count: number): Promise<Buffer[]> {
    return this.guard(async () => {
      const rows = (await this.pool.query<{ idx: string; data: Buffer }>(this.sql.readEntries, [start, start + count])).rows;
      if (rows.length !== count) {
        throw new LogServiceError(C.STORE_FAILURE, `log store is missing entries in [${start}, ${start + count})`, { kind: 'internal' });
      }
      return rows.map((r) => r.data);
    });
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.guard(async () => {
      const row = (await this.pool.query<{ size: string; root: Buffer; note: string }>(this.sql.checkpoint)).rows[0];
      return row === undefined ? undefined : { size: safe(row.size, this.where), rootHash: row.root, note: row.note };
    });
  }

  replaceCheckpointNote(size: number, rootHash: Uint8Array, note: string): Promise<boolean> {
    return this.guard(async () => (await this.pool.query(this.sql.replaceNote, [note, size, asBuf(rootHash)])).rowCount === 1);
  }

  getWitnessState(origin: string): Promise<WitnessState | undefined> {
    return this.guard(async () => {
      const row = (await this.pool.query<{ origin: string; size: string; root: Buffer; note: string }>(this.sql.getWitness, [origin])).rows[0];
      return row === undefined ? undefined : { origin: row.origin, size: safe(row.size, this.where), rootHash: row.root, note: row.note };
    });
  }

  compareAndSetWitnessState(expected: { readonly size: number; readonly rootHash: Uint8Array } | undefined, next: WitnessState): Promise<boolean> {
    // Each branch is one statement, atomic on its own: the insert loses to an existing row, the
    // update matches only the expected state.
    return this.guard(async () => {
      const res =
        expected === undefined
          ? await this.pool.query(this.sql.insertWitness, [next.origin, next.size, asBuf(next.rootHash), next.note])
          : await this.pool.query(this.sql.updateWitness, [next.size, asBuf(next.rootHash), next.note, next.origin, expected.size, asBuf(expected.rootHash)]);
      return res.rowCount === 1;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end().catch(() => undefined);
  }
}
