/**
 * Test support for the PostgreSQL backends (not public API): finds the test database and hands out
 * throw-away schemas. Tests use PROVENANT_TEST_DATABASE_URL when set (CI sets it, so there they
 * must run and fail loudly if the server is down); otherwise postgres://postgres@127.0.0.1:5432/test
 * if it answers; otherwise they skip with a visible note.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ident, redactUrl } from './connection.js';

/** The database the tests fall back to when the variable is unset. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The URL to test against, or why the PostgreSQL tests are skipped. */
export async function findTestDatabase(
  env: NodeJS.ProcessEnv = process.env,
  fallback: string = DEFAULT_TEST_DATABASE_URL,
): Promise<{ url: string } | { skip: string }> {
  const given = env['PROVENANT_TEST_DATABASE_URL'];
  if (given !== undefined && given !== '') return { url: given };
  const client = new pg.Client({ connectionString: fallback, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { url: fallback };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { skip: `PostgreSQL not reachable: set PROVENANT_TEST_DATABASE_URL or start a server answering ${redactUrl(fallback)} (${why})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema name, unique per call: tests running in parallel never share tables. */
export function freshSchema(prefix = 'provenant_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A small pool for the tests' own checks and clean-up. */
export function adminPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 1000 });
  pool.on('error', () => undefined);
  return pool;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
}
