/**
 * Connecting to PostgreSQL with node-postgres (`pg`): pools, redacted URLs for messages, schema
 * names, advisory-lock keys and the classification of pg/network errors. Shared by the Store
 * driver and the transparency-log storage so both report the same failures the same way.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from './url.js';

export { POSTGRES_URL, redactUrl } from './url.js';

/** How a backend reaches PostgreSQL: a URL (the backend owns its pool) or a caller's pool. */
export type PgConnection =
  | { readonly url: string; readonly pool?: undefined }
  | { readonly pool: pg.Pool; readonly url?: undefined };

// Unquoted-identifier shape, lower case only: no quoting surprises, no case folding, and never a
// system schema (pg_*). 63 bytes is PostgreSQL's NAMEDATALEN - 1.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** True when `name` is usable as a schema name (lower-case identifier, not pg_*). */
export function isSchemaName(name: unknown): name is string {
  return typeof name === 'string' && SCHEMA_NAME.test(name) && !name.startsWith('pg_');
}

/** Double-quoted identifier; callers pass names checked by isSchemaName. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A redacted description of a caller-supplied pool, from its connection options. */
export function describePool(pool: pg.Pool): string {
  const o = (pool as unknown as { options?: pg.PoolConfig }).options ?? {};
  if (typeof o.connectionString === 'string') return redactUrl(o.connectionString);
  const user = typeof o.user === 'string' ? `${encodeURIComponent(o.user)}@` : '';
  const host = typeof o.host === 'string' ? o.host : 'localhost';
  const port = typeof o.port === 'number' ? `:${o.port}` : '';
  const db = typeof o.database === 'string' ? `/${encodeURIComponent(o.database)}` : '';
  return `postgres://${user}${host}${port}${db}`;
}

/** A pool of our own on `url`; errors of idle clients (server restart) must not crash the process. */
export function openPool(url: string, options: { readonly max?: number; readonly connectTimeoutMs?: number; readonly applicationName: string }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    // Without a timeout an unreachable host hangs the command for minutes (TCP retries).
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 10_000,
    application_name: options.applicationName,
    // The store's queries are short index probes; JIT only pays off for long analytic scans and
    // costs up to a second per query when a misestimate crosses jit_above_cost. A SET rather than
    // a startup option, which connection poolers such as PgBouncer refuse; awaited by the pool
    // before the connection is handed out.
    onConnect: async (client) => {
      await client.query('SET jit = off');
    },
  });
  // An idle client losing its connection is reported by the next query that needs one.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Checks out a client for a transaction. A checked-out client has no pool listener, and pg emits
 * 'error' when its connection drops: without a listener that would crash the process, while the
 * failing query already rejects with the same error.
 */
export async function checkout(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: (broken?: boolean) => void }> {
  const client = await pool.connect();
  const onError = (): void => undefined;
  client.on('error', onError);
  return {
    client,
    release: (broken = false) => {
      client.removeListener('error', onError);
      // A broken connection (or one left in an unknown transaction state) must not be reused.
      client.release(broken ? true : undefined);
    },
  };
}

/** A signed 64-bit advisory-lock key (as text, for a bigint parameter) derived from `parts`. */
export function advisoryKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest().readBigInt64BE(0).toString();
}

/** What went wrong, independent of which capability reports it. */
export type PgFailure =
  | 'unreachable'
  | 'auth'
  | 'no-database'
  | 'bad-url'
  | 'busy'
  | 'io'
  | 'invalid-argument'
  | 'failure';

/** The SQLSTATE (pg DatabaseError) or the Node error code of `err`, or ''. */
export function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node 20 tries IPv4 and IPv6 and reports both failures in an AggregateError.
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) return errorCode(inner[0]);
  return '';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT']);

/** Classifies a pg or network error. */
export function classifyPgError(err: unknown): PgFailure {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : '';
  if (NETWORK_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return 'unreachable';
  // pg's own messages for a dead or slow server carry no code.
  if (code === '' && /timeout expired|Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)) {
    return 'unreachable';
  }
  if (code.startsWith('28')) return 'auth';
  if (code === '3D000') return 'no-database';
  if (code === 'ERR_INVALID_URL' || (err instanceof TypeError && /url|connection string/i.test(message))) return 'bad-url';
  if (code === '40001' || code === '40P01' || code === '55P03' || code === '53300' || code === '57014') return 'busy';
  if (code === '42501' || code === '53100' || code === '53200' || code === '58030') return 'io';
  // Text PostgreSQL cannot hold (NUL, bad encoding) or an index row too large for a long id.
  if (code === '22021' || code === '22P05' || code === '54000' || code === '22001') return 'invalid-argument';
  return 'failure';
}

/** What to tell the user for each failure reaching `where` (a redacted URL). */
export function failureAdvice(kind: PgFailure, where: string, detail: string): string {
  switch (kind) {
    case 'unreachable':
      return `cannot reach PostgreSQL at ${where} (${detail}); start the server or fix the host and port in the database URL`;
    case 'auth':
      return `PostgreSQL at ${where} refused the login (${detail}); check the user and password in the database URL`;
    case 'no-database':
      return `the database named in ${where} does not exist (${detail}); create it (createdb) or fix the database name in the URL`;
    case 'bad-url':
      return `database URL ${where} is malformed (${detail}); use postgres://USER:PASSWORD@HOST:PORT/DATABASE`;
    case 'busy':
      return `PostgreSQL at ${where} could not take a lock in time (${detail}); retry when the other writer has finished`;
    case 'io':
      return `PostgreSQL at ${where} refused the write (${detail}); grant the user CREATE and write rights on the schema, or free disk space on the server`;
    case 'invalid-argument':
      return `PostgreSQL at ${where} cannot store a value (${detail}); remove NUL characters or shorten the value`;
    case 'failure':
      return `PostgreSQL operation failed at ${where} (${detail})`;
  }
}
