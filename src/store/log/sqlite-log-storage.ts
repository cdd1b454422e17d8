/**
 * SQLite implementation of the transparency-log storage (LogStorage from tlog/), on
 * better-sqlite3. WAL journal; each batch is one IMMEDIATE transaction, so a process killed
 * mid-batch leaves only uncommitted WAL frames, which SQLite discards on the next open: the
 * stored tree is always a whole number of batches with its matching checkpoint.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
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

/** Options of the SQLite log storage. */
export interface SqliteLogStorageOptions {
  /** Database file; its folder is created with mode 0700, a new file with mode 0600. */
  readonly path: string;
  /**
   * 'full' (default) fsyncs the WAL at every commit, so an add reported sequenced survives power
   * loss, not only a crash; 'normal' is for throw-away logs (tests, benchmarks).
   */
  readonly synchronous?: 'full' | 'normal';
  /** How long a write waits for another process's lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

const SCHEMA_VERSION = 1;
// 'PvLg' in ASCII: marks the file as a Provenant log so a foreign database is refused.
const APPLICATION_ID = 0x50764c67;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log_entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log_nodes (
  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_state (
  origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL
);
`;

function storeError(err: unknown, file: string): ProvenantError {
  if (err instanceof ProvenantError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const detail = err instanceof Error ? err.message : String(err);
  const corrupt = code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
  return new LogServiceError(
    corrupt ? C.STORE_CORRUPT : C.STORE_FAILURE,
    corrupt
      ? `log store is not a Provenant log database or is damaged (${detail}); restore it from a backup`
      : `log store operation failed (${detail}); check the path, its permissions and free space`,
    { cause: err, kind: corrupt ? 'input' : 'internal', location: { file }, details: { engine: code || detail } },
  );
}

/** better-sqlite3 binds Buffers, not plain Uint8Arrays. */
const asBuf = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));

interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
}

/** Opens (creating if needed) a SQLite log store. */
export async function createSqliteLogStorage(options: SqliteLogStorageOptions): Promise<LogStorage> {
  return Promise.resolve(openSqliteLogStorage(options));
}

function openSqliteLogStorage(options: SqliteLogStorageOptions): LogStorage {
  const file = resolve(options.path);
  let db: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    db = new Database(file);
  } catch (err) {
    throw storeError(err, file);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (appId !== APPLICATION_ID && (appId !== 0 || tables.n > 0)) {
      throw new LogServiceError(C.STORE_CORRUPT, 'file is a database of another program, not a Provenant log; pick another directory', {
        location: { file },
      });
    }
    if (version > SCHEMA_VERSION) {
      throw new LogServiceError(C.STORE_CORRUPT, `log store has schema version ${version}, newer than this Provenant knows (${SCHEMA_VERSION}); upgrade Provenant`, {
        location: { file },
      });
    }
    db.exec('BEGIN IMMEDIATE');
    db.exec(SCHEMA);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    throw storeError(err, file);
  }
  return new SqliteLogStorage(db, file);
}

class SqliteLogStorage implements LogStorage {
  readonly backend = 'sqlite';
  private closed = false;
  private readonly s;
  private readonly appendTx;
  private readonly casTx;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {
    this.s = {
      insertEntry: db.prepare('INSERT INTO log_entries (idx, data) VALUES (?, ?)'),
      insertNode: db.prepare('INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)'),
      getNode: db.prepare('SELECT hash FROM log_nodes WHERE level = ? AND idx = ?').pluck(),
      getEntries: db.prepare('SELECT idx, data FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx'),
      getCheckpoint: db.prepare('SELECT size, root, note FROM log_checkpoint WHERE id = 1'),
      putCheckpoint: db.prepare(
        'INSERT INTO log_checkpoint (id, size, root, note) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note',
      ),
      replaceNote: db.prepare('UPDATE log_checkpoint SET note = ? WHERE id = 1 AND size = ? AND root = ?'),
      getWitness: db.prepare('SELECT origin, size, root, note FROM witness_state WHERE origin = ?'),
      insertWitness: db.prepare('INSERT INTO witness_state (origin, size, root, note) VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO NOTHING'),
      updateWitness: db.prepare('UPDATE witness_state SET size = ?, root = ?, note = ? WHERE origin = ? AND size = ? AND root = ?'),
    };
    this.appendTx = db.transaction((batch: AppendBatch) => {
      const row = this.s.getCheckpoint.get() as CheckpointRow | undefined;
      const current = row?.size ?? 0;
      if (current !== batch.startIndex || batch.checkpoint.size !== batch.startIndex + batch.entries.length) {
        throw new LogServiceError(C.STORE_CONFLICT, `log store holds ${current} entries but the batch starts at ${batch.startIndex}; another writer appended to this log`, {
          kind: 'internal',
          details: { stored: current, startIndex: batch.startIndex },
        });
      }
      batch.entries.forEach((e, i) => this.s.insertEntry.run(batch.startIndex + i, asBuf(e)));
      for (const n of batch.nodes) this.s.insertNode.run(n.level, n.index, n.hash);
      this.s.putCheckpoint.run(batch.checkpoint.size, asBuf(batch.checkpoint.rootHash), batch.checkpoint.note);
    });
    this.casTx = db.transaction((expected: { size: number; rootHash: Uint8Array } | undefined, next: WitnessState): boolean => {
      if (expected === undefined) {
        return this.s.insertWitness.run(next.origin, next.size, asBuf(next.rootHash), next.note).changes === 1;
      }
      return this.s.updateWitness.run(next.size, asBuf(next.rootHash), next.note, next.origin, expected.size, asBuf(expected.rootHash)).changes === 1;
    });
  }

  private guard<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new LogServiceError(C.CLOSED, 'log store was used after close()', { kind: 'internal' }));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(storeError(err, this.file));
    }
  }

  appendBatch(batch: AppendBatch): Promise<void> {
    // IMMEDIATE takes the write lock before the size check, so two processes cannot both pass it.
    return this.guard(() => this.appendTx.immediate(batch));
  }

  readNodes(ids: readonly NodeId[]): Promise<(Buffer | undefined)[]> {
    return this.guard(() => {
      // One read transaction so a batch of nodes comes from a single snapshot.
      return this.db.transaction(() => ids.map((n) => this.s.getNode.get(n.level, n.index) as Buffer | undefined))();
    });
  }

  readEntries(start: number, count: number): Promise<Buffer[]> {
    return this.guard(() => {
      const rows = this.s.getEntries.all(start, start + count) as { idx: number; data: Buffer }[];
      if (rows.length !== count) {
        throw new LogServiceError(C.STORE_FAILURE, `log store is missing entries in [${start}, ${start + count})`, { kind: 'internal' });
      }
      return rows.map((r) => r.data);
    });
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.guard(() => {
      const row = this.s.getCheckpoint.get() as CheckpointRow | undefined;
      return row === undefined ? undefined : { size: row.size, rootHash: row.root, note: row.note };
    });
  }

  replaceCheckpointNote(size: number, rootHash: Uint8Array, note: string): Promise<boolean> {
    return this.guard(() => this.s.replaceNote.run(note, size, asBuf(rootHash)).changes === 1);
  }

  getWitnessState(origin: string): Promise<WitnessState | undefined> {
    return this.guard(() => {
      const row = this.s.getWitness.get(origin) as { origin: string; size: number; root: Buffer; note: string } | undefined;
      return row === undefined ? undefined : { origin: row.origin, size: row.size, rootHash: row.root, note: row.note };
    });
  }

  compareAndSetWitnessState(expected: { readonly size: number; readonly rootHash: Uint8Array } | undefined, next: WitnessState): Promise<boolean> {
    return this.guard(() => this.casTx.immediate(expected, next));
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }
}
