/**
 * PostgreSQL driver of the Store contract, on node-postgres (`pg`).
 *
 * Atomicity: putDelivery checks out ONE client and runs BEGIN ... COMMIT on it (ROLLBACK on any
 * error). A process killed in between leaves an open transaction whose connection closes; the
 * server then aborts it, so no partial delivery is ever visible (MVCC hides uncommitted rows from
 * every other session meanwhile).
 *
 * Concurrency: across processes, a put takes transaction-scoped advisory locks on its delivery id
 * and envelope digest, so two writers of the same delivery serialize and the second sees the
 * first's row (idempotent put, or STORE_CONFLICT) instead of a unique violation. Within one Store
 * object the same gate as the SQLite driver applies: writes run one at a time and reads wait for
 * the open write, which is what the contract promises callers of one Store.
 */
import type pg from 'pg';
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
  RecordRef,
  RecordSource,
  Store,
  VerificationEvent,
} from '../types.js';
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
} from './connection.js';
import { DEFAULT_PG_SCHEMA } from './url.js';
import type { PgFailure } from './connection.js';
import { PG_LATEST_VERSION, PG_MIGRATIONS, SCHEMA_MARK, SCHEMA_VERSION_TABLE } from './migrations.js';
import { WriteGate } from '../write-gate.js';

/** Options of the PostgreSQL driver: a URL (the store owns its pool) or a caller's pool. */
export type PostgresStoreOptions = (
  | {
      /** postgres:// or postgresql:// URL; the password never appears in messages. */
      readonly url: string;
      readonly pool?: undefined;
      /** Connections of the store's own pool (default 4). */
      readonly maxConnections?: number;
      /** How long to wait for a connection before STORE_UNREACHABLE (default 10000 ms). */
      readonly connectTimeoutMs?: number;
    }
  | {
      /** A pool owned by the caller: used, never ended by close(). */
      readonly pool: pg.Pool;
      readonly url?: undefined;
    }
) & {
  /** Schema holding the tables (created if missing); default 'provenant'. Lower-case identifier. */
  readonly schema?: string;
};

/** Rows per INSERT ... unnest statement, and digests per lookup. */
const INSERT_BATCH = 5000;
const LOOKUP_BATCH = 2000;
/** Deliveries at least this large refresh the planner's statistics once committed. */
const ANALYZE_AFTER = 10_000;

interface DeliveryRow {
  seq: string;
  id: string;
  vendor: string;
  client: string;
  status: string;
  envelope_sha256: string;
  statement_sha256: string | null;
  record_root: string;
  record_set_root: string;
  record_count: string;
  file_count: string;
  key_id: string;
  sealed_at: string;
  verified_at: string | null;
  path: string | null;
  meta: string;
}

interface LocationRow {
  digest: Buffer;
  delivery_id: string;
  file: string;
  idx: string;
}

const FAILURE_CODE: Record<PgFailure, StoreErrorCode> = {
  unreachable: 'STORE_UNREACHABLE',
  auth: 'STORE_AUTH_FAILED',
  'no-database': 'STORE_NO_DATABASE',
  'bad-url': 'STORE_BAD_URL',
  busy: 'STORE_BUSY',
  io: 'STORE_IO',
  'invalid-argument': 'STORE_INVALID_ARGUMENT',
  failure: 'STORE_FAILURE',
};

/** Maps pg and network errors to coded StoreErrors naming the (redacted) URL; ProvenantErrors pass. */
export function pgStoreError(err: unknown, location: string): ProvenantError {
  if (err instanceof ProvenantError) return err;
  const kind = classifyPgError(err);
  const engine = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const code = FAILURE_CODE[kind];
  const userSide = kind !== 'failure' && kind !== 'busy';
  return new StoreError(code, failureAdvice(kind, location, detail), {
    cause: err,
    kind: userSide ? 'input' : 'internal',
    location: { file: location },
    details: { engine: engine || detail },
  });
}

function invalidOptions(message: string): StoreError {
  return new StoreError('STORE_INVALID_ARGUMENT', message, { kind: 'input' });
}

/** Converts a bigint column (pg returns int8 as text) to a number, refusing what is not safe. */
function num(v: string | number, location: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new StoreError('STORE_CORRUPT', `stored integer ${String(v)} is out of range; the database was altered — restore it from a backup`, {
      location: { file: location },
    });
  }
  return n;
}

/** PostgreSQL text cannot hold U+0000 (SQLSTATE 22021): refuse it up front with a clear message. */
function checkNoNul(value: string | undefined, what: string): void {
  if (value !== undefined && value.includes('\u0000')) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `${what} contains a NUL character, which PostgreSQL text cannot hold; remove it`);
  }
}

/** Opens (creating the schema and migrating if needed) a PostgreSQL store. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  if (typeof options !== 'object' || options === null) throw invalidOptions('PostgreSQL store options must be an object with url or pool');
  const schema = options.schema ?? DEFAULT_PG_SCHEMA;
  if (!isSchemaName(schema)) {
    throw invalidOptions(`PostgreSQL schema ${JSON.stringify(schema)} is not a lower-case identifier (a-z, 0-9, _; not pg_*); pick another name`);
  }
  let pool: pg.Pool;
  let owned: boolean;
  let where: string;
  if (options.pool !== undefined) {
    if (options.url !== undefined) throw invalidOptions('give either url or pool to the PostgreSQL store, not both');
    pool = options.pool;
    owned = false;
    where = describePool(pool);
  } else {
    const url = options.url;
    if (typeof url !== 'string' || !POSTGRES_URL.test(url)) {
      throw new StoreError('STORE_BAD_URL', `database URL ${typeof url === 'string' ? redactUrl(url) : String(url)} is not a postgres:// or postgresql:// URL; fix it`, {
        kind: 'input',
      });
    }
    where = redactUrl(url);
    try {
      pool = openPool(url, {
        applicationName: 'provenant',
        ...(options.maxConnections !== undefined ? { max: options.maxConnections } : {}),
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      });
    } catch (err) {
      throw new StoreError('STORE_BAD_URL', failureAdvice('bad-url', where, err instanceof Error ? err.message : String(err)), { cause: err });
    }
    owned = true;
  }
  const location = schema === DEFAULT_PG_SCHEMA ? where : `${where} (schema ${schema})`;
  try {
    await migrate(pool, schema, location);
  } catch (err) {
    if (owned) await pool.end().catch(() => undefined);
    throw pgStoreError(err, location);
  }
  return new PostgresStore(pool, owned, schema, location);
}

/**
 * Applies missing migrations in one transaction under an advisory lock keyed by the schema name:
 * a second process starting at the same time waits, then finds the schema current. A schema that
 * holds other tables, or a schema_version table without our mark, is another program's.
 */
async function migrate(pool: pg.Pool, schema: string, location: string): Promise<void> {
  const { client, release } = await checkout(pool);
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey('provenant-store-migrate', schema)]);
      const tables = await client.query<{ name: string; mark: string | null }>(
        `SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS mark
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
        [schema],
      );
      const versionTable = tables.rows.find((r) => r.name === 'schema_version');
      if ((versionTable === undefined && tables.rows.length > 0) || (versionTable !== undefined && versionTable.mark !== SCHEMA_MARK)) {
        throw new StoreError(
          'STORE_FOREIGN_DATABASE',
          `PostgreSQL schema ${schema} at ${location} holds tables of another program; pick another schema for Provenant`,
          { location: { file: location }, details: { schema } },
        );
      }
      let current = 0;
      if (versionTable !== undefined) {
        const v = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${ident(schema)}.schema_version`);
        current = v.rows[0]?.v ?? 0;
      }
      if (current > PG_LATEST_VERSION) {
        throw new StoreError(
          'STORE_SCHEMA_TOO_NEW',
          `store schema version ${current} is newer than this Provenant understands (${PG_LATEST_VERSION}); upgrade Provenant to use this store`,
          { location: { file: location }, details: { storeVersion: current, knownVersion: PG_LATEST_VERSION } },
        );
      }
      const missing = PG_MIGRATIONS.filter((m) => m.version > current);
      // A current store needs no DDL at all, so a role without CREATE rights can use it.
      if (missing.length > 0) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
        await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
        if (versionTable === undefined) await client.query(SCHEMA_VERSION_TABLE);
        for (const m of missing) {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
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

type Client = pg.PoolClient;

class PostgresStore implements Store {
  readonly backend = 'postgres';
  readonly location: string;
  private closed = false;
  /** One writer at a time; reads wait while a write is open. */
  private readonly gate = new WriteGate();
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    private readonly schema: string,
    location: string,
  ) {
    this.location = location;
    this.sql = statements(ident(schema));
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

  /** Runs a read once no write of this Store is open. */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    await this.gate.idle();
    this.assertOpen();
    try {
      return await fn();
    } catch (err) {
      throw pgStoreError(err, this.location);
    }
  }

  /** Runs `fn` as the only writer of this Store; later writes queue behind it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.gate.exclusive(() => this.assertOpen(), fn);
  }

  /** A query whose engine errors become StoreErrors (`special` may claim some first). */
  private async q<R extends pg.QueryResultRow>(
    client: Client,
    text: string,
    values: unknown[],
    special?: (err: unknown) => Error | undefined,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await client.query<R>(text, values);
    } catch (err) {
      throw special?.(err) ?? pgStoreError(err, this.location);
    }
  }

  // ---- writes -----------------------------------------------------------------------------

  async putDelivery(delivery: DeliveryRecord, records: RecordSource): Promise<PutDeliveryResult> {
    this.assertOpen();
    const { metaJson } = checkDelivery(delivery);
    checkNoNul(delivery.path, `delivery ${JSON.stringify(delivery.id)} path`);
    checkRecordSource(records);
    return this.exclusive(async () => {
      let lease: Awaited<ReturnType<typeof checkout>>;
      try {
        lease = await checkout(this.pool);
      } catch (err) {
        throw pgStoreError(err, this.location);
      }
      const { client } = lease;
      let broken = false;
      try {
        await this.q(client, 'BEGIN', []);
        let result: PutDeliveryResult;
        try {
          result = await this.putInTransaction(client, delivery, metaJson, records);
          await this.q(client, 'COMMIT', []);
        } catch (err) {
          try {
            await client.query('ROLLBACK');
          } catch {
            // The connection is gone: the server aborts the transaction itself. Do not reuse it.
            broken = true;
          }
          // The records source's own errors (a reader's parse error...) reach the caller unchanged;
          // every engine error was already converted by q().
          throw err;
        }
        if (result.inserted) await this.refreshStatistics(client, delivery.recordCount);
        return result;
      } catch (err) {
        if (err instanceof StoreError && err.code === 'STORE_UNREACHABLE') broken = true;
        throw err;
      } finally {
        lease.release(broken);
      }
    });
  }

  /**
   * After a large delivery, refreshes the planner's statistics (what autovacuum would do later):
   * right after a bulk load PostgreSQL still believes the table small, and plans seconds-long
   * scans (and JIT compiles them). Best effort: the delivery is already committed.
   */
  private async refreshStatistics(client: Client, added: number): Promise<void> {
    if (added < ANALYZE_AFTER) return;
    try {
      const known = Number((await client.query<{ n: number }>(this.sql.tableRows)).rows[0]?.n ?? -1);
      // reltuples is -1 before the first ANALYZE; otherwise analyze when 10% or more is new.
      if (known < 0 || added * 10 >= known) await client.query(this.sql.analyze);
    } catch {
      // Statistics only affect speed; autovacuum will catch up.
    }
  }

  private async putInTransaction(client: Client, d: DeliveryRecord, metaJson: string, records: RecordSource): Promise<PutDeliveryResult> {
    const now = new Date().toISOString();
    // Two writers of the same id or envelope (other processes, other machines) serialize here, in
    // a fixed key order so that they cannot deadlock; the locks end with the transaction.
    const keys = [advisoryKey('provenant-delivery-id', this.schema, d.id), advisoryKey('provenant-delivery-envelope', this.schema, d.envelopeSha256)];
    keys.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    await this.q(client, 'SELECT pg_advisory_xact_lock($1::bigint), pg_advisory_xact_lock($2::bigint)', keys);
    const existing = (await this.q<DeliveryRow>(client, this.sql.deliveryById, [d.id])).rows[0];
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
      const added = (await this.q(client, this.sql.insertVerification, [existing.seq, d.verifiedAt, d.envelopeSha256, now])).rowCount === 1;
      // The first verification moves the status; later ones are events only.
      if (added && existing.status === 'sealed') await this.q(client, this.sql.markVerified, [d.verifiedAt, existing.seq]);
      return { inserted: false, verificationAdded: added };
    }
    const other = (await this.q<{ id: string }>(client, this.sql.deliveryIdByEnvelope, [d.envelopeSha256])).rows[0];
    if (other !== undefined) {
      throw new StoreError(
        'STORE_CONFLICT',
        `envelope sha256 ${d.envelopeSha256} is already stored as delivery ${JSON.stringify(other.id)}, not ${JSON.stringify(d.id)}; one seal cannot name two deliveries`,
        { kind: 'verification', details: { deliveryId: d.id, storedAs: other.id } },
      );
    }
    const inserted = await this.q<{ seq: string }>(client, this.sql.insertDelivery, [
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
    ]);
    const seq = inserted.rows[0]?.seq as string;
    await this.insertRecords(client, seq, d, records);
    if (d.status === 'verified' && d.verifiedAt !== undefined) {
      await this.q(client, this.sql.insertVerification, [seq, d.verifiedAt, d.envelopeSha256, now]);
      return { inserted: true, verificationAdded: true };
    }
    return { inserted: true, verificationAdded: false };
  }

  /**
   * Streams the records in batches of INSERT ... SELECT FROM unnest(arrays): one round trip per
   * 5,000 rows. One batch is sent while the next is being collected, so reading the source and
   * writing overlap; at most two batches are held in memory.
   */
  private async insertRecords(client: Client, seq: string, d: DeliveryRecord, records: RecordSource): Promise<void> {
    const files = new Map<string, number>();
    let newFileNos: number[] = [];
    let newFilePaths: string[] = [];
    let fileNos: number[] = [];
    let idxs: number[] = [];
    // The batch's digests back to back: pg sends a Buffer parameter as binary, where an array of
    // 32-byte values would go as hex text.
    let digests = Buffer.allocUnsafe(INSERT_BATCH * 32);
    let k = 0;
    let inflight: Promise<unknown> | undefined;
    const duplicate = (err: unknown): Error | undefined =>
      errorCode(err) === '23505'
        ? new StoreError(
            'STORE_INVALID_ARGUMENT',
            `delivery ${JSON.stringify(d.id)} lists the same (file, index) twice; each record position must be unique`,
            { cause: err, details: { deliveryId: d.id } },
          )
        : undefined;
    const flush = async (): Promise<void> => {
      const sent = this.q(client, this.sql.insertBatch, [seq, newFileNos, newFilePaths, fileNos, idxs, digests.subarray(0, k * 32)], duplicate);
      // Failures surface when awaited below; a later batch of an aborted transaction fails too
      // (25P02) and must not become an unhandled rejection.
      sent.catch(() => undefined);
      newFileNos = [];
      newFilePaths = [];
      fileNos = [];
      idxs = [];
      // A new buffer: the one just handed to pg is serialized only when its turn comes.
      digests = Buffer.allocUnsafe(INSERT_BATCH * 32);
      k = 0;
      const previous = inflight;
      inflight = sent;
      if (previous) await previous;
    };
    let n = 0;
    /** Takes one record; true when a batch is full and must be flushed. */
    const add = (r: RecordRef): boolean => {
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
        checkNoNul(r.file, `record #${n} file`);
        files.set(r.file, fileNo);
        newFileNos.push(fileNo);
        newFilePaths.push(r.file);
      }
      fileNos.push(fileNo);
      idxs.push(r.index);
      // A copy: the batch is sent later, and a reader may reuse its buffer for the next record.
      digests.set(r.digest, k * 32);
      k++;
      n++;
      return k === INSERT_BATCH;
    };
    try {
      if (Symbol.asyncIterator in records) {
        for await (const r of records) if (add(r)) await flush();
      } else {
        // A sync source needs no promise per record, only one per batch.
        for (const r of records) if (add(r)) await flush();
      }
      if (k > 0 || newFileNos.length > 0) await flush();
      if (inflight) await inflight;
    } finally {
      // Whatever ended the loop, no batch promise is left unobserved.
      if (inflight) await inflight.catch(() => undefined);
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
    return this.read(async () => {
      const row = (await this.pool.query<DeliveryRow>(this.sql.deliveryById, [id])).rows[0];
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
        args.push(value);
        where.push(`${col} = $${args.length}`);
      }
    }
    const text = `${this.sql.selectDeliveries}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return this.read(async () => (await this.pool.query<DeliveryRow>(text, args)).rows.map((row) => rowToDelivery(row, this.location)));
  }

  async listVerifications(deliveryId: string): Promise<VerificationEvent[]> {
    return this.read(async () => (await this.pool.query<VerificationEvent>(this.sql.verifications, [deliveryId])).rows.map((r) => ({ ...r })));
  }

  async findRecords(digest: DigestInput): Promise<RecordLocation[]> {
    const key = digestBuffer(digest);
    return this.read(async () =>
      (await this.pool.query<LocationRow>(this.sql.findOne, [key])).rows.map((r) => ({
        deliveryId: r.delivery_id,
        file: r.file,
        index: num(r.idx, this.location),
      })),
    );
  }

  async *findRecordsMany(digests: AsyncIterable<DigestInput> | Iterable<DigestInput>): AsyncIterable<RecordMatch> {
    this.assertOpen();
    let chunk: Buffer[] = [];
    const lookup = async (batch: Buffer[]): Promise<RecordMatch[]> => {
      // A digest given twice is looked up once and yielded twice.
      const distinct = new Map<string, Buffer>();
      for (const b of batch) distinct.set(b.toString('latin1'), b);
      const rows = await this.read(async () => (await this.pool.query<LocationRow>(this.sql.findMany, [[...distinct.values()]])).rows);
      if (rows.length === 0) return [];
      const byDigest = new Map<string, RecordLocation[]>();
      for (const r of rows) {
        const k = r.digest.toString('latin1');
        const loc = { deliveryId: r.delivery_id, file: r.file, index: num(r.idx, this.location) };
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
      chunk.push(Buffer.from(digestBuffer(d)));
      if (chunk.length === LOOKUP_BATCH) {
        const batch = chunk;
        chunk = [];
        yield* await lookup(batch);
      }
    }
    if (chunk.length > 0) yield* await lookup(chunk);
  }

  async countRecords(deliveryId: string): Promise<number> {
    return this.read(async () => num((await this.pool.query<{ n: string }>(this.sql.countRecords, [deliveryId])).rows[0]?.n ?? 0, this.location));
  }

  async schemaVersion(): Promise<number> {
    return this.read(async () => (await this.pool.query<{ v: number | null }>(this.sql.schemaVersion)).rows[0]?.v ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.gate.drained();
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) {
      try {
        await this.pool.end();
      } catch (err) {
        throw pgStoreError(err, this.location);
      }
    }
  }
}

/** SQL text of every statement, against the quoted schema `s`. */
function statements(s: string) {
  const locationSelect = `SELECT r.digest AS digest, d.id AS delivery_id, f.path AS file, r.idx AS idx
    FROM ${s}.records r
    JOIN ${s}.deliveries d ON d.seq = r.delivery_seq
    JOIN ${s}.delivery_files f ON f.delivery_seq = r.delivery_seq AND f.file_no = r.file_no`;
  const order = 'ORDER BY r.delivery_seq, r.file_no, r.idx';
  return {
    selectDeliveries: `SELECT * FROM ${s}.deliveries`,
    deliveryById: `SELECT * FROM ${s}.deliveries WHERE id = $1`,
    deliveryIdByEnvelope: `SELECT id FROM ${s}.deliveries WHERE envelope_sha256 = $1`,
    insertDelivery: `INSERT INTO ${s}.deliveries (id, vendor, client, status, envelope_sha256, statement_sha256,
      record_root, record_set_root, record_count, file_count, key_id, sealed_at, verified_at, path, meta, stored_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING seq`,
    markVerified: `UPDATE ${s}.deliveries SET status = 'verified', verified_at = $1 WHERE seq = $2`,
    insertVerification: `INSERT INTO ${s}.verifications (delivery_seq, verified_at, envelope_sha256, recorded_at)
      VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    // Files first met in this batch, then the batch's records: one statement, one round trip.
    insertBatch: `WITH new_files AS (
        INSERT INTO ${s}.delivery_files (delivery_seq, file_no, path)
        SELECT $1::bigint, f.no, f.path FROM unnest($2::integer[], $3::text[]) AS f(no, path)
      )
      INSERT INTO ${s}.records (delivery_seq, file_no, idx, digest)
      SELECT $1::bigint, r.file_no, r.idx, substring($6::bytea FROM ((r.n - 1) * 32 + 1)::integer FOR 32)
        FROM unnest($4::integer[], $5::bigint[]) WITH ORDINALITY AS r(file_no, idx, n)`,
    verifications: `SELECT d.id AS "deliveryId", v.verified_at AS "verifiedAt", v.envelope_sha256 AS "envelopeSha256"
      FROM ${s}.verifications v JOIN ${s}.deliveries d ON d.seq = v.delivery_seq
      WHERE d.id = $1 ORDER BY v.verified_at, v.recorded_at`,
    findOne: `${locationSelect} WHERE r.digest = $1 ${order}`,
    // One index probe per distinct digest, whatever the planner believes about the table: the
    // OFFSET 0 fence keeps the lateral subquery from being flattened into a hash join over a
    // sequential scan of every record, which stale statistics after a bulk load would choose.
    findMany: `SELECT r.digest AS digest, d.id AS delivery_id, f.path AS file, r.idx AS idx
      FROM unnest($1::bytea[]) AS q(digest)
      CROSS JOIN LATERAL (SELECT delivery_seq, file_no, idx, digest FROM ${s}.records WHERE digest = q.digest OFFSET 0) r
      JOIN ${s}.deliveries d ON d.seq = r.delivery_seq
      JOIN ${s}.delivery_files f ON f.delivery_seq = r.delivery_seq AND f.file_no = r.file_no
      ${order}`,
    tableRows: `SELECT reltuples::float8 AS n FROM pg_class WHERE oid = '${s}.records'::regclass`,
    analyze: `ANALYZE (SKIP_LOCKED) ${s}.records, ${s}.delivery_files, ${s}.deliveries`,
    countRecords: `SELECT count(*) AS n FROM ${s}.records WHERE delivery_seq = (SELECT seq FROM ${s}.deliveries WHERE id = $1)`,
    schemaVersion: `SELECT max(version) AS v FROM ${s}.schema_version`,
  };
}

function rowToDelivery(row: DeliveryRow, location: string): DeliveryRecord {
  let meta: unknown;
  try {
    meta = JSON.parse(row.meta);
  } catch (err) {
    throw new StoreError('STORE_CORRUPT', `stored metadata of delivery ${JSON.stringify(row.id)} is not JSON; the database was altered — restore it from a backup`, {
      cause: err,
      location: { file: location },
    });
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new StoreError('STORE_CORRUPT', `stored metadata of delivery ${JSON.stringify(row.id)} is not a JSON object; the database was altered — restore it from a backup`, {
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
    recordCount: num(row.record_count, location),
    fileCount: num(row.file_count, location),
    keyId: row.key_id,
    sealedAt: row.sealed_at,
    ...(row.verified_at !== null ? { verifiedAt: row.verified_at } : {}),
    ...(row.path !== null ? { path: row.path } : {}),
    meta: meta as Record<string, unknown>,
  };
}
