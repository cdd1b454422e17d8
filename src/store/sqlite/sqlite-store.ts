/**
 * SQLite driver of the Store contract, on better-sqlite3 (synchronous, in-process).
 *
 * Atomicity across an async records stream: better-sqlite3's db.transaction() cannot span awaits,
 * so putDelivery issues BEGIN IMMEDIATE / COMMIT itself and ROLLBACK on any error. A process killed
 * in between leaves only uncommitted WAL frames, which SQLite discards on the next open (WAL
 * recovery ignores frames after the last commit frame). Because the connection is shared, every
 * operation goes through a small gate: writes run one at a time, and reads wait until no write
 * transaction is open, so nobody reads another call's uncommitted rows.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ProvenantError } from '../../core/index.js';
import { StoreError } from '../errors.js';
import type { StoreErrorCode } from '../errors.js';
import { checkDelivery, checkRecordRef, checkRecordSource, digestBuffer, sealedDifferences } from '../validate.js';
import type {
  DeliveryFilter,
  DeliveryRecord,
  DigestInput,
  PutDeliveryResult,
  RecordLocation,
  RecordMatch,
  RecordSource,
  Store,
  VerificationEvent,
} from '../types.js';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, SCHEMA_VERSION_TABLE } from './migrations.js';
import { WriteGate } from '../write-gate.js';

type Db = Database.Database;
type Stmt = Database.Statement<unknown[], unknown>;

/** Options of the SQLite driver. */
export interface SqliteStoreOptions {
  /** Database file; its folder is created (mode 0700) and a new file is created with mode 0600. */
  readonly path: string;
  /**
   * 'full' (default) fsyncs the WAL on every commit, so a delivery reported stored survives power
   * loss, not only a crash. One commit per delivery makes the cost negligible. 'normal' is for
   * throw-away stores (tests, benchmarks).
   */
  readonly synchronous?: 'full' | 'normal';
  /** How long a write waits for another process's write lock before STORE_BUSY (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Page cache in MiB (default 64): keeps the digest index hot while 10^6 records go in. */
  readonly cacheSizeMiB?: number;
}

/** Digests per IN (...) lookup. */
const LOOKUP_BATCH = 500;

interface DeliveryRow {
  seq: number;
  id: string;
  vendor: string;
  client: string;
  status: string;
  envelope_sha256: string;
  statement_sha256: string | null;
  record_root: string;
  record_set_root: string;
  record_count: number;
  file_count: number;
  key_id: string;
  sealed_at: string;
  verified_at: string | null;
  path: string | null;
  meta: string;
}

interface LocationRow {
  digest: Buffer;
  deliveryId: string;
  file: string;
  idx: number;
}

function isSqliteError(err: unknown): err is Error & { code: string } {
  return err instanceof Database.SqliteError;
}

/** Maps engine and file-system errors to coded StoreErrors; ProvenantErrors pass through. */
function toStoreError(err: unknown, location: string): ProvenantError {
  if (err instanceof ProvenantError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const detail = err instanceof Error ? err.message : String(err);
  const make = (c: StoreErrorCode, msg: string, kind: 'input' | 'internal') =>
    new StoreError(c, msg, { cause: err, kind, location: { file: location }, details: { engine: code || detail } });
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return make(
      'STORE_CORRUPT',
      `store file is not a Provenant database or is damaged (${detail}); move it aside (or set PROVENANT_HOME to another folder) and run again, restoring it from a backup if it held data`,
      'input',
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return make('STORE_BUSY', 'store is locked by another Provenant process; wait for it to finish and retry', 'internal');
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_PERM' ||
    /^E[A-Z]+$/.test(code)
  ) {
    return make('STORE_IO', `cannot open or write the store (${detail}); check the path, its permissions and free space`, 'input');
  }
  return make('STORE_FAILURE', `store operation failed: ${detail}`, 'internal');
}

/** Opens (creating and migrating if needed) a SQLite store. */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  return Promise.resolve(SqliteStore.open(options));
}

class SqliteStore implements Store {
  readonly backend = 'sqlite';
  readonly location: string;
  private readonly db: Db;
  private closed = false;
  /** One writer at a time; reads wait while a write is open. */
  private readonly gate = new WriteGate();
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly listCache = new Map<string, Stmt>();

  private constructor(db: Db, location: string) {
    this.db = db;
    this.location = location;
    this.s = prepareStatements(db);
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    const memory = options.path === ':memory:';
    const location = memory ? options.path : resolve(options.path);
    let db: Db | undefined;
    try {
      if (!memory) {
        mkdirSync(dirname(location), { recursive: true, mode: 0o700 });
        // Create the file ourselves so it is private from the first byte: it names vendors and
        // clients. SQLite gives the -wal and -shm files the same permissions as the main file.
        closeSync(openSync(location, 'a', 0o600));
      }
      db = new Database(location, { timeout: options.busyTimeoutMs ?? 5000 });
      // Read-only checks first: the first statement reads the header (a non-SQLite file fails
      // here with SQLITE_NOTADB), and a file that is not ours must be left byte-for-byte as it was,
      // which switching it to WAL would not do.
      checkIdentity(db, location);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma('foreign_keys = ON');
      db.pragma(`cache_size = ${-1024 * Math.max(1, Math.floor(options.cacheSizeMiB ?? 64))}`);
      // A 10^6-record delivery grows the WAL past 100 MB; give the space back after checkpoints.
      db.pragma('journal_size_limit = 67108864');
      migrate(db, location);
      return new SqliteStore(db, location);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // Closing a half-opened handle can fail too; the original error is the one to report.
      }
      throw toStoreError(err, location);
    }
  }

  // ---- gate -------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) {
      throw new StoreError('STORE_CLOSED', 'store is closed; open it again before using it', {
        kind: 'internal',
        location: { file: this.location },
      });
    }
  }

  /** Runs a synchronous read once no write transaction is open (checked right before running). */
  private async read<T>(fn: () => T): Promise<T> {
    await this.gate.idle();
    this.assertOpen();
    try {
      return fn();
    } catch (err) {
      throw toStoreError(err, this.location);
    }
  }

  /** Runs `fn` as the only writer; later writes queue behind it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.gate.exclusive(() => this.assertOpen(), fn);
  }

  // ---- writes -----------------------------------------------------------------------------

  async putDelivery(delivery: DeliveryRecord, records: RecordSource): Promise<PutDeliveryResult> {
    this.assertOpen();
    const { metaJson } = checkDelivery(delivery);
    checkRecordSource(records);
    return this.exclusive(async () => {
      try {
        this.s.begin.run();
      } catch (err) {
        throw toStoreError(err, this.location);
      }
      try {
        const result = await this.putInTransaction(delivery, metaJson, records);
        this.s.commit.run();
        return result;
      } catch (err) {
        // Some engine errors (SQLITE_FULL, SQLITE_IOERR) already rolled back for us.
        if (this.db.inTransaction) {
          try {
            this.s.rollback.run();
          } catch {
            // A failed ROLLBACK leaves SQLite to roll back on the next open; report the first error.
          }
        }
        // The records source's own errors (a reader's parse error...) reach the caller unchanged.
        throw isSqliteError(err) ? toStoreError(err, this.location) : err;
      }
    });
  }

  private async putInTransaction(d: DeliveryRecord, metaJson: string, records: RecordSource): Promise<PutDeliveryResult> {
    const now = new Date().toISOString();
    const existing = this.s.deliveryById.get(d.id) as DeliveryRow | undefined;
    if (existing) {
      const stored = rowToDelivery(existing, this.location);
      if (stored.envelopeSha256 !== d.envelopeSha256) {
        throw new StoreError(
          'STORE_CONFLICT',
          `delivery ${JSON.stringify(d.id)} is already stored with envelope sha256 ${stored.envelopeSha256}, not ${d.envelopeSha256}; a delivery id must not be sealed twice — ask the vendor which seal is genuine`,
          { kind: 'verification', details: { deliveryId: d.id, stored: stored.envelopeSha256, incoming: d.envelopeSha256 } },
        );
      }
      const diffs = sealedDifferences(stored, d);
      if (diffs.length > 0) {
        throw new StoreError(
          'STORE_CONFLICT',
          `delivery ${JSON.stringify(d.id)} is already stored with the same envelope but different ${diffs.join(', ')}; the caller mis-read the seal`,
          { kind: 'verification', details: { deliveryId: d.id, fields: diffs } },
        );
      }
      if (d.status !== 'verified' || d.verifiedAt === undefined) return { inserted: false, verificationAdded: false };
      const added = this.s.insertVerification.run(existing.seq, d.verifiedAt, d.envelopeSha256, now).changes > 0;
      // The first verification moves the status; later ones are events only, so a re-put of the
      // same verified delivery changes nothing at all.
      if (added && existing.status === 'sealed') this.s.markVerified.run(d.verifiedAt, existing.seq);
      return { inserted: false, verificationAdded: added };
    }
    const other = this.s.deliveryIdByEnvelope.get(d.envelopeSha256) as string | undefined;
    if (other !== undefined) {
      throw new StoreError(
        'STORE_CONFLICT',
        `envelope sha256 ${d.envelopeSha256} is already stored as delivery ${JSON.stringify(other)}, not ${JSON.stringify(d.id)}; one seal cannot name two deliveries`,
        { kind: 'verification', details: { deliveryId: d.id, storedAs: other } },
      );
    }
    const seq = Number(
      this.s.insertDelivery.run(
        d.id,
        d.vendor,
        d.client,
        d.status,
        d.envelopeSha256,
        d.statementSha256 ?? null,
        d.recordRoot,
        d.recordSetRoot,
        d.recordCount,
        d.fileCount,
        d.keyId,
        d.sealedAt,
        d.verifiedAt ?? null,
        d.path ?? null,
        metaJson,
        now,
      ).lastInsertRowid,
    );
    await this.insertRecords(seq, d, records);
    if (d.status === 'verified' && d.verifiedAt !== undefined) {
      this.s.insertVerification.run(seq, d.verifiedAt, d.envelopeSha256, now);
      return { inserted: true, verificationAdded: true };
    }
    return { inserted: true, verificationAdded: false };
  }

  private async insertRecords(seq: number, d: DeliveryRecord, records: RecordSource): Promise<void> {
    const files = new Map<string, number>();
    const insert = this.s.insertRecord;
    let n = 0;
    const add = (r: Parameters<typeof checkRecordRef>[0]) => {
      checkRecordRef(r, n);
      if (n >= d.recordCount) {
        throw new StoreError(
          'STORE_COUNT_MISMATCH',
          `delivery ${JSON.stringify(d.id)} declares ${d.recordCount} records but more were given; the records do not belong to this seal`,
          { details: { deliveryId: d.id, declared: d.recordCount } },
        );
      }
      let fileNo = files.get(r.file);
      if (fileNo === undefined) {
        fileNo = files.size;
        if (fileNo >= d.fileCount) {
          throw new StoreError(
            'STORE_COUNT_MISMATCH',
            `delivery ${JSON.stringify(d.id)} declares ${d.fileCount} files but records name more; the records do not belong to this seal`,
            { details: { deliveryId: d.id, declaredFiles: d.fileCount } },
          );
        }
        files.set(r.file, fileNo);
        this.s.insertFile.run(seq, fileNo, r.file);
      }
      // One prepared single-row INSERT per record: measured faster here than multi-row VALUES
      // statements, whose 1,000-parameter binding costs more than the calls it saves.
      insert.run(seq, fileNo, r.index, digestBuffer(r.digest));
      n++;
    };
    try {
      if (Symbol.asyncIterator in records) {
        for await (const r of records) add(r);
      } else {
        // A sync source needs no promise per record: about twice as fast for in-memory lists.
        for (const r of records) add(r);
      }
    } catch (err) {
      if (isSqliteError(err) && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new StoreError(
          'STORE_INVALID_ARGUMENT',
          `delivery ${JSON.stringify(d.id)} lists the same (file, index) twice; each record position must be unique`,
          { cause: err, details: { deliveryId: d.id } },
        );
      }
      throw err;
    }
    if (n !== d.recordCount) {
      throw new StoreError(
        'STORE_COUNT_MISMATCH',
        `delivery ${JSON.stringify(d.id)} declares ${d.recordCount} records but ${n} were given; the record stream was truncated or belongs to another seal`,
        { details: { deliveryId: d.id, declared: d.recordCount, given: n } },
      );
    }
  }

  // ---- reads ------------------------------------------------------------------------------

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return this.read(() => {
      const row = this.s.deliveryById.get(id) as DeliveryRow | undefined;
      return row ? rowToDelivery(row, this.location) : undefined;
    });
  }

  async listDeliveries(filter: DeliveryFilter = {}): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const args: string[] = [];
    for (const [col, value] of [
      ['vendor', filter.vendor],
      ['client', filter.client],
      ['status', filter.status],
    ] as const) {
      if (value !== undefined) {
        where.push(`${col} = ?`);
        args.push(value);
      }
    }
    const sql = `SELECT * FROM deliveries${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return this.read(() => {
      let stmt = this.listCache.get(sql);
      if (!stmt) {
        stmt = this.db.prepare(sql);
        this.listCache.set(sql, stmt);
      }
      return (stmt.all(...args) as DeliveryRow[]).map((row) => rowToDelivery(row, this.location));
    });
  }

  async listVerifications(deliveryId: string): Promise<VerificationEvent[]> {
    return this.read(() => this.s.verifications.all(deliveryId) as VerificationEvent[]);
  }

  async findRecords(digest: DigestInput): Promise<RecordLocation[]> {
    const key = digestBuffer(digest);
    return this.read(() =>
      (this.s.findOne.all(key) as LocationRow[]).map((r) => ({ deliveryId: r.deliveryId, file: r.file, index: r.idx })),
    );
  }

  async *findRecordsMany(digests: AsyncIterable<DigestInput> | Iterable<DigestInput>): AsyncIterable<RecordMatch> {
    this.assertOpen();
    let chunk: Buffer[] = [];
    const lookup = async (batch: Buffer[]): Promise<RecordMatch[]> => {
      const params: Buffer[] = batch.slice();
      // Pad with a repeat of the first digest so one prepared statement serves every chunk;
      // IN (...) matches a repeated value once.
      const first = batch[0] as Buffer;
      while (params.length < LOOKUP_BATCH) params.push(first);
      const rows = await this.read(() => this.s.findMany.all(params) as LocationRow[]);
      if (rows.length === 0) return [];
      const byDigest = new Map<string, RecordLocation[]>();
      for (const r of rows) {
        const k = r.digest.toString('latin1');
        const loc = { deliveryId: r.deliveryId, file: r.file, index: r.idx };
        const list = byDigest.get(k);
        if (list) list.push(loc);
        else byDigest.set(k, [loc]);
      }
      const out: RecordMatch[] = [];
      for (const digest of batch) {
        const locations = byDigest.get(digest.toString('latin1'));
        if (locations) out.push({ digest, locations });
      }
      return out;
    };
    for await (const d of digests) {
      chunk.push(digestBuffer(d));
      if (chunk.length === LOOKUP_BATCH) {
        const batch = chunk;
        chunk = [];
        yield* await lookup(batch);
      }
    }
    if (chunk.length > 0) yield* await lookup(chunk);
  }

  async countRecords(deliveryId: string): Promise<number> {
    return this.read(() => this.s.countRecords.get(deliveryId) as number);
  }

  async schemaVersion(): Promise<number> {
    return this.read(() => currentVersion(this.db));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.gate.drained();
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } catch (err) {
      throw toStoreError(err, this.location);
    }
  }
}

function prepareStatements(db: Db) {
  const locationSelect = `SELECT r.digest AS digest, d.id AS deliveryId, f.path AS file, r.idx AS idx
    FROM records r
    JOIN deliveries d ON d.seq = r.delivery_seq
    JOIN delivery_files f ON f.delivery_seq = r.delivery_seq AND f.file_no = r.file_no`;
  const order = 'ORDER BY r.digest, r.delivery_seq, r.file_no, r.idx';
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    deliveryById: db.prepare('SELECT * FROM deliveries WHERE id = ?'),
    deliveryIdByEnvelope: db.prepare('SELECT id FROM deliveries WHERE envelope_sha256 = ?').pluck(),
    insertDelivery: db.prepare(`INSERT INTO deliveries (id, vendor, client, status, envelope_sha256, statement_sha256,
      record_root, record_set_root, record_count, file_count, key_id, sealed_at, verified_at, path, meta, stored_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    markVerified: db.prepare(`UPDATE deliveries SET status = 'verified', verified_at = ? WHERE seq = ?`),
    insertVerification: db.prepare(
      'INSERT OR IGNORE INTO verifications (delivery_seq, verified_at, envelope_sha256, recorded_at) VALUES (?, ?, ?, ?)',
    ),
    insertFile: db.prepare('INSERT INTO delivery_files (delivery_seq, file_no, path) VALUES (?, ?, ?)'),
    insertRecord: db.prepare('INSERT INTO records (delivery_seq, file_no, idx, digest) VALUES (?, ?, ?, ?)'),
    verifications: db.prepare(`SELECT d.id AS deliveryId, v.verified_at AS verifiedAt, v.envelope_sha256 AS envelopeSha256
      FROM verifications v JOIN deliveries d ON d.seq = v.delivery_seq
      WHERE d.id = ? ORDER BY v.verified_at, v.recorded_at`),
    findOne: db.prepare(`${locationSelect} WHERE r.digest = ? ${order}`),
    findMany: db.prepare(
      `${locationSelect} WHERE r.digest IN (${new Array<string>(LOOKUP_BATCH).fill('?').join(', ')}) ${order}`,
    ),
    countRecords: db
      .prepare('SELECT count(*) FROM records WHERE delivery_seq = (SELECT seq FROM deliveries WHERE id = ?)')
      .pluck(),
  };
}

function currentVersion(db: Db): number {
  const v = db.prepare('SELECT max(version) FROM schema_version').pluck().get();
  return typeof v === 'number' ? v : 0;
}

/**
 * Refuses a database of another program or of a newer Provenant. Returns whether the file is
 * already ours (false: empty, to be claimed).
 */
function checkIdentity(db: Db, location: string): boolean {
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (appId !== APPLICATION_ID) {
    const objects = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
    if (appId !== 0 || objects > 0) {
      throw new StoreError(
        'STORE_FOREIGN_DATABASE',
        'store file is an SQLite database of another program; point PROVENANT_HOME at another folder instead of reusing this file',
        { location: { file: location }, details: { applicationId: appId } },
      );
    }
    return false;
  }
  const hasTable = db.prepare(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'`);
  const current = hasTable.pluck().get() === 1 ? currentVersion(db) : 0;
  if (current > LATEST_VERSION) {
    throw new StoreError(
      'STORE_SCHEMA_TOO_NEW',
      `store schema version ${current} is newer than this Provenant understands (${LATEST_VERSION}); upgrade Provenant to use this store`,
      { location: { file: location }, details: { storeVersion: current, knownVersion: LATEST_VERSION } },
    );
  }
  return true;
}

/** Claims a new file and applies missing migrations atomically. */
function migrate(db: Db, location: string): void {
  // IMMEDIATE: two processes opening a fresh store at once must not both run migration 1, so the
  // identity is checked again under the write lock.
  db.exec('BEGIN IMMEDIATE');
  try {
    if (!checkIdentity(db, location)) db.pragma(`application_id = ${APPLICATION_ID}`);
    db.exec(SCHEMA_VERSION_TABLE);
    const current = currentVersion(db);
    const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

function rowToDelivery(row: DeliveryRow, location: string): DeliveryRecord {
  let meta: unknown;
  try {
    meta = JSON.parse(row.meta);
  } catch (err) {
    throw new StoreError('STORE_CORRUPT', `stored metadata of delivery ${JSON.stringify(row.id)} is not JSON; the store file was altered — restore it from a backup`, {
      cause: err,
      location: { file: location },
    });
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new StoreError('STORE_CORRUPT', `stored metadata of delivery ${JSON.stringify(row.id)} is not a JSON object; the store file was altered — restore it from a backup`, {
      location: { file: location },
    });
  }
  return {
    id: row.id,
    vendor: row.vendor,
    client: row.client,
    status: row.status === 'verified' ? 'verified' : 'sealed',
    envelopeSha256: row.envelope_sha256,
    ...(row.statement_sha256 !== null ? { statementSha256: row.statement_sha256 } : {}),
    recordRoot: row.record_root,
    recordSetRoot: row.record_set_root,
    recordCount: row.record_count,
    fileCount: row.file_count,
    keyId: row.key_id,
    sealedAt: row.sealed_at,
    ...(row.verified_at !== null ? { verifiedAt: row.verified_at } : {}),
    ...(row.path !== null ? { path: row.path } : {}),
    meta: meta as Record<string, unknown>,
  };
}
